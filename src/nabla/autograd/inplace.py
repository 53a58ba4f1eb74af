"""In-place ops with PyTorch's rules: ``add_``, ``sub_``, ``mul_``, ``div_``, ``pow_``,
``clamp_``, ``zero_``, ``fill_``, ``copy_``, ``uniform_``, ``normal_``, item assignment
``x[i] = v`` and the augmented assignments ``x += y``, ``-=``, ``*=``, ``/=``.

The rules, checked before anything changes:

* On a leaf that requires grad, outside ``no_grad``, an in-place op is refused with
  PyTorch's ``RuntimeError`` ("a leaf Variable that requires grad is being used in an
  in-place operation."): it would change a parameter behind autograd's back. Parameter
  updates run under ``no_grad``, as PyTorch's optimisers and ``with torch.no_grad(): w -=
  lr * w.grad`` do.
* When autograd is not recording (``no_grad``, or neither the tensor nor the operand
  requires grad) the op writes into the tensor's memory: a NumPy array from ``x.numpy()``,
  ``from_numpy`` or ``view`` sees the change, as with PyTorch.
* When autograd records it (the tensor or the operand requires grad), the tensor becomes
  the output of the op in the graph (``grad_fn`` is the op's node), holding a new array.
* The result must keep the tensor's shape (the operand broadcasts to it) and fit its dtype
  (NumPy's "same_kind" casting: float into an integer tensor is a ``TypeError``).

nabla has no version counter, which PyTorch uses to catch an in-place change to a value
that an earlier op still needs for its backward. nabla keeps gradients right instead:

* ``x += y`` on a tensor in the graph computes ``x + y`` as a new tensor and rebinds the
  name ``x`` (other references to the old tensor keep the old value);
* ``x.add_(y)`` (and the other methods, and ``x[i] = v``) on a non-leaf tensor that
  requires grad is done only when no op recorded since ``x`` was made can have used it (the
  ops since then made ``y``, from other tensors); otherwise it is refused with a
  ``RuntimeError`` that says to write ``x = x + y``;
* an in-place change under ``no_grad`` to a tensor whose values a recorded op saved for its
  backward is not detected: run ``backward`` first (as a training loop does).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from nabla.autograd.engine import Function, _GradMode, _seq, no_grad
from nabla.autograd.generator import get_rng
from nabla.autograd.ops._api import tensor_method
from nabla.autograd.ops.shape import _unwrap_index
from nabla.autograd.tensor import Tensor, apply, as_tensor

Array = np.ndarray

LEAF_MESSAGE = "a leaf Variable that requires grad is being used in an in-place operation."


class Replace(Function):
    """y = a given array (``fill_``, ``zero_``, ``copy_`` of a constant, random fills).

    VJP: none; the old values do not reach the output."""

    def __init__(self, values: Array) -> None:
        self.values = values

    def forward(self, x: Array) -> Array:
        return np.array(np.broadcast_to(self.values, x.shape), dtype=x.dtype)

    def backward(self, g: Array) -> tuple[None]:
        return (None,)


class SetItem(Function):
    """y = x with ``y[index] = v`` (v broadcast to ``x[index]``'s shape).

    VJP: gx = g with zeros at ``index``; gv = g[index] (summed back to v's shape)."""

    def __init__(self, index: Any, constant: Any = None) -> None:
        self.index = index
        self.constant = constant

    def forward(self, x: Array, v: Array | None = None) -> Array:
        y = x.copy()
        y[self.index] = self.constant if v is None else v
        return y

    def backward(self, g: Array) -> tuple[Array | None, ...]:
        gx = None
        if self.needs_grad[0]:
            gx = g.copy()
            gx[self.index] = 0
        if len(self.needs_grad) == 1:
            return (gx,)
        return gx, (np.asarray(g[self.index]) if self.needs_grad[1] else None)


def _operand_requires_grad(operands: tuple[Any, ...]) -> bool:
    return any(isinstance(o, Tensor) and o._requires_grad for o in operands)


def _recording(x: Tensor, operands: tuple[Any, ...], who: str) -> bool:
    """Whether autograd records this in-place op on ``x``; raises where PyTorch does."""
    if not _GradMode.enabled:
        return False
    if x._requires_grad and x._ctx is None:
        raise RuntimeError(
            f"{LEAF_MESSAGE} ({who}: update a parameter under nabla.no_grad(), or work on "
            f"x.detach() or x.clone())"
        )
    if not (x._requires_grad or _operand_requires_grad(operands)):
        return False
    if x._ctx is not None and not _unused_since(x, operands):
        raise RuntimeError(
            f"{who}: in-place op on a tensor in the graph that other ops may already have "
            f"used; nabla (which has no version counter) cannot tell, so write it out of "
            f"place, e.g. x = x + y instead of x.add_(y)."
        )
    return True


def _unused_since(x: Tensor, operands: tuple[Any, ...]) -> bool:
    """True if no op recorded after ``x`` was made can have used ``x``: every one of them made
    (part of) an operand, from tensors other than ``x``."""
    later = next(copy.copy(_seq)) - 1 - x._seq  # ops recorded since x (peeked, not drawn)
    seen: set[int] = set()
    stack = [o for o in operands if isinstance(o, Tensor)]
    while stack:
        t = stack.pop()
        if t._ctx is None or t._seq <= x._seq or id(t) in seen:
            continue
        seen.add(id(t))
        inputs = t._ctx.inputs or ()
        if any(i is x for i in inputs):
            return False
        stack.extend(inputs)
    return len(seen) == later


def _check_result(x: Tensor, result: Tensor, who: str) -> None:
    if result.data.shape != x.data.shape:
        raise ValueError(
            f"{who}: the result has shape {result.data.shape}, which does not fit the tensor's "
            f"shape {x.data.shape} (an in-place op cannot change the shape)"
        )
    if not np.can_cast(result.data.dtype, x.data.dtype, "same_kind"):
        raise TypeError(
            f"{who}: the result has dtype {result.data.dtype}, which cannot be cast to the "
            f"tensor's dtype {x.data.dtype} in place"
        )


def _write(x: Tensor, values: Any, who: str, casting: str = "same_kind") -> None:
    try:
        np.copyto(x.data, values, casting=casting)  # type: ignore[arg-type]
    except ValueError as exc:
        raise ValueError(f"{who}: cannot write into this tensor's array ({exc})") from None


def _alias(x: Tensor) -> Tensor:
    """A tensor standing for ``x`` as it was: same array, same place in the graph."""
    old = Tensor._wrap(x.data)
    old._requires_grad, old._ctx = x._requires_grad, x._ctx
    if x._ctx is not None:
        old._seq = x._seq
    return old


def _become(x: Tensor, result: Tensor) -> None:
    """Make ``x`` the output of ``result``'s node."""
    if result.data.dtype != x.data.dtype:
        result = result.astype(x.data.dtype)
    x.data = result.data
    x._ctx = result._ctx
    x._requires_grad = result._requires_grad
    if result._ctx is not None:
        x._seq = result._seq


def inplace(x: Tensor, who: str, fn: Callable[[Tensor], Tensor], *operands: Any) -> Tensor:
    """Run the out-of-place ``fn`` and put its result into ``x`` by the rules above."""
    if _recording(x, operands, who):
        result = fn(_alias(x))
        _check_result(x, result, who)
        _become(x, result)
    else:
        with no_grad():
            result = fn(x)
        _check_result(x, result, who)
        _write(x, result.data, who)
    return x


def _replace(x: Tensor, values: Any, who: str, *operands: Any) -> Tensor:
    if _recording(x, operands, who):
        _become(x, apply(Replace(values), _alias(x)))
    else:
        _write(x, values, who, casting="unsafe")
    return x


# ---- the methods -------------------------------------------------------------------------
def add_(x: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    return inplace(x, "add_", lambda t: t + (other if alpha == 1 else other * alpha), other)


def sub_(x: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    return inplace(x, "sub_", lambda t: t - (other if alpha == 1 else other * alpha), other)


def mul_(x: Tensor, other: Any) -> Tensor:
    return inplace(x, "mul_", lambda t: t * other, other)


def div_(x: Tensor, other: Any) -> Tensor:
    return inplace(x, "div_", lambda t: t / other, other)


def pow_(x: Tensor, exponent: Any) -> Tensor:
    return inplace(x, "pow_", lambda t: t.pow(exponent), exponent)  # type: ignore[attr-defined]


def clamp_(x: Tensor, min: Any = None, max: Any = None) -> Tensor:
    return inplace(x, "clamp_", lambda t: t.clamp(min, max), min, max)  # type: ignore[attr-defined]


def zero_(x: Tensor) -> Tensor:
    return _replace(x, np.zeros((), x.data.dtype), "zero_")


def fill_(x: Tensor, value: Any) -> Tensor:
    if isinstance(value, Tensor):
        if value.data.size != 1:
            raise ValueError(f"fill_: the value must be a number, got shape {value.shape}")
        value = value.data.reshape(())
    return _replace(x, np.asarray(value), "fill_")


def copy_(x: Tensor, src: Any, non_blocking: bool = False) -> Tensor:
    """Copy ``src`` (broadcast to ``x``'s shape, converted to its dtype) into ``x``."""
    s = as_tensor(src)
    try:
        fits = np.broadcast_shapes(s.data.shape, x.data.shape) == x.data.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"copy_: the source of shape {s.data.shape} does not broadcast to the tensor's "
            f"shape {x.data.shape}"
        )
    if not _recording(x, (s,), "copy_"):
        _write(x, s.data, "copy_", casting="unsafe")
    elif s._requires_grad:  # the gradient flows to the source
        _become(x, s.broadcast_to(x.data.shape).clone())  # type: ignore[attr-defined]
    else:
        _become(x, apply(Replace(s.data), _alias(x)))
    return x


def uniform_(x: Tensor, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
    """Fill with samples from U(a, b) (from ``generator``, else the default generator)."""
    values = get_rng(generator, "uniform_").uniform(a, b, x.data.shape)
    return _replace(x, values, "uniform_")


def normal_(x: Tensor, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
    """Fill with samples from N(mean, std^2) (from ``generator``, else the default one)."""
    values = get_rng(generator, "normal_").normal(mean, std, x.data.shape)
    return _replace(x, values, "normal_")


def setitem(x: Tensor, index: Any, value: Any) -> None:
    """``x[index] = value`` (NumPy's indexing; the value broadcasts and is cast)."""
    index = _unwrap_index(index)
    if _recording(x, (value,), "__setitem__"):
        if isinstance(value, Tensor):
            result = apply(SetItem(index), _alias(x), value)
        else:
            result = apply(SetItem(index, np.asarray(value)), _alias(x))
        _become(x, result)
        return
    try:
        x.data[index] = value.data if isinstance(value, Tensor) else value
    except ValueError as exc:
        raise ValueError(f"__setitem__: {exc}") from None


def _augmented(name: str, method: Callable[..., Tensor], op: str) -> Callable[..., Tensor]:
    def augmented(x: Tensor, other: Any) -> Tensor:
        if _GradMode.enabled and (x._requires_grad or _operand_requires_grad((other,))):
            if x._requires_grad and x._ctx is None:
                raise RuntimeError(f"{LEAF_MESSAGE} ({op}: update a parameter under no_grad())")
            # out of place: the name is rebound to the result, earlier uses keep the old value
            return getattr(x, name.replace("__i", "__", 1))(other)
        return method(x, other)

    augmented.__name__ = augmented.__qualname__ = name
    return augmented


_METHODS: list[tuple[str, Callable[..., Any]]] = [
    ("add_", add_),
    ("sub_", sub_),
    ("mul_", mul_),
    ("div_", div_),
    ("pow_", pow_),
    ("clamp_", clamp_),
    ("zero_", zero_),
    ("fill_", fill_),
    ("copy_", copy_),
    ("uniform_", uniform_),
    ("normal_", normal_),
    ("__setitem__", setitem),
    ("__iadd__", _augmented("__iadd__", add_, "+=")),
    ("__isub__", _augmented("__isub__", sub_, "-=")),
    ("__imul__", _augmented("__imul__", mul_, "*=")),
    ("__itruediv__", _augmented("__itruediv__", div_, "/=")),
]
for _name, _fn in _METHODS:
    tensor_method(_name, _fn)
