"""The Tensor methods bound next to their ops (ops/_api.tensor_method): each is the op
module's own function, PyTorch has a method of that name, and a name cannot be bound
twice."""

from __future__ import annotations

import numpy as np
import pytest

import nabla
from nabla.autograd.ops import (
    einsum,
    indexing,
    math,
    math_binary,
    movement,
    order,
    reduction_extra,
    scan,
)
from nabla.autograd.ops._api import axis_arg, keepdims_arg, tensor_method

METHODS = {
    math: "sin cos tan asin acos atan arcsin arccos arctan sinh cosh rsqrt log2 log10 exp2 "
    "expm1 log1p sign floor ceil round",
    math_binary: "atan2 arctan2 lerp clamp",
    reduction_extra: "std prod norm amax amin argmax argmin",
    scan: "cumsum cumprod",
    order: "median quantile",
    indexing: "gather scatter scatter_add index_select take_along_dim masked_fill",
    movement: "flip roll repeat tile expand split chunk squeeze unsqueeze clone",
}
ALIASES = {"arcsin": "asin", "arccos": "acos", "arctan": "atan", "arctan2": "atan2"}


@pytest.mark.parametrize(
    ("module", "name"),
    [(m, n) for m, names in METHODS.items() for n in names.split()],
    ids=[n for names in METHODS.values() for n in names.split()],
)
def test_method_is_the_op_modules_function_and_pytorch_has_it(module, name) -> None:
    torch = pytest.importorskip("torch", reason="the names are PyTorch's")
    assert getattr(nabla.Tensor, name) is getattr(module, ALIASES.get(name, name))
    assert hasattr(torch.Tensor, name)
    assert hasattr(nabla.autograd, ALIASES.get(name, name))


def test_einsum_is_exported_and_is_no_method() -> None:
    assert nabla.autograd.einsum is einsum.einsum
    assert not hasattr(nabla.Tensor, "einsum")


def test_a_name_cannot_be_bound_twice() -> None:
    def sin(x):  # another implementation of an existing method
        return x

    before = nabla.Tensor.__dict__["sin"]
    with pytest.raises(RuntimeError, match=r"Tensor\.sin is defined twice: by nabla\.autograd"):
        tensor_method("sin", sin)
    with pytest.raises(RuntimeError, match=r"Tensor\.exp is defined twice"):
        tensor_method("exp", sin)  # defined in tensor.py itself
    assert nabla.Tensor.__dict__["sin"] is before
    tensor_method("sin", math.sin)  # the same function again is no conflict
    assert nabla.Tensor.__dict__["sin"] is before


def test_axis_and_dim_aliases() -> None:
    assert axis_arg(1, None, "f") == 1 and axis_arg(None, 2, "f") == 2
    assert axis_arg(None, None, "f") is None
    with pytest.raises(TypeError, match="f: got both axis=0 and dims=1; give one of them"):
        axis_arg(0, 1, "f", "dims")
    assert keepdims_arg(False, True) is True and keepdims_arg(True, None) is True
    x = nabla.tensor(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(
        x.prod(dim=1, keepdim=True).data, x.prod(axis=1, keepdims=True).data
    )
