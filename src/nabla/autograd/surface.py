"""PyTorch's tensor surface: the methods PyTorch code calls that nabla's NumPy-style API
names differently, so that PyTorch's beginner code runs after ``import nabla as torch``.

Bound onto ``Tensor`` here (one line each): ``dim``, ``numel``, ``view``, ``view_as``,
``reshape_as``, ``t``, ``contiguous``, ``is_contiguous``, ``is_floating_point``, ``add`` /
``sub`` / ``mul`` / ``div`` / ``pow`` / ``mm``, ``all`` / ``any``, ``to`` / ``cpu`` /
``cuda`` / ``device`` / ``is_cuda``, the dtype casts ``long`` / ``int`` / ``short`` /
``half`` / ``bool``, ``type_as`` and ``new_tensor`` / ``new_zeros`` / ``new_ones`` /
``new_full`` / ``new_empty``; and ``next_functions`` onto the graph's nodes. The in-place
ops are in ``inplace.py``; ``size`` and ``grad`` are ``Tensor`` properties (``size.py``,
``gradarray.py``); custom functions are in ``function.py``; top-level functions such as
``nabla.cat`` in ``namespace.py``.

Where nabla differs from PyTorch on purpose
-------------------------------------------
nabla keeps NumPy's semantics where NumPy and PyTorch disagree and nabla's users rely on
NumPy's; PyTorch code that depends on one of these needs the change shown.

* ``x.data`` is the NumPy array itself, not a tensor (assign an array: ``p.data = arr``,
  or update it in place: ``p.data -= lr * p.grad``). ``x.grad`` is a NumPy array too (a
  ``GradArray``: ``zero_()``, ``add_()`` ... work on it; arithmetic on it gives arrays).
* ``x.size`` is an ``int`` (NumPy's element count) that is also callable: ``x.size()`` and
  ``x.size(dim)`` are PyTorch's. ``x.shape`` is a plain tuple; ``x.size()`` is a
  ``nabla.Size``.
* Type promotion between two tensors is NumPy's: float32 with int64 gives float64 (PyTorch:
  float32). A Python number keeps the tensor's dtype, as in PyTorch. ``x.pow(int_tensor)``
  keeps ``x``'s floating dtype, as PyTorch's does.
* Reductions take NumPy's ``axis`` / ``keepdims`` and PyTorch's ``dim=`` / ``keepdim=``;
  ``x.max(dim=1)`` gives the values only, not (values, indices) (``argmax`` gives those);
  ``var`` uses ``ddof=0`` by default (PyTorch: ``correction=1``, which nabla takes too).
* ``x.transpose(d0, d1)`` with two ints swaps the two dimensions, as PyTorch's; any other
  form permutes as NumPy's (``x.transpose()`` reverses, ``x.transpose((1, 0, 2))``).
* ``nabla.Tensor(data)`` makes a tensor from data; PyTorch's ``torch.Tensor(2, 3)`` (an
  uninitialised 2 x 3 tensor) is ``nabla.empty(2, 3)``.
* In-place ops follow PyTorch's rules (``inplace.py``), but nabla has no version counter:
  ``x += y`` on a tensor in the graph gives a new tensor (the name is rebound, other
  references keep the old value); ``x.add_(y)`` on such a tensor is refused when an op
  recorded since ``x`` was made may have used it (PyTorch accepts it where its version
  counter allows); an in-place change under ``no_grad`` to values that a recorded op saved
  for its backward is not detected (PyTorch raises at backward); and ``fill_`` / ``zero_``
  on a tensor in the graph pass no gradient back (PyTorch passes zeros).
* Error types follow nabla's rules where PyTorch raises ``RuntimeError`` for bad arguments:
  a shape that does not fit (``view(4)`` of 6 elements, a result that does not fit an
  in-place op) is a ``ValueError``, a dtype that does not fit a ``TypeError``; the autograd
  errors (the leaf rule, ``view`` of a non-contiguous tensor, CUDA) are ``RuntimeError``.
* ``p.data`` being an array, PyTorch's ``p.data.sub_(lr * p.grad.data)`` is written
  ``p.data -= lr * p.grad``; ``x.grad.data`` is NumPy's buffer, not the values.
* Graph nodes are named after the op (``<MulBackward>``, not ``<MulBackward0>``), and
  ``next_functions`` is empty once ``backward`` has freed the graph.
* nabla runs on the CPU only (``device.py``); its dtypes are NumPy's (no bfloat16, no
  complex); its random streams are NumPy's (``generator.py``): seeded runs repeat, but
  the numbers differ from PyTorch's.
* Custom ``Function``s (``function.py``) return one tensor, and their ``backward`` runs
  under ``no_grad`` (no double backward through them).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nabla.autograd.creation import _shape, full
from nabla.autograd.device import CPU, check_device, device
from nabla.autograd.dtypes import resolve_dtype
from nabla.autograd.engine import Function
from nabla.autograd.ops import elementwise as _ew
from nabla.autograd.ops import linalg as _la
from nabla.autograd.ops import shape as _shp
from nabla.autograd.ops._api import tensor_method
from nabla.autograd.tensor import Tensor, tensor


# ---- shape -----------------------------------------------------------------------------
def dim(x: Tensor) -> int:
    """The number of dimensions (NumPy's ``ndim``)."""
    return x.data.ndim


def numel(x: Tensor) -> int:
    """The number of elements (NumPy's ``size``)."""
    return int(x.data.size)


def _view_shape(shape: tuple[Any, ...], n: int, who: str) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    dims = [d if d == -1 else _shape((d,), who)[0] for d in shape]
    if dims.count(-1) > 1:
        raise ValueError(f"{who}: only one dimension can be inferred (-1), got {tuple(shape)}")
    known = int(np.prod([d for d in dims if d != -1]))
    if -1 in dims:
        if known == 0 or n % known:
            raise ValueError(f"{who}: shape {tuple(shape)} is invalid for {n} elements")
        dims[dims.index(-1)] = n // known
    elif known != n:
        raise ValueError(f"{who}: shape {tuple(shape)} is invalid for {n} elements")
    return tuple(dims)


def view(x: Tensor, *shape: Any) -> Tensor:
    """The same data with another shape, sharing memory (one dimension may be -1).

    As in PyTorch, a view never copies: when the tensor's memory layout does not allow the
    new shape (for example after a transpose) this is a ``RuntimeError``; ``reshape``
    copies in that case.
    """
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int, np.integer)):
        raise TypeError(
            f"view: give the new shape as ints, got {shape[0]!r}; to change the dtype use "
            f".to(dtype) (nabla has no reinterpreting view)"
        )
    new = _view_shape(shape, x.data.size, "view")
    if x.data.size and not np.may_share_memory(x.data.reshape(new), x.data):
        raise RuntimeError(
            f"view: a tensor of shape {x.data.shape} with strides {x.data.strides} cannot be "
            f"viewed as {new} without a copy; use .reshape(...) instead."
        )
    return _shp.reshape(x, new)


def view_as(x: Tensor, other: Tensor) -> Tensor:
    return view(x, other.shape)


def reshape_as(x: Tensor, other: Tensor) -> Tensor:
    return _shp.reshape(x, other.shape)


def t(x: Tensor) -> Tensor:
    """The transpose of a matrix; a 0-D or 1-D tensor is returned as it is (PyTorch's)."""
    if x.data.ndim > 2:
        raise ValueError(
            f"t: expects a tensor with <= 2 dimensions, got {x.data.ndim}; use "
            f"transpose(d0, d1) or permute"
        )
    return _shp.transpose(x) if x.data.ndim == 2 else x


def contiguous(x: Tensor) -> Tensor:
    """This tensor when its memory is C-contiguous, else a contiguous copy (in the graph)."""
    return x if x.data.flags.c_contiguous else x.clone()  # type: ignore[attr-defined]


def is_contiguous(x: Tensor) -> bool:
    return bool(x.data.flags.c_contiguous)


def is_floating_point(x: Tensor) -> bool:
    return x.data.dtype.kind == "f"


# ---- arithmetic with PyTorch's method names --------------------------------------------
def add(x: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    """``x + alpha * other``."""
    return x + (other if alpha == 1 else other * alpha)


def sub(x: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    """``x - alpha * other``."""
    return x - (other if alpha == 1 else other * alpha)


def mul(x: Tensor, other: Any) -> Tensor:
    return x * other


def div(x: Tensor, other: Any) -> Tensor:
    return x / other


def _pow(x: Tensor, exponent: Any) -> Tensor:
    """``x ** exponent``; an integer exponent tensor takes ``x``'s floating dtype (PyTorch's
    promotion: NumPy's would give float64 for float32 ** int64)."""
    if (
        isinstance(exponent, Tensor)
        and x.data.dtype.kind == "f"
        and exponent.data.dtype.kind in "biu"
    ):
        exponent = Tensor._wrap(exponent.data.astype(x.data.dtype))
    return _ew.pow(x, exponent)


def mm(x: Tensor, other: Tensor) -> Tensor:
    """The product of two matrices (2-D only; ``matmul`` broadcasts)."""
    if x.data.ndim != 2 or getattr(other, "ndim", None) != 2:
        raise ValueError(
            f"mm: both operands must be matrices (2-D), got shapes {x.shape} and "
            f"{getattr(other, 'shape', None)}; use matmul for other shapes"
        )
    return _la.matmul(x, other)


def _all(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Whether every element is true (nonzero), as a boolean tensor (no gradient)."""
    return Tensor._wrap(np.asarray(np.all(x.data, axis=dim, keepdims=keepdim)))


def _any(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Whether some element is true (nonzero), as a boolean tensor (no gradient)."""
    return Tensor._wrap(np.asarray(np.any(x.data, axis=dim, keepdims=keepdim)))


# ---- dtype and device -------------------------------------------------------------------
def _cast(x: Tensor, dtype: Any) -> Tensor:
    return x if x.data.dtype == dtype else x.astype(dtype)


def to(x: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """``x`` with another dtype and/or device: ``to(dtype)``, ``to("cpu")``,
    ``to(device, dtype)``, ``to(other_tensor)``, ``to(dtype=..., device=...)``.

    Returns ``x`` itself when nothing changes (as PyTorch's), unless ``copy=True``. Any
    device but the CPU is a ``RuntimeError``. ``non_blocking`` is accepted and ignored.
    """
    unknown = set(kwargs) - {"dtype", "device", "copy", "non_blocking", "memory_format"}
    if unknown:
        raise TypeError(f"to: unexpected keyword argument(s) {sorted(unknown)}")
    dtype, dev = kwargs.get("dtype"), kwargs.get("device")
    for a in args:
        if isinstance(a, Tensor):
            dtype = a.data.dtype
        elif isinstance(a, (str, device)):
            dev = a
        elif isinstance(a, bool):
            continue  # PyTorch's positional non_blocking
        else:
            dtype = a
    check_device(dev, "to")
    dt = resolve_dtype(dtype, "to")
    out = x if dt is None else _cast(x, dt)
    if kwargs.get("copy") and out is x:
        out = x.clone()  # type: ignore[attr-defined]
    return out


def cpu(x: Tensor) -> Tensor:
    """``x`` itself: nabla's tensors live on the CPU."""
    return x


def cuda(x: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    raise RuntimeError("cuda: nabla runs on the CPU only (NumPy); there is no CUDA device.")


def _device(x: Tensor) -> device:
    return CPU


def _is_cuda(x: Tensor) -> bool:
    return False


def _long(x: Tensor) -> Tensor:
    return _cast(x, np.int64)


def _int(x: Tensor) -> Tensor:
    return _cast(x, np.int32)


def _short(x: Tensor) -> Tensor:
    return _cast(x, np.int16)


def _half(x: Tensor) -> Tensor:
    return _cast(x, np.float16)


def _bool(x: Tensor) -> Tensor:
    return _cast(x, np.bool_)


def type_as(x: Tensor, other: Tensor) -> Tensor:
    return _cast(x, other.data.dtype)


# ---- new tensors like this one ----------------------------------------------------------
def new_tensor(
    x: Tensor, data: Any, *, dtype: Any = None, device: Any = None, requires_grad: Any = False
) -> Tensor:
    """A copy of ``data`` as a tensor of ``x``'s dtype (unless ``dtype`` is given)."""
    check_device(device, "new_tensor")
    dt = resolve_dtype(dtype, "new_tensor") or x.data.dtype
    return tensor(data, requires_grad=requires_grad, dtype=dt)


def _new_filled(who: str, value: Any) -> Any:
    def method(
        x: Tensor, *size: Any, dtype: Any = None, device: Any = None, requires_grad: Any = False
    ) -> Tensor:
        dt = resolve_dtype(dtype, who) or x.data.dtype
        shape = _shape(size, who)
        return full(shape, value, dtype=dt, device=device, requires_grad=requires_grad)

    method.__name__ = method.__qualname__ = who
    method.__doc__ = f"A tensor of the given size filled with {value}, of ``x``'s dtype."
    return method


new_zeros = _new_filled("new_zeros", 0)
new_ones = _new_filled("new_ones", 1)
new_empty = _new_filled("new_empty", 0)  # zeros: an empty tensor's values are unspecified


def new_full(
    x: Tensor,
    size: Any,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: Any = False,
) -> Tensor:
    dt = resolve_dtype(dtype, "new_full") or x.data.dtype
    return full(size, fill_value, dtype=dt, device=device, requires_grad=requires_grad)


# ---- graph inspection -------------------------------------------------------------------
class AccumulateGrad:
    """The node PyTorch shows for a leaf that requires grad: its ``variable`` is the leaf."""

    next_functions: tuple[Any, ...] = ()

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


def _next_functions(fn: Function) -> tuple[tuple[Any, int], ...]:
    """One ``(node, 0)`` per input of ``fn``, as PyTorch's ``grad_fn.next_functions``: the
    op that made the input, an ``AccumulateGrad`` for a leaf that requires grad, else None.
    Empty once ``backward`` has freed the graph."""
    inputs = fn.inputs or ()
    out: list[tuple[Any, int]] = []
    for x in inputs:
        if x._ctx is not None:
            out.append((x._ctx, 0))
        else:
            out.append((AccumulateGrad(x) if x._requires_grad else None, 0))
    return tuple(out)


_PROPERTIES: list[tuple[type, str, Any]] = [
    (Function, "next_functions", _next_functions),
    (Tensor, "device", _device),
    (Tensor, "is_cuda", _is_cuda),
]
for _cls, _name, _getter in _PROPERTIES:
    if _name in _cls.__dict__:
        raise RuntimeError(f"{_cls.__name__}.{_name} is defined twice; keep one of them.")
    setattr(_cls, _name, property(_getter))

for _name, _fn in [
    ("dim", dim),
    ("numel", numel),
    ("view", view),
    ("view_as", view_as),
    ("reshape_as", reshape_as),
    ("t", t),
    ("contiguous", contiguous),
    ("is_contiguous", is_contiguous),
    ("is_floating_point", is_floating_point),
    ("add", add),
    ("sub", sub),
    ("mul", mul),
    ("div", div),
    ("pow", _pow),
    ("mm", mm),
    ("all", _all),
    ("any", _any),
    ("to", to),
    ("cpu", cpu),
    ("cuda", cuda),
    ("long", _long),
    ("int", _int),
    ("short", _short),
    ("half", _half),
    ("bool", _bool),
    ("type_as", type_as),
    ("new_tensor", new_tensor),
    ("new_zeros", new_zeros),
    ("new_ones", new_ones),
    ("new_empty", new_empty),
    ("new_full", new_full),
]:
    tensor_method(_name, _fn)
