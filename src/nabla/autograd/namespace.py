"""PyTorch's top-level functions where nabla's own differ in name or arguments: ``cat`` and
``stack`` with ``dim``, ``flatten``, ``transpose(x, d0, d1)``, ``t``, ``mm``, ``numel``,
``add`` / ``sub`` / ``mul`` / ``div`` / ``matmul`` with ``out=``, ``allclose``, ``equal``,
``is_tensor`` and ``set_grad_enabled``. ``nabla/__init__.py`` exports them with the
factories and the ops, so that ``torch.cat(...)`` runs as ``nabla.cat(...)``.

``out=`` writes the result into an existing tensor, as PyTorch's does (and, like PyTorch,
refuses when autograd would record the op); a tensor of another shape is resized, which
gives it a new array.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nabla.autograd.engine import _GradMode, _SetGradMode
from nabla.autograd.ops import elementwise as _ew
from nabla.autograd.ops import linalg as _la
from nabla.autograd.ops import shape as _shp
from nabla.autograd.tensor import Tensor, as_tensor


def _out(result: Tensor, out: Tensor | None, who: str) -> Tensor:
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"{who}: out must be a nabla Tensor, got {type(out).__name__}")
    if _GradMode.enabled and (result._requires_grad or out._requires_grad):
        raise RuntimeError(
            f"{who}: functions with out=... arguments don't support automatic differentiation, "
            f"but one of the arguments requires grad."
        )
    if out.data.shape == result.data.shape:
        np.copyto(out.data, result.data, casting="same_kind")
    else:
        out.data = result.data.astype(out.data.dtype)
    return out


def add(input: Any, other: Any, *, alpha: Any = 1, out: Tensor | None = None) -> Tensor:
    """``input + alpha * other``."""
    return _out(_ew.add(input, other if alpha == 1 else other * alpha), out, "add")


def sub(input: Any, other: Any, *, alpha: Any = 1, out: Tensor | None = None) -> Tensor:
    """``input - alpha * other``."""
    return _out(_ew.sub(input, other if alpha == 1 else other * alpha), out, "sub")


def mul(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:
    return _out(_ew.mul(input, other), out, "mul")


def div(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:
    return _out(_ew.div(input, other), out, "div")


def matmul(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:
    return _out(_la.matmul(input, other), out, "matmul")


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    return input.mm(mat2)  # type: ignore[attr-defined, no-any-return]


def cat(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    """The tensors joined along dimension ``dim`` (NumPy's ``concatenate``)."""
    return _shp.concatenate(tensors, axis=dim)


def stack(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    """The tensors stacked along a new dimension ``dim``."""
    return _shp.stack(tensors, axis=dim)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """``input`` with dimensions ``start_dim..end_dim`` merged into one."""
    return as_tensor(input).flatten(start_dim, end_dim)


def transpose(input: Tensor, *dims: Any) -> Tensor:
    """``transpose(x, d0, d1)`` swaps two dimensions (PyTorch's); other forms permute as
    NumPy's ``transpose``."""
    return as_tensor(input).transpose(*dims)


def t(input: Tensor) -> Tensor:
    return input.t()  # type: ignore[attr-defined, no-any-return]


def numel(input: Tensor) -> int:
    return int(as_tensor(input).data.size)


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def _arrays(a: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(getattr(a, "data", a)), np.asarray(getattr(b, "data", b))


def allclose(
    input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """Whether ``|input - other| <= atol + rtol |other|`` everywhere (broadcasting)."""
    a, b = _arrays(input, other)
    return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(input: Any, other: Any) -> bool:
    """Whether both have the same shape and the same values."""
    a, b = _arrays(input, other)
    return a.shape == b.shape and bool(np.array_equal(a, b))


class set_grad_enabled(_SetGradMode):  # PyTorch's name
    """Turn recording on or off: at once as a call, for a block as ``with``, or for a
    function as a decorator, as PyTorch's ``set_grad_enabled(mode)``."""

    def __init__(self, mode: bool) -> None:
        self._prev = _GradMode.enabled
        self._mode = bool(mode)
        _GradMode.enabled = self._mode

    def __enter__(self) -> None:
        _GradMode.enabled = self._mode

    def __exit__(self, *exc: object) -> None:
        _GradMode.enabled = self._prev

    def __call__(self, func: Any) -> Any:
        _GradMode.enabled = self._prev  # as a decorator it changes nothing until called
        return super().__call__(func)


def get_default_dtype() -> Any:
    """The dtype of floating factories without ``dtype=``: float32."""
    return np.float32
