"""``nabla.func`` against ``torch.func`` / ``torch.autograd.functional`` on float64 inputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.autograd.functional as TF

import nabla
from nabla import func

RNG = np.random.default_rng(11)
A = RNG.normal(size=(3, 4))
B = RNG.normal(size=(4,))


def f_nabla(x):  # R^4 -> R^3, nonlinear
    return (nabla.tensor(A) @ x).tanh() * (x * x).sum() + x[:3] ** 3


def f_torch(x):
    return (torch.tensor(A) @ x).tanh() * (x * x).sum() + x[:3] ** 3


def s_nabla(x, y):  # scalar of two arguments
    return (x.sigmoid() * (nabla.tensor(A) @ y)).sum() + (x**2).sum() * y.exp().sum()


def s_torch(x, y):
    return (x.sigmoid() * (torch.tensor(A) @ y)).sum() + (x**2).sum() * y.exp().sum()


X0 = RNG.normal(size=4)
Y0 = RNG.normal(size=4)
XS = RNG.normal(size=3)


def _t(a):
    return torch.tensor(a)


def test_grad_matches_torch_func():
    g = func.grad(s_nabla, argnums=(0, 1))(XS, Y0)
    gt = torch.func.grad(s_torch, argnums=(0, 1))(_t(XS), _t(Y0))
    for a, b in zip(g, gt):
        np.testing.assert_allclose(a.data, b.numpy(), rtol=1e-12)
    g1 = func.grad(s_nabla, argnums=1)(nabla.tensor(XS), Y0)
    np.testing.assert_allclose(g1.data, gt[1].numpy(), rtol=1e-12)


def test_grad_has_aux_and_value():
    def f(x):
        return (x**2).sum(), x.shape

    g, aux = func.grad(f, has_aux=True)(X0)
    assert aux == (4,)
    np.testing.assert_allclose(g.data, 2 * X0, rtol=1e-15)
    g, value = func.grad_and_value(lambda x: (x**2).sum())(X0)
    np.testing.assert_allclose(value.data, np.sum(X0**2), rtol=1e-15)


def test_jacobian_matches_torch():
    J = func.jacobian(f_nabla)(X0)
    Jt = torch.func.jacrev(f_torch)(_t(X0))
    assert J.shape == (3, 4)
    np.testing.assert_allclose(J.data, Jt.numpy(), rtol=1e-12, atol=1e-14)
    Jt2 = TF.jacobian(f_torch, _t(X0))
    np.testing.assert_allclose(J.data, Jt2.numpy(), rtol=1e-12, atol=1e-14)


def test_jacobian_of_matrix_input_and_tuple_argnums():
    def f(w, x):
        return (w @ x).exp()

    W = RNG.normal(size=(2, 3))
    Jw, Jx = func.jacobian(f, argnums=(0, 1))(W, XS)
    Jtw, Jtx = torch.func.jacrev(lambda w, x: (w @ x).exp(), argnums=(0, 1))(_t(W), _t(XS))
    assert Jw.shape == (2, 2, 3) and Jx.shape == (2, 3)
    np.testing.assert_allclose(Jw.data, Jtw.numpy(), rtol=1e-12)
    np.testing.assert_allclose(Jx.data, Jtx.numpy(), rtol=1e-12)


def test_hessian_matches_torch():
    H = func.hessian(lambda x: s_nabla(x, nabla.tensor(Y0)))(XS)
    Ht = torch.func.hessian(lambda x: s_torch(x, _t(Y0)))(_t(XS))
    np.testing.assert_allclose(H.data, Ht.numpy(), rtol=1e-11, atol=1e-13)
    Ht2 = TF.hessian(lambda x: s_torch(x, _t(Y0)), _t(XS))
    np.testing.assert_allclose(H.data, Ht2.numpy(), rtol=1e-11, atol=1e-13)


def test_hessian_of_least_squares_is_exactly_two_xtx():
    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(30, 5)), rng.normal(size=30)

    def loss(theta):
        r = nabla.tensor(X) @ theta - nabla.tensor(y)
        return (r * r).sum()

    H = func.hessian(loss)(rng.normal(size=5))
    np.testing.assert_allclose(H.data, 2 * X.T @ X, rtol=0, atol=1e-12)
    # jacobian of jacobian gives the same
    H2 = func.jacobian(func.jacobian(loss))(rng.normal(size=5))
    np.testing.assert_allclose(H2.data, 2 * X.T @ X, rtol=0, atol=1e-12)


def test_vjp_matches_torch():
    v = RNG.normal(size=3)
    out, vjp_fn = func.vjp(f_nabla, X0)
    (gx,) = vjp_fn(v)
    out_t, vjp_t = torch.func.vjp(f_torch, _t(X0))
    (gt,) = vjp_t(_t(v))
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), rtol=1e-14)
    np.testing.assert_allclose(gx.data, gt.numpy(), rtol=1e-12)
    (gx2,) = vjp_fn(2 * v)  # callable again
    np.testing.assert_allclose(gx2.data, 2 * gt.numpy(), rtol=1e-12)
    with pytest.raises(ValueError, match=r"cotangent has shape \(4,\).*output has shape \(3,\)"):
        vjp_fn(np.ones(4))


def test_jvp_matches_torch():
    v = RNG.normal(size=4)
    out, jv = func.jvp(f_nabla, (X0,), (v,))
    out_t, jv_t = torch.func.jvp(f_torch, (_t(X0),), (_t(v),))
    np.testing.assert_allclose(out.data, out_t.numpy(), rtol=1e-14)
    np.testing.assert_allclose(jv.data, jv_t.numpy(), rtol=1e-12, atol=1e-14)
    _, jv2 = TF.jvp(f_torch, _t(X0), _t(v))
    np.testing.assert_allclose(jv.data, jv2.numpy(), rtol=1e-12, atol=1e-14)
    with pytest.raises(ValueError, match="2 primals but 1 tangents"):
        func.jvp(s_nabla, (XS, Y0), (v,))


def test_jvp_of_a_linear_map_is_the_matrix_product():
    v = RNG.normal(size=4)
    _, jv = func.jvp(lambda x: nabla.tensor(A) @ x, (X0,), (v,))
    np.testing.assert_allclose(jv.data, A @ v, rtol=1e-14)


def test_hvp_matches_torch():
    v = RNG.normal(size=3)
    w = RNG.normal(size=4)
    out, hv = func.hvp(s_nabla, (XS, Y0), (v, w))
    out_t, hv_t = TF.hvp(s_torch, (_t(XS), _t(Y0)), (_t(v), _t(w)))
    np.testing.assert_allclose(out.data, out_t.numpy(), rtol=1e-14)
    for a, b in zip(hv, hv_t):
        np.testing.assert_allclose(a.data, b.numpy(), rtol=1e-11, atol=1e-13)
    H = func.hessian(lambda x: s_nabla(x, nabla.tensor(Y0)))(XS)
    _, hv1 = func.hvp(lambda x: s_nabla(x, nabla.tensor(Y0)), XS, v)
    np.testing.assert_allclose(hv1.data, H.data @ v, rtol=1e-11)


def test_unused_argument_gives_zeros():
    g = func.grad(lambda x, y: (x * x).sum(), argnums=(0, 1))(XS, Y0)
    np.testing.assert_array_equal(g[1].data, np.zeros(4))
    J = func.jacobian(lambda x, y: x * 2.0, argnums=1)(nabla.tensor(XS), Y0)
    np.testing.assert_array_equal(J.data, np.zeros((3, 4)))


def test_bad_input():
    with pytest.raises(ValueError, match="single-element tensor, got shape \\(3,\\)"):
        func.grad(f_nabla)(X0)
    with pytest.raises(TypeError, match="floating-point inputs, got dtype int64"):
        func.grad(lambda x: x.sum())(np.arange(3))
    with pytest.raises(ValueError, match="argnums 2 is out of range for 1"):
        func.grad(lambda x: x.sum(), argnums=2)(X0)
    with pytest.raises(TypeError, match=r"argnums must be an int \(one argument\), got \(0, 1\)"):
        func.hessian(s_nabla, argnums=(0, 1))
    with pytest.raises(TypeError, match="must return a Tensor, got float"):
        func.jacobian(lambda x: 1.0)(X0)
    with pytest.raises(RuntimeError, match="double backward is not supported for Prod"):
        func.hessian(lambda x: nabla.prod(x))(X0)


def test_inputs_are_not_modified():
    x = nabla.tensor(X0.copy())
    before = x.data.tobytes()
    func.hessian(lambda t: (t**3).sum())(x)
    assert x.data.tobytes() == before and x.grad is None and not x.requires_grad


def test_reachable_as_nabla_func():
    assert nabla.func is func
