"""Function transforms for derivatives, as ``torch.func`` and ``torch.autograd.functional``.

``grad(f)`` and ``jacobian(f)`` turn a function of tensors into the function computing its
gradient or Jacobian; ``hessian(f)`` is ``jacobian(grad(f))``; ``vjp``, ``jvp`` and
``hvp`` evaluate products with the Jacobian or Hessian at a point without forming it.

All are built on reverse mode (``nabla.autograd.grad``): a Jacobian of an ``m``-entry
output costs ``m`` backward passes, and ``jvp`` / ``hvp`` use the double-vjp trick
(differentiate the linear map ``u -> J^T u`` again), so they need every op on the way to
have a differentiable backward (``nabla.autograd.DIFFERENTIABLE_BACKWARD``). The
transforms nest: ``jacobian(jacobian(f))`` is a Hessian too, and a transform inside another
records its own backward so that the outer one can differentiate it.

Arguments may be tensors or array-likes (a Python float becomes float32, as
``nabla.tensor``); results are tensors.

>>> import numpy as np
>>> from nabla import func
>>> f = lambda x: (x**3).sum()
>>> func.grad(f)(np.array([1.0, 2.0])).data
array([ 3., 12.])
>>> func.hessian(f)(np.array([1.0, 2.0])).data
array([[ 6.,  0.],
       [ 0., 12.]])

Differences from ``torch.func``: reverse mode only (``jacfwd`` is ``jacobian``), and
``hvp(f, inputs, v)`` follows ``torch.autograd.functional.hvp`` (``torch.func`` has none).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from nabla.autograd.higher import grad as _autograd_grad
from nabla.autograd.ops.shape import stack
from nabla.autograd.tensor import Tensor, _to_array

__all__ = ["grad", "grad_and_value", "hessian", "hvp", "jacobian", "jacrev", "jvp", "vjp"]

Argnums = int | tuple[int, ...]


def _prepare(x: Any, who: str) -> tuple[Tensor, bool]:
    """A tensor to differentiate with respect to, and whether an outer transform watches ``x``.

    An ``x`` that requires grad is followed through a node of its own (so that this
    transform's gradient is taken at that node and stays connected to ``x``); any other
    becomes a fresh leaf sharing ``x``'s data.
    """
    if isinstance(x, Tensor) and x.requires_grad:
        return x.reshape(x.shape), True
    data = _to_array(x, None, who)
    if data.dtype.kind != "f":
        raise TypeError(
            f"{who}: can only differentiate with respect to floating-point inputs, got dtype "
            f"{data.dtype}; convert it with .double() or numpy.asarray(x, dtype=float)"
        )
    return Tensor(data, requires_grad=True), False


def _argnums(argnums: Argnums, n: int, who: str) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    if not nums or any(not isinstance(i, int) or not -n <= i < n for i in nums):
        raise ValueError(f"{who}: argnums {argnums!r} is out of range for {n} positional arguments")
    return tuple(i % n for i in nums)


def _call(func: Callable[..., Any], args: Sequence[Any], nums: tuple[int, ...], who: str) -> Any:
    """Call ``func`` with the arguments ``nums`` made differentiable; return what it returns,
    the differentiated tensors and whether the result must keep a graph."""
    args = list(args)
    watched = []
    nested = False
    for i in nums:
        args[i], outer = _prepare(args[i], who)
        watched.append(args[i])
        nested = nested or outer
    return func(*args), watched, nested


def _as_output(out: Any, who: str) -> Tensor:
    if not isinstance(out, Tensor):
        raise TypeError(f"{who}: the function must return a Tensor, got {type(out).__name__}")
    return out


def _gradients(out: Tensor, watched: list[Tensor], seed: Any, create_graph: bool) -> list[Tensor]:
    """d<seed, out>/d watched, zeros where ``out`` does not depend on an input."""
    if not out.requires_grad:
        return [Tensor._wrap(np.zeros_like(w.data)) for w in watched]
    gs = _autograd_grad(
        out, watched, seed, retain_graph=True, create_graph=create_graph, allow_unused=True
    )
    return [Tensor._wrap(np.zeros_like(w.data)) if g is None else g for g, w in zip(gs, watched)]


def grad_and_value(
    func: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """Like ``grad``, but the new function returns ``(gradient, value)`` (with ``has_aux``:
    ``(gradient, (value, aux))``)."""
    who = "grad"

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nums = _argnums(argnums, len(args), who)
        out, watched, nested = _call(lambda *a: func(*a, **kwargs), args, nums, who)
        aux = None
        if has_aux:
            if not isinstance(out, tuple) or len(out) != 2:
                raise TypeError(f"{who}: with has_aux=True the function must return (output, aux)")
            out, aux = out
        out = _as_output(out, who)
        if out.data.size != 1:
            raise ValueError(
                f"{who}: the function must return a single-element tensor, got shape "
                f"{out.data.shape}; use jacobian for other outputs"
            )
        gs = _gradients(out, watched, None, nested)
        g: Any = gs[0] if isinstance(argnums, int) else tuple(gs)
        return (g, (out, aux)) if has_aux else (g, out)

    return wrapper


def grad(
    func: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """The gradient of a function with a single-element output (``torch.func.grad``).

    ``grad(f)(*args)`` is df/d args[argnums], of that argument's shape; a tuple of them
    when ``argnums`` is a tuple. With ``has_aux=True`` ``f`` returns ``(output, aux)`` and
    the new function returns ``(gradient, aux)``.
    """
    both = grad_and_value(func, argnums, has_aux)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g, value = both(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


def jacobian(func: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """The Jacobian of ``func`` (``torch.func.jacrev``): of shape ``out.shape + x.shape``
    for the argument ``x`` at ``argnums`` (a tuple of them for a tuple ``argnums``).

    Row by row in reverse mode: one backward pass per entry of the output.
    """
    who = "jacobian"

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nums = _argnums(argnums, len(args), who)
        out, watched, nested = _call(lambda *a: func(*a, **kwargs), args, nums, who)
        out = _as_output(out, who)
        m = out.data.size
        rows: list[list[Tensor]] = [[] for _ in watched]
        for k in range(m):
            e = np.zeros(m, dtype=out.data.dtype)
            e[k] = 1
            for r, g in zip(rows, _gradients(out, watched, e.reshape(out.shape), nested)):
                r.append(g)
        jacs = []
        for w, r in zip(watched, rows):
            if not r:
                jacs.append(Tensor._wrap(np.zeros(out.shape + w.shape, dtype=w.data.dtype)))
            else:
                jacs.append(stack(r).reshape(out.shape + w.shape))
        return jacs[0] if isinstance(argnums, int) else tuple(jacs)

    return wrapper


jacrev = jacobian


def hessian(func: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """The Hessian of a function with a single-element output (``torch.func.hessian``):
    ``jacobian(grad(func))``, of shape ``x.shape + x.shape`` for the one argument ``x`` at
    ``argnums`` (an int: pack several arguments into one tensor for the joint Hessian)."""
    if not isinstance(argnums, int):
        raise TypeError(
            f"hessian: argnums must be an int (one argument), got {argnums!r}; pack the "
            f"arguments into one tensor for their joint Hessian"
        )
    return jacobian(grad(func, argnums), argnums)


def _tuple(x: Any) -> tuple[Any, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def vjp(func: Callable[..., Any], *primals: Any) -> tuple[Tensor, Callable[..., Any]]:
    """``(func(*primals), vjp_fn)``; ``vjp_fn(v)`` is the tuple of v^T J, one entry per primal
    (``torch.func.vjp``). ``vjp_fn`` may be called any number of times."""
    who = "vjp"
    out, watched, nested = _call(func, primals, tuple(range(len(primals))), who)
    out = _as_output(out, who)

    def vjp_fn(v: Any) -> tuple[Tensor, ...]:
        seed = v if isinstance(v, Tensor) else np.asarray(v, dtype=out.data.dtype)
        if tuple(np.shape(seed.data if isinstance(seed, Tensor) else seed)) != out.shape:
            raise ValueError(
                f"vjp: the cotangent has shape {np.shape(seed)} but the output has shape "
                f"{out.shape}; they must be equal"
            )
        nest = nested or (isinstance(v, Tensor) and v.requires_grad)
        return tuple(_gradients(out, watched, seed, nest))

    return out, vjp_fn


def jvp(
    func: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]
) -> tuple[Tensor, Tensor]:
    """``(func(*primals), J v)`` for the tangents ``v`` (``torch.func.jvp``).

    Computed as the gradient, with respect to ``u``, of ``<u^T J, v>`` (the double-vjp
    trick), so the ops of ``func`` must have a differentiable backward.
    """
    who = "jvp"
    primals, tangents = _tuple(primals), _tuple(tangents)
    if len(primals) != len(tangents):
        raise ValueError(
            f"jvp: got {len(primals)} primals but {len(tangents)} tangents; give one per primal"
        )
    out, watched, _ = _call(func, primals, tuple(range(len(primals))), who)
    out = _as_output(out, who)
    ts = []
    for w, t in zip(watched, tangents):
        arr = np.asarray(t.data if isinstance(t, Tensor) else t, dtype=w.data.dtype)
        if arr.shape != w.shape:
            raise ValueError(
                f"jvp: a tangent has shape {arr.shape} but its primal has shape {w.shape}"
            )
        ts.append(arr)
    if not out.requires_grad:
        return out, Tensor._wrap(np.zeros_like(out.data))
    u = Tensor(np.zeros_like(out.data), requires_grad=True)
    vjps = _autograd_grad(out, watched, u, retain_graph=True, create_graph=True, allow_unused=True)
    total = None
    for g, t in zip(vjps, ts):
        if g is not None and g.requires_grad:
            term = (g * Tensor._wrap(t)).sum()
            total = term if total is None else total + term
    if total is None:  # J^T u does not depend on u: J v = 0
        return out, Tensor._wrap(np.zeros_like(out.data))
    (jv,) = _autograd_grad(total, [u], allow_unused=True)
    return out, Tensor._wrap(np.zeros_like(out.data)) if jv is None else jv


def hvp(func: Callable[..., Any], inputs: Any, v: Any) -> tuple[Tensor, Any]:
    """``(func(*inputs), H v)`` for a function with a single-element output
    (``torch.autograd.functional.hvp``): the gradient of ``<grad f, v>``, two backward passes,
    no Hessian formed. ``inputs`` and ``v`` are a tensor or matching tuples; so is ``H v``."""
    who = "hvp"
    single = not isinstance(inputs, (tuple, list))
    ins, vs = _tuple(inputs), _tuple(v)
    if len(ins) != len(vs):
        raise ValueError(f"hvp: got {len(ins)} inputs but {len(vs)} vectors v; give one per input")
    out, watched, _ = _call(func, ins, tuple(range(len(ins))), who)
    out = _as_output(out, who)
    if out.data.size != 1:
        raise ValueError(f"hvp: the function must return a single-element tensor, got {out.shape}")
    gs = _gradients(out, watched, None, True)
    total = None
    for g, w, vi in zip(gs, watched, vs):
        arr = np.asarray(vi.data if isinstance(vi, Tensor) else vi, dtype=w.data.dtype)
        if arr.shape != w.shape:
            raise ValueError(f"hvp: a vector v has shape {arr.shape} but its input has {w.shape}")
        if g.requires_grad:
            term = (g * Tensor._wrap(arr)).sum()
            total = term if total is None else total + term
    if total is None:
        hv = [Tensor._wrap(np.zeros_like(w.data)) for w in watched]
    else:
        hv = _gradients(total, watched, None, False)
    return out, hv[0] if single else tuple(hv)
