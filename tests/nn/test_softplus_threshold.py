"""Softplus's ``threshold``: the identity where beta x > threshold, as in PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import nabla
import nabla.nn.functional as F
from nabla import nn


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("beta", "threshold"), [(1.0, 20.0), (1.0, 1.0), (2.0, 1.5), (0.5, -1.0)])
def test_softplus_threshold_matches_torch(dtype, beta: float, threshold: float) -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is the reference for softplus")
    x = np.linspace(-5, 5, 41, dtype=dtype)
    t = torch.tensor(x, requires_grad=True)
    expected = torch.nn.Softplus(beta, threshold)(t)
    (expected * torch.arange(41, dtype=t.dtype)).sum().backward()
    ours_in = nabla.tensor(x, requires_grad=True)
    ours = nn.Softplus(beta, threshold)(ours_in)
    (ours * nabla.tensor(np.arange(41, dtype=dtype))).sum().backward()
    tol = 1e-6 if dtype == np.float32 else 1e-12
    assert ours.dtype == dtype
    np.testing.assert_allclose(ours.data, expected.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(ours_in.grad, t.grad.numpy(), rtol=tol, atol=tol)


def test_above_the_threshold_the_output_is_the_input_itself() -> None:
    x = np.array([0.5, 1.0, 1.5, 3.0])
    out = F.softplus(nabla.tensor(x), beta=1.0, threshold=1.0).data
    np.testing.assert_array_equal(out[2:], x[2:])  # beta x > 1: exactly x
    np.testing.assert_allclose(out[:2], np.log1p(np.exp(x[:2])), rtol=1e-15)
