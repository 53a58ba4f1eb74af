"""Higher-order derivatives: ``backward(create_graph=True)`` and ``nabla.autograd.grad``.

Every op with a differentiable backward is checked against PyTorch's double backward
(``torch.autograd.grad(..., create_graph=True)`` twice) on float64 inputs, through the
head ``L = sum(w * f(x) * f(x))`` so that linear ops have a non-zero second derivative too.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest
import torch

import nabla
import nabla.nn.functional as F
from nabla.autograd import DIFFERENTIABLE_BACKWARD, engine, grad
from nabla.autograd.ops import activation_extra as AE


def _pos(shape, rng):
    return rng.uniform(0.5, 2.0, shape)


def _any(shape, rng):
    return rng.normal(size=shape)


def _away(shape, rng):  # away from 0, where relu / abs have their kink
    x = rng.uniform(0.2, 1.5, shape)
    return x * rng.choice([-1.0, 1.0], shape)


IDX = np.array([0, 2, 2, 1])
TF = torch.nn.functional

# name, nabla fn, torch fn, [(shape, sampler)]
CASES = [
    ("add", lambda a, b: a + b, lambda a, b: a + b, [((3, 4), _any), ((4,), _any)]),
    ("sub", lambda a, b: a - b, lambda a, b: a - b, [((3, 4), _any), ((3, 1), _any)]),
    ("mul", lambda a, b: a * b, lambda a, b: a * b, [((3, 4), _any), ((4,), _any)]),
    ("div", lambda a, b: a / b, lambda a, b: a / b, [((3, 4), _any), ((3, 4), _pos)]),
    ("neg", lambda a: -a, lambda a: -a, [((5,), _any)]),
    ("pow_tensor", lambda a, b: a**b, lambda a, b: a**b, [((3, 4), _pos), ((3, 4), _any)]),
    ("pow_3", lambda a: a**3, lambda a: a**3, [((5,), _any)]),
    ("pow_2", lambda a: a**2, lambda a: a**2, [((5,), _any)]),
    ("pow_half", lambda a: a**0.5, lambda a: a**0.5, [((5,), _pos)]),
    ("pow_neg", lambda a: a**-1.5, lambda a: a**-1.5, [((5,), _pos)]),
    ("exp", nabla.exp, torch.exp, [((2, 3), _any)]),
    ("log", nabla.log, torch.log, [((2, 3), _pos)]),
    ("sqrt", nabla.sqrt, torch.sqrt, [((2, 3), _pos)]),
    ("abs", nabla.abs, torch.abs, [((2, 3), _away)]),
    ("tanh", nabla.tanh, torch.tanh, [((2, 3), _any)]),
    ("sigmoid", nabla.sigmoid, torch.sigmoid, [((2, 3), _any)]),
    ("relu", nabla.relu, torch.relu, [((2, 3), _away)]),
    ("softplus", nabla.softplus, torch.nn.functional.softplus, [((2, 3), _any)]),
    (
        "scalars",
        lambda a: (2.0 - a) * 3.0 / 1.5 + 1.0,
        lambda a: (2.0 - a) * 3.0 / 1.5 + 1.0,
        [((4,), _any)],
    ),
    ("rdiv", lambda a: 2.0 / a, lambda a: 2.0 / a, [((4,), _pos)]),
    ("matmul", lambda a, b: a @ b, lambda a, b: a @ b, [((3, 4), _any), ((4, 2), _any)]),
    ("matmul_batched", lambda a, b: a @ b, lambda a, b: a @ b, [((2, 3, 4), _any), ((4, 2), _any)]),
    ("matmul_vec_mat", lambda a, b: a @ b, lambda a, b: a @ b, [((4,), _any), ((2, 4, 3), _any)]),
    ("matmul_mat_vec", lambda a, b: a @ b, lambda a, b: a @ b, [((3, 4), _any), ((4,), _any)]),
    ("dot", lambda a, b: a @ b, lambda a, b: a @ b, [((4,), _any), ((4,), _any)]),
    ("sum_axis", lambda a: a.sum(axis=1), lambda a: a.sum(dim=1), [((3, 4), _any)]),
    (
        "mean_keep",
        lambda a: a.mean(axis=0, keepdims=True),
        lambda a: a.mean(dim=0, keepdim=True),
        [((3, 4), _any)],
    ),
    ("max", lambda a: a.max(axis=1), lambda a: a.amax(dim=1), [((3, 4), _any)]),
    ("min_all", lambda a: a.min(), lambda a: a.amin(), [((3, 4), _any)]),
    ("var", lambda a: a.var(axis=1, ddof=1), lambda a: a.var(dim=1), [((3, 4), _any)]),
    ("std", lambda a: a.std(axis=0, ddof=1), lambda a: a.std(dim=0), [((3, 4), _any)]),
    ("std_all", lambda a: a.std(), lambda a: a.std(correction=0), [((3, 4), _any)]),
    (
        "einsum_matmul",
        lambda a, b: nabla.einsum("ij,jk->ik", a, b),
        lambda a, b: torch.einsum("ij,jk->ik", a, b),
        [((3, 4), _any), ((4, 2), _any)],
    ),
    (
        "einsum_batched",
        lambda a, b: nabla.einsum("bij,bjk->bik", a, b),
        lambda a, b: torch.einsum("bij,bjk->bik", a, b),
        [((2, 3, 4), _any), ((2, 4, 2), _any)],
    ),
    (
        "einsum_outer_only",
        lambda a, b: nabla.einsum("ij,k->k", a, b),
        lambda a, b: torch.einsum("ij,k->k", a, b),
        [((2, 3), _any), ((4,), _any)],
    ),
    (
        "einsum_broadcast",
        lambda a, b: nabla.einsum("ij,ij->i", a, b),
        lambda a, b: torch.einsum("ij,ij->i", a, b),
        [((3, 1), _any), ((3, 4), _any)],
    ),
    (
        "einsum_three",
        lambda a, b, c: nabla.einsum("i,ij,j->", a, b, c),
        lambda a, b, c: torch.einsum("i,ij,j->", a, b, c),
        [((3,), _any), ((3, 4), _any), ((4,), _any)],
    ),
    ("reshape", lambda a: a.reshape(4, 3), lambda a: a.reshape(4, 3), [((3, 4), _any)]),
    (
        "transpose",
        lambda a: a.transpose(2, 0, 1),
        lambda a: a.permute(2, 0, 1),
        [((2, 3, 4), _any)],
    ),
    ("getitem_basic", lambda a: a[1:, ::2], lambda a: a[1:, ::2], [((3, 4), _any)]),
    ("getitem_repeat", lambda a: a[IDX], lambda a: a[torch.as_tensor(IDX)], [((3, 2), _any)]),
    ("broadcast_to", lambda a: a.broadcast_to((3, 4)), lambda a: a.expand(3, 4), [((4,), _any)]),
    (
        "concatenate",
        lambda a, b: nabla.autograd.concatenate([a, b], axis=1),
        lambda a, b: torch.cat([a, b], dim=1),
        [((2, 3), _any), ((2, 2), _any)],
    ),
    (
        "stack",
        lambda a, b: nabla.autograd.stack([a, b], axis=-1),
        lambda a, b: torch.stack([a, b], -1),
        [((2, 3), _any), ((2, 3), _any)],
    ),
    (
        "pad",
        lambda a: a.pad(((1, 0), (0, 2))),
        lambda a: torch.nn.functional.pad(a, (0, 2, 1, 0)),
        [((2, 3), _any)],
    ),
    (
        "where",
        lambda a, b: nabla.where(np.array([True, False, True]), a, b),
        lambda a, b: torch.where(torch.tensor([True, False, True]), a, b),
        [((2, 3), _any), ((3,), _any)],
    ),
    ("maximum", nabla.maximum, torch.maximum, [((2, 3), _any), ((2, 3), _any)]),
    ("minimum", nabla.minimum, torch.minimum, [((2, 3), _any), ((2, 3), _any)]),
    ("clip", lambda a: a.clip(-0.5, 0.5), lambda a: a.clamp(-0.5, 0.5), [((3, 4), _any)]),
    ("logsumexp", lambda a: a.logsumexp(axis=1), lambda a: a.logsumexp(dim=1), [((3, 4), _any)]),
    ("softmax", lambda a: a.softmax(axis=0), lambda a: a.softmax(dim=0), [((3, 4), _any)]),
    ("log_softmax", lambda a: a.log_softmax(), lambda a: a.log_softmax(dim=-1), [((3, 4), _any)]),
    ("F.softmax", lambda a: F.softmax(a, 1), lambda a: a.softmax(dim=1), [((3, 4), _any)]),
    (
        "F.log_softmax",
        lambda a: F.log_softmax(a, 1),
        lambda a: a.log_softmax(dim=1),
        [((3, 4), _any)],
    ),
    ("sin", nabla.sin, torch.sin, [((2, 3), _any)]),
    ("cos", nabla.cos, torch.cos, [((2, 3), _any)]),
    ("tan", nabla.tan, torch.tan, [((2, 3), lambda s, r: r.uniform(-1, 1, s))]),
    ("asin", nabla.asin, torch.asin, [((2, 3), lambda s, r: r.uniform(-0.8, 0.8, s))]),
    ("acos", nabla.acos, torch.acos, [((2, 3), lambda s, r: r.uniform(-0.8, 0.8, s))]),
    ("atan", nabla.atan, torch.atan, [((2, 3), _any)]),
    ("sinh", nabla.sinh, torch.sinh, [((2, 3), _any)]),
    ("cosh", nabla.cosh, torch.cosh, [((2, 3), _any)]),
    ("rsqrt", nabla.rsqrt, torch.rsqrt, [((2, 3), _pos)]),
    ("log2", nabla.log2, torch.log2, [((2, 3), _pos)]),
    ("log10", nabla.log10, torch.log10, [((2, 3), _pos)]),
    ("exp2", nabla.exp2, torch.exp2, [((2, 3), _any)]),
    ("expm1", nabla.expm1, torch.expm1, [((2, 3), _any)]),
    ("log1p", nabla.log1p, torch.log1p, [((2, 3), _pos)]),
    (
        "rounding",
        lambda a: a * (a.sign() + a.floor() + a.ceil() + a.round()),
        lambda a: a * (a.sign() + a.floor() + a.ceil() + a.round()),
        [((2, 3), _away)],
    ),
    ("silu", AE.silu, TF.silu, [((2, 3), _any)]),
    ("mish", AE.mish, TF.mish, [((2, 3), _any)]),
    ("selu", AE.selu, TF.selu, [((2, 3), _away)]),
    ("celu", lambda a: AE.celu(a, 0.5), lambda a: TF.celu(a, 0.5), [((2, 3), _away)]),
    ("hardtanh", AE.hardtanh, TF.hardtanh, [((2, 3), _any)]),
    ("relu6", AE.relu6, TF.relu6, [((2, 3), lambda s, r: r.uniform(-2, 8, s))]),
    (
        "hardsigmoid",
        AE.hardsigmoid,
        lambda a: (a / 6 + 0.5).clamp(0, 1),
        [((2, 3), lambda s, r: r.uniform(-5, 5, s))],
    ),
    ("hardswish", AE.hardswish, TF.hardswish, [((2, 3), lambda s, r: r.uniform(-5, 5, s))]),
    ("softsign", AE.softsign, TF.softsign, [((2, 3), _any)]),
    ("logsigmoid", AE.logsigmoid, TF.logsigmoid, [((2, 3), _any)]),
    ("softmin", lambda a: AE.softmin(a, 1), lambda a: TF.softmin(a, 1), [((2, 3), _any)]),
    (
        "flip_roll",
        lambda a: nabla.roll(nabla.flip(a, 0), 1, 1),
        lambda a: torch.roll(torch.flip(a, (0,)), 1, 1),
        [((2, 3), _any)],
    ),
    (
        "tile_clone",
        lambda a: nabla.tile(a, 2, 1).clone(),
        lambda a: a.repeat(2, 1).clone(),
        [((2, 3), _any)],
    ),
    (
        "F.linear",
        F.linear,
        torch.nn.functional.linear,
        [((5, 3), _any), ((2, 3), _any), ((2,), _any)],
    ),
    (
        "F.linear_3d_nobias",
        F.linear,
        torch.nn.functional.linear,
        [((2, 5, 3), _any), ((4, 3), _any)],
    ),
    (
        "F.linear_1d",
        F.linear,
        torch.nn.functional.linear,
        [((3,), _any), ((2, 3), _any), ((2,), _any)],
    ),
    (
        "F.leaky_relu",
        lambda a: F.leaky_relu(a, 0.1),
        lambda a: torch.nn.functional.leaky_relu(a, 0.1),
        [((3, 4), _away)],
    ),
    (
        "F.elu",
        lambda a: F.elu(a, 0.7),
        lambda a: torch.nn.functional.elu(a, 0.7),
        [((3, 4), _away)],
    ),
    ("F.mse_loss", F.mse_loss, torch.nn.functional.mse_loss, [((3, 4), _any), ((3, 4), _any)]),
]


T_IDX = np.array([0, 2, 1, 2, 0])
T_IGN = np.array([0, -100, 1, 2, 2])
T_3D = np.array([[0, 2, 1], [1, 1, 0]])
W_CLS = np.array([0.5, 1.0, 2.0])
T_PROB = np.random.default_rng(9).dirichlet(np.ones(3), size=5)

LOSS_CASES = [
    (
        "cross_entropy",
        lambda a: F.cross_entropy(a, T_IDX),
        lambda a: TF.cross_entropy(a, torch.as_tensor(T_IDX)),
        [((5, 3), _any)],
    ),
    (
        "cross_entropy_weight_ignore_sum",
        lambda a: F.cross_entropy(a, T_IGN, weight=nabla.tensor(W_CLS), reduction="sum"),
        lambda a: TF.cross_entropy(
            a, torch.as_tensor(T_IGN), weight=torch.tensor(W_CLS), reduction="sum"
        ),
        [((5, 3), _any)],
    ),
    (
        "cross_entropy_smoothing",
        lambda a: F.cross_entropy(a, T_IGN, weight=nabla.tensor(W_CLS), label_smoothing=0.2),
        lambda a: TF.cross_entropy(
            a, torch.as_tensor(T_IGN), weight=torch.tensor(W_CLS), label_smoothing=0.2
        ),
        [((5, 3), _any)],
    ),
    (
        "cross_entropy_3d_none",
        lambda a: F.cross_entropy(a, T_3D, reduction="none"),
        lambda a: TF.cross_entropy(a, torch.as_tensor(T_3D), reduction="none"),
        [((2, 3, 3), _any)],
    ),
    (
        "cross_entropy_probs",
        lambda a, t: F.cross_entropy(a, t, label_smoothing=0.1),
        lambda a, t: TF.cross_entropy(a, t, label_smoothing=0.1),
        [((5, 3), _any), ((5, 3), lambda shape, rng: T_PROB)],
    ),
    (
        "nll",
        lambda a: F.nll_loss(a.log_softmax(axis=1), T_IGN, weight=nabla.tensor(W_CLS)),
        lambda a: TF.nll_loss(
            a.log_softmax(dim=1), torch.as_tensor(T_IGN), weight=torch.tensor(W_CLS)
        ),
        [((5, 3), _any)],
    ),
    (
        "bce_with_logits",
        lambda a, t: F.binary_cross_entropy_with_logits(
            a, t, pos_weight=nabla.tensor(np.array([2.0, 0.5, 1.0]))
        ),
        lambda a, t: TF.binary_cross_entropy_with_logits(
            a, t, pos_weight=torch.tensor([2.0, 0.5, 1.0], dtype=torch.float64)
        ),
        [((4, 3), _any), ((4, 3), lambda shape, rng: rng.uniform(size=shape))],
    ),
]
CASES += LOSS_CASES


def _second_order(lib, fn, arrays, w, vs):
    """(first gradients, second derivatives in directions vs) of L = sum(w f(x)^2)."""
    if lib == "torch":
        xs = [torch.tensor(a, requires_grad=True) for a in arrays]
        y = fn(*xs)
        loss = (torch.tensor(w) * y * y).sum()
        gs = torch.autograd.grad(loss, xs, create_graph=True)
        s = sum((g * torch.tensor(v)).sum() for g, v in zip(gs, vs))
        hs = torch.autograd.grad(s, xs, allow_unused=True)
        return [g.detach().numpy() for g in gs], [
            np.zeros_like(a) if h is None else h.numpy() for h, a in zip(hs, arrays)
        ]
    xs = [nabla.tensor(a, requires_grad=True) for a in arrays]
    y = fn(*xs)
    loss = (nabla.tensor(w) * y * y).sum()
    gs = grad(loss, xs, create_graph=True)
    s = sum((g * nabla.tensor(v)).sum() for g, v in zip(gs, vs))
    hs = grad(s, xs, allow_unused=True)
    return [g.data for g in gs], [
        np.zeros_like(a) if h is None else h.data for h, a in zip(hs, arrays)
    ]


@pytest.mark.parametrize("name, fn, tfn, specs", CASES, ids=[c[0] for c in CASES])
def test_second_derivative_matches_torch(name, fn, tfn, specs):
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    arrays = [sampler(shape, rng) for shape, sampler in specs]
    with torch.no_grad():
        out_shape = tuple(tfn(*[torch.tensor(a) for a in arrays]).shape)
    w = rng.normal(size=out_shape)
    vs = [rng.normal(size=a.shape) for a in arrays]
    g_n, h_n = _second_order("nabla", fn, arrays, w, vs)
    g_t, h_t = _second_order("torch", tfn, arrays, w, vs)
    for a, b in zip(g_n, g_t):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    for a, b in zip(h_n, h_t):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11)


def test_hessian_of_least_squares_is_two_xtx():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 4)), rng.normal(size=20)
    theta = nabla.tensor(rng.normal(size=4), requires_grad=True)
    r = nabla.tensor(X) @ theta - nabla.tensor(y)
    (g,) = grad((r * r).sum(), theta, create_graph=True)
    H = np.stack([grad(g[i], theta, retain_graph=True)[0].data for i in range(4)])
    np.testing.assert_allclose(H, 2 * X.T @ X, rtol=0, atol=1e-12)
    np.testing.assert_allclose(g.data, 2 * X.T @ (X @ theta.data - y), rtol=1e-12)


def test_backward_create_graph_gives_differentiable_grad():
    x = nabla.tensor(np.array([0.3, -1.2, 2.0]), requires_grad=True)
    (x.tanh() * x).sum().backward(create_graph=True)
    g = x.grad
    assert isinstance(g, nabla.Tensor) and g.grad_fn is not None
    t = np.tanh(x.data)
    np.testing.assert_allclose(g.data, t + x.data * (1 - t**2), rtol=1e-14)
    x.grad = None
    g.sum().backward()
    # d/dx [tanh + x (1 - tanh^2)] = 2 (1 - t^2) - 2 x t (1 - t^2)
    np.testing.assert_allclose(x.grad, 2 * (1 - t**2) - 2 * x.data * t * (1 - t**2), rtol=1e-12)


def test_backward_create_graph_accumulates_into_existing_grad():
    x = nabla.tensor(np.array([1.0, 2.0]), requires_grad=True)
    (x * x).sum().backward()
    (x * x).sum().backward(create_graph=True)
    np.testing.assert_array_equal(x.grad.data, [4.0, 8.0])


def test_gradient_passes_gradcheck():
    """The first derivative from grad(create_graph=True), differentiated again, agrees with
    central differences of that first derivative."""
    rng = np.random.default_rng(3)
    a = rng.normal(size=(3, 3))

    def first(x_arr):
        x = nabla.tensor(x_arr, requires_grad=True)
        loss = (nabla.tensor(a) @ x).tanh().sum() + (x**3).sum()
        return grad(loss, x, create_graph=True)[0]

    x0 = rng.normal(size=3)
    v = rng.normal(size=3)
    x = nabla.tensor(x0, requires_grad=True)
    loss = (nabla.tensor(a) @ x).tanh().sum() + (x**3).sum()
    (g,) = grad(loss, x, create_graph=True)
    (hv,) = grad(g, x, grad_outputs=v)
    h = 1e-6
    fd = np.stack([(first(x0 + h * e).data - first(x0 - h * e).data) / (2 * h) for e in np.eye(3)])
    np.testing.assert_allclose(hv.data, fd.T @ v, rtol=1e-7, atol=1e-8)


def test_grad_allow_unused():
    x = nabla.tensor(np.array([1.0, 2.0]), requires_grad=True)
    z = nabla.tensor(np.array([3.0]), requires_grad=True)
    loss = (x * x).sum()
    with pytest.raises(RuntimeError, match=r"inputs\[1\] was not used.*allow_unused=True"):
        grad(loss, [x, z], retain_graph=True)
    gx, gz = grad(loss, [x, z], allow_unused=True)
    assert gz is None
    np.testing.assert_array_equal(gx.data, [2.0, 4.0])
    assert x.grad is None and z.grad is None  # grad() never touches .grad


def test_grad_bad_input():
    x = nabla.tensor(np.array([1.0, 2.0]), requires_grad=True)
    c = nabla.tensor(np.array([1.0, 2.0]))
    y = x * x
    with pytest.raises(RuntimeError, match=r"inputs\[0\] does not require grad"):
        grad(y.sum(), c)
    with pytest.raises(RuntimeError, match="single-element output"):
        grad(y, x)
    with pytest.raises(ValueError, match=r"grad_outputs\[0\] has shape \(3,\)"):
        grad(y, x, grad_outputs=np.ones(3))
    with pytest.raises(RuntimeError, match=r"outputs\[0\] does not require grad"):
        grad(c.sum(), x)
    with pytest.raises(TypeError, match=r"inputs\[0\] must be a Tensor"):
        grad(y.sum(), np.ones(2))
    # the failed calls left the graph usable
    (g,) = grad(y, x, grad_outputs=np.ones(2))
    np.testing.assert_array_equal(g.data, [2.0, 4.0])


def test_grad_of_non_leaf_input_and_graph_freed():
    x = nabla.tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = x * 3.0
    loss = (h * h).sum()
    (gh,) = grad(loss, h)
    np.testing.assert_array_equal(gh.data, 2 * h.data)
    with pytest.raises(RuntimeError, match="second time"):
        grad(loss, h)


def test_unsupported_op_names_itself():
    x = nabla.tensor(np.array([0.3, 0.4]), requires_grad=True)
    loss = nabla.prod(x)
    assert "Prod" not in DIFFERENTIABLE_BACKWARD
    with pytest.raises(
        RuntimeError, match=r"double backward is not supported for Prod.*DIFFERENTIABLE_BACKWARD"
    ):
        grad(loss, x, create_graph=True)
    # first order still works on it
    (g,) = grad(nabla.prod(x), x)
    np.testing.assert_allclose(g.data, [0.4, 0.3], rtol=1e-15)


def test_einsum_with_a_diagonal_is_refused_in_graph_mode():
    x = nabla.tensor(np.eye(3) + 0.5, requires_grad=True)
    with pytest.raises(
        RuntimeError, match=r"Einsum with a repeated letter in one operand \('ii'\)"
    ):
        grad(nabla.einsum("ii->", x * x), x, create_graph=True)


def test_subclass_overriding_backward_does_not_inherit_rule():
    from nabla.autograd.ops.elementwise import Exp

    class ExpTwice(Exp):  # a different op: its inherited backward_graph would be wrong
        def forward(self, x):
            self.y = np.exp(2 * x)
            return self.y

        def backward(self, g):
            return (2 * g * self.y,)

    assert "ExpTwice" not in DIFFERENTIABLE_BACKWARD and "Exp" in DIFFERENTIABLE_BACKWARD
    x = nabla.tensor(np.array([0.3, 0.4]), requires_grad=True)
    y = nabla.autograd.apply(ExpTwice(), x).sum()
    with pytest.raises(RuntimeError, match="not supported for ExpTwice"):
        grad(y, x, create_graph=True)


def test_first_order_path_unchanged_and_records_nothing():
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=(4, 3)), rng.normal(size=3)

    def build():
        x = nabla.tensor(a, requires_grad=True)
        w = nabla.tensor(b, requires_grad=True)
        return x, w, ((x @ w).tanh() * 2.0).sum()

    x, w, loss = build()
    before = next(engine._seq)
    loss.backward()
    after = next(engine._seq)
    assert after == before + 1  # backward created no node
    assert type(x.grad) is nabla.autograd.gradarray.GradArray  # an array, not a Tensor
    assert loss.grad_fn.inputs is None  # the graph was freed, as before
    t = np.tanh(a @ b)
    expected_gx = np.multiply.outer(2 * (1 - t**2), b)
    np.testing.assert_allclose(x.grad, expected_gx, rtol=1e-14)
    # grad() without create_graph gives the very same bytes as backward()
    x2, w2, loss2 = build()
    gx, gw = grad(loss2, [x2, w2])
    assert gx.grad_fn is None and not gx.requires_grad
    assert gx.data.tobytes() == x.grad.tobytes()
    assert gw.data.tobytes() == w.grad.tobytes()


def test_third_derivative():
    x = nabla.tensor(np.array([0.7]), requires_grad=True)
    y = (x**4).sum()
    (g1,) = grad(y, x, create_graph=True)
    (g2,) = grad(g1.sum(), x, create_graph=True)
    (g3,) = grad(g2.sum(), x)
    np.testing.assert_allclose(g3.data, 24 * 0.7, rtol=1e-14)


# ---- Newton's method with the exact Hessian ---------------------------------------------
def _newton_closure(opt, loss_fn):
    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    return closure


def test_newton_exact_hessian_solves_a_quadratic_in_one_step():
    rng = np.random.default_rng(21)
    X, y = rng.normal(size=(25, 4)), rng.normal(size=25)
    w = nabla.nn.Parameter(np.zeros(4))
    opt = nabla.optim.Newton([w])
    r = lambda: nabla.tensor(X) @ w - nabla.tensor(y)
    opt.step(_newton_closure(opt, lambda: (r() * r()).sum()))
    assert opt.state[w]["hessian"] == "autograd"
    expected = np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(w.data, expected, rtol=1e-12, atol=1e-13)


def _logistic(seed=4, n=120):
    rng = np.random.default_rng(seed)
    X = np.hstack([rng.normal(size=(n, 2)), np.ones((n, 1))])
    s = np.where(rng.random(n) < 1 / (1 + np.exp(-X @ [1.0, -1.5, 0.3])), 1.0, -1.0)
    return X, s


def test_newton_exact_hessian_matches_closed_form_and_finite_differences_on_logistic():
    X, s = _logistic()

    def run(mode):
        w = nabla.nn.Parameter(np.zeros(3))
        opt = nabla.optim.Newton([w], hessian=mode)
        loss = lambda: (nabla.tensor(X) @ w * nabla.tensor(-s)).softplus().mean()
        closure = _newton_closure(opt, loss)
        path = []
        for _ in range(4):
            opt.step(closure)
            path.append(w.data.copy())
        return np.array(path), opt.state[w]["hessian"]

    exact, used = run(None)
    fd, used_fd = run("fd")
    assert used == "autograd" and used_fd == "fd"
    np.testing.assert_allclose(exact, fd, rtol=1e-6, atol=1e-8)
    # the Hessian itself against the closed form X^T diag(p (1 - p)) X / n
    from nabla.optim.newton import autograd_hessian

    w0 = np.array([0.2, -0.4, 0.1])
    w = nabla.tensor(w0, requires_grad=True)
    loss = (nabla.tensor(X) @ w * nabla.tensor(-s)).softplus().mean()
    p = 1 / (1 + np.exp(-(X @ w0)))
    H_true = (X.T * (p * (1 - p))) @ X / len(s)
    np.testing.assert_allclose(autograd_hessian(loss, [w], np.float64), H_true, rtol=1e-12)


def test_newton_falls_back_to_finite_differences_or_raises():
    x0 = np.array([0.3, 0.5])
    w = nabla.nn.Parameter(x0.copy())
    opt = nabla.optim.Newton([w])
    closure = _newton_closure(opt, lambda: nabla.prod(w) + (w * w).sum())
    opt.step(closure)
    assert opt.state[w]["hessian"] == "fd"  # prod has no differentiable backward
    w2 = nabla.nn.Parameter(x0.copy())
    opt2 = nabla.optim.Newton([w2], hessian="autograd")
    with pytest.raises(RuntimeError, match="hessian='autograd': double backward is not supported"):
        opt2.step(_newton_closure(opt2, lambda: nabla.prod(w2) + (w2 * w2).sum()))
    assert w2.data.tobytes() == x0.tobytes()
    with pytest.raises(TypeError, match=r"hessian must be a callable theta -> H, got 'exact'"):
        nabla.optim.Newton([w2], hessian="exact")


def _op_names(t):
    names, stack, seen = set(), [t], set()
    while stack:
        u = stack.pop()
        if u._ctx is not None and id(u) not in seen:
            seen.add(id(u))
            names.add(type(u._ctx).__name__)
            stack.extend(u._ctx.inputs)
    return names


def test_every_differentiable_op_is_covered_by_a_case():
    rng = np.random.default_rng(0)
    covered = set()
    for _, fn, _, specs in CASES:
        xs = [nabla.tensor(s(shape, rng), requires_grad=True) for shape, s in specs]
        covered |= _op_names(fn(*xs))
    # Cast and IndexPut have their own tests below
    assert set(DIFFERENTIABLE_BACKWARD) - covered == {"Cast", "IndexPut"}


def test_cast_and_third_order_through_indexing_match_torch():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(3, 2)).astype(np.float32)
    x = nabla.tensor(a, requires_grad=True)
    y = (x.double()[IDX] ** 3).sum()
    (g1,) = grad(y, x, create_graph=True)
    (g2,) = grad(g1.sum(), x, create_graph=True)
    (g3,) = grad((g2 * g2).sum(), x)
    xt = torch.tensor(a, requires_grad=True)
    yt = (xt.double()[torch.as_tensor(IDX)] ** 3).sum()
    (t1,) = torch.autograd.grad(yt, xt, create_graph=True)
    (t2,) = torch.autograd.grad(t1.sum(), xt, create_graph=True)
    (t3,) = torch.autograd.grad((t2 * t2).sum(), xt)
    assert g1.dtype == np.float32 and g3.dtype == np.float32
    for mine, ref in ((g1, t1), (g2, t2), (g3, t3)):
        np.testing.assert_allclose(mine.data, ref.detach().numpy(), rtol=1e-6)


def test_optimizer_steps_on_a_grad_from_create_graph():
    """PyTorch's gradient-penalty pattern: .grad is a Tensor after backward(create_graph=True)
    and an optimiser still steps on it as on the plain array gradient (the recorded backward
    may round differently in the last bit: tanh's is g (1 - y^2), the array one g - g y^2)."""
    x0 = np.array([0.5, -1.0, 2.0])
    ends = []
    for create_graph in (False, True):
        w = nabla.nn.Parameter(x0.copy())
        opt = nabla.optim.SGD([w], lr=0.1, momentum=0.9)
        for _ in range(3):
            opt.zero_grad()
            (w.tanh() * w).sum().backward(create_graph=create_graph)
            opt.step()
        ends.append(w.data.copy())
    np.testing.assert_allclose(ends[1], ends[0], rtol=1e-14)


def test_gradient_penalty_matches_torch():
    rng = np.random.default_rng(8)
    a, x0 = rng.normal(size=(4, 3)), rng.normal(size=3)
    w = nabla.tensor(x0, requires_grad=True)
    loss = (nabla.tensor(a) @ w).sigmoid().sum()
    (g,) = grad(loss, w, create_graph=True)
    (loss + (g * g).sum()).backward()
    wt = torch.tensor(x0, requires_grad=True)
    lt = (torch.tensor(a) @ wt).sigmoid().sum()
    (gt,) = torch.autograd.grad(lt, wt, create_graph=True)
    (lt + (gt * gt).sum()).backward()
    np.testing.assert_allclose(w.grad, wt.grad.numpy(), rtol=1e-12)
