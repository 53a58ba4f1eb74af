"""Engine semantics (as PyTorch's), bad input, anomaly detection and gradcheck itself."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest

import nabla
from nabla.autograd import GradcheckError, detect_anomaly, gradcheck


def test_broadcast_gradient_summed_to_input_shape() -> None:
    a = nabla.tensor(np.ones((3, 4)), requires_grad=True)
    b = nabla.tensor(np.ones((4,)), requires_grad=True)
    c = nabla.tensor(np.ones((3, 1)), requires_grad=True)
    (a * b * c).sum().backward()
    np.testing.assert_array_equal(b.grad, np.full(4, 3.0))
    np.testing.assert_array_equal(c.grad, np.full((3, 1), 4.0))


def test_leaf_used_twice_and_across_backward_calls() -> None:
    x = nabla.tensor(np.array([1.0, -2.0]), requires_grad=True)
    (x * x + x).sum().backward()
    np.testing.assert_array_equal(x.grad, 2 * x.data + 1)
    (x * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad, 2 * x.data + 1 + 3)
    x.zero_grad()
    assert x.grad is None


def test_leaf_grads_do_not_alias() -> None:
    """Two leaves that receive the same gradient array must not share it."""
    a = nabla.tensor(np.zeros(3), requires_grad=True)
    b = nabla.tensor(np.zeros(3), requires_grad=True)
    (a + b).backward(np.ones(3))
    a.grad *= 5
    np.testing.assert_array_equal(b.grad, np.ones(3))


def test_user_grad_array_is_not_aliased() -> None:
    x = nabla.tensor(np.zeros(3), requires_grad=True)
    g = np.ones(3)
    x.backward(g)
    x.grad[0] = 7
    assert g[0] == 1


def test_second_backward_through_freed_graph_raises() -> None:
    x = nabla.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * 2.0).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_retain_graph_allows_second_backward() -> None:
    x = nabla.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * 2.0).sum()
    y.backward(retain_graph=True)
    first = x.grad.copy()
    y.backward()
    np.testing.assert_allclose(x.grad, 2 * first)


def test_backward_non_scalar_without_grad_raises() -> None:
    x = nabla.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"single-element tensor.*shape \(2,\)"):
        (x * 2.0).backward()


def test_backward_with_wrong_grad_shape_raises_and_changes_nothing() -> None:
    x = nabla.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2.0
    with pytest.raises(ValueError, match=r"grad has shape \(3,\).*shape \(2,\)"):
        y.backward(np.ones(3))
    assert x.grad is None
    y.backward(np.ones(2))  # the graph is intact
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])


def test_backward_on_tensor_without_grad_raises() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        nabla.tensor([1.0]).backward()


def test_deep_chain_has_no_recursion_limit() -> None:
    x = nabla.tensor([0.5], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1e-6
    assert 100_000 > sys.getrecursionlimit()
    y.backward()
    np.testing.assert_array_equal(x.grad, [1.0])


def test_no_grad_and_enable_grad_nest() -> None:
    x = nabla.tensor([1.0], requires_grad=True)
    with nabla.no_grad():
        assert not nabla.is_grad_enabled()
        assert not (x * 2.0).requires_grad
        with nabla.enable_grad():
            assert (x * 2.0).requires_grad
        assert not nabla.is_grad_enabled()
    assert nabla.is_grad_enabled()

    @nabla.no_grad()
    def f(t):
        return t * 2.0

    assert not f(x).requires_grad and nabla.is_grad_enabled()


def test_detach_cuts_the_graph() -> None:
    x = nabla.tensor([2.0], requires_grad=True)
    y = x * x.detach()
    y.backward()
    np.testing.assert_array_equal(x.grad, [2.0])


def test_retain_grad_on_intermediate() -> None:
    x = nabla.tensor([2.0, 3.0], requires_grad=True)
    h = x * 2.0
    h.retain_grad()
    (h * h).sum().backward()
    np.testing.assert_array_equal(h.grad, 2 * h.data)
    np.testing.assert_array_equal(x.grad, 4 * h.data)


def test_ties_share_gradient_like_torch() -> None:
    a = nabla.tensor([1.0, 2.0, 2.0], requires_grad=True)
    b = nabla.tensor([1.0, 1.0, 2.0], requires_grad=True)
    a.maximum(b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.5, 1.0, 0.5])
    np.testing.assert_array_equal(b.grad, [0.5, 0.0, 0.5])
    x = nabla.tensor([1.0, 3.0, 3.0], requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.5, 0.5])
    r = nabla.tensor([0.0, -1.0, 1.0], requires_grad=True)
    r.relu().sum().backward()
    np.testing.assert_array_equal(r.grad, [0.0, 0.0, 1.0])


def test_python_float_data_is_float32_and_arrays_keep_dtype() -> None:
    assert nabla.tensor([1.0, 2.0]).dtype == np.float32
    assert nabla.tensor(np.zeros(2)).dtype == np.float64
    assert nabla.tensor([1, 2]).dtype.kind == "i"
    x = nabla.tensor(np.ones(2, np.float32), requires_grad=True)
    assert (x * 2.5 + 1).dtype == np.float32


def test_tensor_copies_its_input() -> None:
    a = np.zeros(3)
    t = nabla.tensor(a)
    a[0] = 1
    assert t.data[0] == 0


@pytest.mark.parametrize("data", [["a", "b"], {"x": 1}, object()])
def test_non_numeric_data_raises_type_error(data) -> None:
    with pytest.raises(TypeError, match=r"nabla\.tensor"):
        nabla.tensor(data)


def test_complex_data_raises_type_error() -> None:
    with pytest.raises(TypeError, match="complex"):
        nabla.tensor(np.array([1 + 2j]))


@pytest.mark.parametrize("data", [[1, 2], np.array([True, False])])
def test_requires_grad_on_integers_raises(data) -> None:
    with pytest.raises(TypeError, match="only floating-point tensors can require gradients"):
        nabla.tensor(data, requires_grad=True)


@pytest.mark.parametrize("data", [np.array([1, 2]), np.array([True, False])])
def test_requires_grad_setter_and_method_on_integers_raise(data) -> None:
    t = nabla.tensor(data)
    with pytest.raises(
        TypeError, match=r"requires_grad: only floating-point tensors can require gradients"
    ):
        t.requires_grad = True
    assert t.requires_grad is False
    with pytest.raises(
        TypeError, match=r"requires_grad_: only floating-point tensors can require gradients"
    ):
        t.requires_grad_(True)
    assert t.requires_grad is False
    assert t.requires_grad_(False) is t  # switching off is allowed, as in PyTorch
    assert t.requires_grad is False


def test_requires_grad_setter_on_floats_and_non_leaves() -> None:
    x = nabla.tensor(np.array([1.0, 2.0]))
    x.requires_grad = True
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])
    y = x * 3.0
    with pytest.raises(RuntimeError, match=r"requires_grad: cannot turn off .* non-leaf"):
        y.requires_grad = False
    assert y.requires_grad is True
    x.requires_grad = False
    assert (x * 2.0).requires_grad is False


@pytest.mark.parametrize(
    ("op", "name"),
    [
        (lambda a, b: a + b, "Add"),
        (lambda a, b: a * b, "Mul"),
        (lambda a, b: a - b, "Sub"),
        (lambda a, b: a / b, "Div"),
        (lambda a, b: a @ b, "Matmul"),
        (lambda a, b: a.maximum(b), "Maximum"),
        (lambda a, b: a.minimum(b), "Minimum"),
        (lambda a, b: nabla.autograd.minimum(a, b), "Minimum"),
        (lambda a, b: a**b, "Pow"),
        (lambda a, b: nabla.autograd.pow(a, b), "Pow"),
    ],
)
def test_incompatible_shapes_name_op_and_shapes(op, name) -> None:
    a = nabla.tensor(np.ones((2, 3)), requires_grad=True)
    b = nabla.tensor(np.ones((4, 5)), requires_grad=True)
    with pytest.raises(ValueError, match=rf"{name}: incompatible shapes \(2, 3\) and \(4, 5\)"):
        op(a, b)


def test_where_with_incompatible_shapes_names_op_and_shapes() -> None:
    a = nabla.tensor(np.ones((2, 3)), requires_grad=True)
    b = nabla.tensor(np.ones((4, 5)), requires_grad=True)
    cond = np.ones((2, 3), dtype=bool)
    with pytest.raises(
        ValueError, match=r"where: incompatible shapes: condition \(2, 3\), a \(2, 3\), b \(4, 5\)"
    ):
        nabla.autograd.where(cond, a, b)
    with pytest.raises(ValueError, match=r"where: .*condition \(4,\), a \(2, 3\), b \(2, 3\)"):
        nabla.autograd.where(np.ones(4, dtype=bool), a, a)


def test_broadcast_to_and_stack_errors_name_op_and_shapes() -> None:
    a = nabla.tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(
        ValueError, match=r"broadcast_to: cannot broadcast shape \(2, 3\) to \(4, 5\)"
    ):
        a.broadcast_to((4, 5))
    with pytest.raises(
        ValueError, match=r"broadcast_to: cannot broadcast shape \(2, 3\) to \(3,\)"
    ):
        nabla.autograd.broadcast_to(a, (3,))
    with pytest.raises(ValueError, match=r"stack: incompatible shapes \(2, 3\), \(3, 2\)"):
        nabla.autograd.stack([a, nabla.tensor(np.ones((3, 2)))])


def test_reshape_and_concatenate_errors_name_the_shapes() -> None:
    a = nabla.tensor(np.ones((2, 3)))
    with pytest.raises(
        ValueError, match=r"reshape: cannot reshape a tensor of shape \(2, 3\) into \(4,\)"
    ):
        a.reshape(4)
    with pytest.raises(ValueError, match=r"concatenate: incompatible shapes \(2, 3\), \(3, 2\)"):
        nabla.autograd.concatenate([a, nabla.tensor(np.ones((3, 2)))], axis=1)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stable_functions_at_plus_minus_1000(dtype) -> None:
    x = nabla.tensor(np.array([-1000.0, -1.0, 0.0, 1.0, 1000.0], dtype=dtype), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            outs = {
                "sigmoid": x.sigmoid(),
                "softplus": x.softplus(),
                "log_softmax": x.log_softmax(),
                "logsumexp": x.logsumexp(),
                "softmax": x.softmax(),
            }
            for name, out in outs.items():
                assert np.all(np.isfinite(out.data)), name
                x.grad = None
                out.backward(np.ones(out.shape, dtype=dtype))
                assert np.all(np.isfinite(x.grad)), name
    np.testing.assert_allclose(
        outs["sigmoid"].data, [0, 1 / (1 + np.e), 0.5, 1 / (1 + np.exp(-1)), 1], rtol=1e-6
    )
    np.testing.assert_allclose(outs["softplus"].data[[0, 4]], [0.0, 1000.0])
    np.testing.assert_allclose(outs["logsumexp"].data, 1000.0)
    np.testing.assert_allclose(outs["log_softmax"].data[[0, 4]], [-2000.0, 0.0], rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stable_gradients_at_plus_minus_1000_equal_exact_formulas(dtype) -> None:
    # Exact values in float64: sigmoid'(x) = e^-|x| / (1 + e^-|x|)^2, softplus'(x) =
    # sigmoid(x); with upstream gradient 1, d sum(log_softmax(x)) = 1 - n softmax(x) and
    # d logsumexp(x) = softmax(x), where softmax(x) = e^(x - 1000) / sum e^(x - 1000).
    x64 = np.array([-1000.0, -1.0, 0.0, 1.0, 1000.0])
    e = np.exp(-np.abs(x64))
    sig = np.where(x64 >= 0, 1 / (1 + e), e / (1 + e))
    softmax = np.exp(x64 - 1000.0) / np.exp(x64 - 1000.0).sum()
    expected = {
        "sigmoid": e / (1 + e) ** 2,
        "softplus": sig,
        "log_softmax": 1 - x64.size * softmax,
        "logsumexp": softmax,
    }
    assert expected["sigmoid"][2] == 0.25 and expected["log_softmax"][4] == -4.0
    ops = {
        "sigmoid": lambda t: t.sigmoid(),
        "softplus": lambda t: t.softplus(),
        "log_softmax": lambda t: t.log_softmax(),
        "logsumexp": lambda t: t.logsumexp(),
    }
    for name, op in ops.items():
        x = nabla.tensor(x64.astype(dtype), requires_grad=True)
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            out = op(x)
            out.backward(np.ones(out.shape, dtype=dtype))
        assert x.grad.dtype == dtype, name
        np.testing.assert_allclose(x.grad, expected[name], rtol=1e-6, atol=1e-7, err_msg=name)


def test_detect_anomaly_names_op_and_user_line() -> None:
    x = nabla.tensor(np.array([0.0, 1.0]), requires_grad=True)
    with detect_anomaly():
        y = x.sqrt()  # d sqrt / dx is inf at 0
        with pytest.raises(
            FloatingPointError, match=r"SqrtBackward.*inf.*test_engine.py.*y = x.sqrt\(\)"
        ):
            with np.errstate(divide="ignore"):
                y.sum().backward()


def test_detect_anomaly_reports_nan_with_op_and_user_line() -> None:
    x = nabla.tensor(np.array([-1.0, 4.0]), requires_grad=True)
    with detect_anomaly():
        with np.errstate(invalid="ignore"):
            y = x.sqrt()  # sqrt(-1) is nan, so is its gradient 1 / (2 sqrt(-1))
        z = (y * 2.0).sum()
        with pytest.raises(FloatingPointError) as info:
            z.backward()
    msg = str(info.value)
    assert "'SqrtBackward' returned nan values" in msg
    assert f'File "{__file__}", line ' in msg
    assert "y = x.sqrt()" in msg
    assert x.grad is None  # nothing reached the leaf


def test_without_detect_anomaly_inf_passes_silently() -> None:
    x = nabla.tensor(np.array([0.0, 1.0]), requires_grad=True)
    with np.errstate(divide="ignore"):
        x.sqrt().sum().backward()
    assert np.isinf(x.grad[0])


def test_gradcheck_reports_worst_entry_of_a_wrong_backward() -> None:
    from nabla.autograd.engine import Function
    from nabla.autograd.tensor import apply1

    class BadSquare(Function):
        def forward(self, x):
            self.x = x
            return x * x

        def backward(self, g):
            return (g * 3 * self.x,)  # wrong: should be 2x

    x = nabla.tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    with pytest.raises(
        GradcheckError, match=r"tensor 0 \(shape \(3,\)\) at index \(\d,\): analytic .* numerical"
    ):
        gradcheck(lambda t: apply1(BadSquare(), t), [x])
    assert gradcheck(lambda t: apply1(BadSquare(), t), [x], raise_exception=False) is False


def test_gradcheck_checks_params_and_rejects_float32() -> None:
    w = nabla.tensor(np.array([[0.5, -1.0], [2.0, 0.3]]), requires_grad=True)
    x = nabla.tensor(np.array([1.0, 2.0]))
    assert gradcheck(lambda t: (w @ t).tanh(), [x], params=[w])
    with pytest.raises(ValueError, match="float64"):
        gradcheck(lambda t: t * 2.0, [nabla.tensor([1.0], requires_grad=True)])


def test_flatten_like_torch_including_empty_batch() -> None:
    x = nabla.tensor(np.zeros((0, 3, 4)))
    assert x.flatten(1).shape == (0, 12)
    assert nabla.tensor(np.zeros((2, 3, 4))).flatten().shape == (24,)
    assert nabla.tensor(np.zeros((2, 3, 4))).flatten(0, 1).shape == (6, 4)


def test_detect_anomaly_names_user_code_in_a_folder_called_nabla(tmp_path) -> None:
    # a user's project folder may well be called "nabla": only the package's own files are
    # skipped when looking for the line that created the op
    import runpy

    user = tmp_path / "nabla" / "user_script.py"
    user.parent.mkdir()
    user.write_text(
        "import numpy as np, nabla\n"
        "from nabla.autograd import detect_anomaly\n"
        "x = nabla.tensor(np.array([0.0, 1.0]), requires_grad=True)\n"
        "with detect_anomaly():\n"
        "    y = x.sqrt()\n"
        "    with np.errstate(divide='ignore'):\n"
        "        y.sum().backward()\n"
    )
    with pytest.raises(FloatingPointError) as info:
        runpy.run_path(str(user))
    assert f'File "{user}", line 5' in str(info.value)
    assert "y = x.sqrt()" in str(info.value)
