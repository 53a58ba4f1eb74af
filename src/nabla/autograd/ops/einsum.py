"""``einsum``: Einstein summation over any subscripts, as ``torch.einsum`` / ``numpy.einsum``.

The equation is first rewritten in explicit form: the ellipsis becomes letters the equation
does not use (aligned from the right, so the ellipsis dimensions broadcast), and the implicit
output (no ``->``) becomes the ellipsis followed by the letters used once, in alphabetical
order. Ellipsis dimensions missing from an explicit output are summed (as PyTorch). A letter
of size 1 in one operand broadcasts against the others.

The contraction of two operands is one batched matrix product (BLAS), planned once per
subscripts and shapes: the letters are sorted into batch, left, right and contracted ones and
each operand transposed and reshaped to (batch, rows, columns). One operand goes to NumPy's
``einsum``; three or more are contracted pair by pair, in the order ``numpy.einsum_path``
finds (once per subscripts and shapes).

Backward: the gradient of operand i is itself an einsum, of g (subscripts: the output) and
the other operands, giving operand i's subscripts. Two cases need more than that: a letter
of operand i found nowhere else (summed over in the forward) gets g broadcast along it, and
a letter repeated within operand i (a diagonal, as in ``"ii->i"``) gets the gradient written
onto that diagonal of a zero array, every other entry having no effect on y.
"""

from __future__ import annotations

import math
import string
from functools import lru_cache
from typing import Any

from nabla.autograd.engine import Function
from nabla.autograd.tensor import Tensor, apply, as_tensor
from nabla.backend import xp as np  # the array module (NumPy; one place to swap)

Array = np.ndarray
_LETTERS = string.ascii_letters  # PyTorch and NumPy accept a-z and A-Z


def _term(term: str, ndim: int, k: int) -> tuple[str, int]:
    """The letters of one input term and how many dimensions its ellipsis covers."""
    if term.count("...") > 1 or term.replace("...", "").count("."):
        raise ValueError(f"einsum: operand {k}'s subscripts {term!r} have a malformed ellipsis")
    letters = term.replace("...", "")
    if any(c not in _LETTERS for c in letters):
        raise ValueError(f"einsum: subscripts must be letters a-z, A-Z, got {term!r}")
    extra = ndim - len(letters)
    if ("..." in term and extra < 0) or ("..." not in term and extra != 0):
        raise ValueError(
            f"einsum: operand {k} has {ndim} dimensions but its subscripts {term!r} name "
            f"{len(letters)}{' and an ellipsis' if '...' in term else ''}"
        )
    return term, extra


@lru_cache(maxsize=512)
def parse(equation: str, ndims: tuple[int, ...]) -> tuple[tuple[str, ...], str]:
    """``equation`` for operands of ``ndims`` dimensions in explicit form, without an
    ellipsis: (the subscripts of each input, the output's)."""
    eq = equation.replace(" ", "")
    if eq.count("->") > 1:
        raise ValueError(f"einsum: the equation {equation!r} has more than one '->'")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(ndims):
        raise ValueError(
            f"einsum: the equation {equation!r} has {len(terms)} operand(s) but "
            f"{len(ndims)} were given"
        )
    parsed = [_term(t, n, k) for k, (t, n) in enumerate(zip(terms, ndims))]
    free = [c for c in _LETTERS if c not in eq]
    width = max([e for t, e in parsed if "..." in t], default=0)
    ell = "".join(free[:width])
    inputs = tuple(t.replace("...", ell[width - e :]) for t, e in parsed)
    if arrow:
        if rhs.count("...") > 1 or rhs.replace("...", "").count("."):
            raise ValueError(f"einsum: the output subscripts {rhs!r} have a malformed ellipsis")
        out = rhs.replace("...", ell)
        for c in out:
            if c not in _LETTERS or out.count(c) > 1 or not any(c in t for t in inputs):
                raise ValueError(
                    f"einsum: output subscript {c!r} of {equation!r} must be a letter that "
                    "appears once in the output and in some input"
                )
    else:
        joined = "".join(t.replace("...", "") for t, _ in parsed)
        out = ell + "".join(sorted(c for c in set(joined) if joined.count(c) == 1))
    return inputs, out


def _sizes(inputs: tuple[str, ...], shapes: list[tuple[int, ...]]) -> dict[str, int]:
    """Each letter's size: equal in every operand, or 1 where it broadcasts."""
    sizes: dict[str, int] = {}
    for k, (sub, shape) in enumerate(zip(inputs, shapes)):
        own: dict[str, int] = {}
        for c, n in zip(sub, shape):
            if own.setdefault(c, n) != n:
                raise ValueError(
                    f"einsum: subscript {c!r} repeats in operand {k} over dimensions of "
                    f"different sizes ({own[c]} and {n}), shape {shape}"
                )
            m = sizes.get(c, 1)
            if n != m and 1 not in (n, m):
                raise ValueError(
                    f"einsum: subscript {c!r} has size {n} in operand {k}, which does not "
                    f"broadcast with size {m} in another operand"
                )
            sizes[c] = n if m == 1 else m
    return sizes


_PLANS: dict[Any, Any] = {}
_MAX_PLANS = 512


def _cached(key: Any, make: Any) -> Any:
    plan = _PLANS.get(key)
    if plan is None:
        if len(_PLANS) >= _MAX_PLANS:
            _PLANS.clear()
        plan = _PLANS[key] = make()
    return plan


def _pair_plan(sa: str, sb: str, out: str, shape_a: tuple, shape_b: tuple) -> tuple:
    """How ``sa,sb->out`` (no letter repeated within a term) becomes one batched matrix
    product: letters of one operand only and not in the output are summed first; then
    a -> (batch, left, contracted) and b -> (batch, contracted, right)."""
    sizes = dict(zip(sa, shape_a)) | dict(zip(sb, shape_b))
    a_sum = tuple(k for k, c in enumerate(sa) if c not in sb and c not in out)
    b_sum = tuple(k for k, c in enumerate(sb) if c not in sa and c not in out)
    ra = "".join(c for k, c in enumerate(sa) if k not in a_sum)
    rb = "".join(c for k, c in enumerate(sb) if k not in b_sum)
    batch = [c for c in out if c in ra and c in rb]
    left = [c for c in out if c in ra and c not in rb]
    right = [c for c in out if c in rb and c not in ra]
    summed = [c for c in ra if c in rb and c not in out]

    def size(cs: list[str]) -> int:
        return math.prod(sizes[c] for c in cs)

    return (
        a_sum,
        b_sum,
        tuple(ra.index(c) for c in batch + left + summed),
        (size(batch), size(left), size(summed)),
        tuple(rb.index(c) for c in batch + summed + right),
        (size(batch), size(summed), size(right)),
        tuple(sizes[c] for c in batch + left + right),
        tuple((batch + left + right).index(c) for c in out),
    )


def contract(subs: tuple[str, ...], out: str, *arrays: Array) -> Array:
    """einsum of ``arrays`` (subscripts ``subs``, explicit ``out``, every letter's sizes
    equal). Two operands: one batched matrix product (BLAS) after transposes and reshapes,
    planned once per subscripts and shapes. One operand: NumPy's einsum (transposes, traces
    and diagonals). Three or more: pairs contracted in the order of NumPy's ``einsum_path``
    (found once per subscripts and shapes), each as two operands are."""
    eq = ",".join(subs) + "->" + out
    if len(arrays) == 1:
        return np.asarray(np.einsum(eq, arrays[0]))
    shapes = tuple(a.shape for a in arrays)
    if len(arrays) == 2 and all(len(set(s)) == len(s) for s in subs):
        a, b = arrays
        a_sum, b_sum, pa, sha, pb, shb, shape, po = _cached(
            (eq, shapes), lambda: _pair_plan(subs[0], subs[1], out, *shapes)
        )
        if a_sum:
            a = a.sum(axis=a_sum)
        if b_sum:
            b = b.sum(axis=b_sum)
        y = np.matmul(a.transpose(pa).reshape(sha), b.transpose(pb).reshape(shb))
        return y.reshape(shape).transpose(po)
    path = _cached(("path", eq, shapes), lambda: np.einsum_path(eq, *arrays, optimize="greedy")[0])
    if len(arrays) == 2:  # a letter repeated within a term: NumPy's einsum handles it
        return np.asarray(np.einsum(eq, *arrays, optimize=path))
    terms, arrs = list(subs), list(arrays)
    for step in path[1:]:  # contract the pairs the path names, each as above
        picked = sorted(step, reverse=True)
        sub_terms = tuple(terms.pop(k) for k in picked)
        sub_arrays = [arrs.pop(k) for k in picked]
        needed = "".join(terms) + out
        term = "".join(dict.fromkeys(c for t in sub_terms for c in t if c in needed))
        if len(sub_arrays) > 2:  # no pair to contract (outer products): NumPy's loop
            step_eq = ",".join(sub_terms) + "->" + term
            arrs.append(np.asarray(np.einsum(step_eq, *sub_arrays)))
        else:
            arrs.append(contract(sub_terms, term, *sub_arrays))
        terms.append(term)
    return contract((terms[0],), out, arrs[0])


def _onto_diagonal(grad: Array, letters: str, sub: str, shape: tuple[int, ...]) -> Array:
    """A zero array of ``shape`` (subscripts ``sub``, with repeats) holding ``grad``
    (subscripts ``letters``, each once) on the diagonal the repeats name."""
    out = np.zeros(shape, dtype=grad.dtype)
    strides = tuple(sum(s for c2, s in zip(sub, out.strides) if c2 == c) for c in letters)
    view = np.lib.stride_tricks.as_strided(out, shape=grad.shape, strides=strides, writeable=True)
    view[...] = grad
    return out


class Einsum(Function):
    """y = einsum(subscripts, *operands) in the explicit form of ``parse``.

    VJP: g_i = einsum(output, *other inputs -> inputs[i]), broadcast along the letters only
    operand i has, and put onto the diagonal where operand i repeats a letter.
    """

    def __init__(self, inputs: tuple[str, ...], out: str, sizes: dict[str, int]) -> None:
        self.subs, self.out, self.sizes = inputs, out, sizes

    def forward(self, *xs: Array) -> Array:
        sizes = self.sizes
        # operands broadcast (as views) where a letter has size 1 in them only
        self.xs = tuple(
            x if x.shape == f else np.broadcast_to(x, f)
            for x, f in zip(xs, (tuple(sizes[c] for c in sub) for sub in self.subs))
        )
        return contract(self.subs, self.out, *self.xs)

    def backward(self, g: Array) -> tuple[Array | None, ...]:
        grads: list[Array | None] = []
        for i, (sub, need) in enumerate(zip(self.subs, self.needs_grad)):
            if not need:
                grads.append(None)
                continue
            others = [(s, x) for j, (s, x) in enumerate(zip(self.subs, self.xs)) if j != i]
            seen = self.out + "".join(s for s, _ in others)
            letters = "".join(dict.fromkeys(sub))  # each letter once, in order
            kept = "".join(c for c in letters if c in seen)
            terms = (self.out, *(s for s, _ in others))
            gi = contract(terms, kept, g, *(x for _, x in others))
            if kept != letters:  # letters only this operand has: g is constant along them
                gi = np.expand_dims(gi, tuple(k for k, c in enumerate(letters) if c not in kept))
                gi = np.broadcast_to(gi, tuple(self.sizes[c] for c in letters))
            if letters != sub:
                gi = _onto_diagonal(gi, letters, sub, self.xs[i].shape)
            grads.append(gi)
        return tuple(grads)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor | None, ...]:
        """The VJP of ``backward`` as einsum nodes (recorded); an operand that repeats a
        letter (a diagonal) is not supported here."""
        grads: list[Tensor | None] = []
        xs: tuple[Tensor, ...] = self.inputs  # type: ignore[assignment]
        for i, sub in enumerate(self.subs):
            letters = "".join(dict.fromkeys(sub))
            if letters != sub:
                raise RuntimeError(
                    "double backward is not supported for Einsum with a repeated letter in "
                    f"one operand ({sub!r}); only subscripts without one are differentiable twice"
                )
            others = [(s, x) for j, (s, x) in enumerate(zip(self.subs, xs)) if j != i]
            seen = self.out + "".join(s for s, _ in others)
            kept = "".join(c for c in letters if c in seen)
            terms = (self.out, *(s for s, _ in others))
            gi = apply(Einsum(terms, kept, self.sizes), g, *(x for _, x in others))
            if kept != letters:  # letters only this operand has: g is constant along them
                full = tuple(self.sizes[c] for c in letters)
                gi = gi.reshape(tuple(full[k] if c in kept else 1 for k, c in enumerate(letters)))
                gi = gi.broadcast_to(full)
            grads.append(gi)
        return tuple(grads)


def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation: ``einsum("ij,jk->ik", a, b)`` is ``a @ b``; operands may also be
    given as one list. Any subscripts: repeated letters (diagonals, traces), an ellipsis,
    implicit output, broadcasting of size-1 dimensions."""
    if not isinstance(equation, str):
        raise TypeError(f"einsum: the equation must be a string, got {type(equation).__name__}")
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise ValueError("einsum: give at least one operand")
    ts = [as_tensor(t) for t in operands]
    inputs, out = parse(equation, tuple(t.ndim for t in ts))
    sizes = _sizes(inputs, [t.shape for t in ts])  # size errors before anything is recorded
    return apply(Einsum(inputs, out, sizes), *ts)
