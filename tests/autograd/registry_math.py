"""Registry entries for the elementwise math (ops/math.py, ops/math_binary.py) and the
activations of ops/activation_extra.py.

Picked up by ``tests/autograd/registry.all_ops()``: each entry gets the generic tests of
test_registry.py (forward vs the NumPy reference below, float64 central differences, float32
stays float32, gradient accumulation, no_grad, PyTorch float32/float64). The references are
the textbook formulas, written here independently of the ops (SciPy's erf for GELU).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import erf

from nabla import autograd as ag
from nabla.autograd.ops import activation_extra as act
from tests.autograd.registry import BINARY_SHAPES, UNARY_SHAPES, OpSpec, Shapes


def _t():
    import torch

    return torch


def _tF():
    import torch

    return torch.nn.functional


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
# clamp's bounds broadcast to the input's shape (PyTorch does not enlarge the input)
CLAMP_SHAPES: list[Shapes] = [
    ((3, 4), (3, 4), (3, 4)),
    ((3, 4), (4,), (3, 1)),
    ((2, 4, 3), (4, 1), ()),
    ((2, 3), (), (3,)),
    ((0, 3), (3,), (1, 3)),
]
CLAMP_PAIRS: list[Shapes] = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 3), ()), ((0, 3), (3,))]
TERNARY_SHAPES: list[Shapes] = [
    ((3, 4), (3, 4), (3, 4)),
    ((3, 4), (4,), (3, 1)),
    ((2, 1, 3), (4, 1), ()),
    ((), (2, 3), (3,)),
    ((0, 3), (3,), (1, 3)),
]


def _away_from_grid(step: float, offset: float):
    """Values k * step + offset + u, |u| <= step / 4: away from the jumps of round / floor."""

    def make(rng: np.random.Generator, shapes: Shapes, dtype: Any) -> list[np.ndarray]:
        out = []
        for shape in shapes:
            k = rng.integers(-20, 20, size=shape)
            u = rng.uniform(-step / 4, step / 4, size=shape)
            out.append(np.array(k * step + offset + u, dtype=dtype))
        return out

    return make


def _atan2_inputs(rng: np.random.Generator, shapes: Shapes, dtype: Any) -> list[np.ndarray]:
    # |y| >= 0.3: away from the origin and from the branch cut (y = 0, x < 0)
    out = []
    for shape in shapes:
        v = rng.uniform(0.3, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)
        out.append(np.array(v, dtype=dtype))
    return out


def _lerp_inputs(rng: np.random.Generator, shapes: Shapes, dtype: Any) -> list[np.ndarray]:
    a, b = (rng.uniform(-2, 2, s) for s in shapes[:2])
    w = rng.uniform(-0.5, 1.5, shapes[2])  # both of PyTorch's formulas
    return [np.array(v, dtype=dtype) for v in (a, b, w)]


def _clamp_inputs(rng: np.random.Generator, shapes: Shapes, dtype: Any) -> list[np.ndarray]:
    # lo in [-1, -0.6], hi in [0.6, 1]: x kept out of the bands around the bounds
    x = rng.uniform(-2, 2, shapes[0])
    x = np.where((np.abs(x) > 0.5) & (np.abs(x) < 1.1), 1.5 * np.sign(x), x)
    lo = rng.uniform(-1.0, -0.6, shapes[1])
    hi = rng.uniform(0.6, 1.0, shapes[2])
    return [np.array(v, dtype=dtype) for v in (x, lo, hi)]


def _unary(name: str, ref: Any, torch_name: str | None = None, **kw: Any) -> OpSpec:
    """An op with a Tensor method of PyTorch's name, checked on UNARY_SHAPES."""
    tn = torch_name or name
    return OpSpec(
        name,
        lambda a: getattr(a, name)(),
        ref,
        UNARY_SHAPES,
        torch_fn=lambda a: getattr(a, tn)(),
        **kw,
    )


def _act(name: str, fn: Any, ref: Any, torch_fn: Any, **kw: Any) -> OpSpec:
    return OpSpec(name, fn, ref, UNARY_SHAPES, torch_fn=torch_fn, **kw)


def _softmin_ref(a: np.ndarray) -> np.ndarray:
    e = np.exp(-a)
    return e / e.sum(axis=-1, keepdims=True)


OPS: list[OpSpec] = [
    # ---- trigonometric and hyperbolic
    _unary("sin", np.sin),
    _unary("cos", np.cos),
    _unary("tan", np.tan, domain=(-1.2, 1.2)),
    _unary("asin", np.arcsin, domain=(-0.9, 0.9)),
    _unary("acos", np.arccos, domain=(-0.9, 0.9)),
    _unary("atan", np.arctan, domain=(-3.0, 3.0)),
    _unary("arcsin", np.arcsin, domain=(-0.9, 0.9)),
    _unary("sinh", np.sinh),
    _unary("cosh", np.cosh),
    # ---- powers, logs and exponentials
    _unary("rsqrt", lambda a: 1 / np.sqrt(a), domain=(0.2, 3.0)),
    _unary("log2", np.log2, domain=(0.2, 3.0)),
    _unary("log10", np.log10, domain=(0.2, 3.0)),
    _unary("log1p", np.log1p, domain=(-0.5, 3.0)),
    _unary("exp2", np.exp2),
    _unary("expm1", np.expm1),
    # ---- piecewise constant: zero gradient away from the jumps (and at them, see tests)
    _unary("sign", np.sign, kinks=(0.0,)),
    _unary("floor", np.floor, make=_away_from_grid(1.0, 0.5)),
    _unary("ceil", np.ceil, make=_away_from_grid(1.0, 0.5)),
    _unary("round", np.round, make=_away_from_grid(1.0, 0.0)),
    OpSpec(
        "round_decimals",
        lambda a: a.round(decimals=1),
        lambda a: np.round(a, 1),
        UNARY_SHAPES,
        make=_away_from_grid(0.1, 0.0),
        torch_fn=lambda a: a.round(decimals=1),
    ),
    # ---- two and three inputs
    OpSpec(
        "atan2",
        lambda a, b: a.atan2(b),
        np.arctan2,
        BINARY_SHAPES,
        make=_atan2_inputs,
        torch_fn=lambda a, b: _t().atan2(a, b),
    ),
    OpSpec(
        "lerp_tensor_weight",
        lambda a, b, w: a.lerp(b, w),
        lambda a, b, w: a + w * (b - a),
        TERNARY_SHAPES,
        make=_lerp_inputs,
        torch_fn=lambda a, b, w: _t().lerp(a, b, w),
    ),
    OpSpec(
        "lerp_scalar_weight",
        lambda a, b: ag.lerp(a, b, 0.75),
        lambda a, b: a + 0.75 * (b - a),
        BINARY_SHAPES,
        torch_fn=lambda a, b: _t().lerp(a, b, 0.75),
    ),
    OpSpec(
        "clamp_tensors",
        lambda x, lo, hi: x.clamp(lo, hi),
        lambda x, lo, hi: np.minimum(np.maximum(x, lo), hi),
        CLAMP_SHAPES,
        make=_clamp_inputs,
        torch_fn=lambda x, lo, hi: x.clamp(lo, hi),
    ),
    OpSpec(
        "clamp_min_tensor",
        lambda x, lo: ag.clamp(x, min=lo),
        np.maximum,
        CLAMP_PAIRS,
        make=lambda rng, s, dt: _clamp_inputs(rng, (*s, ()), dt)[:2],
        torch_fn=lambda x, lo: _t().clamp(x, min=lo),
    ),
    OpSpec(
        "clamp_max_tensor",
        lambda x, hi: ag.clamp(x, max=hi),
        np.minimum,
        CLAMP_PAIRS,
        make=lambda rng, s, dt: [_clamp_inputs(rng, (s[0], (), s[1]), dt)[i] for i in (0, 2)],
        torch_fn=lambda x, hi: _t().clamp(x, max=hi),
    ),
    # ---- activations
    _act(
        "gelu",
        act.gelu,
        lambda a: 0.5 * a * (1 + erf(a / np.sqrt(2))),
        lambda a: _tF().gelu(a),
        domain=(-4, 4),
    ),
    _act(
        "gelu_tanh",
        lambda a: act.gelu(a, approximate="tanh"),
        lambda a: 0.5 * a * (1 + np.tanh(np.sqrt(2 / np.pi) * (a + 0.044715 * a**3))),
        lambda a: _tF().gelu(a, approximate="tanh"),
        domain=(-4, 4),
    ),
    _act("silu", act.silu, lambda a: a / (1 + np.exp(-a)), lambda a: _tF().silu(a), domain=(-6, 6)),
    _act(
        "mish",
        act.mish,
        lambda a: a * np.tanh(np.log1p(np.exp(a))),
        lambda a: _tF().mish(a),
        domain=(-6, 6),
    ),
    _act(
        "selu",
        act.selu,
        lambda a: SELU_SCALE * np.where(a > 0, a, SELU_ALPHA * np.expm1(a)),
        lambda a: _tF().selu(a),
        kinks=(0.0,),
    ),
    _act(
        "celu",
        # alpha exact in float32: PyTorch rounds alpha to float32 even for float64 inputs
        lambda a: act.celu(a, 0.5),
        lambda a: np.maximum(a, 0) + np.minimum(0.5 * np.expm1(a / 0.5), 0),
        lambda a: _tF().celu(a, 0.5),
        kinks=(0.0,),
    ),
    _act(
        "relu6",
        act.relu6,
        lambda a: np.minimum(np.maximum(a, 0), 6),
        lambda a: _tF().relu6(a),
        domain=(-2, 8),
        kinks=(0.0, 6.0),
    ),
    _act(
        "hardtanh",
        lambda a: act.hardtanh(a, -0.5, 1.5),
        lambda a: np.minimum(np.maximum(a, -0.5), 1.5),
        lambda a: _tF().hardtanh(a, -0.5, 1.5),
        kinks=(-0.5, 1.5),
    ),
    _act(
        "hardsigmoid",
        act.hardsigmoid,
        lambda a: np.minimum(np.maximum(a + 3, 0), 6) / 6,
        # PyTorch's hardsigmoid gradient uses 1/6 rounded to float32 even for float64 (off by
        # 3e-8); its formula is compared here, the op itself in test_ops_activation.py
        lambda a: (a / 6 + 0.5).clamp(0, 1),
        domain=(-5, 5),
        kinks=(-3.0, 3.0),
    ),
    _act(
        "hardswish",
        act.hardswish,
        lambda a: a * np.minimum(np.maximum(a + 3, 0), 6) / 6,
        lambda a: _tF().hardswish(a),
        domain=(-5, 5),
        kinks=(-3.0, 3.0),
    ),
    _act(
        "softsign",
        act.softsign,
        lambda a: a / (1 + np.abs(a)),
        lambda a: _tF().softsign(a),
        kinks=(0.0,),
    ),
    _act(
        "logsigmoid",
        act.logsigmoid,
        lambda a: -np.log1p(np.exp(-a)),
        lambda a: _tF().logsigmoid(a),
        domain=(-6, 6),
    ),
    OpSpec(
        "softmin",
        lambda a: act.softmin(a, -1),
        _softmin_ref,
        [((3, 4),), ((2, 3, 4),), ((5,),), ((1, 4),)],
        torch_fn=lambda a: _tF().softmin(a, dim=-1),
    ),
]
