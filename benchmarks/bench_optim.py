"""Optimisers: the update alone, then whole training epochs, nabla vs PyTorch.

(a) One optimiser step on the 235,146 float32 parameters of an MLP 784-256-128-10 (Adam,
    and SGD with momentum), with fixed gradients: nabla.optim vs torch.optim (its default
    per-tensor loop, and Adam's fused CPU kernel).
(b) One epoch of training on 60,000 synthetic float32 samples (MLP: Gaussian inputs
    labelled by a fixed random linear teacher; LeNet-5: noise images with a faint smooth
    pattern per class; the same data, batches and initial weights for both libraries, the
    same thread count, set by run.py): the MLP 784-256-128-10 with ReLU, cross-entropy
    and Adam (lr 1e-3) at batch 64 and 256, and LeNet-5 at batch 64. Printed: samples/s,
    the mean training loss over the epoch's last 50 batches for each library, and the ratio.
    Part (b) needs nabla.nn (Sequential, Linear, ReLU, CrossEntropyLoss, models.LeNet5).
"""

from __future__ import annotations

import numpy as np

import nabla
from harness import check_close, compare
from nabla import optim
from nabla.nn.parameter import Parameter

MLP_SHAPES = [(256, 784), (256,), (128, 256), (128,), (10, 128), (10,)]
TAIL = 50  # batches averaged for the reported final loss


# ---- (a) the update alone ---------------------------------------------------------------------
def _nabla_stepper(cls, init, grads, **kw):
    params = [Parameter(a.copy()) for a in init]
    for p, g in zip(params, grads):
        p.grad = g
    opt = cls(params, **kw)
    return opt.step, params


def _torch_stepper(torch, cls, init, grads, **kw):
    params = [torch.nn.Parameter(torch.from_numpy(a.copy())) for a in init]
    for p, g in zip(params, grads):
        p.grad = torch.from_numpy(g)
    opt = cls(params, **kw)
    return opt.step, params


def _micro(torch, quick: bool) -> None:
    rng = np.random.default_rng(0)
    init = [rng.standard_normal(s).astype(np.float32) * 0.05 for s in MLP_SHAPES]
    grads = [rng.standard_normal(s).astype(np.float32) * 1e-2 for s in MLP_SHAPES]
    n = sum(a.size for a in init)
    reps = 5 if quick else 50
    cases = [
        ("Adam", optim.Adam, "Adam", {"lr": 1e-3}, {"fused": True}),
        ("SGD momentum", optim.SGD, "SGD", {"lr": 1e-3, "momentum": 0.9}, None),
    ]
    for title, cls, tname, kw, fused in cases:
        step, params = _nabla_stepper(cls, init, grads, **kw)
        candidates = {"nabla": lambda step=step: [step() for _ in range(reps)]}
        if torch is not None:
            tcls = getattr(torch.optim, tname)
            tstep, tparams = _torch_stepper(torch, tcls, init, grads, **kw)
            for _ in range(10):
                step()
                tstep()
            for p, tp in zip(params, tparams):
                check_close(f"{title} step", p.data, tp.detach().numpy(), rtol=1e-5, atol=1e-6)
            candidates["torch"] = lambda tstep=tstep: [tstep() for _ in range(reps)]
            if fused:
                fstep, _ = _torch_stepper(torch, tcls, init, grads, **kw, **fused)
                candidates["torch_fused"] = lambda fstep=fstep: [fstep() for _ in range(reps)]
        compare(f"{title} step, {n:,} float32 params", candidates, per=reps, unit="us", repeat=7)


# ---- (b) training epochs ----------------------------------------------------------------------
def _teacher_data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian inputs of 784 values labelled by a fixed random linear teacher (MLP)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 784)).astype(np.float32)
    teacher = rng.standard_normal((784, 10)).astype(np.float32)
    return X, np.argmax(X @ teacher, axis=1).astype(np.int64)


def _pattern_data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """1x28x28 noise plus a faint, smooth per-class pattern (LeNet-5 learns it in an epoch)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, n).astype(np.int64)
    patterns = np.kron(rng.standard_normal((10, 1, 7, 7)), np.ones((1, 1, 4, 4)))
    X = rng.standard_normal((n, 1, 28, 28)).astype(np.float32)
    X += (0.1 * patterns[y]).astype(np.float32)
    return X, y


def _torch_mlp(torch):
    tnn = torch.nn
    return tnn.Sequential(
        tnn.Linear(784, 256), tnn.ReLU(), tnn.Linear(256, 128), tnn.ReLU(), tnn.Linear(128, 10)
    )


def _torch_lenet(torch):
    tnn, tF = torch.nn, torch.nn.functional

    class LeNet5(tnn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = tnn.Conv2d(1, 6, 5, padding=2)
            self.conv2 = tnn.Conv2d(6, 16, 5)
            self.fc1 = tnn.Linear(400, 120)
            self.fc2 = tnn.Linear(120, 84)
            self.fc3 = tnn.Linear(84, 10)

        def forward(self, x):
            x = tF.max_pool2d(tF.relu(self.conv1(x)), 2)
            x = tF.max_pool2d(tF.relu(self.conv2(x)), 2)
            x = tF.relu(self.fc1(x.flatten(1)))
            return self.fc3(tF.relu(self.fc2(x)))

    return LeNet5()


def _epoch_nabla(nn, net, init, X, y, batch, losses):
    """One epoch from the initial weights (restored in place) with a fresh Adam."""
    params = list(net.parameters())
    for p, a in zip(params, init):
        p.data[...] = a
    opt = optim.Adam(params, lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    out = []
    for i in range(0, len(X), batch):
        loss = criterion(net(nabla.tensor(X[i : i + batch])), y[i : i + batch])
        opt.zero_grad()
        loss.backward()
        opt.step()
        out.append(loss)
    losses["nabla"] = float(np.mean([float(v.item()) for v in out[-TAIL:]]))


def _epoch_torch(torch, tnet, params, init, X, y, batch, losses):
    with torch.no_grad():
        for p, a in zip(params, init):
            p.copy_(torch.from_numpy(a))
    opt = torch.optim.Adam(params, lr=1e-3)
    criterion = torch.nn.CrossEntropyLoss()
    tX, ty = torch.from_numpy(X), torch.from_numpy(y)
    out = []
    for i in range(0, len(X), batch):
        loss = criterion(tnet(tX[i : i + batch]), ty[i : i + batch])
        opt.zero_grad()
        loss.backward()
        opt.step()
        out.append(loss.detach())
    losses["torch"] = float(np.mean([float(v) for v in out[-TAIL:]]))


def _epoch_case(title, nn, net, torch, tnet, X, y, batch, repeat) -> None:
    init = [p.data.copy() for p in net.parameters()]
    losses: dict[str, float] = {}
    candidates = {"nabla": lambda: _epoch_nabla(nn, net, init, X, y, batch, losses)}
    if torch is not None:
        names = [name for name, _ in net.named_parameters()]
        tparams = dict(tnet.named_parameters())
        if sorted(names) != sorted(tparams):
            raise AssertionError(f"{title}: parameter names differ: {names} vs {list(tparams)}")
        # the torch net's parameters in nabla's order, so that ``init`` lines up
        ordered = [tparams[name] for name in names]
        candidates["torch"] = lambda: _epoch_torch(torch, tnet, ordered, init, X, y, batch, losses)
    med = compare(f"{title}: one epoch of {len(X):,} samples", candidates, repeat=repeat, warmup=0)
    rates = " | ".join(
        f"{k} {len(X) / t:,.0f} samples/s, loss {losses[k]:.4f}" for k, t in med.items()
    )
    print(f"    {rates}", flush=True)
    if "torch" in losses:
        # same data, weights and algorithm: the losses differ by float32 rounding only
        check_close(f"{title} final loss", losses["nabla"], losses["torch"], rtol=2e-2)


def _epochs(torch, quick: bool) -> None:
    try:
        from nabla import nn

        mlp_parts = (nn.Sequential, nn.Linear, nn.ReLU, nn.CrossEntropyLoss)
    except (ImportError, AttributeError) as exc:
        print(f"training epochs skipped: nabla.nn is not available ({exc})", flush=True)
        return
    n = 6_000 if quick else 60_000
    repeat = 1 if quick else 3
    X, y = _teacher_data(n, seed=1)
    Seq, Lin, ReLU, _ = mlp_parts
    for batch in (64, 256):
        net = Seq(Lin(784, 256, rng=1), ReLU(), Lin(256, 128, rng=2), ReLU(), Lin(128, 10, rng=3))
        tnet = _torch_mlp(torch) if torch is not None else None
        _epoch_case(
            f"MLP 784-256-128-10, Adam, batch {batch}", nn, net, torch, tnet, X, y, batch, repeat
        )
    try:
        lenet = nn.models.LeNet5(rng=4)
    except (ImportError, AttributeError) as exc:
        print(f"LeNet-5 skipped: nabla.nn.models.LeNet5 is not available ({exc})", flush=True)
        return
    X, y = _pattern_data(n, seed=2)
    tnet = _torch_lenet(torch) if torch is not None else None
    _epoch_case("LeNet-5, Adam, batch 64", nn, lenet, torch, tnet, X, y, 64, repeat)


def main(quick: bool = False) -> None:
    try:
        import torch
    except ImportError:
        torch = None
        print("torch not installed: timing nabla alone")
    _micro(torch, quick)
    _epochs(torch, quick)
