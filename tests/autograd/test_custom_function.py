"""Custom autograd functions in PyTorch's form (``@staticmethod forward(ctx, ...)`` /
``backward(ctx, grad)``, ``ctx.save_for_backward``, ``ctx.saved_tensors``,
``ctx.needs_input_grad``, ``F.apply``): gradients against float64 central differences
(gradcheck) and against the same class written for PyTorch; nabla's own op form of
``Function`` keeps working beside it."""

from __future__ import annotations

import numpy as np
import pytest

import nabla
from nabla.autograd import GradcheckError, gradcheck
from nabla.autograd.engine import Function as Node

torch = pytest.importorskip("torch", reason="custom functions are compared with PyTorch's")


def legendre(lib):
    """The tutorials' LegendrePolynomial3, written once for either library."""

    class LegendrePolynomial3(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input**3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input**2 - 1)

    return LegendrePolynomial3


def scaled_product(lib):
    """Two tensors that broadcast, a number and a flag among the arguments; records
    ``needs_input_grad`` and whether forward ran with grad mode on."""

    class ScaledProduct(lib.autograd.Function):
        seen: list = []

        @staticmethod
        def forward(ctx, a, b, scale, square):
            ctx.save_for_backward(a, b)
            ctx.scale, ctx.square = scale, square
            ScaledProduct.seen.append((ctx.needs_input_grad, lib.is_grad_enabled()))
            out = a * b * scale
            return out * out if square else out

        @staticmethod
        def backward(ctx, grad_output):
            a, b = ctx.saved_tensors
            g = grad_output * ctx.scale
            if ctx.square:
                g = g * 2 * a * b * ctx.scale
            ga = g * b if ctx.needs_input_grad[0] else None
            gb = (g * a).sum(0) if ctx.needs_input_grad[1] else None  # b was broadcast
            return ga, gb, None, None

    return ScaledProduct


def test_legendre_gradient_matches_central_differences() -> None:
    P3 = legendre(nabla)
    x = nabla.tensor(np.linspace(-1.2, 1.3, 7), requires_grad=True)
    assert gradcheck(P3.apply, [x])


def test_legendre_matches_torch_forward_backward_and_grad_fn() -> None:
    P3, TP3 = legendre(nabla), legendre(torch)
    a = np.linspace(-2.0, 2.0, 9)
    x, tx = nabla.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, ty = P3.apply(x * 0.5 + 0.1), TP3.apply(tx * 0.5 + 0.1)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12)
    assert repr(y.grad_fn) == "<LegendrePolynomial3Backward>" and not y.is_leaf
    assert "LegendrePolynomial3Backward" in type(ty.grad_fn).__name__
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12)
    assert isinstance(P3.apply(x).grad_fn, Node)  # a graph node like any op's


@pytest.mark.parametrize("square", [False, True])
@pytest.mark.parametrize("b_grad", [True, False])
def test_several_arguments_like_torch(square, b_grad) -> None:
    F, TF = scaled_product(nabla), scaled_product(torch)
    rng = np.random.default_rng(0)
    a0, b0 = rng.normal(size=(3, 4)), rng.normal(size=(4,))
    a, ta = nabla.tensor(a0, requires_grad=True), torch.tensor(a0, requires_grad=True)
    b, tb = nabla.tensor(b0, requires_grad=b_grad), torch.tensor(b0, requires_grad=b_grad)
    y, ty = F.apply(a, b, 1.5, square), TF.apply(ta, tb, 1.5, square)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12)
    g = rng.normal(size=(3, 4))
    y.backward(g)
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(a.grad, ta.grad.numpy(), rtol=1e-12)
    if b_grad:
        np.testing.assert_allclose(b.grad, tb.grad.numpy(), rtol=1e-12)
    else:
        assert b.grad is None and tb.grad is None
    assert F.seen == TF.seen == [((True, b_grad, False, False), False)]
    params = [b] if b_grad else []
    assert gradcheck(lambda t: F.apply(t, b, 1.5, square), [a], params=params)


def test_gradcheck_catches_a_wrong_custom_backward() -> None:
    class WrongSquare(nabla.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * 3 * x  # should be 2x

    x = nabla.tensor(np.array([1.0, -2.0]), requires_grad=True)
    with pytest.raises(GradcheckError, match="analytic"):
        gradcheck(WrongSquare.apply, [x])


def test_setup_context_form_and_mark_non_differentiable_like_torch() -> None:
    def make(lib):
        class Exp(lib.autograd.Function):
            @staticmethod
            def forward(x):
                return x.exp()

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.save_for_backward(output)

            @staticmethod
            def backward(ctx, grad_output):
                (y,) = ctx.saved_tensors
                return grad_output * y

        class Sign(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                out = (x > 0).to(x.dtype)
                ctx.mark_non_differentiable(out)
                return out

            @staticmethod
            def backward(ctx, grad_output):
                return None

        return Exp, Sign

    (Exp, Sign), (TExp, TSign) = make(nabla), make(torch)
    a = np.array([0.5, -1.0])
    x, tx = nabla.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    Exp.apply(x).sum().backward()
    TExp.apply(tx).sum().backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy())
    assert gradcheck(Exp.apply, [nabla.tensor(a, requires_grad=True)])
    s, ts = Sign.apply(x), TSign.apply(tx)
    assert s.requires_grad == ts.requires_grad is False and s.tolist() == ts.tolist()


def test_no_recording_without_grad_or_under_no_grad() -> None:
    P3 = legendre(nabla)
    assert not P3.apply(nabla.tensor([0.5])).requires_grad
    x = nabla.tensor([0.5], requires_grad=True)
    with nabla.no_grad():
        y = P3.apply(x)
    assert not y.requires_grad and y.grad_fn is None


def test_saved_tensors_are_freed_by_backward_like_torch() -> None:
    P3, TP3 = legendre(nabla), legendre(torch)
    x, tx = nabla.tensor([0.3], requires_grad=True), torch.tensor([0.3], requires_grad=True)
    y, ty = P3.apply(x), TP3.apply(tx)
    y.backward(retain_graph=True)
    ty.backward(retain_graph=True)
    y.backward()
    ty.backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy())  # accumulated twice in both
    with pytest.raises(RuntimeError, match="second time"):
        ty.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        _ = y.grad_fn.saved_tensors


def _broken(backward):
    class Broken(nabla.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

    Broken.backward = staticmethod(backward)
    return Broken


@pytest.mark.parametrize(
    ("backward", "match"),
    [
        (lambda ctx, g: g, "returned 1 gradients, but forward took 2 arguments"),
        (lambda ctx, g: (g, g), "argument 1, which is not a tensor"),
        (lambda ctx, g: (nabla.ones(5), None), r"shape \(5,\) for argument 0"),
    ],
)
def test_bad_backward_is_a_clear_error(backward, match) -> None:
    x = nabla.ones(3, requires_grad=True)
    y = _broken(backward).apply(x, 2.0)
    with pytest.raises(RuntimeError, match=match):
        y.sum().backward()
    assert x.grad is None


def test_bad_definitions_are_clear_errors() -> None:
    class NoBackward(nabla.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

    x = nabla.ones(2, requires_grad=True)
    with pytest.raises(NotImplementedError, match="defines no backward"):
        NoBackward.apply(x).sum().backward()

    class Pair(nabla.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x, x

    with pytest.raises(TypeError, match="return one tensor"):
        Pair.apply(x)

    class Ints(nabla.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return (x > 0).long()

    with pytest.raises(TypeError, match="only a floating-point output can require grad"):
        Ints.apply(x)

    with pytest.raises(TypeError, match="save_for_backward: expected tensors"):

        class SavesArray(nabla.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x.data)
                return x

        SavesArray.apply(x)


def test_nablas_op_form_of_function_still_works() -> None:
    """A subclass with instance methods on arrays is nabla's primitive op form."""

    class Square(nabla.autograd.Function):
        def forward(self, x):
            self.x = x
            return x * x

        def backward(self, g):
            return (2 * g * self.x,)

    x = nabla.tensor([1.0, -3.0], requires_grad=True)
    nabla.autograd.apply(Square(), x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, -6.0])
    with pytest.raises(TypeError, match="instance method on arrays"):
        Square.apply(x)
