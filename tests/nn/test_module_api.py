"""Module, containers and state dicts: PyTorch's interface and its bad-input behaviour."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import nabla
from nabla import nn


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU())
        self.bn = nn.BatchNorm1d(4)
        self.head = nn.Linear(4, 2, rng=1)
        self.register_buffer("scratch", nabla.tensor(np.zeros(2)), persistent=False)

    def forward(self, x):
        return self.head(self.bn(self.features(x)))


def _x(n: int = 5) -> nabla.Tensor:
    return nabla.tensor(np.random.default_rng(0).standard_normal((n, 3)).astype(np.float32))


def test_named_parameters_buffers_children_modules() -> None:
    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "features.0.weight",
        "features.0.bias",
        "bn.weight",
        "bn.bias",
        "head.weight",
        "head.bias",
    ]
    assert [n for n, _ in net.named_buffers()] == [
        "scratch",
        "bn.running_mean",
        "bn.running_var",
        "bn.num_batches_tracked",
    ]
    assert [type(m).__name__ for m in net.children()] == ["Sequential", "BatchNorm1d", "Linear"]
    assert [n for n, _ in net.named_modules()] == [
        "",
        "features",
        "features.0",
        "features.1",
        "bn",
        "head",
    ]
    assert len(list(net.parameters(recurse=False))) == 0
    assert net.get_submodule("features.0") is net.features[0]
    with pytest.raises(AttributeError, match="no sub-module 'x'"):
        net.get_submodule("features.x")
    # the non-persistent buffer is not in the state dict
    assert "scratch" not in net.state_dict()


def test_shared_parameter_listed_once() -> None:
    lin = nn.Linear(2, 2, rng=0)
    seq = nn.Sequential(lin, nn.ReLU(), lin)
    assert len(list(seq.parameters())) == 2
    assert len(list(seq.modules())) == 3  # Sequential, Linear (once), ReLU


def test_zero_grad_and_requires_grad() -> None:
    net = Net()
    net(_x()).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.any() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.features.requires_grad_(False)
    net(_x()).sum().backward()
    assert net.features[0].weight.grad is None and net.head.weight.grad is not None


def test_train_eval_recursive_and_return_self() -> None:
    net = Net()
    assert net.eval() is net and not net.bn.training and not net.features[1].training
    assert net.train() is net and net.bn.training
    with pytest.raises(TypeError, match="mode must be a bool"):
        net.train("no")  # type: ignore[arg-type]


def test_forward_hooks_and_removable_handles() -> None:
    net = Net()
    seen = []
    h1 = net.head.register_forward_hook(lambda m, args, out: seen.append(out.shape))
    h2 = net.head.register_forward_pre_hook(lambda m, args: seen.append("pre"))
    net(_x())
    assert seen == ["pre", (5, 2)]
    h1.remove()
    h2.remove()
    net(_x())
    assert seen == ["pre", (5, 2)]
    # a hook may replace the output, a pre-hook the input; a handle works as a context manager
    with net.head.register_forward_hook(lambda m, args, out: out * 0.0):
        assert not net(_x()).numpy().any()
    assert net(_x()).numpy().any()
    with net.register_forward_pre_hook(lambda m, args: (args[0] * 0.0,)):
        out = net.features(_x() * 0.0)
    np.testing.assert_array_equal(
        out.numpy(), np.maximum(net.features[0].bias.numpy(), 0)[None].repeat(5, 0)
    )
    with pytest.raises(TypeError, match="hook must be callable"):
        net.register_forward_hook(3)  # type: ignore[arg-type]


def test_attribute_registration_rules() -> None:
    net = Net()
    with pytest.raises(TypeError, match="cannot assign ndarray as parameter 'weight'"):
        net.head.weight = np.zeros((2, 4))  # type: ignore[assignment]
    with pytest.raises(TypeError, match="cannot assign int as child module 'head'"):
        net.head = 3  # type: ignore[assignment]
    net.head.bias = None  # a parameter may become None (like bias=False)
    assert "head.bias" not in net.state_dict()
    del net.head
    assert "head.weight" not in net.state_dict()

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(np.zeros(2))

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Early()
    with pytest.raises(KeyError, match=r"contain no '.'"):
        net.register_buffer("a.b", None)
    with pytest.raises(TypeError, match=r"must be a nabla.Tensor"):
        net.register_buffer("b", np.zeros(2))  # type: ignore[arg-type]


def test_repr_nested() -> None:
    text = repr(Net())
    assert text.startswith("Net(\n  (features): Sequential(\n    (0): Linear(in_features=3")
    assert "(bn): BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True" in text


def test_state_dict_shares_memory_and_load_copies_in_place() -> None:
    a, b = Net(), Net()
    sd = a.state_dict()
    assert np.shares_memory(sd["head.weight"].numpy(), a.head.weight.data)
    w_before = b.head.weight
    data_before = b.head.weight.data
    b.load_state_dict(sd)
    assert b.head.weight is w_before and b.head.weight.data is data_before  # in place
    np.testing.assert_array_equal(b.head.weight.numpy(), a.head.weight.numpy())
    assert not np.shares_memory(b.head.weight.data, a.head.weight.data)


def _snapshot(m: nn.Module) -> dict[str, np.ndarray]:
    return {k: v.numpy().copy() for k, v in m.state_dict().items()}


def _assert_unchanged(m: nn.Module, before: dict[str, np.ndarray]) -> None:
    after = _snapshot(m)
    assert after.keys() == before.keys()
    for k in before:
        np.testing.assert_array_equal(after[k], before[k])


def test_load_state_dict_missing_and_unexpected_strict() -> None:
    net, src = Net(), Net()
    src.head.weight.data[...] = 7.0
    sd = {k: v.numpy() for k, v in src.state_dict().items()}
    before = _snapshot(net)
    bad = dict(sd)
    del bad["bn.running_var"]
    bad["extra.weight"] = np.zeros(3)
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(bad)
    msg = str(info.value)
    assert "Missing key(s) in state_dict: bn.running_var" in msg
    assert "Unexpected key(s) in state_dict: extra.weight" in msg
    assert "for Net" in msg
    _assert_unchanged(net, before)  # nothing was loaded, not even the valid entries
    # non-strict: the valid entries load, the keys are reported
    result = net.load_state_dict(bad, strict=False)
    assert result.missing_keys == ["bn.running_var"] and result.unexpected_keys == ["extra.weight"]
    np.testing.assert_array_equal(net.head.weight.numpy(), 7.0)


def test_load_state_dict_wrong_shape_or_dtype_raises_even_non_strict() -> None:
    net = Net()
    before = _snapshot(net)
    sd = {k: v.numpy().copy() for k, v in Net().state_dict().items()}
    sd["head.bias"][...] = 5.0
    sd["head.weight"] = np.zeros((4, 2), dtype=np.float32)
    for strict in (True, False):
        with pytest.raises(
            RuntimeError,
            match=r"size mismatch for head.weight: copying a param with shape \(4, 2\)",
        ):
            net.load_state_dict(sd, strict=strict)
        _assert_unchanged(net, before)
    sd["head.weight"] = np.zeros((2, 4), dtype=np.float32)
    sd["bn.num_batches_tracked"] = np.array(1.5)
    with pytest.raises(RuntimeError, match=r"num_batches_tracked.*cannot be cast"):
        net.load_state_dict(sd)
    sd["bn.num_batches_tracked"] = np.array("a")
    with pytest.raises(RuntimeError, match="non-numeric"):
        net.load_state_dict(sd)
    _assert_unchanged(net, before)
    with pytest.raises(TypeError, match="expected a mapping"):
        net.load_state_dict([1, 2])  # type: ignore[arg-type]


def test_to_double_keeps_parameter_objects() -> None:
    net = Net()
    w = net.head.weight
    net.double()
    assert net.head.weight is w and w.dtype == np.float64
    assert net.bn.running_mean.dtype == np.float64 and net.bn.num_batches_tracked.dtype == np.int64
    assert net(_x().double()).dtype == np.float64
    with pytest.raises(TypeError, match="floating-point"):
        net.to(np.int32)


def test_deepcopy_is_independent() -> None:
    net = Net()
    clone = copy.deepcopy(net)
    clone.head.weight.data[...] = 0
    assert net.head.weight.numpy().any()
    np.testing.assert_array_equal(clone(_x()).shape, (5, 2))


def test_apply_visits_every_module() -> None:
    names = []
    Net().apply(lambda m: names.append(type(m).__name__))
    assert names == ["Linear", "ReLU", "Sequential", "BatchNorm1d", "Linear", "Net"]


def test_sequential_indexing_and_dict() -> None:
    from collections import OrderedDict

    seq = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 3, rng=0)), ("act", nn.Tanh())]))
    assert list(seq.state_dict()) == ["fc.weight", "fc.bias"]
    assert isinstance(seq[-1], nn.Tanh) and len(seq) == 2
    assert isinstance(seq[:1], nn.Sequential) and len(seq[:1]) == 1
    seq.append(nn.Linear(3, 1, rng=1))
    assert seq(_x()[:, :2]).shape == (5, 1)
    with pytest.raises(IndexError, match="out of range for 3 modules"):
        seq[3]
    with pytest.raises(TypeError, match=r"entry 1 is a int, not a nabla.nn.Module"):
        nn.Sequential(nn.ReLU(), 1)
    del seq[0]
    assert len(seq) == 2 and list(seq.state_dict()) == ["1.weight", "1.bias"]
    seq.append(nn.Sigmoid())
    assert [n for n, _ in seq.named_children()] == ["0", "1", "2"]


def test_module_list_and_dict() -> None:
    layers = nn.ModuleList([nn.Linear(2, 2, rng=i) for i in range(3)])
    assert [n for n, _ in layers.named_parameters()][:2] == ["0.weight", "0.bias"]
    assert len(layers) == 3 and layers[-1] is list(layers)[2]
    layers[0] = nn.Linear(2, 2, rng=9)
    with pytest.raises(IndexError):
        layers[5]
    d = nn.ModuleDict({"a": nn.Linear(2, 1, rng=0)})
    d["b"] = nn.ReLU()
    assert list(d) == ["a", "b"] and "a" in d and list(d.state_dict()) == ["a.weight", "a.bias"]
    with pytest.raises(KeyError, match="no module named 'c'"):
        d["c"]
    with pytest.raises(NotImplementedError):
        layers(1)


def test_forward_not_defined() -> None:
    with pytest.raises(NotImplementedError, match="Module does not define forward"):
        nn.Module()(1)
