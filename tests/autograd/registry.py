"""The registry of ops: one entry per op drives the generic tests in test_registry.py.

Each ``OpSpec`` names the op, its nabla function (tensors in, tensor out), a NumPy reference
(arrays in, array out), the input shapes to try (broadcasting pairs, size-1 and empty
dimensions included), the input domain, and optionally the same op in PyTorch.
Adding an op means adding one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import nabla
from nabla import autograd as ag

Shapes = tuple[tuple[int, ...], ...]


@dataclass
class OpSpec:
    name: str
    fn: Callable[..., Any]
    ref: Callable[..., np.ndarray]
    shapes: list[Shapes]
    domain: tuple[float, float] = (-2.0, 2.0)
    torch_fn: Callable[..., Any] | None = None
    # indices of the inputs that are differentiable (the others are constants, e.g. indices)
    grad_inputs: tuple[int, ...] | None = None
    # custom input maker: (rng, shapes, dtype) -> list of arrays
    make: Callable[[np.random.Generator, Shapes, Any], list[np.ndarray]] | None = None
    atol: float = 1e-5
    rtol: float = 1e-3
    # keep entries away from kinks so central differences are valid (|x - k| > gap)
    kinks: tuple[float, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def inputs(self, rng: np.random.Generator, shapes: Shapes, dtype: Any) -> list[np.ndarray]:
        if self.make is not None:
            return self.make(rng, shapes, dtype)
        lo, hi = self.domain
        out = []
        for shape in shapes:
            x = rng.uniform(lo, hi, size=shape)
            for k in self.kinks:
                close = np.abs(x - k) < 0.05
                x[close] = k + 0.1 * np.sign(x[close] - k + 1e-12)
            out.append(x.astype(dtype))
        return out

    def differentiable(self, n_inputs: int) -> tuple[int, ...]:
        return tuple(range(n_inputs)) if self.grad_inputs is None else self.grad_inputs


def _t():
    import torch

    return torch


UNARY_SHAPES: list[Shapes] = [((3, 4),), ((5,),), ((),), ((2, 1, 3),), ((0, 3),)]
BINARY_SHAPES: list[Shapes] = [
    ((3, 4), (3, 4)),
    ((3, 4), (4,)),
    ((3, 1), (1, 4)),
    ((2, 3, 4), (3, 1)),
    ((), (2, 3)),
    ((0, 3), (3,)),
]
# () checks PyTorch's rule that a 0-d tensor takes axis 0 or -1 (reducing nothing)
REDUCE_SHAPES: list[Shapes] = [((3, 4),), ((2, 3, 4),), ((5,),), ((1, 4),), ((),)]


def _0d(ref: Callable[[np.ndarray], np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
    """A NumPy reduction reference that also takes a 0-d array with axis 0 / -1 (NumPy
    refuses it): there it reduces the one-element 1-D array and drops the axis again."""
    return lambda a: ref(a) if a.ndim else np.asarray(ref(a.reshape(1))).reshape(())


def _distinct(rng: np.random.Generator, shapes: Shapes, dtype: Any) -> list[np.ndarray]:
    """Values without ties (max / min / maximum are not differentiable at ties)."""
    out = []
    for shape in shapes:
        n = int(np.prod(shape))
        vals = rng.permutation(n).astype(np.float64) / max(n, 1) * 4 - 2 + rng.uniform(0, 0.01, n)
        out.append(vals.reshape(shape).astype(dtype))
    return out


def _distinct_pair(rng: np.random.Generator, shapes: Shapes, dtype: Any) -> list[np.ndarray]:
    a, b = (rng.uniform(-2, 2, s) for s in shapes)
    b = b + np.where(np.abs(a - b) < 0.1, 0.3, 0.0)  # no near-ties between a and b
    return [a.astype(dtype), b.astype(dtype)]


OPS: list[OpSpec] = [
    # ---- elementwise arithmetic
    OpSpec("add", lambda a, b: a + b, np.add, BINARY_SHAPES, torch_fn=lambda a, b: a + b),
    OpSpec("sub", lambda a, b: a - b, np.subtract, BINARY_SHAPES, torch_fn=lambda a, b: a - b),
    OpSpec("mul", lambda a, b: a * b, np.multiply, BINARY_SHAPES, torch_fn=lambda a, b: a * b),
    OpSpec(
        "div",
        lambda a, b: a / b,
        np.divide,
        BINARY_SHAPES,
        domain=(0.5, 2.0),
        torch_fn=lambda a, b: a / b,
    ),
    OpSpec("neg", lambda a: -a, np.negative, UNARY_SHAPES, torch_fn=lambda a: -a),
    OpSpec(
        "pow_scalar",
        lambda a: a**3,
        lambda a: a**3,
        UNARY_SHAPES,
        torch_fn=lambda a: a**3,
    ),
    OpSpec(
        "pow_scalar_frac",
        lambda a: a**0.5,
        np.sqrt,
        UNARY_SHAPES,
        domain=(0.5, 2.0),
        torch_fn=lambda a: a**0.5,
    ),
    OpSpec(
        "pow_tensor",
        lambda a, b: a**b,
        np.power,
        BINARY_SHAPES,
        domain=(0.5, 2.0),
        torch_fn=lambda a, b: a**b,
    ),
    OpSpec(
        "add_scalar", lambda a: a + 1.5, lambda a: a + 1.5, UNARY_SHAPES, torch_fn=lambda a: a + 1.5
    ),
    OpSpec(
        "rsub_scalar",
        lambda a: 1.5 - a,
        lambda a: 1.5 - a,
        UNARY_SHAPES,
        torch_fn=lambda a: 1.5 - a,
    ),
    OpSpec(
        "mul_scalar", lambda a: a * 2.5, lambda a: a * 2.5, UNARY_SHAPES, torch_fn=lambda a: a * 2.5
    ),
    OpSpec(
        "div_scalar", lambda a: a / 2.5, lambda a: a / 2.5, UNARY_SHAPES, torch_fn=lambda a: a / 2.5
    ),
    OpSpec(
        "rdiv_scalar",
        lambda a: 2.5 / a,
        lambda a: 2.5 / a,
        UNARY_SHAPES,
        domain=(0.5, 2.0),
        torch_fn=lambda a: 2.5 / a,
    ),
    OpSpec("exp", lambda a: a.exp(), np.exp, UNARY_SHAPES, torch_fn=lambda a: a.exp()),
    OpSpec(
        "log",
        lambda a: a.log(),
        np.log,
        UNARY_SHAPES,
        domain=(0.2, 3.0),
        torch_fn=lambda a: a.log(),
    ),
    OpSpec(
        "sqrt",
        lambda a: a.sqrt(),
        np.sqrt,
        UNARY_SHAPES,
        domain=(0.2, 3.0),
        torch_fn=lambda a: a.sqrt(),
    ),
    OpSpec(
        "abs", lambda a: a.abs(), np.abs, UNARY_SHAPES, kinks=(0.0,), torch_fn=lambda a: a.abs()
    ),
    OpSpec(
        "maximum",
        lambda a, b: a.maximum(b),
        np.maximum,
        BINARY_SHAPES,
        make=_distinct_pair,
        torch_fn=lambda a, b: _t().maximum(a, b),
    ),
    OpSpec(
        "minimum",
        lambda a, b: a.minimum(b),
        np.minimum,
        BINARY_SHAPES,
        make=_distinct_pair,
        torch_fn=lambda a, b: _t().minimum(a, b),
    ),
    OpSpec(
        "clip",
        lambda a: a.clip(-0.5, 1.0),
        lambda a: np.clip(a, -0.5, 1.0),
        UNARY_SHAPES,
        kinks=(-0.5, 1.0),
        torch_fn=lambda a: a.clamp(-0.5, 1.0),
    ),
    OpSpec(
        "where",
        lambda c, a, b: ag.where(c.data > 0, a, b),
        lambda c, a, b: np.where(c > 0, a, b),
        [
            ((3, 4), (3, 4), (3, 4)),
            ((3, 4), (4,), (3, 1)),
            ((1, 4), (3, 1), (4,)),  # condition broadcast too
            ((1,), (2, 3), (1, 1)),  # size-1 condition and input
            ((), (2, 3), ()),  # scalar condition and input
            ((1, 1), (1,), (1, 1)),  # every dimension of size 1
        ],
        grad_inputs=(1, 2),
        torch_fn=lambda c, a, b: _t().where(c > 0, a, b),
    ),
    # ---- activations
    OpSpec(
        "relu",
        lambda a: a.relu(),
        lambda a: np.maximum(a, 0),
        UNARY_SHAPES,
        kinks=(0.0,),
        torch_fn=lambda a: a.relu(),
    ),
    OpSpec(
        "sigmoid",
        lambda a: a.sigmoid(),
        lambda a: 1 / (1 + np.exp(-a)),
        UNARY_SHAPES,
        domain=(-6, 6),
        torch_fn=lambda a: a.sigmoid(),
    ),
    OpSpec("tanh", lambda a: a.tanh(), np.tanh, UNARY_SHAPES, torch_fn=lambda a: a.tanh()),
    OpSpec(
        "softplus",
        lambda a: a.softplus(),
        lambda a: np.log1p(np.exp(a)),
        UNARY_SHAPES,
        domain=(-6, 6),
        torch_fn=lambda a: _t().nn.functional.softplus(a),
    ),
    # ---- matrix product (1-D, 2-D, batched with broadcasting)
    OpSpec(
        "matmul",
        lambda a, b: a @ b,
        np.matmul,
        [
            ((3, 4), (4, 5)),
            ((4,), (4,)),
            ((4,), (4, 5)),
            ((3, 4), (4,)),
            ((2, 3, 4), (4, 5)),
            ((2, 1, 3, 4), (5, 4, 2)),
            ((5,), (2, 5, 3)),
            ((2, 3, 5), (5,)),
            ((0, 4), (4, 2)),
        ],
        torch_fn=lambda a, b: a @ b,
    ),
    # ---- reductions
    OpSpec(
        "sum", lambda a: a.sum(), np.sum, REDUCE_SHAPES + [((0, 3),)], torch_fn=lambda a: a.sum()
    ),
    OpSpec(
        "sum_axis",
        lambda a: a.sum(axis=-1, keepdims=True),
        lambda a: a.sum(axis=-1, keepdims=True),
        REDUCE_SHAPES,
        torch_fn=lambda a: a.sum(dim=-1, keepdim=True),
    ),
    OpSpec(
        "sum_axes",
        lambda a: a.sum(axis=(0, 2)),
        lambda a: a.sum(axis=(0, 2)),
        [((2, 3, 4),), ((2, 0, 4),)],
        torch_fn=lambda a: a.sum(dim=(0, 2)),
    ),
    OpSpec("mean", lambda a: a.mean(), np.mean, REDUCE_SHAPES, torch_fn=lambda a: a.mean()),
    OpSpec(
        "mean_axis",
        lambda a: a.mean(axis=0),
        _0d(lambda a: a.mean(axis=0)),
        REDUCE_SHAPES,
        torch_fn=lambda a: a.mean(dim=0),
    ),
    OpSpec(
        "mean_keepdims",
        lambda a: a.mean(axis=-1, keepdims=True),
        _0d(lambda a: a.mean(axis=-1, keepdims=True)),
        REDUCE_SHAPES,
        torch_fn=lambda a: a.mean(dim=-1, keepdim=True),
    ),
    OpSpec(
        "mean_all_keepdims",
        lambda a: a.mean(keepdims=True),
        lambda a: a.mean(keepdims=True),
        REDUCE_SHAPES,
        torch_fn=lambda a: a.mean(dim=tuple(range(a.ndim)), keepdim=True),
    ),
    OpSpec(
        "max", lambda a: a.max(), np.max, REDUCE_SHAPES, make=_distinct, torch_fn=lambda a: a.amax()
    ),
    OpSpec(
        "max_axis",
        lambda a: a.max(axis=1, keepdims=True),
        lambda a: a.max(axis=1, keepdims=True),
        [((3, 4),), ((2, 3, 4),)],
        make=_distinct,
        torch_fn=lambda a: a.amax(dim=1, keepdim=True),
    ),
    OpSpec(
        "min", lambda a: a.min(), np.min, REDUCE_SHAPES, make=_distinct, torch_fn=lambda a: a.amin()
    ),
    OpSpec(
        "min_axis",
        lambda a: a.min(axis=-1),
        lambda a: a.min(axis=-1),
        [((3, 4),), ((2, 3, 4),)],
        make=_distinct,
        torch_fn=lambda a: a.amin(dim=-1),
    ),
    OpSpec(
        "min_keepdims",
        lambda a: a.min(axis=0, keepdims=True),
        lambda a: a.min(axis=0, keepdims=True),
        REDUCE_SHAPES,
        make=_distinct,
        torch_fn=lambda a: a.amin(dim=0, keepdim=True),
    ),
    OpSpec("var", lambda a: a.var(), np.var, REDUCE_SHAPES, torch_fn=lambda a: a.var(correction=0)),
    OpSpec(
        "var_axis_ddof",
        lambda a: a.var(axis=0, ddof=1),
        lambda a: a.var(axis=0, ddof=1),
        [((3, 4),), ((5, 2, 3),)],
        torch_fn=lambda a: a.var(dim=0, correction=1),
    ),
    OpSpec(
        "var_keepdims",
        lambda a: a.var(axis=-1, keepdims=True),
        _0d(lambda a: a.var(axis=-1, keepdims=True)),
        REDUCE_SHAPES,
        torch_fn=lambda a: a.var(dim=-1, correction=0, keepdim=True),
    ),
    OpSpec(
        "var_axes_keepdims_ddof",
        lambda a: a.var(axis=(0, 2), keepdims=True, ddof=1),
        lambda a: a.var(axis=(0, 2), keepdims=True, ddof=1),
        [((2, 3, 4),), ((3, 1, 2),)],
        torch_fn=lambda a: a.var(dim=(0, 2), correction=1, keepdim=True),
    ),
    # ---- shape
    OpSpec(
        "reshape",
        lambda a: a.reshape(-1, 2),
        lambda a: a.reshape(-1, 2),
        [((3, 4),), ((2, 3, 2),), ((0, 2),)],
        torch_fn=lambda a: a.reshape(-1, 2),
    ),
    OpSpec(
        "transpose",
        lambda a: a.T,
        lambda a: a.T,
        [((3, 4),), ((2, 3, 4),)],
        torch_fn=lambda a: a.permute(*reversed(range(a.ndim))),
    ),
    OpSpec(
        "permute",
        lambda a: a.permute(1, 2, 0),
        lambda a: a.transpose(1, 2, 0),
        [((2, 3, 4),)],
        torch_fn=lambda a: a.permute(1, 2, 0),
    ),
    OpSpec(
        "broadcast_to",
        lambda a: a.broadcast_to((2, 3, 4)),
        lambda a: np.broadcast_to(a, (2, 3, 4)),
        [((3, 4),), ((3, 1),), ((),)],
        torch_fn=lambda a: a.broadcast_to((2, 3, 4)),
    ),
    OpSpec(
        "getitem_slice",
        lambda a: a[1:, ::2],
        lambda a: a[1:, ::2],
        [((3, 4),), ((4, 5, 2),)],
        torch_fn=lambda a: a[1:, ::2],
    ),
    OpSpec(
        "getitem_int",
        lambda a: a[1],
        lambda a: a[1],
        [((3, 4),), ((2,),)],
        torch_fn=lambda a: a[1],
    ),
    OpSpec(
        "getitem_array",
        lambda a: a[np.array([0, 2, 0, 1])],
        lambda a: a[np.array([0, 2, 0, 1])],
        [((3, 4),), ((3,),)],
        torch_fn=lambda a: a[[0, 2, 0, 1]],
    ),
    OpSpec(
        "getitem_mixed",
        lambda a: a[np.array([2, 0, 2]), 1:3],
        lambda a: a[np.array([2, 0, 2]), 1:3],
        [((3, 4),)],
        torch_fn=lambda a: a[[2, 0, 2], 1:3],
    ),
    OpSpec(
        "concatenate",
        lambda a, b: ag.concatenate([a, b], axis=1),
        lambda a, b: np.concatenate([a, b], axis=1),
        [((3, 2), (3, 4)), ((2, 0, 3), (2, 2, 3))],
        torch_fn=lambda a, b: _t().cat([a, b], dim=1),
    ),
    OpSpec(
        "stack",
        lambda a, b: ag.stack([a, b], axis=-1),
        lambda a, b: np.stack([a, b], axis=-1),
        [((3, 2), (3, 2)), ((4,), (4,))],
        torch_fn=lambda a, b: _t().stack([a, b], dim=-1),
    ),
    OpSpec(
        "pad",
        lambda a: a.pad(((1, 2), (0, 1)), value=0.5),
        lambda a: np.pad(a, ((1, 2), (0, 1)), constant_values=0.5),
        [((3, 4),), ((0, 2),)],
        torch_fn=lambda a: _t().nn.functional.pad(a, (0, 1, 1, 2), value=0.5),
    ),
    # ---- composites
    OpSpec(
        "logsumexp",
        lambda a: a.logsumexp(axis=-1),
        lambda a: np.log(np.exp(a).sum(axis=-1)),
        REDUCE_SHAPES,
        torch_fn=lambda a: a.logsumexp(dim=-1),
    ),
    OpSpec(
        "logsumexp_all",
        lambda a: a.logsumexp(),
        lambda a: np.log(np.exp(a).sum()),
        REDUCE_SHAPES,
        torch_fn=lambda a: a.flatten().logsumexp(dim=0),
    ),
    OpSpec(
        "log_softmax",
        lambda a: a.log_softmax(axis=-1),
        lambda a: a - np.log(np.exp(a).sum(axis=-1, keepdims=True)),
        REDUCE_SHAPES,
        torch_fn=lambda a: a.log_softmax(dim=-1),
    ),
    OpSpec(
        "softmax",
        lambda a: a.softmax(axis=0),
        lambda a: np.exp(a) / np.exp(a).sum(axis=0, keepdims=True),
        REDUCE_SHAPES,
        torch_fn=lambda a: a.softmax(dim=0),
    ),
]


def all_ops() -> list[OpSpec]:
    """This registry, the math and activations of registry_math.py, the reductions, indexing,
    movement and einsum of registry_tensor_ops.py, and the fused ops of nabla.nn
    (tests/autograd/registry_nn.py), if present."""
    from tests.autograd import registry_math, registry_tensor_ops

    ops = list(OPS) + registry_math.OPS + registry_tensor_ops.OPS
    try:
        from tests.autograd import registry_nn
    except ImportError:
        return ops
    return ops + list(registry_nn.OPS)


assert nabla.Tensor  # the registry needs the package importable


# ---- linear algebra (nabla.linalg) --------------------------------------------------------------
# Matrices are kept well-conditioned (symmetric positive definite where the op needs it).
# cholesky and eigh read one triangle and return the symmetric gradient (as PyTorch), so they
# are checked on (A + A^T) / 2, whose central differences see that gradient.
def _la_general(rng: np.random.Generator, shapes: Shapes, dtype: Any) -> list[np.ndarray]:
    out = [rng.standard_normal(shapes[0]) + 3 * np.eye(shapes[0][-1])]
    return [a.astype(dtype) for a in out + [rng.standard_normal(s) for s in shapes[1:]]]


def _la_spd(rng: np.random.Generator, shapes: Shapes, dtype: Any) -> list[np.ndarray]:
    x = rng.standard_normal(shapes[0])
    spd = x @ np.swapaxes(x, -1, -2) + shapes[0][-1] * np.eye(shapes[0][-1])
    return [a.astype(dtype) for a in [spd] + [rng.standard_normal(s) for s in shapes[1:]]]


def _la_sym(a: Any) -> Any:  # (A + A^T) / 2 for nabla and torch tensors alike
    axes = list(range(a.ndim))
    axes[-2:] = axes[-1], axes[-2]
    return (a + a.permute(*axes)) / 2


def _np_sym(a: np.ndarray) -> np.ndarray:
    return (a + np.swapaxes(a, -1, -2)) / 2


_LA_SQUARE: list[Shapes] = [((3, 3),), ((2, 3, 3),), ((0, 2, 2),)]
_LA_PAIR: list[Shapes] = [((3, 3), (3, 2)), ((2, 3, 3), (3, 1))]

OPS.extend(
    [
        OpSpec(
            "linalg.det",
            lambda a: nabla.linalg.det(a),
            np.linalg.det,
            _LA_SQUARE,
            make=_la_general,
            torch_fn=lambda a: _t().linalg.det(a),
        ),
        OpSpec(
            "linalg.slogdet",
            lambda a: nabla.linalg.slogdet(a).logabsdet,
            lambda a: np.linalg.slogdet(a)[1],
            _LA_SQUARE,
            make=_la_general,
            torch_fn=lambda a: _t().linalg.slogdet(a)[1],
        ),
        OpSpec(
            "linalg.inv",
            lambda a: nabla.linalg.inv(a),
            np.linalg.inv,
            _LA_SQUARE,
            make=_la_general,
            torch_fn=lambda a: _t().linalg.inv(a),
        ),
        OpSpec(
            "linalg.solve",
            lambda a, b: nabla.linalg.solve(a, b),
            np.linalg.solve,
            _LA_PAIR,
            make=_la_general,
            torch_fn=lambda a, b: _t().linalg.solve(a, b),
        ),
        OpSpec(
            "linalg.solve_triangular",
            lambda a, b: nabla.linalg.solve_triangular(a, b, upper=True),
            lambda a, b: np.linalg.solve(np.triu(a), b),
            _LA_PAIR,
            make=_la_general,
            torch_fn=lambda a, b: _t().linalg.solve_triangular(a, b, upper=True),
        ),
        OpSpec(
            "linalg.cholesky",
            lambda a: nabla.linalg.cholesky(_la_sym(a)),
            lambda a: np.linalg.cholesky(_np_sym(a)),
            _LA_SQUARE,
            make=_la_spd,
            torch_fn=lambda a: _t().linalg.cholesky(_la_sym(a)),
        ),
        OpSpec(
            "linalg.eigvalsh",
            lambda a: nabla.linalg.eigvalsh(_la_sym(a)),
            lambda a: np.linalg.eigvalsh(_np_sym(a)),
            _LA_SQUARE,
            make=_la_spd,
            torch_fn=lambda a: _t().linalg.eigvalsh(_la_sym(a)),
        ),
        OpSpec(  # squared, so that the eigenvectors' signs do not matter
            "linalg.eigh_vectors",
            lambda a: nabla.linalg.eigh(_la_sym(a)).eigenvectors ** 2,
            lambda a: np.linalg.eigh(_np_sym(a))[1] ** 2,
            _LA_SQUARE,
            make=_la_spd,
            torch_fn=lambda a: _t().linalg.eigh(_la_sym(a)).eigenvectors ** 2,
        ),
        OpSpec(
            "linalg.svdvals",
            lambda a: nabla.linalg.svdvals(a),
            lambda a: np.linalg.svd(a, compute_uv=False),
            [((3, 4),), ((2, 4, 3),)],
            torch_fn=lambda a: _t().linalg.svdvals(a),
        ),
        OpSpec(
            "linalg.matrix_norm_nuc",
            lambda a: nabla.linalg.matrix_norm(a, "nuc"),
            lambda a: np.linalg.norm(a, "nuc", axis=(-2, -1)),
            [((3, 4),), ((2, 4, 3),)],
            torch_fn=lambda a: _t().linalg.matrix_norm(a, "nuc"),
        ),
        OpSpec(
            "linalg.trace",
            lambda a: nabla.linalg.trace(a),
            np.trace,
            [((3, 3),), ((2, 4),), ((0, 3),)],
            torch_fn=lambda a: _t().trace(a),
        ),
        OpSpec(
            "linalg.diagonal",
            lambda a: a.diagonal(1, 0, 2),
            lambda a: np.diagonal(a, 1, 0, 2),
            [((3, 2, 4),)],
            torch_fn=lambda a: a.diagonal(1, 0, 2),
        ),
        OpSpec(
            "linalg.diag_embed",
            lambda a: nabla.linalg.diag_embed(a, -1),
            lambda a: np.stack([np.diag(r, -1) for r in a.reshape(-1, a.shape[-1])]).reshape(
                a.shape[:-1] + (a.shape[-1] + 1,) * 2
            ),
            [((2, 3),), ((4,),)],
            torch_fn=lambda a: _t().diag_embed(a, -1),
        ),
    ]
)
