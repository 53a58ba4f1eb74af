"""``Tensor``: an ndarray that remembers how it was computed.

Semantics follow PyTorch for autograd (``requires_grad``, ``backward``, ``grad``,
``detach``, ``no_grad``) and NumPy for everything else (broadcasting, ``axis``,
``keepdims``, indexing). ``.data`` is a plain NumPy array; ``.grad`` is a NumPy array too
(a ``GradArray``, which adds PyTorch's ``zero_()`` and friends).

PyTorch's tensor surface (``view``, ``size()``, ``dim()``, ``to``, ``new_zeros``, the
in-place ops, ...) is bound onto ``Tensor`` by ``autograd/surface.py`` and
``autograd/inplace.py``; the places where nabla differs from PyTorch on purpose are listed
in ``surface.py``'s docstring.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

import numpy as np

from nabla.autograd import engine
from nabla.autograd.device import check_device
from nabla.autograd.engine import Function, _GradMode, _seq, _user_frame, record
from nabla.autograd.gradarray import GradArray, as_grad
from nabla.autograd.size import SizeInt

Array = np.ndarray
Axis = int | tuple[int, ...] | None


def _check_numeric(arr: Array, who: str) -> None:
    kind = arr.dtype.kind
    if kind not in "biuf":
        if kind == "c":
            raise TypeError(f"{who}: complex data is not supported (dtype {arr.dtype}).")
        raise TypeError(
            f"{who}: data must be numeric (bool, integer or floating point), got dtype "
            f"{arr.dtype}; convert it with numpy.asarray(data, dtype=float) first."
        )


def _check_requires_grad(arr: Array, who: str) -> None:
    if arr.dtype.kind != "f":
        raise TypeError(
            f"{who}: only floating-point tensors can require gradients, got dtype "
            f"{arr.dtype}; pass dtype=numpy.float32 (or float64)."
        )


def _to_array(data: Any, dtype: Any, who: str) -> Array:
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, np.ndarray):
        arr = data if dtype is None else data.astype(dtype, copy=False)
    else:
        try:
            arr = np.asarray(data, dtype=dtype)
        except (ValueError, TypeError) as exc:
            raise TypeError(
                f"{who}: cannot make a numeric array from {type(data).__name__}: {exc}"
            ) from None
        # Python floats become float32, as in PyTorch; arrays keep their dtype.
        if dtype is None and arr.dtype == np.float64:
            arr = arr.astype(np.float32)
    _check_numeric(arr, who)
    return arr


class Tensor:
    """An n-dimensional array with reverse-mode automatic differentiation.

    Parameters
    ----------
    data : array_like
        Numeric data. NumPy arrays keep their dtype; Python floats become float32.
    requires_grad : bool, default False
        Record operations on this tensor so that ``backward`` can compute its gradient.
        Only floating-point tensors can require gradients.
    dtype : numpy dtype, optional
        Convert the data to this dtype.

    Examples
    --------
    >>> import nabla
    >>> x = nabla.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    array([2., 4., 6.], dtype=float32)
    """

    __slots__ = (
        "__weakref__",
        "_ctx",
        "_grad",
        "_grad_acc",
        "_requires_grad",
        "_retain",
        "_seq",
        "data",
    )

    # ndarray (op) Tensor defers to Tensor's reflected operators
    __array_ufunc__ = None

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        arr = _to_array(data, dtype, "Tensor")
        if requires_grad:
            _check_requires_grad(arr, "Tensor")
        self.data: Array = arr
        self._grad: GradArray | None = None
        self._requires_grad = bool(requires_grad)
        self._ctx: Function | None = None
        self._grad_acc: Array | None = None
        self._retain = False
        self._seq = 0

    @classmethod
    def _wrap(cls, data: Array) -> Tensor:
        """A new tensor around ``data`` without validation (for ops)."""
        t = object.__new__(Tensor)
        t.data = data
        t._grad = None
        t._requires_grad = False
        t._ctx = None
        t._grad_acc = None
        t._retain = False
        return t

    # ---- properties -----------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> SizeInt:
        """The number of elements, as NumPy's ``ndarray.size``; also PyTorch's method.

        The value is an ``int`` (so NumPy-style code such as ``numpy.zeros(x.size)`` keeps
        working) that can be called: ``x.size()`` is the shape as a ``nabla.Size`` and
        ``x.size(dim)`` the length of one dimension, as in PyTorch. See ``autograd/size.py``.
        """
        return SizeInt(self.data.shape)

    @property
    def grad(self) -> GradArray | None:
        """The accumulated gradient (None until ``backward`` reaches this tensor).

        A NumPy array of this tensor's shape (a ``GradArray``: an ndarray with PyTorch's
        in-place methods such as ``zero_()``). An array, a tensor or None can be assigned.
        """
        return self._grad

    @grad.setter
    def grad(self, value: Any) -> None:
        self._grad = as_grad(value)

    @property
    def requires_grad(self) -> bool:
        """Whether ``backward`` computes a gradient for this tensor.

        Setting it follows ``requires_grad_``: only floating-point tensors can require
        gradients (``TypeError`` otherwise), and a non-leaf tensor cannot be switched off.
        """
        # Ops and the engine read and write the ``_requires_grad`` slot directly (hot path).
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, requires_grad: bool) -> None:
        self._set_requires_grad(requires_grad, "requires_grad")

    def _set_requires_grad(self, requires_grad: bool, who: str) -> None:
        if requires_grad:
            _check_requires_grad(self.data, who)
        elif self._ctx is not None:
            raise RuntimeError(
                f"{who}: cannot turn off gradients of a non-leaf tensor; use detach()."
            )
        self._requires_grad = bool(requires_grad)

    @property
    def grad_fn(self) -> Function | None:
        return self._ctx

    @property
    def is_leaf(self) -> bool:
        return self._ctx is None

    @property
    def T(self) -> Tensor:
        return self.transpose()

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extra = ""
        if self.data.dtype != np.float32:
            extra += f", dtype={self.data.dtype}"
        if self._ctx is not None:
            extra += f", grad_fn={self._ctx!r}"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    # ---- autograd ---------------------------------------------------------------------
    def backward(
        self,
        grad: Any = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        *,
        gradient: Any = None,
    ) -> None:
        """Compute the gradient of this tensor w.r.t. every leaf that requires one.

        Parameters
        ----------
        grad : array_like, optional
            The gradient of the final scalar w.r.t. this tensor; may be omitted only when
            this tensor holds a single element (then it is 1).
        retain_graph : bool, optional
            Keep the graph so that ``backward`` can run through it again (default: only
            with ``create_graph``).
        create_graph : bool, default False
            Record the backward pass: each leaf's ``.grad`` becomes a Tensor with a graph,
            which can be differentiated again (see ``autograd/higher.py``).
        gradient : array_like, optional
            PyTorch's name for ``grad`` (give one of the two).
        """
        if gradient is not None:
            if grad is not None:
                raise TypeError("backward: got both grad and gradient; give one of them")
            grad = gradient
        if not self.requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad and has no grad_fn; create the "
                "leaves with requires_grad=True (and not under no_grad())."
            )
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward: grad can be omitted only for a single-element tensor, but this "
                    f"one has shape {self.data.shape}; pass grad= of that shape."
                )
            g = np.ones_like(self.data)
        else:
            g = np.asarray(grad.data if isinstance(grad, Tensor) else grad, dtype=self.data.dtype)
            if g.shape != self.data.shape:
                raise ValueError(
                    f"backward: grad has shape {g.shape} but the tensor has shape "
                    f"{self.data.shape}; they must be equal."
                )
        if create_graph:
            from nabla.autograd.higher import backward_create_graph

            backward_create_graph(self, g, retain_graph)
        else:
            engine.backward(self, g, bool(retain_graph))

    def detach(self) -> Tensor:
        """A tensor sharing this one's data, cut from the graph."""
        return Tensor._wrap(self.data)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place and return this tensor (``TypeError`` for integer or
        boolean data, ``RuntimeError`` when switching off a non-leaf tensor)."""
        self._set_requires_grad(requires_grad, "requires_grad_")
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor after ``backward``."""
        self._retain = True

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (``.grad`` becomes ``None``)."""
        self._grad = None

    def numpy(self) -> Array:
        """The data as a NumPy array (shared, not copied)."""
        return self.data

    def item(self) -> builtins.float | int | bool:
        if self.data.size != 1:
            raise ValueError(
                f"item: only a single-element tensor converts to a Python scalar, "
                f"got shape {self.data.shape}"
            )
        return self.data.item()

    def tolist(self) -> Any:
        return self.data.tolist()

    def astype(self, dtype: Any) -> Tensor:
        from nabla.autograd.ops.elementwise import Cast

        return apply(Cast(dtype), self)

    def float(self) -> Tensor:
        return self.astype(np.float32)

    def double(self) -> Tensor:
        return self.astype(np.float64)

    def __array__(self, dtype: Any = None, copy: Any = None) -> Array:
        return self.data if dtype is None else self.data.astype(dtype)

    def __float__(self) -> builtins.float:
        return float(self.item())

    def __bool__(self) -> bool:
        return bool(self.data)

    # ---- arithmetic (NumPy broadcasting; Python scalars take this tensor's dtype) ------
    def __add__(self, other: Any) -> Tensor:
        if isinstance(other, _SCALAR):
            return apply1(_ew.AddScalar(other), self)
        return apply2(_ew.Add(), self, as_tensor(other, self))

    def __radd__(self, other: Any) -> Tensor:
        if isinstance(other, _SCALAR):
            return apply1(_ew.AddScalar(other), self)
        return apply2(_ew.Add(), as_tensor(other, self), self)

    def __sub__(self, other: Any) -> Tensor:
        if isinstance(other, _SCALAR):
            return apply1(_ew.AddScalar(-other), self)
        return apply2(_ew.Sub(), self, as_tensor(other, self))

    def __rsub__(self, other: Any) -> Tensor:
        if isinstance(other, _SCALAR):
            return apply1(_ew.RSubScalar(other), self)
        return apply2(_ew.Sub(), as_tensor(other, self), self)

    def __mul__(self, other: Any) -> Tensor:
        if isinstance(other, _SCALAR):
            return apply1(_ew.MulScalar(other), self)
        return apply2(_ew.Mul(), self, as_tensor(other, self))

    def __rmul__(self, other: Any) -> Tensor:
        if isinstance(other, _SCALAR):
            return apply1(_ew.MulScalar(other), self)
        return apply2(_ew.Mul(), as_tensor(other, self), self)

    def __truediv__(self, other: Any) -> Tensor:
        if isinstance(other, _SCALAR):
            return apply1(_ew.DivScalar(other), self)
        return apply2(_ew.Div(), self, as_tensor(other, self))

    def __rtruediv__(self, other: Any) -> Tensor:
        if isinstance(other, _SCALAR):
            return apply1(_ew.RDivScalar(other), self)
        return apply2(_ew.Div(), as_tensor(other, self), self)

    def __neg__(self) -> Tensor:
        return apply1(_ew.Neg(), self)

    def __pow__(self, other: Any) -> Tensor:
        return _ew.pow(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return _ew.pow(as_tensor(other, self), self)

    def __matmul__(self, other: Any) -> Tensor:
        return _la.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _la.matmul(as_tensor(other, self), self)

    def __getitem__(self, index: Any) -> Tensor:
        return _shp.getitem(self, index)

    # comparisons give boolean tensors and are not differentiable
    def _compare(self, op: Any, other: Any) -> Tensor:
        return Tensor._wrap(
            np.asarray(op(self.data, other.data if isinstance(other, Tensor) else other))
        )

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(np.less, other)

    def __le__(self, other: Any) -> Tensor:
        return self._compare(np.less_equal, other)

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(np.greater, other)

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(np.greater_equal, other)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(np.equal, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(np.not_equal, other)

    # ---- elementwise functions ---------------------------------------------------------
    def exp(self) -> Tensor:
        return apply1(_ew.Exp(), self)

    def log(self) -> Tensor:
        return apply1(_ew.Log(), self)

    def sqrt(self) -> Tensor:
        return apply1(_ew.Sqrt(), self)

    def abs(self) -> Tensor:
        return apply1(_ew.Abs(), self)

    def clip(self, min: builtins.float | None = None, max: builtins.float | None = None) -> Tensor:
        return apply1(_ew.Clip(min, max), self)

    def maximum(self, other: Any) -> Tensor:
        return _ew.maximum(self, other)

    def minimum(self, other: Any) -> Tensor:
        return _ew.minimum(self, other)

    def relu(self) -> Tensor:
        return apply1(_act.Relu(), self)

    def sigmoid(self) -> Tensor:
        return apply1(_act.Sigmoid(), self)

    def tanh(self) -> Tensor:
        return apply1(_act.Tanh(), self)

    def softplus(self) -> Tensor:
        return apply1(_act.Softplus(), self)

    # ---- reductions (NumPy's axis / keepdims; PyTorch's dim= / keepdim= work too) -------
    def sum(self, axis: Axis = None, keepdims: bool = False, **torch_names: Any) -> Tensor:
        if torch_names:
            axis, keepdims = _torch_names(axis, keepdims, torch_names, "sum")
        return apply1(_red.Sum(axis, keepdims), self)

    def mean(self, axis: Axis = None, keepdims: bool = False, **torch_names: Any) -> Tensor:
        if torch_names:
            axis, keepdims = _torch_names(axis, keepdims, torch_names, "mean")
        return apply1(_red.Mean(axis, keepdims), self)

    def max(self, axis: Axis = None, keepdims: bool = False, **torch_names: Any) -> Tensor:
        """The largest entries: the values only, as NumPy's (PyTorch's ``max(dim)`` also
        gives the indices, which ``argmax`` gives here)."""
        if torch_names:
            axis, keepdims = _torch_names(axis, keepdims, torch_names, "max")
        return apply1(_red.Max(axis, keepdims), self)

    def min(self, axis: Axis = None, keepdims: bool = False, **torch_names: Any) -> Tensor:
        """The smallest entries: the values only (see ``max``)."""
        if torch_names:
            axis, keepdims = _torch_names(axis, keepdims, torch_names, "min")
        return apply1(_red.Min(axis, keepdims), self)

    def var(
        self,
        axis: Axis = None,
        keepdims: bool = False,
        ddof: builtins.float = 0,
        **torch_names: Any,
    ) -> Tensor:
        """The variance with ``ddof`` (NumPy's default 0; PyTorch's ``correction=`` is the
        same number, and PyTorch's default is 1)."""
        if torch_names:
            ddof = torch_names.pop("correction", ddof)
            axis, keepdims = _torch_names(axis, keepdims, torch_names, "var")
        return apply1(_red.Var(axis, keepdims, ddof), self)

    def logsumexp(self, axis: Axis = None, keepdims: bool = False, **torch_names: Any) -> Tensor:
        if torch_names:
            axis, keepdims = _torch_names(axis, keepdims, torch_names, "logsumexp")
        return _comp.logsumexp(self, axis, keepdims)

    def softmax(self, axis: int = -1, *, dim: int | None = None) -> Tensor:
        return _comp.softmax(self, axis if dim is None else dim)

    def log_softmax(self, axis: int = -1, *, dim: int | None = None) -> Tensor:
        return _comp.log_softmax(self, axis if dim is None else dim)

    # ---- shape -------------------------------------------------------------------------
    def matmul(self, other: Any) -> Tensor:
        return _la.matmul(self, other)

    def reshape(self, *shape: Any) -> Tensor:
        return _shp.reshape(self, *shape)

    def transpose(self, *axes: Any) -> Tensor:
        """Permute the axes (NumPy's rule: reversed when none are given); two ints swap those
        two dimensions (PyTorch's ``transpose(dim0, dim1)``)."""
        if len(axes) == 2 and all(isinstance(a, (int, np.integer)) for a in axes):
            perm = list(range(self.data.ndim))
            try:
                perm[axes[0]], perm[axes[1]] = perm[axes[1]], perm[axes[0]]
            except IndexError:
                raise ValueError(
                    f"transpose: dimensions {axes} are out of range for a tensor with "
                    f"{self.data.ndim} dimensions"
                ) from None
            axes = (tuple(perm),)
        return _shp.transpose(self, *axes)

    def permute(self, *dims: Any) -> Tensor:
        """PyTorch's name for ``transpose`` with explicit axes."""
        return _shp.transpose(self, *dims)

    def broadcast_to(self, shape: Sequence[int]) -> Tensor:
        return _shp.broadcast_to(self, shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dimensions ``start_dim..end_dim`` into one (PyTorch's ``flatten``)."""
        shape = self.data.shape
        if not shape:
            return _shp.reshape(self, (1,))
        start, end = start_dim % len(shape), end_dim % len(shape)
        merged = int(np.prod(shape[start : end + 1]))  # explicit: -1 cannot be inferred for size 0
        return _shp.reshape(self, (*shape[:start], merged, *shape[end + 1 :]))

    def pad(self, pad_width: Any, value: builtins.float = 0.0) -> Tensor:
        return _shp.pad(self, pad_width, value)

    __hash__ = object.__hash__


def _torch_names(axis: Axis, keepdims: bool, names: dict[str, Any], who: str) -> tuple[Any, bool]:
    """``(axis, keepdims)`` from NumPy's names and PyTorch's ``dim`` / ``keepdim``."""
    unknown = set(names) - {"dim", "keepdim"}
    if unknown:
        raise TypeError(f"{who}() got an unexpected keyword argument {sorted(unknown)[0]!r}")
    dim, keepdim = names.get("dim"), names.get("keepdim")
    return _api.axis_arg(axis, dim, who), _api.keepdims_arg(keepdims, keepdim)


def apply(fn: Function, *inputs: Tensor) -> Tensor:
    """Run ``fn.forward`` on the inputs' arrays and record the node if a gradient is needed."""
    out = Tensor._wrap(fn.forward(*[t.data for t in inputs]))
    if _GradMode.enabled:
        needs = tuple([t._requires_grad for t in inputs])
        if True in needs:
            record(fn, out, inputs, needs)
    return out


_ONE = (True,)
_new = object.__new__
_SCALAR = (int, float)


def apply1(fn: Function, x: Tensor) -> Tensor:
    """``apply`` for one input, the hot path of unary ops (``record`` inlined)."""
    out = _new(Tensor)
    out.data = fn.forward(x.data)
    out._grad = out._grad_acc = None
    out._retain = False
    if x._requires_grad and _GradMode.enabled:
        fn.inputs = (x,)
        fn.needs_grad = _ONE
        out._requires_grad = True
        out._ctx = fn
        out._seq = next(_seq)
        if _GradMode.anomaly:
            fn.created_at = _user_frame()
    else:
        out._requires_grad = False
        out._ctx = None
    return out


def apply2(fn: Function, a: Tensor, b: Tensor) -> Tensor:
    """``apply`` for two inputs; names the op and both shapes when they do not broadcast."""
    try:
        data = fn.forward(a.data, b.data)
    except ValueError as exc:
        raise ValueError(
            f"{fn.name}: incompatible shapes {a.data.shape} and {b.data.shape} ({exc})"
        ) from None
    out = _new(Tensor)
    out.data = data
    out._grad = out._grad_acc = None
    out._retain = False
    if (a._requires_grad or b._requires_grad) and _GradMode.enabled:
        fn.inputs = (a, b)
        fn.needs_grad = (a._requires_grad, b._requires_grad)
        out._requires_grad = True
        out._ctx = fn
        out._seq = next(_seq)
        if _GradMode.anomaly:
            fn.created_at = _user_frame()
    else:
        out._requires_grad = False
        out._ctx = None
    return out


def as_tensor(x: Any, like: Tensor | None = None) -> Tensor:
    """``x`` as a tensor; a Python scalar takes the floating dtype of ``like``."""
    if isinstance(x, Tensor):
        return x
    if like is not None and isinstance(x, (int, float, bool)) and like.data.dtype.kind == "f":
        return Tensor._wrap(np.asarray(x, dtype=like.data.dtype))
    return Tensor._wrap(_to_array(x, None, "as_tensor"))


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None, device: Any = None) -> Tensor:
    """Make a tensor from array-like data (copied, as ``torch.tensor`` does).

    Python ints give int64, Python floats float32, bools bool (as PyTorch); NumPy arrays keep
    their dtype. ``device`` may only be the CPU (see ``autograd/device.py``).

    Raises ``TypeError`` for non-numeric or complex data, and for ``requires_grad=True`` on
    integer or boolean data.
    """
    check_device(device, "tensor")
    arr = _to_array(data, dtype, "nabla.tensor")
    if arr is data or (isinstance(data, Tensor) and arr is data.data):
        arr = arr.copy()
    return Tensor(arr, requires_grad=requires_grad)


# The op modules import this module, so they are imported after Tensor exists; the methods
# above look these names up when called.
from nabla.autograd.ops import _api  # noqa: E402
from nabla.autograd.ops import activation as _act  # noqa: E402
from nabla.autograd.ops import composite as _comp  # noqa: E402
from nabla.autograd.ops import elementwise as _ew  # noqa: E402
from nabla.autograd.ops import linalg as _la  # noqa: E402
from nabla.autograd.ops import reduction as _red  # noqa: E402
from nabla.autograd.ops import shape as _shp  # noqa: E402
