"""The reverse-mode engine: ``Function``, grad mode, and ``backward``.

The engine does the work that every op shares, once:

* a node is recorded only when grad mode is on and some input requires a gradient;
* the nodes reachable from the root are found with an explicit stack (no recursion, so a
  chain of 100,000 ops is fine) and visited in reverse creation order, which is a valid
  reverse topological order because a tensor is always created after its inputs;
* each gradient is summed back to its input's shape (undoing broadcasting) and cast to its
  dtype, and gradients of a tensor used several times are added up;
* leaves accumulate into ``.grad`` across ``backward`` calls; the graph is freed after
  ``backward`` unless ``retain_graph=True``.

A ``Function`` works on raw arrays only: ``forward(*arrays) -> array`` and
``backward(grad) -> one gradient (or None) per input``. Settings such as ``axis`` are
constructor arguments; anything ``backward`` needs is saved on ``self`` in ``forward``.

This first-order pass never records anything. ``backward(create_graph=True)`` and
``nabla.autograd.grad`` (gradients that can be differentiated again) live in ``higher.py``.
"""

from __future__ import annotations

import itertools
import operator
import os
import traceback
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np

if TYPE_CHECKING:
    from nabla.autograd.tensor import Tensor

Array = np.ndarray


class Function:
    """A differentiable primitive on arrays.

    Subclasses implement ``forward`` and ``backward``. ``backward`` receives the gradient of
    the output (same shape as the output) and returns a tuple with one entry per input: an
    array (any shape that broadcasts to the input's; the engine sums it back) or ``None``
    when that input needs no gradient. ``needs_grad`` (set before ``backward`` runs) tells
    which inputs require one, so a backward may skip work.
    """

    inputs: tuple[Tensor, ...] | None = None
    needs_grad: tuple[bool, ...] = ()
    created_at: str | None = None

    # (*args: Any, **kwargs: Any) lets each op declare its own inputs (mypy's gradual form)
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define forward")

    def backward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define backward")

    @property
    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{self.name}Backward>"


class _GradMode:
    enabled = True
    anomaly = False
    keep_graphs = False  # every backward acts as retain_graph=True (see keep_graphs)


_seq = itertools.count()


def is_grad_enabled() -> bool:
    """Whether operations are currently recorded for differentiation."""
    return _GradMode.enabled


class _SetGradMode:
    """Context manager and decorator that sets grad mode and restores it afterwards."""

    _mode: bool

    def __enter__(self) -> None:
        self._prev = _GradMode.enabled
        _GradMode.enabled = self._mode

    def __exit__(self, *exc: object) -> None:
        _GradMode.enabled = self._prev

    def __call__(self, func: Any) -> Any:
        import functools

        mode = self._mode

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = _GradMode.enabled
            _GradMode.enabled = mode
            try:
                return func(*args, **kwargs)
            finally:
                _GradMode.enabled = prev

        return wrapper


class no_grad(_SetGradMode):
    """Record nothing inside this block: results do not require gradients.

    >>> import nabla
    >>> x = nabla.tensor([1.0, 2.0], requires_grad=True)
    >>> with nabla.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    _mode = False


class enable_grad(_SetGradMode):
    """Record operations inside this block, even within ``no_grad``."""

    _mode = True


class detect_anomaly:
    """Raise ``FloatingPointError`` as soon as a backward produces NaN or inf.

    Inside this block every recorded op remembers the line of user code that created it,
    and every gradient a backward returns is checked; the error names the op and that line.
    It slows recording and backward down, so use it to find a problem, not to train.
    """

    def __enter__(self) -> detect_anomaly:
        self._prev = _GradMode.anomaly
        _GradMode.anomaly = True
        return self

    def __exit__(self, *exc: object) -> None:
        _GradMode.anomaly = self._prev


class keep_graphs:
    """Inside this block every ``backward`` keeps its graph (as with ``retain_graph=True``),
    so that a caller can differentiate a loss again after a closure ran ``backward`` on it
    (Newton's method takes the exact Hessian of the closure's loss this way)."""

    def __enter__(self) -> None:
        self._prev = _GradMode.keep_graphs
        _GradMode.keep_graphs = True

    def __exit__(self, *exc: object) -> None:
        _GradMode.keep_graphs = self._prev


# the installed package's folder: frames in files below it are nabla's own (a user's project
# that merely lives in a folder called "nabla" is not)
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _user_frame() -> str:
    """The innermost stack frame outside nabla itself, as ``file:line in function``."""
    for frame in reversed(traceback.extract_stack()[:-2]):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE_DIR):
            return f'File "{frame.filename}", line {frame.lineno}, in {frame.name}: {frame.line}'
    return "<unknown>"


def record(fn: Function, out: Tensor, inputs: tuple[Tensor, ...], needs: tuple[bool, ...]) -> None:
    """Attach ``fn`` as the creator of ``out``; ``needs`` tells which inputs require grad."""
    fn.inputs = inputs
    fn.needs_grad = needs
    out._requires_grad = True
    out._ctx = fn
    out._seq = next(_seq)
    if _GradMode.anomaly:
        fn.created_at = _user_frame()


def unbroadcast(grad: Array, shape: tuple[int, ...]) -> Array:
    """Sum ``grad`` over the axes that broadcasting added or stretched to reach ``shape``."""
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    if grad.shape != shape:
        # a () gradient for a (1, 1) input, or a broadcast from a smaller gradient
        grad = np.broadcast_to(grad, shape)
    return grad


_FREED = (
    "Trying to backward through the graph a second time (or to reach tensors of a graph "
    "already freed by an earlier backward()). Pass retain_graph=True to the first backward() "
    "if you need to backward through the graph again."
)


def _owned(arr: Array, handed: set[int]) -> bool:
    """True if ``arr`` may become a leaf's ``.grad`` without a copy (no one else holds it)."""
    return arr.base is None and arr.flags.writeable and id(arr) not in handed


def _accumulate_leaf(leaf: Tensor, g: Array, handed: set[int]) -> None:
    if leaf.grad is None:
        if not _owned(g, handed):
            g = np.array(g, copy=True)
        handed.add(id(g))
        leaf.grad = g
    else:
        # a new array, never in place: the old .grad may be shared with the user
        leaf.grad = leaf.grad + g


def _check_finite(fn: Function, grads: Sequence[Array | None]) -> None:
    for i, g in enumerate(grads):
        if g is not None and not np.all(np.isfinite(g)):
            kind = "nan" if np.any(np.isnan(g)) else "inf"
            raise FloatingPointError(
                f"Function '{fn.name}Backward' returned {kind} values in its gradient for "
                f"input {i}. The op was created at: {fn.created_at or '<unknown>'}"
            )


_by_seq = operator.attrgetter("_seq")


def _collect(root: Tensor) -> list[Tensor]:
    """Every non-leaf tensor reachable from ``root``, latest created first."""
    nodes = [root]
    seen = {id(root)}
    stack = [root]
    while stack:
        ctx = cast(Function, stack.pop()._ctx)
        inputs = ctx.inputs
        if inputs is None:
            raise RuntimeError(_FREED)
        for t in inputs:
            if t._ctx is not None and id(t) not in seen:
                seen.add(id(t))
                nodes.append(t)
                stack.append(t)
    nodes.sort(key=_by_seq, reverse=True)
    return nodes


def backward(root: Tensor, grad: Array, retain_graph: bool = False) -> None:
    """Back-propagate ``grad`` (the gradient of some scalar w.r.t. ``root``) to the leaves."""
    handed: set[int] = {id(grad)}
    if root._ctx is None:
        _accumulate_leaf(root, grad, handed)
        return
    nodes = _collect(root)
    anomaly = _GradMode.anomaly
    free = not (retain_graph or _GradMode.keep_graphs)
    root._grad_acc = grad
    try:
        for t in nodes:
            g = t._grad_acc
            if g is None:
                continue
            t._grad_acc = None
            if t._retain:
                _accumulate_leaf(t, g, handed)
            fn: Function = t._ctx  # type: ignore[assignment]  # a node always has one
            grads = fn.backward(g)
            if anomaly:
                _check_finite(fn, grads)
            for x, gx in zip(fn.inputs, grads):  # type: ignore[arg-type]
                if gx is None or not x._requires_grad:
                    continue
                data = x.data
                if gx.shape != data.shape:
                    gx = unbroadcast(gx, data.shape)
                if gx.dtype is not data.dtype and gx.dtype != data.dtype:
                    gx = gx.astype(data.dtype)
                if x._ctx is None:
                    _accumulate_leaf(x, gx, handed)
                else:
                    prev = x._grad_acc
                    x._grad_acc = gx if prev is None else prev + gx
            if free:
                # free what the op saved for backward; the node stays as a freed marker
                fn.__dict__.clear()  # ``inputs`` falls back to the class default, None
    finally:
        for t in nodes:
            t._grad_acc = None
