"""Every optimiser's and scheduler's defaults equal PyTorch's, parameter by parameter."""

from __future__ import annotations

import inspect

import pytest

from nabla.optim import lr_scheduler
from tests.optim.registry import NABLA_ONLY, OPTIMIZERS

SCHEDULERS = [
    name
    for name, obj in vars(lr_scheduler).items()
    if isinstance(obj, type) and issubclass(obj, lr_scheduler.LRScheduler)
]


def _compare(ours: type, theirs: type, nabla_only: tuple[str, ...]) -> None:
    mine = inspect.signature(ours).parameters
    peer = inspect.signature(theirs).parameters
    # every parameter of ours exists in PyTorch's, under the same name, unless nabla-only
    assert [k for k in mine if k not in peer] == list(nabla_only)
    shared = [k for k in mine if k in peer]
    assert len(shared) >= 2
    for name in shared:
        assert mine[name].default == peer[name].default, (
            f"{ours.__name__}({name}=...): nabla's default {mine[name].default!r}, "
            f"PyTorch's {peer[name].default!r}"
        )
        # keyword-only in PyTorch means keyword-only here too (no positional surprises)
        if peer[name].kind is inspect.Parameter.KEYWORD_ONLY:
            assert mine[name].kind is inspect.Parameter.KEYWORD_ONLY, name


@pytest.mark.parametrize("spec", [s for s in OPTIMIZERS if s.torch_name], ids=lambda s: s.name)
def test_optimizer_defaults_equal_pytorch(spec) -> None:
    torch = pytest.importorskip("torch", reason="PyTorch's signatures are the reference")
    ours = inspect.signature(spec.cls).parameters
    nabla_only = tuple(k for k in ours if k in NABLA_ONLY)
    _compare(spec.cls, getattr(torch.optim, spec.torch_name), nabla_only)


@pytest.mark.parametrize("name", SCHEDULERS)
def test_scheduler_defaults_equal_pytorch(name) -> None:
    torch = pytest.importorskip("torch", reason="PyTorch's signatures are the reference")
    _compare(getattr(lr_scheduler, name), getattr(torch.optim.lr_scheduler, name), ())


def test_every_scheduler_is_compared() -> None:
    assert set(SCHEDULERS) >= {
        "LRScheduler",
        "StepLR",
        "ExponentialLR",
        "CosineAnnealingLR",
        "CosineAnnealingWarmRestarts",
        "ReduceLROnPlateau",
    }
