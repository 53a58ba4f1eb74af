"""Gradient clipping: the returned norm, the limit respected, PyTorch's results."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nabla.nn.parameter import Parameter
from nabla.optim import clip_grad_norm_, clip_grad_value_


def _params(dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    params = [Parameter(np.zeros(s, dtype=dtype)) for s in [(4, 3), (3,), (2, 2, 2)]]
    for p in params:
        p.grad = (rng.standard_normal(p.data.shape) * 3).astype(dtype)
    params.append(Parameter(np.zeros(2, dtype=dtype)))  # no gradient: ignored
    return params


def _all(params):
    return np.concatenate([p.grad.ravel() for p in params if p.grad is not None])


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
def test_clip_grad_norm_returns_norm_and_respects_limit(norm_type) -> None:
    params = _params()
    g0 = _all(params)
    ref = np.linalg.norm(g0, ord=norm_type)
    total = clip_grad_norm_(params, max_norm=1.5, norm_type=norm_type)
    assert isinstance(total, float)
    assert total == pytest.approx(ref, rel=1e-12)
    g1 = _all(params)
    assert np.linalg.norm(g1, ord=norm_type) <= 1.5
    np.testing.assert_allclose(g1, g0 * (1.5 / (ref + 1e-6)), rtol=1e-12)  # same direction


def test_clip_grad_norm_leaves_small_gradients_alone() -> None:
    params = _params()
    g0 = _all(params)
    total = clip_grad_norm_(params, max_norm=1e6)
    np.testing.assert_array_equal(_all(params), g0)
    assert total == pytest.approx(np.linalg.norm(g0), rel=1e-12)


def test_clip_grad_norm_float32_and_single_tensor() -> None:
    params = _params(np.float32)
    total = clip_grad_norm_(params[0], max_norm=0.5)
    assert params[0].grad.dtype == np.float32
    assert np.linalg.norm(params[0].grad.astype(np.float64)) <= 0.5 + 1e-6
    assert total > 0.5


def test_clip_matches_torch() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle for clipping")
    for norm_type in (2.0, 1.0, math.inf):
        ours = _params()
        theirs = [torch.zeros(p.data.shape, dtype=torch.float64, requires_grad=True) for p in ours]
        for t, p in zip(theirs, ours):
            if p.grad is not None:
                t.grad = torch.tensor(p.grad.copy())
        a = clip_grad_norm_(ours, 2.0, norm_type=norm_type)
        b = torch.nn.utils.clip_grad_norm_(theirs, 2.0, norm_type=norm_type)
        assert a == pytest.approx(float(b), rel=1e-12)
        np.testing.assert_allclose(
            _all(ours),
            np.concatenate([t.grad.numpy().ravel() for t in theirs if t.grad is not None]),
            rtol=1e-12,
        )
    ours = _params()
    theirs = [torch.tensor(p.grad.copy()) for p in ours if p.grad is not None]
    holders = []
    for g in theirs:
        h = torch.zeros_like(g, requires_grad=True)
        h.grad = g
        holders.append(h)
    clip_grad_value_(ours, 0.7)
    torch.nn.utils.clip_grad_value_(holders, 0.7)
    np.testing.assert_array_equal(
        _all(ours), np.concatenate([h.grad.numpy().ravel() for h in holders])
    )


def test_clip_grad_value_bounds_components_and_returns_norm() -> None:
    params = _params()
    g0 = _all(params)
    total = clip_grad_value_(params, 0.7)
    assert total == pytest.approx(np.linalg.norm(g0), rel=1e-12)
    np.testing.assert_array_equal(_all(params), np.clip(g0, -0.7, 0.7))


def test_nonfinite_norm() -> None:
    params = _params()
    params[0].grad[0, 0] = np.nan
    before = _all(params)
    with pytest.raises(
        RuntimeError, match=r"clip_grad_norm_: the total norm of order 2\.0 of the gradients is nan"
    ):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(_all(params), before)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda ps: clip_grad_norm_(ps, -1.0), "clip_grad_norm_: max_norm must be >= 0, got -1.0"),
        (
            lambda ps: clip_grad_norm_(ps, 1.0, norm_type=0),
            "clip_grad_norm_: norm_type must be > 0, got 0",
        ),
        (
            lambda ps: clip_grad_value_(ps, -0.1),
            "clip_grad_value_: clip_value must be >= 0, got -0.1",
        ),
    ],
)
def test_bad_arguments_change_nothing(call, match) -> None:
    params = _params()
    before = _all(params)
    with pytest.raises(ValueError, match=match.replace("(", r"\(").replace(")", r"\)")):
        call(params)
    np.testing.assert_array_equal(_all(params), before)
