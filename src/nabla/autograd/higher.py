"""Gradients of chosen inputs, and gradients that are themselves differentiable.

``grad(outputs, inputs)`` is PyTorch's ``torch.autograd.grad``: it returns the gradients of
``outputs`` with respect to ``inputs`` instead of accumulating into ``.grad``. With
``create_graph=True`` (here, or in ``Tensor.backward``) the backward pass is itself
recorded, so the gradients are tensors with a graph and can be differentiated again
(Hessians, gradient penalties, Newton's method).

The first-order path of ``Tensor.backward`` is ``engine.backward`` on raw arrays and is not
touched by any of this. A graph-mode backward calls each node's
``backward_graph(g, y) -> one Tensor (or None) per input``: the op's vector-Jacobian product
written with Tensor ops (``g`` is the output's gradient, a Tensor; ``y`` the output tensor
itself, for ops whose derivative is expressed through it). An op without one stops a
graph-mode backward with a ``RuntimeError`` naming it; ``DIFFERENTIABLE_BACKWARD`` lists
the ops that have one.

>>> import nabla
>>> x = nabla.tensor([1.0, 2.0], requires_grad=True)
>>> (g,) = grad((x**3).sum(), x, create_graph=True)
>>> (h,) = grad(g.sum(), x)
>>> h.data
array([ 6., 12.], dtype=float32)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from nabla.autograd import engine
from nabla.autograd.engine import Function, _collect, _owned, enable_grad, unbroadcast
from nabla.autograd.tensor import Tensor


class _DifferentiableOps:
    """The names of the ops whose backward can be recorded (found when asked, so that ops
    defined in modules imported later are included)."""

    def _names(self) -> list[str]:
        found: set[str] = set()
        stack = list(Function.__subclasses__())
        while stack:
            cls = stack.pop()
            stack.extend(cls.__subclasses__())
            if _rule_of(cls) is not None:
                found.add(cls.__name__)
        return sorted(found)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __contains__(self, name: object) -> bool:
        return name in self._names()

    def __len__(self) -> int:
        return len(self._names())

    def __repr__(self) -> str:
        return f"DIFFERENTIABLE_BACKWARD({', '.join(self._names())})"


DIFFERENTIABLE_BACKWARD = _DifferentiableOps()


def _unbroadcast_graph(g: Tensor, shape: tuple[int, ...]) -> Tensor:
    """``unbroadcast`` with Tensor ops (recorded)."""
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    if g.shape != shape:
        g = g.broadcast_to(shape)
    return g


def _defined_in(cls: type, name: str) -> type | None:
    return next((k for k in cls.__mro__ if name in k.__dict__), None)


def _rule_of(cls: type) -> Any:
    """``cls.backward_graph``, unless ``cls`` (or a parent) overrides ``backward`` below the
    class that defines it: an inherited rule for a different backward would be wrong."""
    where = _defined_in(cls, "backward_graph")
    if where is None or not issubclass(where, _defined_in(cls, "backward") or object):
        return None
    return where.__dict__["backward_graph"]


def _graph_vjp(fn: Function, g: Tensor, y: Tensor) -> Sequence[Tensor | None]:
    rule = _rule_of(type(fn))
    if rule is None:
        raise RuntimeError(
            f"double backward is not supported for {fn.name}; supported ops are listed in "
            f"nabla.autograd.DIFFERENTIABLE_BACKWARD (create_graph=True needs every op between "
            f"the outputs and the inputs to be one of them)"
        )
    return rule(fn, g, y)  # type: ignore[no-any-return]


def _useful(nodes: list[Tensor], targets: dict[int, Tensor]) -> set[int]:
    """The ids of the tensors from which some target can be reached (targets included)."""
    useful = set(targets)
    for t in reversed(nodes):  # earliest created first: inputs before the nodes using them
        fn = t._ctx
        if fn is not None and fn.inputs and any(id(x) in useful for x in fn.inputs):
            useful.add(id(t))
    return useful


def run_backward(
    roots: Sequence[Tensor],
    seeds: Sequence[Any],
    targets: Sequence[Tensor] | None,
    retain_graph: bool,
    create_graph: bool,
) -> dict[int, Any]:
    """Back-propagate ``seeds`` (arrays, or Tensors when ``create_graph``) from ``roots``.

    With ``targets`` None (graph mode only: the first-order ``backward`` is
    ``engine.backward``) the gradients accumulate into the leaves' ``.grad``, as Tensors;
    otherwise nothing is accumulated and the gradients of the targets are returned, keyed
    by ``id``.
    """
    by_id: dict[int, Tensor] = {}
    for r in roots:
        if r._ctx is not None:
            for t in _collect(r):
                by_id[id(t)] = t
    nodes = sorted(by_id.values(), key=engine._by_seq, reverse=True)
    wanted = None if targets is None else {id(t): t for t in targets}
    useful = None if wanted is None else _useful(nodes, wanted)
    acc: dict[int, Any] = {}
    found: dict[int, Any] = {}

    def arrive(x: Tensor, gx: Any) -> None:
        key = id(x)
        if wanted is not None and key in wanted and x._ctx is None:
            prev = found.get(key)
            found[key] = gx if prev is None else prev + gx
        elif x._ctx is None:
            if wanted is None:
                _to_leaf(x, gx)
        else:
            prev = acc.get(key)
            acc[key] = gx if prev is None else prev + gx

    for r, s in zip(roots, seeds):
        arrive(r, s)
    with enable_grad() if create_graph else engine.no_grad():
        for t in nodes:
            g = acc.pop(id(t), None)
            if g is None:
                continue
            if wanted is not None and id(t) in wanted:
                found[id(t)] = g
            elif wanted is None and t._retain:
                _to_leaf(t, g)
            if useful is not None and id(t) not in useful:
                continue
            fn: Function = t._ctx  # type: ignore[assignment]  # a node always has one
            grads = _graph_vjp(fn, g, t) if create_graph else fn.backward(g)
            for x, gx in zip(fn.inputs, grads):  # type: ignore[arg-type]
                if gx is None or not x._requires_grad:
                    continue
                if useful is not None and id(x) not in useful:
                    continue
                arrive(x, _fit(gx, x, create_graph))
            if not retain_graph:
                fn.__dict__.clear()
    return found


def _fit(gx: Any, x: Tensor, create_graph: bool) -> Any:
    """``gx`` summed back to ``x``'s shape and cast to its dtype."""
    data = x.data
    if create_graph:
        if not isinstance(gx, Tensor):
            gx = Tensor._wrap(np.asarray(gx))
        if gx.shape != data.shape:
            gx = _unbroadcast_graph(gx, data.shape)
        if gx.dtype != data.dtype:
            gx = gx.astype(data.dtype)
        return gx
    if gx.shape != data.shape:
        gx = unbroadcast(gx, data.shape)
    if gx.dtype != data.dtype:
        gx = gx.astype(data.dtype)
    return gx


def _to_leaf(leaf: Tensor, g: Tensor) -> None:
    """Accumulate a recorded gradient into ``leaf.grad``, which becomes a Tensor (as in
    PyTorch after ``backward(create_graph=True)``)."""
    prev = leaf._grad
    if prev is not None:
        g = (prev if isinstance(prev, Tensor) else Tensor._wrap(np.asarray(prev))) + g
    leaf._grad = g  # type: ignore[assignment]


def _as_tensors(value: Any, what: str) -> list[Tensor]:
    items = [value] if isinstance(value, Tensor) else list(value)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            raise TypeError(f"grad: {what}[{i}] must be a Tensor, got {type(t).__name__}")
    return items


def _seeds(outputs: list[Tensor], grad_outputs: Any, create_graph: bool) -> list[Any]:
    if grad_outputs is None:
        given: list[Any] = [None] * len(outputs)
    else:
        given = (
            [grad_outputs] if not isinstance(grad_outputs, (list, tuple)) else list(grad_outputs)
        )
        if len(given) != len(outputs):
            raise ValueError(
                f"grad: got {len(given)} grad_outputs for {len(outputs)} outputs; give one "
                f"per output (None for a single-element output)"
            )
    seeds = []
    for i, (out, go) in enumerate(zip(outputs, given)):
        if go is None:
            if out.data.size != 1:
                raise RuntimeError(
                    f"grad: grad_outputs[{i}] can be omitted only for a single-element output, "
                    f"but outputs[{i}] has shape {out.data.shape}"
                )
            go = np.ones_like(out.data)
        if isinstance(go, Tensor):
            seed: Any = go if create_graph else go.data
        else:
            seed = np.asarray(go, dtype=out.data.dtype)
        if seed.shape != out.data.shape:
            raise ValueError(
                f"grad: grad_outputs[{i}] has shape {seed.shape} but outputs[{i}] has shape "
                f"{out.data.shape}; they must be equal"
            )
        if create_graph and not isinstance(seed, Tensor):
            seed = Tensor._wrap(seed)
        seeds.append(seed)
    return seeds


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of ``outputs`` with respect to ``inputs`` (``torch.autograd.grad``).

    Parameters
    ----------
    outputs : Tensor or sequence of Tensor
        What is differentiated; the results are the sums of the gradients of each output.
    inputs : Tensor or sequence of Tensor
        The tensors (leaves or not) whose gradients are returned; ``.grad`` is not touched.
    grad_outputs : array_like, Tensor or sequence, optional
        The vector of each output in the vector-Jacobian product; may be omitted for
        single-element outputs (then 1).
    retain_graph : bool, optional
        Keep the graph for another backward; defaults to ``create_graph``.
    create_graph : bool, default False
        Record the backward pass so that the returned gradients can be differentiated.
    allow_unused : bool, default False
        Return None for an input that the outputs do not depend on, instead of raising.

    Returns
    -------
    tuple of Tensor (or None)
        One gradient per input, of its shape and dtype.
    """
    outs = _as_tensors(outputs, "outputs")
    ins = _as_tensors(inputs, "inputs")
    if not ins:
        raise ValueError("grad: inputs is empty; give the tensors to differentiate with respect to")
    for i, t in enumerate(ins):
        if not t._requires_grad:
            raise RuntimeError(
                f"grad: inputs[{i}] does not require grad; create it with requires_grad=True"
            )
    for i, t in enumerate(outs):
        if not t._requires_grad:
            raise RuntimeError(
                f"grad: outputs[{i}] does not require grad and has no grad_fn; it does not "
                f"depend on any tensor that requires grad"
            )
    seeds = _seeds(outs, grad_outputs, create_graph)
    retain = create_graph if retain_graph is None else bool(retain_graph)
    found = run_backward(outs, seeds, ins, retain, create_graph)
    handed = {id(s) for s in seeds}  # a caller's grad_outputs array is never handed back
    result: list[Tensor | None] = []
    for i, t in enumerate(ins):
        g = found.get(id(t))
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"grad: inputs[{i}] was not used to compute the outputs; pass "
                    f"allow_unused=True to get None for it"
                )
            result.append(None)
        elif isinstance(g, Tensor):
            result.append(g)
        else:
            if not _owned(g, handed):
                g = np.array(g, copy=True)
            handed.add(id(g))
            result.append(Tensor._wrap(g))
    return tuple(result)


def backward_create_graph(root: Tensor, seed: np.ndarray, retain_graph: bool | None) -> None:
    """``root.backward(seed, create_graph=True)``: leaves' ``.grad`` become Tensors with a
    graph (the graph is kept unless ``retain_graph=False``)."""
    retain = True if retain_graph is None else bool(retain_graph)
    run_backward([root], [Tensor._wrap(seed)], None, retain, True)
