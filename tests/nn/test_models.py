"""The lecture's networks: counts from the notes, the logic-gate truth tables, the model
builders, and state dicts moving between nabla and PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import nabla
from nabla import nn
from nabla.nn import models
from tests.nn.module_registry import _lenet

BITS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)


def test_lenet5_c1_has_122304_connections() -> None:
    net = models.LeNet5(rng=0)
    c1 = net.conv1(nabla.tensor(np.zeros((1, 1, 28, 28), dtype=np.float32)))
    assert c1.shape == (1, 6, 28, 28)
    per_unit = net.conv1.weight[0].size + 1  # 5 x 5 inputs and a bias per output unit
    assert per_unit * c1.size == 122_304
    # a 32x32 input needs no padding and gives the same C1 maps
    assert models.LeNet5(input_size=32, rng=0).conv1.padding == (0, 0)
    assert sum(p.size for p in net.parameters()) == 61_706


def test_seed001_network_has_26_parameters() -> None:
    net = models.MLP([3, 4, 2], rng=0)
    weights = sum(p.size for n, p in net.named_parameters() if n.endswith("weight"))
    biases = sum(p.size for n, p in net.named_parameters() if n.endswith("bias"))
    assert (weights, biases, weights + biases) == (20, 6, 26)


@pytest.mark.parametrize(
    ("gate", "table"),
    [(models.and_gate, [0, 0, 0, 1]), (models.or_gate, [0, 1, 1, 1])],
)
def test_logic_gates_truth_tables(gate, table) -> None:
    out = gate()(nabla.tensor(BITS)).numpy().ravel()
    np.testing.assert_allclose(out, table, atol=1e-4)  # g(±10) is within 5e-5 of 0 / 1


def test_not_gate_and_notes_weights() -> None:
    g = models.not_gate()
    np.testing.assert_allclose(
        g(nabla.tensor(np.array([[0.0], [1.0]]))).numpy().ravel(), [1, 0], atol=1e-4
    )
    np.testing.assert_array_equal(models.and_gate().weight.numpy(), [[20, 20]])
    assert models.and_gate().bias.item() == -30 and models.or_gate().bias.item() == -10
    assert g.weight.item() == -20 and g.bias.item() == 10


def test_xor_from_gates_reproduces_the_notes_table() -> None:
    xor = models.XORNet()
    hidden = xor.hidden(nabla.tensor(BITS)).numpy()
    np.testing.assert_allclose(hidden, [[0, 0], [1, 0], [0, 1], [0, 0]], atol=1e-3)  # a1, a2
    np.testing.assert_allclose(xor(nabla.tensor(BITS)).numpy().ravel(), [0, 1, 1, 0], atol=1e-3)


def test_builders_shapes_and_one_training_step() -> None:
    x = nabla.tensor(np.random.default_rng(0).standard_normal((2, 3, 32, 32)).astype(np.float32))
    for net, n_classes in [
        (models.alexnet(10, input_size=32, width=4, hidden=16, rng=0), 10),
        (models.vgg("A", input_size=32, width=0.0625, hidden=16, rng=0), 10),
        (
            models.vgg(
                [4, "M", 8, "M"], input_size=32, batch_norm=True, hidden=8, num_classes=3, rng=0
            ),
            3,
        ),
    ]:
        out = net(x)
        assert out.shape == (2, n_classes)
        nn.functional.cross_entropy(out, np.array([0, 1])).backward()
        assert all(p.grad is not None for p in net.parameters())
    assert next(iter(models.alexnet(rng=0).state_dict())) == "features.0.weight"
    assert models.alexnet(10, input_size=224, width=2, rng=0)(
        nabla.tensor(np.zeros((1, 3, 224, 224), np.float32))
    ).shape == (1, 10)
    with pytest.raises(ValueError, match="input_size must be an int >= 8, got 4"):
        models.alexnet(input_size=4)
    with pytest.raises(ValueError, match="cfg must be one of"):
        models.vgg("Z")
    with pytest.raises(ValueError, match="LeNet5: input_size 8 is too small"):
        models.LeNet5(input_size=8)
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        models.MLP([2, 3], activation="swish")
    with pytest.raises(ValueError, match="sizes must be at least 2 positive ints"):
        models.MLP([3])


def test_autoencoder_reconstruction_loss() -> None:
    ae = models.Autoencoder([6, 4, 2], output_activation="sigmoid", rng=0)
    x = nabla.tensor(np.random.default_rng(1).uniform(0, 1, (5, 6)))
    ae.double()
    z = ae(x)
    assert ae.encode(x).shape == (5, 2) and z.shape == (5, 6)
    assert ((z.numpy() > 0) & (z.numpy() < 1)).all()
    loss = nn.MSELoss(reduction="sum")(z, x)  # the notes' L = ||z - x||^2
    np.testing.assert_allclose(loss.item(), ((z.numpy() - x.numpy()) ** 2).sum())
    assert [n for n, _ in ae.named_parameters()][:2] == ["encoder.0.weight", "encoder.0.bias"]


def _bn_dropout(t=None):
    if t is None:
        return nn.Sequential(
            nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.3), nn.Linear(8, 3)
        )
    tn = t.nn
    return tn.Sequential(
        tn.Linear(6, 8), tn.BatchNorm1d(8), tn.ReLU(), tn.Dropout(0.3), tn.Linear(8, 3)
    )


@pytest.mark.parametrize(
    ("make", "torch_make", "shape"),
    [
        (
            lambda: models.MLP([784, 256, 128, 10]),
            lambda t: t.nn.Sequential(
                t.nn.Linear(784, 256),
                t.nn.ReLU(),
                t.nn.Linear(256, 128),
                t.nn.ReLU(),
                t.nn.Linear(128, 10),
            ),
            (4, 784),
        ),
        (lambda: models.LeNet5(), _lenet, (3, 1, 28, 28)),
        (_bn_dropout, _bn_dropout, (5, 6)),
    ],
    ids=["MLP", "LeNet5", "BatchNorm+Dropout"],
)
def test_state_dict_moves_between_nabla_and_torch(make, torch_make, shape) -> None:
    torch = pytest.importorskip("torch", reason="state-dict interchange with PyTorch")
    x0 = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    ours = make()
    ours.train()(nabla.tensor(x0 * 2 + 1))  # non-trivial running statistics, if any
    theirs = torch_make(torch)
    # nabla -> torch
    theirs.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in ours.state_dict().items()})
    ours.eval(), theirs.eval()
    with torch.no_grad():
        np.testing.assert_allclose(
            ours(nabla.tensor(x0)).numpy(),
            theirs(torch.from_numpy(x0)).numpy(),
            rtol=1e-4,
            atol=1e-5,
        )
    # torch -> nabla: fresh torch weights (trained statistics included) into a fresh nabla model
    theirs = torch_make(torch)
    theirs.train()
    with torch.no_grad():
        theirs(torch.from_numpy(x0 * 3 - 1))
    theirs.eval()
    back = make()
    result = back.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    assert result == ([], [])
    back.eval()
    with torch.no_grad():
        np.testing.assert_allclose(
            back(nabla.tensor(x0)).numpy(),
            theirs(torch.from_numpy(x0)).numpy(),
            rtol=1e-4,
            atol=1e-5,
        )
