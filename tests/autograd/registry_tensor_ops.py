"""Registry entries for the reductions (ops/reduction_extra.py, ops/scan.py, ops/order.py),
the indexing and movement ops (ops/indexing.py, ops/movement.py) and einsum.

Picked up by ``tests/autograd/registry.all_ops()`` for the generic tests of
test_registry.py. The NumPy references are written independently of the ops: loops over
positions for gather / scatter, NumPy's own functions elsewhere, PyTorch's definitions where
NumPy's differ (the lower median; ellipsis dimensions summed by einsum).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nabla import autograd as ag
from tests.autograd.registry import REDUCE_SHAPES, OpSpec, Shapes, _0d, _distinct


def _t():
    import torch

    return torch


def _with_zeros(rng: np.random.Generator, shapes: Shapes, dtype: Any) -> list[np.ndarray]:
    """Values with exact zeros along the last axis: row r holds r % 3 of them (a 1-D or
    0-d input one), for prod and cumprod."""
    x = rng.uniform(0.5, 1.5, shapes[0]) * rng.choice([-1.0, 1.0], shapes[0])
    rows = x.reshape(-1, x.shape[-1] if x.ndim else 1)
    for r, row in enumerate(rows):
        zeros = 1 if len(rows) == 1 else min(r % 3, row.size)
        row[rng.permutation(row.size)[:zeros]] = 0.0
    return [np.array(rows.reshape(x.shape), dtype=dtype)]


def _no_zeros(rng: np.random.Generator, shapes: Shapes, dtype: Any) -> list[np.ndarray]:
    """Values with |x| in [0.3, 2] (norms with p < 2 have a kink at 0)."""
    return [
        np.array(rng.uniform(0.3, 2.0, s) * rng.choice([-1.0, 1.0], s), dtype=dtype) for s in shapes
    ]


def _distinct_abs(rng: np.random.Generator, shapes: Shapes, dtype: Any) -> list[np.ndarray]:
    """Distinct |x| >= 0.1 with random signs (the inf-norm has kinks at ties and at 0)."""
    (x,) = _distinct(rng, shapes, np.float64)
    return [np.array((np.abs(x) + 0.1) * rng.choice([-1.0, 1.0], x.shape), dtype=dtype)]


def _lower_median(a: np.ndarray, axis: int) -> np.ndarray:
    return np.take(np.sort(a, axis=axis), (a.shape[axis] - 1) // 2, axis=axis)


def _with_index(make_index: Any):
    def make(rng: np.random.Generator, shapes: Shapes, dtype: Any) -> list[np.ndarray]:
        x = np.array(rng.uniform(-2, 2, shapes[0]), dtype=dtype)
        rest = [np.array(rng.uniform(-2, 2, s), dtype=dtype) for s in shapes[2:]]
        return [x, make_index(rng, shapes), *rest]

    return make


def _gather_index(rng: np.random.Generator, shapes: Shapes) -> np.ndarray:
    return rng.integers(0, shapes[0][1], shapes[1])  # along dim 1


def _scatter_index(rng: np.random.Generator, shapes: Shapes) -> np.ndarray:
    """Distinct targets along dim 0 in each column (scatter without repeats is exact)."""
    n, (k, m) = shapes[0][0], shapes[1]
    return np.stack([rng.permutation(n)[:k] for _ in range(m)], axis=1)


def _gather_ref(x: np.ndarray, idx: np.ndarray, dim: int) -> np.ndarray:
    out = np.empty(idx.shape, dtype=x.dtype)
    for p in np.ndindex(*idx.shape):
        q = list(p)
        q[dim] = idx[p]
        out[p] = x[tuple(q)]
    return out


def _scatter_ref(x: np.ndarray, idx: np.ndarray, src: Any, dim: int, add: bool) -> np.ndarray:
    out = x.copy()
    for p in np.ndindex(*idx.shape):
        q = list(p)
        q[dim] = idx[p]
        v = src[p] if isinstance(src, np.ndarray) else src
        out[tuple(q)] = out[tuple(q)] + v if add else v
    return out


def _masked_inputs(rng: np.random.Generator, shapes: Shapes, dtype: Any) -> list[np.ndarray]:
    x = np.array(rng.uniform(-2, 2, shapes[0]), dtype=dtype)
    return [x, rng.uniform(size=shapes[1]) < 0.5, np.array(1.25, dtype=dtype)]


def _pieces_weighted(parts: Any, cat: Any, axis: int) -> Any:
    """The pieces joined back with piece k times (k + 1), so each piece's gradient differs."""
    return cat([p * (k + 1) for k, p in enumerate(parts)], axis)


def _np_pieces(a: np.ndarray, sections: Any, axis: int) -> np.ndarray:
    parts = np.split(a, sections, axis=axis)
    return np.concatenate([p * (k + 1) for k, p in enumerate(parts)], axis=axis)


def _einsum(eq: str, shapes: list[Shapes], ref: Any = None) -> OpSpec:
    return OpSpec(
        f"einsum[{eq}]",
        lambda *ts: ag.einsum(eq, *ts),
        ref or (lambda *xs: np.einsum(eq, *xs)),
        shapes,
        torch_fn=lambda *ts: _t().einsum(eq, *ts),
    )


OPS: list[OpSpec] = [
    # ---- std and prod
    OpSpec(
        "std", lambda a: a.std(), _0d(np.std), REDUCE_SHAPES, torch_fn=lambda a: a.std(correction=0)
    ),
    OpSpec(
        "std_dim_ddof",
        lambda a: a.std(dim=0, ddof=1),
        lambda a: a.std(axis=0, ddof=1),
        [((3, 4),), ((5, 2, 3),)],
        torch_fn=lambda a: a.std(dim=0),
    ),
    OpSpec(
        "std_keepdim_correction",
        lambda a: ag.std(a, axis=(0, 2), keepdim=True, correction=1),
        lambda a: a.std(axis=(0, 2), keepdims=True, ddof=1),
        [((2, 3, 4),), ((3, 1, 2),)],
        torch_fn=lambda a: a.std(dim=(0, 2), keepdim=True),
    ),
    OpSpec(
        "prod",
        lambda a: a.prod(),
        np.prod,
        REDUCE_SHAPES + [((0, 3),)],
        torch_fn=lambda a: a.prod(),
    ),
    OpSpec(
        "prod_dim",
        lambda a: a.prod(1, keepdim=True),
        lambda a: a.prod(axis=1, keepdims=True),
        [((3, 4),), ((2, 3, 4),), ((2, 0),)],
        torch_fn=lambda a: a.prod(1, keepdim=True),
    ),
    OpSpec(
        "prod_zeros",
        lambda a: a.prod(axis=-1),
        lambda a: a.prod(axis=-1),
        [((4, 5),), ((3, 2, 8),), ((12,),)],
        make=_with_zeros,
        torch_fn=lambda a: a.prod(-1),
    ),
    OpSpec(
        "prod_zeros_all",
        lambda a: a.prod(),
        np.prod,
        [((2, 3),), ((7,),), ((3, 4),)],  # one zero, one zero, three zeros
        make=_with_zeros,
        torch_fn=lambda a: a.prod(),
    ),
    # ---- cumulative
    OpSpec(
        "cumsum",
        lambda a: a.cumsum(-1),
        lambda a: np.cumsum(a, axis=-1) if a.ndim else a,
        [((3, 4),), ((5,),), ((2, 3, 4),), ((),), ((0, 3),)],
        torch_fn=lambda a: a.cumsum(-1),
    ),
    OpSpec(
        "cumsum_dim0",
        lambda a: ag.cumsum(a, dim=0),
        lambda a: np.cumsum(a, axis=0),
        [((3, 4),), ((2, 3, 4),)],
        torch_fn=lambda a: a.cumsum(dim=0),
    ),
    OpSpec(
        "cumprod",
        lambda a: a.cumprod(1),
        lambda a: np.cumprod(a, axis=1),
        [((3, 4),), ((2, 5, 2),)],
        torch_fn=lambda a: a.cumprod(1),
    ),
    OpSpec(
        "cumprod_zeros",
        lambda a: a.cumprod(-1),
        lambda a: np.cumprod(a, axis=-1) if a.ndim else a,
        [((4, 5),), ((3, 2, 8),), ((12,),), ((),)],
        make=_with_zeros,
        torch_fn=lambda a: a.cumprod(-1),
    ),
    # ---- norms
    OpSpec(
        "norm",
        lambda a: a.norm(),
        lambda a: np.sqrt((a * a).sum()),
        REDUCE_SHAPES,
        torch_fn=lambda a: a.norm(),
    ),
    OpSpec(
        "norm_p1_dim",
        lambda a: a.norm(1, dim=-1),
        lambda a: np.abs(a).sum(axis=-1),
        [((3, 4),), ((2, 3, 4),), ((5,),)],
        make=_no_zeros,
        torch_fn=lambda a: a.norm(1, dim=-1),
    ),
    OpSpec(
        "norm_inf_keepdim",
        lambda a: a.norm(float("inf"), axis=0, keepdims=True),
        lambda a: np.abs(a).max(axis=0, keepdims=True),
        [((3, 4),), ((2, 3, 4),)],
        make=_distinct_abs,
        torch_fn=lambda a: a.norm(float("inf"), dim=0, keepdim=True),
    ),
    OpSpec(
        "norm_neg_inf",
        lambda a: a.norm(-float("inf"), axis=1),
        lambda a: np.abs(a).min(axis=1),
        [((3, 4),)],
        make=_distinct_abs,
        torch_fn=lambda a: _t().linalg.vector_norm(a, -float("inf"), dim=1),
    ),
    OpSpec(
        "norm_p3_dims",
        lambda a: a.norm(3, dim=(0, 2)),
        lambda a: (np.abs(a) ** 3).sum(axis=(0, 2)) ** (1 / 3),
        [((2, 3, 4),)],
        torch_fn=lambda a: a.norm(3, dim=(0, 2)),
    ),
    OpSpec(
        "norm_p_half",
        lambda a: a.norm(0.5, dim=1),
        lambda a: (np.abs(a) ** 0.5).sum(axis=1) ** 2,
        [((3, 4),)],
        make=_no_zeros,
        torch_fn=lambda a: a.norm(0.5, dim=1),
    ),
    OpSpec(
        "norm_p0",
        lambda a: a.norm(0, dim=1),
        lambda a: (a != 0).sum(axis=1).astype(a.dtype),
        [((3, 4),)],
        make=_with_zeros,
        torch_fn=lambda a: a.norm(0, dim=1),
    ),
    OpSpec(
        "norm_fro_dims",
        lambda a: a.norm("fro", dim=(1, 2), keepdim=True),
        lambda a: np.sqrt((a * a).sum(axis=(1, 2), keepdims=True)),
        [((2, 3, 4),)],
        torch_fn=lambda a: a.norm("fro", dim=(1, 2), keepdim=True),
    ),
    # ---- amax / amin (ties in test_ops_reduction.py)
    OpSpec(
        "amax",
        lambda a: a.amax(dim=(0, 1)),
        lambda a: a.max(axis=(0, 1)),
        [((3, 4),), ((2, 3, 4),)],
        make=_distinct,
        torch_fn=lambda a: a.amax(dim=(0, 1)),
    ),
    OpSpec(
        "amin_all",
        lambda a: a.amin(),
        _0d(np.min),
        REDUCE_SHAPES,
        make=_distinct,
        torch_fn=lambda a: a.amin(),
    ),
    # ---- order statistics
    OpSpec(
        "median_all",
        lambda a: a.median(),
        lambda a: _lower_median(a.reshape(-1), 0),
        [((3, 4),), ((5,),), ((2, 3, 2),), ((),)],
        make=_distinct,
        torch_fn=lambda a: a.median(),
    ),
    OpSpec(
        "median_dim",
        lambda a: a.median(dim=1).values,
        lambda a: _lower_median(a, 1),
        [((3, 4),), ((2, 5, 3),)],
        make=_distinct,
        torch_fn=lambda a: a.median(dim=1).values,
    ),
    OpSpec(
        "median_keepdim",
        lambda a: a.median(0, keepdim=True).values,
        lambda a: np.expand_dims(_lower_median(a, 0), 0),
        [((4, 3),), ((5,),)],
        make=_distinct,
        torch_fn=lambda a: a.median(0, keepdim=True).values,
    ),
    OpSpec(
        "quantile",
        lambda a: a.quantile(0.3),
        lambda a: np.quantile(a, 0.3),
        [((3, 4),), ((7,),), ((),)],
        make=_distinct,
        torch_fn=lambda a: a.quantile(0.3),
    ),
    OpSpec(
        "quantile_q_vector_dim",
        lambda a: a.quantile(np.array([0.1, 0.5, 0.9]), dim=1, keepdim=True),
        lambda a: np.quantile(a, [0.1, 0.5, 0.9], axis=1, keepdims=True),
        [((3, 4),), ((2, 5, 3),)],
        make=_distinct,
        torch_fn=lambda a: a.quantile(
            _t().tensor([0.1, 0.5, 0.9], dtype=a.dtype), dim=1, keepdim=True
        ),
    ),
    *[
        OpSpec(
            f"quantile_{mode}",
            lambda a, mode=mode: a.quantile(np.array([0.25, 0.5, 0.625]), 0, interpolation=mode),
            lambda a, mode=mode: np.quantile(a, [0.25, 0.5, 0.625], axis=0, method=mode),
            [((5, 3),), ((9,),)],
            make=_distinct,
            torch_fn=lambda a, mode=mode: a.quantile(
                _t().tensor([0.25, 0.5, 0.625], dtype=a.dtype), 0, interpolation=mode
            ),
        )
        for mode in ("lower", "higher", "nearest", "midpoint")
    ],
    # ---- indexing
    OpSpec(
        "gather",
        lambda x, i: x.gather(1, i),
        lambda x, i: _gather_ref(x, i, 1),
        [((3, 4), (3, 6)), ((3, 4), (2, 2)), ((2, 3, 4), (2, 5, 3)), ((3, 4), (3, 0))],
        make=_with_index(_gather_index),
        grad_inputs=(0,),
        torch_fn=lambda x, i: x.gather(1, i),
    ),
    OpSpec(
        "scatter",
        lambda x, i, s: x.scatter(0, i, s),
        lambda x, i, s: _scatter_ref(x, i, s, 0, False),
        [((4, 3), (2, 3), (2, 3)), ((5, 4), (3, 2), (3, 2))],
        make=_with_index(_scatter_index),
        grad_inputs=(0, 2),
        torch_fn=lambda x, i, s: x.scatter(0, i, s),
    ),
    # src larger than the index: PyTorch's forward takes it, its backward fails (shape
    # error in ScatterBackward0), so the NumPy loop and central differences check it
    OpSpec(
        "scatter_larger_src",
        lambda x, i, s: x.scatter(0, i, s),
        lambda x, i, s: _scatter_ref(x, i, s, 0, False),
        [((5, 4), (3, 2), (4, 3))],
        make=_with_index(_scatter_index),
        grad_inputs=(0, 2),
    ),
    OpSpec(
        "scatter_value",
        lambda x, i: x.scatter(0, i, 2.5),
        lambda x, i: _scatter_ref(x, i, 2.5, 0, False),
        [((4, 3), (2, 3))],
        make=_with_index(_scatter_index),
        grad_inputs=(0,),
        torch_fn=lambda x, i: x.scatter(0, i, 2.5),
    ),
    OpSpec(
        "scatter_add",
        lambda x, i, s: x.scatter_add(1, i, s),
        lambda x, i, s: _scatter_ref(x, i, s, 1, True),
        [((3, 4), (3, 6), (3, 6)), ((3, 4), (2, 3), (2, 3))],
        make=_with_index(_gather_index),  # repeated targets: they add up
        grad_inputs=(0, 2),
        torch_fn=lambda x, i, s: x.scatter_add(1, i, s),
    ),
    OpSpec(
        "scatter_add_larger_src",
        lambda x, i, s: x.scatter_add(1, i, s),
        lambda x, i, s: _scatter_ref(x, i, s, 1, True),
        [((3, 4), (2, 3), (3, 5))],
        make=_with_index(_gather_index),
        grad_inputs=(0, 2),
    ),
    OpSpec(
        "index_select",
        lambda x, i: x.index_select(1, i),
        lambda x, i: x[:, i],
        [((3, 4), (6,)), ((2, 4, 2), (0,))],
        make=_with_index(lambda rng, s: rng.integers(0, s[0][1], s[1])),
        grad_inputs=(0,),
        torch_fn=lambda x, i: x.index_select(1, i),
    ),
    OpSpec(
        "take_along_dim",
        lambda x, i: x.take_along_dim(i, dim=1),
        lambda x, i: np.take_along_axis(x, np.broadcast_to(i, (x.shape[0], i.shape[1])), 1),
        [((3, 4), (3, 5)), ((3, 4), (1, 6))],
        make=_with_index(lambda rng, s: rng.integers(-s[0][1], s[0][1], s[1])),
        grad_inputs=(0,),
        torch_fn=lambda x, i: _t().take_along_dim(x, i, dim=1),
    ),
    OpSpec(
        "take_along_dim_flat",
        lambda x, i: ag.take_along_dim(x, i),
        lambda x, i: x.reshape(-1)[i.reshape(-1)],
        [((3, 4), (2, 3)), ((5,), (7,))],
        make=_with_index(lambda rng, s: rng.integers(0, int(np.prod(s[0])), s[1])),
        grad_inputs=(0,),
        torch_fn=lambda x, i: _t().take_along_dim(x, i),
    ),
    OpSpec(
        "masked_fill",
        lambda x, m, v: x.masked_fill(m, v),
        lambda x, m, v: np.where(m, v, x),
        [((3, 4), (3, 4), ()), ((3, 4), (4,), ()), ((2, 3, 4), (3, 1), ())],
        make=_masked_inputs,
        grad_inputs=(0, 2),
        torch_fn=lambda x, m, v: x.masked_fill(m, v),
    ),
    # ---- movement
    OpSpec(
        "flip",
        lambda a: a.flip(0, -1),
        lambda a: a[::-1, ..., ::-1],
        [((3, 4),), ((2, 3, 4),)],
        torch_fn=lambda a: a.flip(0, -1),
    ),
    OpSpec(
        "roll",
        lambda a: a.roll((1, -2), (0, 1)),
        lambda a: np.roll(np.roll(a, 1, 0), -2, 1),
        [((3, 4),), ((2, 3, 4),)],
        torch_fn=lambda a: a.roll((1, -2), (0, 1)),
    ),
    OpSpec(
        "roll_flat",
        lambda a: a.roll(5),
        lambda a: np.roll(a.reshape(-1), 5).reshape(a.shape),
        [((3, 4),), ((7,),)],
        torch_fn=lambda a: a.roll(5),
    ),
    OpSpec(
        "repeat",
        lambda a: a.repeat(2, 1, 3),
        lambda a: np.tile(a, (2, 1, 3)),
        [((3, 4),), ((2, 1, 2),), ((0, 2),)],
        torch_fn=lambda a: a.repeat(2, 1, 3),
    ),
    OpSpec(
        "tile",
        lambda a: a.tile((2,)),
        lambda a: np.tile(a, 2),
        [((3, 4),), ((5,),)],
        torch_fn=lambda a: a.tile((2,)),
    ),
    OpSpec(
        "expand",
        lambda a: a.expand(2, -1, 4),
        lambda a: np.broadcast_to(a, (2, a.shape[-2], 4)),
        [((3, 1),), ((1, 3, 4),), ((3, 4),)],
        torch_fn=lambda a: a.expand(2, -1, 4),
    ),
    OpSpec(
        "split",
        lambda a: _pieces_weighted(a.split(2, dim=1), ag.concatenate, 1),
        lambda a: _np_pieces(a, [2, 4], 1),
        [((3, 5),), ((2, 6, 1),)],
        torch_fn=lambda a: _pieces_weighted(a.split(2, dim=1), _t().cat, 1),
    ),
    OpSpec(
        "split_sections",
        lambda a: _pieces_weighted(a.split([1, 0, 3]), ag.concatenate, 0),
        lambda a: _np_pieces(a, [1, 1], 0),
        [((4, 2),), ((4,),)],
        torch_fn=lambda a: _pieces_weighted(a.split([1, 0, 3]), _t().cat, 0),
    ),
    OpSpec(
        "chunk",
        lambda a: _pieces_weighted(a.chunk(3, -1), ag.concatenate, -1),
        lambda a: _np_pieces(a, [3, 6], -1),
        [((2, 8),), ((7,),)],
        torch_fn=lambda a: _pieces_weighted(a.chunk(3, -1), _t().cat, -1),
    ),
    OpSpec(
        "squeeze",
        lambda a: a.squeeze(),
        np.squeeze,
        [((3, 1, 4, 1),), ((1,),), ((2, 3),)],
        torch_fn=lambda a: a.squeeze(),
    ),
    OpSpec(
        "squeeze_dims",
        lambda a: a.squeeze((0, 2)),
        lambda a: np.squeeze(a, axis=tuple(d for d in (0, 2) if a.shape[d] == 1)),
        [((1, 3, 1),), ((2, 3, 1),)],
        torch_fn=lambda a: a.squeeze((0, 2)),
    ),
    OpSpec(
        "unsqueeze",
        lambda a: a.unsqueeze(-1).unsqueeze(0),
        lambda a: a[None, ..., None],
        [((3, 4),), ((),)],
        torch_fn=lambda a: a.unsqueeze(-1).unsqueeze(0),
    ),
    OpSpec("clone", lambda a: a.clone(), np.copy, [((3, 4),), ((),)], torch_fn=lambda a: a.clone()),
    # ---- einsum
    _einsum("ij,jk->ik", [((3, 4), (4, 5)), ((0, 2), (2, 3))]),
    _einsum("bij,bjk->bik", [((2, 3, 4), (2, 4, 5))]),
    _einsum("i,i->", [((4,), (4,)), ((1,), (4,))]),
    _einsum("i,j->ij", [((3,), (4,))]),
    _einsum("ij->ji", [((3, 4),)]),
    _einsum("ij->i", [((3, 4),)]),
    _einsum("ii->i", [((3, 3),)]),
    _einsum("ii", [((4, 4),)]),
    _einsum("iij,jk->ik", [((3, 3, 2), (2, 4))]),
    _einsum("ij,ij->ij", [((3, 4), (3, 4)), ((3, 1), (1, 4))]),
    _einsum("ij,jk", [((3, 4), (4, 2))]),
    _einsum("ba,b", [((3, 4), (3,))]),
    _einsum("ijk,jl,lk->i", [((2, 3, 4), (3, 5), (5, 4))]),
    _einsum("bn,anm,bm->ba", [((2, 3), (4, 3, 5), (2, 5))]),
    _einsum("...ij,...jk->...ik", [((2, 1, 3, 4), (5, 4, 2)), ((3, 4), (4, 2))]),
    _einsum("...ii->...i", [((2, 3, 3),)]),
    _einsum("i...->...", [((3, 2, 4),)]),
    _einsum("ab,b->a", [((3, 1), (4,))], ref=lambda a, b: a[:, 0] * b.sum()),
    _einsum("...ij->ij", [((2, 3, 4),)], ref=lambda a: a.sum(axis=0)),
    _einsum("ij,k->ik", [((3, 4), (2,))]),
]
