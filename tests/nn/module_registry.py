"""The registry of modules: one entry per layer configuration drives test_modules.py.

Each ``ModuleSpec`` gives a constructor (nabla), the same layer in PyTorch (or None where
PyTorch has no equivalent or the output is random), the input shape, the expected output
shape, and how to draw inputs (away from kinks, without ties for max-pooling).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from nabla import nn


@dataclass
class ModuleSpec:
    name: str
    make: Callable[[], nn.Module]
    torch_make: Callable[[Any], Any] | None
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    kind: str = "smooth"  # 'smooth', 'kink' (avoid 0), 'distinct' (no ties)
    gradcheck: bool = True
    mode_dependent: bool = False  # output differs between train() and eval()
    same_repr: bool = True  # repr equals PyTorch's

    def input(self, rng: np.random.Generator, dtype: Any) -> np.ndarray:
        n = int(np.prod(self.input_shape))
        if self.kind == "distinct":
            x = rng.permutation(n) / max(n, 1) * 4 - 2
        else:
            x = rng.uniform(-2, 2, n)
            if self.kind == "kink":
                x = np.where(np.abs(x) < 0.05, 0.1 * np.sign(x + 1e-12), x)
        return x.reshape(self.input_shape).astype(dtype)


def _lenet(t):
    class LeNet5(t.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = t.nn.Conv2d(1, 6, 5, padding=2)
            self.conv2 = t.nn.Conv2d(6, 16, 5)
            self.fc1 = t.nn.Linear(400, 120)
            self.fc2 = t.nn.Linear(120, 84)
            self.fc3 = t.nn.Linear(84, 10)

        def forward(self, x):
            f = t.nn.functional
            x = f.max_pool2d(f.relu(self.conv1(x)), 2)
            x = f.max_pool2d(f.relu(self.conv2(x)), 2)
            x = f.relu(self.fc1(x.flatten(1)))
            return self.fc3(f.relu(self.fc2(x)))

    return LeNet5()


SPECS: list[ModuleSpec] = [
    ModuleSpec("Linear", lambda: nn.Linear(3, 4), lambda t: t.nn.Linear(3, 4), (5, 3), (5, 4)),
    ModuleSpec(
        "Linear_nobias_3d",
        lambda: nn.Linear(3, 4, bias=False),
        lambda t: t.nn.Linear(3, 4, bias=False),
        (2, 2, 3),
        (2, 2, 4),
    ),
    ModuleSpec(
        "Conv2d",
        lambda: nn.Conv2d(2, 3, 3),
        lambda t: t.nn.Conv2d(2, 3, 3),
        (2, 2, 5, 5),
        (2, 3, 3, 3),
    ),
    ModuleSpec(
        "Conv2d_stride_pad_dilation",
        lambda: nn.Conv2d(2, 3, (3, 2), stride=2, padding=1, dilation=(1, 2)),
        lambda t: t.nn.Conv2d(2, 3, (3, 2), stride=2, padding=1, dilation=(1, 2)),
        (1, 2, 6, 5),
        (1, 3, 3, 3),
    ),
    ModuleSpec(
        "Conv2d_unbatched_same",
        lambda: nn.Conv2d(2, 2, 3, padding="same", bias=False),
        lambda t: t.nn.Conv2d(2, 2, 3, padding=1, bias=False),
        (2, 4, 4),
        (2, 4, 4),
        same_repr=False,
    ),
    ModuleSpec(
        "MaxPool2d",
        lambda: nn.MaxPool2d(2),
        lambda t: t.nn.MaxPool2d(2),
        (2, 3, 4, 4),
        (2, 3, 2, 2),
        kind="distinct",
        same_repr=False,
    ),
    ModuleSpec(
        "MaxPool2d_overlap_pad",
        lambda: nn.MaxPool2d(3, stride=2, padding=1),
        lambda t: t.nn.MaxPool2d(3, stride=2, padding=1),
        (1, 2, 5, 5),
        (1, 2, 3, 3),
        kind="distinct",
        same_repr=False,
    ),
    ModuleSpec(
        "AvgPool2d",
        lambda: nn.AvgPool2d(2),
        lambda t: t.nn.AvgPool2d(2),
        (2, 3, 4, 5),
        (2, 3, 2, 2),
        same_repr=False,
    ),
    ModuleSpec(
        "AvgPool2d_pad_exclude",
        lambda: nn.AvgPool2d(3, 2, 1, count_include_pad=False),
        lambda t: t.nn.AvgPool2d(3, 2, 1, count_include_pad=False),
        (1, 2, 5, 5),
        (1, 2, 3, 3),
        same_repr=False,
    ),
    ModuleSpec(
        "BatchNorm1d",
        lambda: nn.BatchNorm1d(3),
        lambda t: t.nn.BatchNorm1d(3),
        (6, 3),
        (6, 3),
        mode_dependent=True,
        same_repr=False,
    ),
    ModuleSpec(
        "BatchNorm1d_3d",
        lambda: nn.BatchNorm1d(3, momentum=0.3),
        lambda t: t.nn.BatchNorm1d(3, momentum=0.3),
        (4, 3, 5),
        (4, 3, 5),
        mode_dependent=True,
        same_repr=False,
    ),
    ModuleSpec(
        "BatchNorm2d",
        lambda: nn.BatchNorm2d(3),
        lambda t: t.nn.BatchNorm2d(3),
        (2, 3, 2, 3),
        (2, 3, 2, 3),
        mode_dependent=True,
        same_repr=False,
    ),
    ModuleSpec(
        "BatchNorm2d_noaffine_cumulative",
        lambda: nn.BatchNorm2d(3, affine=False, momentum=None),
        lambda t: t.nn.BatchNorm2d(3, affine=False, momentum=None),
        (3, 3, 2, 2),
        (3, 3, 2, 2),
        mode_dependent=True,
        same_repr=False,
    ),
    ModuleSpec(
        "BatchNorm1d_untracked",
        lambda: nn.BatchNorm1d(3, track_running_stats=False),
        lambda t: t.nn.BatchNorm1d(3, track_running_stats=False),
        (5, 3),
        (5, 3),
        same_repr=False,
    ),
    ModuleSpec(
        "Dropout",
        lambda: nn.Dropout(0.5, rng=0),
        None,
        (4, 5),
        (4, 5),
        gradcheck=False,
        mode_dependent=True,
        same_repr=False,
    ),
    ModuleSpec(
        "Dropout_noninverted",
        lambda: nn.Dropout(0.25, inverted=False, rng=0),
        None,
        (40, 5),
        (40, 5),
        gradcheck=False,
        mode_dependent=True,
        same_repr=False,
    ),
    ModuleSpec("Flatten", lambda: nn.Flatten(), lambda t: t.nn.Flatten(), (2, 3, 2, 2), (2, 12)),
    ModuleSpec(
        "Unflatten",
        lambda: nn.Unflatten(1, (3, 4)),
        lambda t: t.nn.Unflatten(1, (3, 4)),
        (2, 12),
        (2, 3, 4),
    ),
    ModuleSpec("Identity", lambda: nn.Identity(), lambda t: t.nn.Identity(), (3, 2), (3, 2)),
    ModuleSpec("ReLU", lambda: nn.ReLU(), lambda t: t.nn.ReLU(), (3, 4), (3, 4), kind="kink"),
    ModuleSpec("Sigmoid", lambda: nn.Sigmoid(), lambda t: t.nn.Sigmoid(), (3, 4), (3, 4)),
    ModuleSpec("Tanh", lambda: nn.Tanh(), lambda t: t.nn.Tanh(), (3, 4), (3, 4)),
    ModuleSpec(
        "LeakyReLU",
        lambda: nn.LeakyReLU(0.1),
        lambda t: t.nn.LeakyReLU(0.1),
        (3, 4),
        (3, 4),
        kind="kink",
    ),
    ModuleSpec("PReLU", lambda: nn.PReLU(), lambda t: t.nn.PReLU(), (3, 4), (3, 4), kind="kink"),
    ModuleSpec(
        "PReLU_channels",
        lambda: nn.PReLU(3, init=0.1),
        lambda t: t.nn.PReLU(3, init=0.1),
        (2, 3, 4),
        (2, 3, 4),
        kind="kink",
    ),
    ModuleSpec("ELU", lambda: nn.ELU(0.7), lambda t: t.nn.ELU(0.7), (3, 4), (3, 4), kind="kink"),
    ModuleSpec(
        "Softplus", lambda: nn.Softplus(beta=2.0), lambda t: t.nn.Softplus(beta=2.0), (3, 4), (3, 4)
    ),
    ModuleSpec(
        "Softmax", lambda: nn.Softmax(dim=1), lambda t: t.nn.Softmax(dim=1), (2, 3, 4), (2, 3, 4)
    ),
    ModuleSpec(
        "LogSoftmax",
        lambda: nn.LogSoftmax(dim=1),
        lambda t: t.nn.LogSoftmax(dim=1),
        (3, 4),
        (3, 4),
    ),
    ModuleSpec("Maxout", lambda: nn.Maxout(3, 2, pieces=3), None, (4, 3), (4, 2)),
    ModuleSpec(
        "Sequential",
        lambda: nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)),
        lambda t: t.nn.Sequential(t.nn.Linear(3, 4), t.nn.Tanh(), t.nn.Linear(4, 2)),
        (5, 3),
        (5, 2),
    ),
    ModuleSpec(
        "MLP_3_4_2",
        lambda: nn.models.MLP([3, 4, 2], activation="sigmoid"),
        lambda t: t.nn.Sequential(t.nn.Linear(3, 4), t.nn.Sigmoid(), t.nn.Linear(4, 2)),
        (5, 3),
        (5, 2),
        same_repr=False,
    ),
    ModuleSpec(
        "LeNet5",
        lambda: nn.models.LeNet5(),
        _lenet,
        (2, 1, 28, 28),
        (2, 10),
        gradcheck=False,
        same_repr=False,
    ),
]
