"""Trajectories equal PyTorch's: 50 steps, float64, 1e-10 relative, every optimiser and flag."""

from __future__ import annotations

import numpy as np
import pytest

from tests.optim.helpers import adam_reference, rel_err, run_nabla, run_torch
from tests.optim.problems import Net, Quadratic
from tests.optim.registry import FIRST_ORDER, NABLA_ONLY

STEPS = 50
CASES = [
    pytest.param(spec, config, id=f"{spec.name}-{i}")
    for spec in FIRST_ORDER
    for i, config in enumerate(spec.configs)
]


@pytest.mark.parametrize("problem_cls", [Net, Quadratic], ids=["net", "quadratic"])
@pytest.mark.parametrize(("spec", "config"), CASES)
def test_trajectory_matches_reference(spec, config, problem_cls) -> None:
    problem = problem_cls()
    ours = run_nabla(spec, config, problem, STEPS)
    if spec.reference is not None:  # not in PyTorch: the paper's pseudocode in NumPy
        ref = spec.reference(config, problem, STEPS)
    elif any(k in config for k in NABLA_ONLY):
        # PyTorch cannot switch bias correction off: the notes' formula written in NumPy
        decoupled = spec.name == "AdamW" or config.get("decoupled_weight_decay", False)
        ref = adam_reference(config, problem, STEPS, decoupled=decoupled)
    else:
        torch = pytest.importorskip("torch", reason="PyTorch is the oracle for trajectories")
        ref = run_torch(torch, spec, config, problem, STEPS)
    assert ours[-1].tolist() != ours[0].tolist(), "the parameters did not move"
    for step, (a, b) in enumerate(zip(ours, ref)):
        assert rel_err(a, b) <= 1e-10, f"step {step}: relative difference {rel_err(a, b):.3g}"


def test_adam_reference_agrees_with_torch_when_corrected() -> None:
    """The NumPy oracle used for bias_correction=False is itself right where torch can check."""
    torch = pytest.importorskip("torch", reason="PyTorch checks the NumPy oracle")
    from tests.optim.registry import BY_NAME

    config = {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}
    for name in ("Adam", "AdamW"):
        ref = adam_reference(config, Net(), 20, decoupled=name == "AdamW")
        theirs = run_torch(torch, BY_NAME[name], config, Net(), 20)
        assert rel_err(ref[-1], theirs[-1]) <= 1e-10


def test_bias_correction_changes_the_first_steps() -> None:
    from tests.optim.registry import BY_NAME

    spec = BY_NAME["Adam"]
    on = run_nabla(spec, {"lr": 0.01}, Quadratic(), 3)
    off = run_nabla(spec, {"lr": 0.01, "bias_correction": False}, Quadratic(), 3)
    assert rel_err(on[0], off[0]) > 1e-3


@pytest.mark.parametrize(("spec", "config"), CASES)
def test_blockwise_update_equals_whole_array_update(spec, config, monkeypatch) -> None:
    """Large parameters are updated block by block (for the cache): same numbers exactly."""
    import nabla.optim._util as base

    whole = run_nabla(spec, config, Net(), 10)
    monkeypatch.setattr(base, "BLOCK", 4)  # W1 (18 values) and W2 (12) now go in blocks
    blocked = run_nabla(spec, config, Net(), 10)
    for a, b in zip(whole, blocked):
        np.testing.assert_array_equal(a, b)
