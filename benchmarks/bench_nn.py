"""Forward + backward (no optimiser) of the issue's networks, nabla vs PyTorch.

(a) MLP 784-256-128-10 with ReLU and cross-entropy, batch 64 and 256;
(b) LeNet-5 (ReLU, max-pooling) on 1x28x28, batch 64.

Both libraries use the same float32 weights (nabla's, copied into torch through the state
dict), the same inputs and the same thread count (set by run.py). Before timing, the loss
and every parameter gradient are checked to agree. Printed: time per step and the ratio
nabla / torch of time (below 1: nabla is faster), then samples per second and the
throughput ratio nabla / torch (the issue's targets: >= 1.0 for the MLP, >= 0.7 for
LeNet-5). The machine is shared: rerun and take medians.
"""

from __future__ import annotations

import numpy as np

import nabla
import nabla.nn.functional as F
from harness import check_close, compare
from nabla import nn


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


def _step_nabla(net, x, y):
    loss = F.cross_entropy(net(x), y)
    net.zero_grad()
    loss.backward()
    return loss


def _step_torch(tnet, tF, x, y):
    loss = tF.cross_entropy(tnet(x), y)
    tnet.zero_grad()
    loss.backward()
    return loss


def _case(title, net, tnet, torch, x0, y0, reps, repeat):
    tF = torch.nn.functional if torch is not None else None
    x = nabla.tensor(x0)
    candidates = {"nabla": lambda: [_step_nabla(net, x, y0) for _ in range(reps)]}
    if torch is not None:
        tnet.load_state_dict(
            {k: torch.from_numpy(v.numpy().copy()) for k, v in net.state_dict().items()}
        )
        tx, ty = torch.from_numpy(x0), torch.from_numpy(y0)
        loss = _step_nabla(net, x, y0)
        tloss = _step_torch(tnet, tF, tx, ty)
        check_close(f"{title} loss", loss.item(), tloss.item(), rtol=1e-5)
        tparams = dict(tnet.named_parameters())
        for name, p in net.named_parameters():
            check_close(
                f"{title} grad {name}", p.grad, tparams[name].grad.numpy(), rtol=1e-3, atol=1e-5
            )
        candidates["torch"] = lambda: [_step_torch(tnet, tF, tx, ty) for _ in range(reps)]
    batch = x0.shape[0]
    med = compare(f"{title} fwd+bwd per step", candidates, per=reps, unit="ms", repeat=repeat)
    rates = ", ".join(f"{k} {batch / t:,.0f} samples/s" for k, t in med.items())
    if "torch" in med:
        rates += f" | throughput nabla/torch = {med['torch'] / med['nabla']:.2f}x"
    print(f"    {rates}", flush=True)


def main(quick: bool = False) -> None:
    try:
        import torch
    except ImportError:
        torch = None
        print("torch not installed: timing nabla alone")
    rng = np.random.default_rng(0)
    reps, repeat = (5, 3) if quick else (40, 7)
    for batch in (64, 256):
        net = nn.Sequential(
            nn.Linear(784, 256, rng=1),
            nn.ReLU(),
            nn.Linear(256, 128, rng=2),
            nn.ReLU(),
            nn.Linear(128, 10, rng=3),
        )
        x0 = rng.standard_normal((batch, 784)).astype(np.float32)
        y0 = rng.integers(0, 10, batch)
        tnet = _torch_mlp(torch) if torch is not None else None
        _case(f"MLP 784-256-128-10 batch {batch}", net, tnet, torch, x0, y0, reps, repeat)
    net = nn.models.LeNet5(rng=4)
    x0 = rng.standard_normal((64, 1, 28, 28)).astype(np.float32)
    y0 = rng.integers(0, 10, 64)
    tnet = _torch_lenet(torch) if torch is not None else None
    _case("LeNet-5 1x28x28 batch 64", net, tnet, torch, x0, y0, max(reps // 4, 2), repeat)
