"""Ops with a constant operand give exactly NumPy's result for that constant.

The scalar ops hand NumPy a cached 0-d array of the input's dtype instead of the Python
number, and relu a cached zeros array instead of 0 (NumPy's faster paths); the oracle here
is NumPy with the plain number."""

from __future__ import annotations

import numpy as np
import pytest

import nabla

CONSTANTS = [0.9, 0.1, -0.01, 3, True, 1e-30, -0.0, 0.0, 1e300, float("inf")]
DTYPES = [np.float16, np.float32, np.float64, np.int64]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("c", CONSTANTS)
def test_scalar_ops_equal_numpy_with_the_python_number(c, dtype) -> None:
    a = np.array([-2.5, -0.0, 0.0, 1.25, 7.0]).astype(dtype)
    x = nabla.tensor(a)
    with np.errstate(all="ignore"):
        cases = {
            "x + c": ((x + c).data, a + c),
            "c + x": ((c + x).data, c + a),
            "x - c": ((x - c).data, a - c),
            "c - x": ((c - x).data, c - a),
            "x * c": ((x * c).data, a * c),
            "c * x": ((c * x).data, c * a),
        }
        if c:
            cases["x / c"] = ((x / c).data, a / c)
    for name, (got, want) in cases.items():
        assert got.dtype == want.dtype, name
        np.testing.assert_array_equal(got, want, err_msg=name)
        # the sign of zero too (x * -0.0, 0.0 - x)
        np.testing.assert_array_equal(np.signbit(got), np.signbit(want), err_msg=name)


def test_constant_gradients_equal_the_formulas() -> None:
    a = np.array([0.3, -1.7, 2.0], dtype=np.float32)
    x = nabla.tensor(a, requires_grad=True)
    ((x * 0.9 + 0.1) / 4.0 - 0.01).sum().backward()
    np.testing.assert_array_equal(x.grad, np.full(3, np.float32(0.9) / np.float32(4.0)))
    assert x.grad.dtype == np.float32


def test_cached_constants_cannot_be_changed_through_a_result() -> None:
    x = nabla.tensor(np.ones(3, dtype=np.float32))
    y = x * 2.0
    y.data += 1.0  # the result is a new array; the cached constant is read-only anyway
    np.testing.assert_array_equal((x * 2.0).data, np.full(3, 2.0, dtype=np.float32))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_relu_equals_numpy_on_any_layout(dtype) -> None:
    # relu compares with a cached read-only zeros array instead of the number 0
    full = np.array([[-1.5, -0.0, 0.0, 2.0, np.nan, -np.inf]] * 3)
    if np.dtype(dtype).kind != "f":
        full = np.nan_to_num(full, neginf=-7).astype(dtype)
    full = full.astype(dtype)
    for a in (full, full[:, :4], full.T, full[()]):  # contiguous, strided, transposed
        x = nabla.tensor(a, requires_grad=np.dtype(dtype).kind == "f")
        y = x.relu()
        want = np.maximum(a, 0)
        assert y.data.dtype == want.dtype
        np.testing.assert_array_equal(y.data, want)
        np.testing.assert_array_equal(np.signbit(y.data), np.signbit(want))
        y.data[...] = 5  # the result is the caller's own array ...
        np.testing.assert_array_equal(nabla.tensor(a).relu().data, want)  # ... not the cache
