"""PyTorch's tensor surface on nabla: the top-level factories, dtype names, devices, seeding,
``size()`` / ``view`` / ``to`` / ``new_*`` and the other methods, graph inspection and the
top-level functions, each compared with PyTorch (or NumPy for what PyTorch draws at
random)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import nabla
from nabla.autograd.gradarray import GradArray

torch = pytest.importorskip("torch", reason="the tensor surface is compared with PyTorch")


def same(ours: nabla.Tensor, theirs, rtol: float = 0.0, atol: float = 0.0) -> None:
    """Same shape, dtype name and values as the PyTorch tensor."""
    assert ours.shape == tuple(theirs.shape)
    assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=rtol, atol=atol)


# ---- deterministic factories ---------------------------------------------------------------
FACTORY_CALLS = [
    ("zeros", (2, 3), {}),
    ("zeros", ((2, 3),), {}),
    ("zeros", ((),), {}),
    ("zeros", ([4],), {"dtype": "int64"}),
    ("ones", (3,), {}),
    ("ones", (2, 2), {"dtype": "float64"}),
    ("ones", ((1, 0, 2),), {"dtype": "bool"}),
    ("full", ((2, 2), 1.5), {}),
    ("full", ((3,), 7), {}),
    ("full", ((2,), True), {}),
    ("full", ((), -2.0), {"dtype": "float64"}),
    ("eye", (3,), {}),
    ("eye", (4, 5), {}),
    ("eye", (2, 3), {"dtype": "int32"}),
    ("arange", (5,), {}),
    ("arange", (1, 10, 3), {}),
    ("arange", (10, 0, -3), {}),
    ("arange", (0, 1, 0.1), {}),
    ("arange", (-3.5, 2.2, 0.7), {}),
    ("arange", (0.0, 5.0), {"dtype": "float64"}),
    ("linspace", (-np.pi, np.pi, 2000), {}),
    ("linspace", (0, 1, 7), {"dtype": "float64"}),
    ("linspace", (3, 3, 1), {}),
    ("linspace", (0, 5, 0), {}),
    ("logspace", (0, 3, 7), {}),
    ("logspace", (0, 3, 7, 2.0), {"dtype": "float64"}),
]


@pytest.mark.parametrize(("name", "args", "kwargs"), FACTORY_CALLS)
def test_deterministic_factories_match_torch(name, args, kwargs) -> None:
    ours_kw = {k: getattr(nabla, v) for k, v in kwargs.items()}
    theirs_kw = {k: getattr(torch, v) for k, v in kwargs.items()}
    ours = getattr(nabla, name)(*args, **ours_kw)
    theirs = getattr(torch, name)(*args, **theirs_kw)
    # float32 ranges may differ from PyTorch's by a rounding (NumPy computes in float64)
    same(ours, theirs, rtol=1e-6, atol=1e-6)
    assert not ours.requires_grad and ours.is_leaf


def test_factories_take_requires_grad_and_device() -> None:
    for make in (
        lambda **k: nabla.zeros(2, **k),
        lambda **k: nabla.ones((2,), **k),
        lambda **k: nabla.full((2,), 0.5, **k),
        lambda **k: nabla.eye(2, **k),
        lambda **k: nabla.linspace(0, 1, 3, **k),
        lambda **k: nabla.rand(2, **k),
        lambda **k: nabla.randn(2, **k),
        lambda **k: nabla.empty(2, **k),
        lambda **k: nabla.tensor([1.0], **k),
    ):
        x = make(requires_grad=True, device="cpu")
        assert x.requires_grad and x.is_leaf and x.dtype == np.float32
        with pytest.raises(RuntimeError, match="CPU only"):
            make(device="cuda")
    with pytest.raises(TypeError, match="only floating-point tensors can require gradients"):
        nabla.zeros(2, dtype=nabla.long, requires_grad=True)


def test_empty_and_like_factories_match_torch_shapes_and_dtypes() -> None:
    base_t = torch.tensor([[1, 2], [3, 4]])
    base_n = nabla.tensor([[1, 2], [3, 4]])
    for name in ("zeros_like", "ones_like", "empty_like"):
        ours, theirs = getattr(nabla, name)(base_n), getattr(torch, name)(base_t)
        assert ours.shape == tuple(theirs.shape) and ours.dtype == np.int64
        if name != "empty_like":
            same(ours, theirs)
        ours = getattr(nabla, name)(base_n, dtype=nabla.float)
        assert ours.dtype == np.float32
    same(nabla.full_like(base_n, 7), torch.full_like(base_t, 7))
    same(
        nabla.full_like(base_n, 2.5, dtype=nabla.double),
        torch.full_like(base_t, 2.5, dtype=torch.double),
    )
    assert nabla.empty(2, 3).shape == (2, 3) and nabla.empty((0,)).shape == (0,)
    x = nabla.rand_like(base_n, dtype=nabla.float)
    assert x.shape == (2, 2) and x.dtype == np.float32
    with pytest.raises(TypeError, match="floating-point"):
        nabla.rand_like(base_n)  # PyTorch refuses uniform integers too
    assert nabla.randn_like(np.zeros((3, 1))).dtype == np.float64  # an array keeps its dtype


@pytest.mark.parametrize(
    "data",
    [[[1, 2], [3, 4]], [1.5, 2.0], [True, False], 3, 2.5, [[1, 2.5]], np.arange(3.0)],
)
def test_tensor_infers_dtypes_like_torch(data) -> None:
    same(nabla.tensor(data), torch.tensor(data))


def test_tensor_copies_and_from_numpy_and_as_tensor_share_memory() -> None:
    arr = np.arange(4.0)
    copied, shared, as_t = nabla.tensor(arr), nabla.from_numpy(arr), nabla.as_tensor(arr)
    arr[0] = 10.0
    assert copied.data[0] == 0.0 and shared.data[0] == 10.0 and as_t.data[0] == 10.0
    shared.add_(1)  # the other way round too, as torch.from_numpy
    assert arr.tolist() == [11.0, 2.0, 3.0, 4.0]
    assert shared.dtype == np.float64  # kept, as torch.from_numpy
    assert nabla.as_tensor(arr, dtype=nabla.float32).dtype == np.float32
    t = nabla.tensor([1.0])
    assert nabla.as_tensor(t) is t
    with pytest.raises(TypeError, match=r"expected a numpy\.ndarray, got list"):
        nabla.from_numpy([1.0, 2.0])
    with pytest.raises(TypeError, match="complex"):
        nabla.from_numpy(np.ones(2, dtype=complex))


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: nabla.zeros(-1, 2), ValueError, "non-negative"),
        (lambda: nabla.ones(2.5), TypeError, "must be ints"),
        (lambda: nabla.arange(0, 5, 0), ValueError, "nonzero"),
        (lambda: nabla.randint(5, 2, (3,)), ValueError, "low < high"),
        (lambda: nabla.randint(5), TypeError, "randint"),
        (lambda: nabla.rand(2, dtype=nabla.long), TypeError, "floating-point"),
        (lambda: nabla.zeros(2, dtype=torch.float32), TypeError, r"use nabla\.float32"),
        (lambda: nabla.zeros(2, dtype=np.complex64), TypeError, "not complex64"),
        (lambda: nabla.randn(2, generator="x"), TypeError, "generator must be"),
        (lambda: nabla.randn(2, generator=0, rng=0), TypeError, "give one of them"),
    ],
)
def test_factory_bad_input(call, error, match) -> None:
    with pytest.raises(error, match=match):
        call()


# ---- random factories ----------------------------------------------------------------------
def test_random_factories_distributions_and_dtypes_like_torch() -> None:
    n = 200_000
    u = nabla.rand(n, generator=nabla.Generator().manual_seed(1)).data
    assert u.dtype == np.float32 and u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 5 * np.sqrt(1 / 12 / n) and abs(u.var() - 1 / 12) < 2e-3
    z = nabla.randn(n, generator=2).data
    assert z.dtype == np.float32
    assert abs(z.mean()) < 5 / np.sqrt(n) and abs(z.std() - 1.0) < 0.01
    assert nabla.randn(3, dtype=nabla.double).dtype == np.float64
    r = nabla.randint(3, 7, (n,), generator=3)
    assert r.dtype == np.int64 == torch.randint(3, 7, (2,)).numpy().dtype
    assert set(np.unique(r.data).tolist()) == {3, 4, 5, 6}
    assert nabla.randint(4, size=(2, 3)).shape == (2, 3)
    k = nabla.randint(low=-2, high=0, size=(100,), generator=5)
    assert torch.randint(low=-2, high=0, size=(3,)).shape == (3,)
    assert set(np.unique(k.data).tolist()) == {-2, -1}
    p = nabla.randperm(50, generator=4)
    assert p.dtype == np.int64 and sorted(p.tolist()) == list(range(50))
    assert nabla.rand(()).shape == () and nabla.randn((2, 3)).shape == (2, 3)


def test_manual_seed_makes_every_random_factory_reproducible() -> None:
    def draw():
        return [
            nabla.rand(3).data,
            nabla.randn(2, 2).data,
            nabla.randint(0, 100, (4,)).data,
            nabla.randperm(6).data,
            nabla.randn_like(nabla.zeros(2)).data,
            nabla.zeros(3).uniform_(-1, 1).data,
            nabla.zeros(3).normal_(2.0, 0.5).data,
        ]

    nabla.manual_seed(123)
    first = draw()
    nabla.manual_seed(123)
    second = draw()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert nabla.initial_seed() == 123
    nabla.manual_seed(124)
    assert not np.array_equal(nabla.rand(3).data, first[0])


def test_manual_seed_also_seeds_layer_initialisation() -> None:
    nabla.manual_seed(7)
    a = nabla.nn.Linear(3, 2).weight.data.copy()
    nabla.manual_seed(7)
    b = nabla.nn.Linear(3, 2).weight.data.copy()
    np.testing.assert_array_equal(a, b)


def test_generators_are_independent_of_the_default_one() -> None:
    g = nabla.Generator().manual_seed(5)
    a = nabla.randn(4, generator=g).data
    nabla.manual_seed(0)
    b = nabla.randn(4, generator=nabla.Generator().manual_seed(5)).data
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(nabla.rand(2, generator=9).data, nabla.rand(2, rng=9).data)
    with pytest.raises(ValueError, match="non-negative"):
        nabla.manual_seed(-1)
    with pytest.raises(TypeError, match="seed must be an int"):
        nabla.manual_seed(1.5)


# ---- dtype names and devices ---------------------------------------------------------------
DTYPE_NAMES = ["float", "double", "half", "float16", "float32", "float64", "long", "int"]
DTYPE_NAMES += ["int64", "int32", "int16", "short", "int8", "uint8", "bool"]


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_dtype_names_are_numpy_dtypes_as_torch_names_them(name) -> None:
    ours = np.dtype(getattr(nabla, name))
    assert ours.name == str(getattr(torch, name)).removeprefix("torch.")
    assert nabla.zeros(2, dtype=getattr(nabla, name)).dtype == ours
    assert np.zeros(2, dtype=getattr(nabla, name)).dtype == ours  # NumPy takes them too


def test_dtype_names_do_not_leak_into_star_imports() -> None:
    namespace: dict = {}
    exec("from nabla import *", namespace)
    for builtin_name in ("float", "int", "bool", "abs", "max", "min", "sum", "pow", "round"):
        assert builtin_name not in namespace
    assert namespace["float32"] is np.float32 and "zeros" in namespace


def test_devices() -> None:
    d = nabla.device("cpu")
    assert d.type == "cpu" and str(d) == "cpu" and d == nabla.device(d) and d.index is None
    assert nabla.device("cpu:0").index == torch.device("cpu:0").index == 0
    assert repr(d) == "device(type='cpu')"
    for name in ("cuda", "cuda:0", "mps", "xpu"):
        with pytest.raises(RuntimeError, match="nabla runs on the CPU only"):
            nabla.device(name)
    with pytest.raises(TypeError, match="device name"):
        nabla.device(0)
    assert not nabla.cuda.is_available() and nabla.cuda.device_count() == 0
    assert not nabla.accelerator.is_available() and nabla.accelerator.current_accelerator() is None
    nabla.set_default_device("cpu")
    with pytest.raises(RuntimeError, match="CPU only"):
        nabla.set_default_device("cuda")
    assert nabla.get_default_device() == d


def test_to_cpu_and_dtype_conversions_like_torch() -> None:
    x, tx = nabla.tensor([[1.5, -2.0]]), torch.tensor([[1.5, -2.0]])
    assert x.to("cpu") is x and x.cpu() is x and x.to(nabla.device("cpu")) is x
    assert x.to(nabla.float32) is x and x.device == nabla.device("cpu") and not x.is_cuda
    same(x.to(nabla.float64), tx.to(torch.float64))
    same(x.to("cpu", nabla.float64), tx.to("cpu", torch.float64))
    same(x.to(dtype=nabla.int64), tx.to(dtype=torch.int64))
    same(x.to(nabla.tensor([1])), tx.to(torch.tensor([1])))
    for method in ("long", "int", "short", "half", "bool", "float", "double"):
        same(getattr(x, method)(), getattr(tx, method)())
    same(x.type_as(nabla.tensor([1], dtype=nabla.int32)), tx.type_as(torch.tensor([1]).int()))
    copy = x.to(copy=True)
    assert copy is not x and np.array_equal(copy.data, x.data)
    before = x.data.copy()
    with pytest.raises(RuntimeError, match="CPU only"):
        x.to("cuda")
    with pytest.raises(RuntimeError, match="CPU only"):
        x.cuda()
    np.testing.assert_array_equal(x.data, before)
    # a cast is differentiable
    w = nabla.tensor([1.0, 2.0], requires_grad=True)
    (w.to(nabla.float64) * 3).sum().backward()
    np.testing.assert_array_equal(w.grad, [3.0, 3.0])
    assert w.grad.dtype == np.float32


# ---- size, view and the shape methods ------------------------------------------------------
SHAPES = [(), (5,), (2, 3), (2, 1, 4), (0, 3)]


@pytest.mark.parametrize("shape", SHAPES)
def test_size_is_numpys_count_and_torchs_method(shape) -> None:
    x, tx = nabla.zeros(shape), torch.zeros(shape)
    assert x.size == tx.numel() == x.numel() == np.prod(shape, dtype=int)
    assert isinstance(x.size, int) and np.zeros(x.size).shape == (tx.numel(),)
    assert x.size() == tuple(tx.size()) and isinstance(x.size(), nabla.Size)
    assert x.dim() == tx.dim() and x.shape == tuple(tx.shape)
    for d in range(-len(shape), len(shape)):
        assert x.size(d) == tx.size(d)
    for bad in (len(shape), -len(shape) - 1):
        with pytest.raises(IndexError) as theirs:
            tx.size(bad)
        with pytest.raises(IndexError, match="dimension"):
            x.size(bad)
        assert "imension" in str(theirs.value)
    assert pickle.loads(pickle.dumps(x.size)) == x.size
    assert repr(x.size) == str(int(x.size))


def test_size_object_like_torch_size() -> None:
    s, ts = nabla.zeros(6, 1, 5, 5).size(), torch.zeros(6, 1, 5, 5).size()
    assert repr(s) == "nabla.Size([6, 1, 5, 5])" and str(ts) == "torch.Size([6, 1, 5, 5])"
    assert s[1:] == tuple(ts[1:]) and isinstance(s[1:], nabla.Size) and s[0] == 6
    assert s.numel() == ts.numel() == 150 and nabla.Size([]).numel() == 1


@pytest.mark.parametrize(
    ("shape", "new"),
    [((2, 3), (-1,)), ((2, 3), (3, 2)), ((2, 3), ((6, 1),)), ((1, 16, 5, 5), (-1, 400))],
)
def test_view_like_torch_and_shares_memory(shape, new) -> None:
    a = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    x, tx = nabla.tensor(a), torch.tensor(a)
    v, tv = x.view(*new), tx.view(*new)
    same(v, tv)
    v.data.flat[0] = 100.0  # the view writes through to x, as PyTorch's
    tv.view(-1)[0] = 100.0
    assert x.data.flat[0] == tx.view(-1)[0].item() == 100.0
    same(x.view_as(nabla.zeros(tv.shape)), tx.view_as(torch.zeros(tv.shape)))
    same(x.reshape_as(nabla.zeros(tv.shape)), tx.reshape_as(torch.zeros(tv.shape)))


def test_view_errors_and_gradient() -> None:
    x = nabla.zeros(2, 3)
    with pytest.raises(RuntimeError, match=r"Use \.reshape"):
        torch.zeros(2, 3).t().view(6)
    with pytest.raises(RuntimeError, match=r"use \.reshape"):
        x.t().view(6)
    assert x.t().reshape(6).shape == (6,)  # reshape copies instead
    with pytest.raises(ValueError, match="invalid for 6 elements"):
        x.view(4)
    with pytest.raises(ValueError, match="only one dimension can be inferred"):
        x.view(-1, -1)
    with pytest.raises(TypeError, match="to change the dtype use"):
        x.view(nabla.float64)
    w = nabla.tensor(np.arange(6.0), requires_grad=True)
    (w.view(2, 3) * nabla.tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(w.grad, [1, 2, 3, 1, 2, 3])


def test_t_transpose_contiguous_like_torch() -> None:
    a = np.arange(24.0).reshape(2, 3, 4)
    x, tx = nabla.tensor(a), torch.tensor(a)
    same(x[0].t(), tx[0].t())
    same(x[0, 0].t(), tx[0, 0].t())
    assert x[0, 0].t() is x[0, 0].t() or x[0, 0].t().shape == (4,)
    with pytest.raises(ValueError, match="<= 2 dimensions"):
        x.t()
    for d0, d1 in [(0, 1), (1, 2), (0, -1), (2, 2)]:
        same(x.transpose(d0, d1), tx.transpose(d0, d1))
        same(nabla.transpose(x, d0, d1), torch.transpose(tx, d0, d1))
    same(x[0].transpose(0, 1), tx[0].transpose(0, 1))  # 2-D: PyTorch's swap
    np.testing.assert_array_equal(x.transpose().data, a.transpose())  # NumPy's forms stay
    np.testing.assert_array_equal(x.transpose((2, 0, 1)).data, a.transpose(2, 0, 1))
    with pytest.raises(ValueError, match="out of range"):
        x.transpose(0, 3)
    tr = x.transpose(0, 2)
    assert not tr.is_contiguous() and tr.contiguous().is_contiguous()
    same(tr.contiguous(), tx.transpose(0, 2).contiguous())
    assert x.contiguous() is x and x.is_floating_point()
    assert not nabla.tensor([1]).is_floating_point()


def test_arithmetic_methods_like_torch() -> None:
    a = np.array([[1.0, -2.0], [3.0, 0.5]], dtype=np.float32)
    b = np.array([[0.5, 4.0], [-1.0, 2.0]], dtype=np.float32)
    x, y, tx, ty = nabla.tensor(a), nabla.tensor(b), torch.tensor(a), torch.tensor(b)
    same(x.add(y), tx.add(ty))
    same(x.add(y, alpha=2), tx.add(ty, alpha=2))
    same(x.sub(y, alpha=0.5), tx.sub(ty, alpha=0.5))
    same(x.mul(y), tx.mul(ty))
    same(x.div(y), tx.div(ty))
    same(x.mm(y), tx.mm(ty), rtol=1e-6)
    same(x.pow(2), tx.pow(2))
    p, tp = nabla.tensor([1, 2, 3]), torch.tensor([1, 2, 3])
    xx, txx = nabla.linspace(-1, 1, 5).unsqueeze(-1), torch.linspace(-1, 1, 5).unsqueeze(-1)
    same(xx.pow(p), txx.pow(tp), rtol=1e-6, atol=1e-7)  # float32, as PyTorch's promotion
    same((x > 0).all(), (tx > 0).all())
    same((x > 0).any(dim=1), (tx > 0).any(dim=1))
    with pytest.raises(ValueError, match="both operands must be matrices"):
        x.mm(nabla.ones(2))


def test_new_factories_take_the_tensors_dtype_like_torch() -> None:
    for dt, tdt in [(nabla.float64, torch.float64), (nabla.int32, torch.int32)]:
        x, tx = nabla.ones(2, dtype=dt), torch.ones(2, dtype=tdt)
        same(x.new_zeros(2, 3), tx.new_zeros(2, 3))
        same(x.new_ones((3,)), tx.new_ones((3,)))
        same(x.new_full((2,), 7), tx.new_full((2,), 7))
        same(x.new_tensor([1, 2]), tx.new_tensor([1, 2]))
        assert x.new_empty(4).shape == (4,) and x.new_empty(4).dtype == dt
    x = nabla.ones(2)
    assert x.new_zeros(3, dtype=nabla.int64).dtype == np.int64
    t = x.new_ones(2, requires_grad=True)
    assert t.requires_grad and t.is_leaf


# ---- graph inspection, grad, backward ------------------------------------------------------
def test_grad_fn_and_next_functions() -> None:
    w = nabla.tensor([1.0, 2.0], requires_grad=True)
    x = nabla.tensor([3.0, 4.0])
    loss = (w * x).relu().sum()
    assert loss.grad_fn is not None and w.grad_fn is None and "Sum" in repr(loss.grad_fn)
    (relu_node, index) = loss.grad_fn.next_functions[0]
    assert index == 0 and "Relu" in repr(relu_node)
    mul_node = relu_node.next_functions[0][0]
    (acc, _), (none, _) = mul_node.next_functions
    assert repr(acc) == "<AccumulateGrad>" and acc.variable is w and none is None
    assert acc.next_functions == ()
    loss.backward()
    assert loss.grad_fn.next_functions == ()  # freed by backward, as documented


def test_grad_array_zero_and_accumulation_like_torch() -> None:
    """The autograd tutorial's inp.grad.zero_(): nabla's .grad is a NumPy array with it."""
    inp, tinp = nabla.eye(4, 5, requires_grad=True), torch.eye(4, 5, requires_grad=True)
    out, tout = (inp + 1).pow(2).t(), (tinp + 1).pow(2).t()
    for zero in (False, True, False):
        if zero:
            assert inp.grad.zero_() is inp.grad
            tinp.grad.zero_()
        out.backward(nabla.ones_like(out), retain_graph=True)
        tout.backward(torch.ones_like(tout), retain_graph=True)
        np.testing.assert_array_equal(inp.grad, tinp.grad.numpy())
    g = inp.grad
    assert isinstance(g, np.ndarray) and isinstance(g, GradArray)
    assert type(g * 2) is np.ndarray and type(g.sum()) is np.float32  # no spreading
    assert repr(g).startswith("array(") and type(g.numpy()) is np.ndarray
    g.fill_(1.0).mul_(3).add_(nabla.ones(4, 5), alpha=2).sub_(1).div_(2)
    np.testing.assert_array_equal(g, np.full((4, 5), 2.0))
    g.copy_(np.arange(20.0).reshape(4, 5)).clamp_(2, 5)
    np.testing.assert_array_equal(g, np.clip(np.arange(20.0).reshape(4, 5), 2, 5))


def test_grad_assignment() -> None:
    w = nabla.zeros(2, requires_grad=True)
    w.grad = nabla.tensor([1.0, 2.0])  # a tensor, as in PyTorch, stored as its array
    assert isinstance(w.grad, GradArray) and w.grad.tolist() == [1.0, 2.0]
    assert w.grad is w.grad  # the same array each time (zero_() then sticks)
    w.grad = np.zeros(2, dtype=np.float32)
    assert isinstance(w.grad, GradArray) and w.grad.dtype == np.float32
    w.grad = None
    assert w.grad is None


def test_backward_takes_torchs_gradient_keyword() -> None:
    a, ta = (
        nabla.tensor([2.0, 3.0], requires_grad=True),
        torch.tensor([2.0, 3.0], requires_grad=True),
    )
    (3 * a**3).backward(gradient=nabla.tensor([1.0, 0.5]))
    (3 * ta**3).backward(gradient=torch.tensor([1.0, 0.5]))
    np.testing.assert_allclose(a.grad, ta.grad.numpy())
    with pytest.raises(TypeError, match="give one of them"):
        (a * 2).backward(np.ones(2), gradient=np.ones(2))


def test_set_grad_enabled_as_call_block_and_decorator() -> None:
    x = nabla.ones(2, requires_grad=True)
    with nabla.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert nabla.is_grad_enabled()

    @nabla.set_grad_enabled(False)
    def f():
        return x * 2

    assert nabla.is_grad_enabled() and not f().requires_grad and nabla.is_grad_enabled()
    try:
        nabla.set_grad_enabled(False)
        assert not nabla.is_grad_enabled()
    finally:
        nabla.set_grad_enabled(True)
    assert nabla.is_grad_enabled()


# ---- top-level functions -------------------------------------------------------------------
MATH = ["sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "sign"]
MATH += ["floor", "ceil", "log2", "log10", "log1p", "expm1", "sinh", "cosh", "atan", "rsqrt"]


@pytest.mark.parametrize("name", MATH)
def test_math_functions_at_the_top_level_like_torch(name) -> None:
    a = np.array([0.3, 1.7, 2.5], dtype=np.float32)
    same(getattr(nabla, name)(nabla.tensor(a)), getattr(torch, name)(torch.tensor(a)), rtol=2e-6)


def test_cat_stack_flatten_where_like_torch() -> None:
    a = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    x, tx = nabla.tensor(a), torch.tensor(a)
    same(nabla.cat([x, x, x], dim=1), torch.cat([tx, tx, tx], dim=1))
    same(nabla.cat((x, x)), torch.cat((tx, tx)))
    same(nabla.stack([x, x], dim=2), torch.stack([tx, tx], dim=2))
    same(nabla.stack([x, x]), torch.stack([tx, tx]))
    y, ty = nabla.zeros(2, 3, 4, 5), torch.zeros(2, 3, 4, 5)
    same(nabla.flatten(y, 1), torch.flatten(ty, 1))
    same(nabla.flatten(y, 1, 2), torch.flatten(ty, 1, 2))
    same(nabla.flatten(y), torch.flatten(ty))
    same(nabla.where(x > 2, x, nabla.zeros(1)), torch.where(tx > 2, tx, torch.zeros(1)))
    assert nabla.numel(y) == torch.numel(ty) and nabla.is_tensor(y) and not nabla.is_tensor(a)
    assert nabla.allclose(x, x + 1e-9) and not nabla.allclose(x, x + 1)
    assert nabla.equal(x, nabla.tensor(a)) and not nabla.equal(x, x.view(3, 2))
    same(nabla.mm(x, x.t()), torch.mm(tx, tx.t()))
    same(nabla.t(x), torch.t(tx))


def test_out_argument_like_torch() -> None:
    a = np.arange(4.0, dtype=np.float32).reshape(2, 2)
    x, tx = nabla.tensor(a), torch.tensor(a)
    out, tout = nabla.zeros(2, 2), torch.zeros(2, 2)
    array = out.numpy()
    assert nabla.matmul(x, x.T, out=out) is out
    torch.matmul(tx, tx.T, out=tout)
    same(out, tout)
    assert np.shares_memory(array, out.data)  # written in place
    for name in ("add", "sub", "mul", "div"):
        getattr(nabla, name)(x, x + 1, out=out)
        getattr(torch, name)(tx, tx + 1, out=tout)
        same(out, tout)
    resized = nabla.zeros(1)
    nabla.add(x, 1, out=resized)
    assert resized.shape == (2, 2)
    w = nabla.ones(2, 2, requires_grad=True)
    before = out.data.copy()
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        nabla.mul(w, x, out=out)
    np.testing.assert_array_equal(out.data, before)
    with pytest.raises(TypeError, match="out must be a nabla Tensor"):
        nabla.add(x, x, out=np.zeros((2, 2)))


def test_every_autograd_function_is_also_at_the_top_level() -> None:
    """``nabla.sin(x)`` as ``torch.sin(x)``: each public op of nabla.autograd is exported."""
    import nabla.autograd as autograd

    internal = {"Function", "GradcheckError", "apply", "gradcheck", "getitem"}
    missing = [n for n in autograd.__all__ if n not in internal and not hasattr(nabla, n)]
    assert not missing, f"add these to nabla/__init__.py: {missing}"


def test_reductions_take_torchs_dim_and_keepdim() -> None:
    a = np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32)
    x, tx = nabla.tensor(a), torch.tensor(a)
    for name in ("sum", "mean", "logsumexp"):
        for keep in (False, True):
            ours = getattr(x, name)(dim=1, keepdim=keep)
            same(ours, getattr(tx, name)(dim=1, keepdim=keep), rtol=1e-6, atol=1e-6)
    same(x.max(dim=0), tx.max(dim=0).values)  # the values only (documented)
    same(x.min(dim=1, keepdim=True), tx.min(dim=1, keepdim=True).values)
    same(x.var(dim=1, correction=1), tx.var(dim=1), rtol=1e-5)
    same(x.var(dim=1), tx.var(dim=1, correction=0), rtol=1e-5)  # NumPy's default ddof=0
    same(x.softmax(dim=0), tx.softmax(dim=0), rtol=1e-6)
    same(x.log_softmax(dim=1), tx.log_softmax(dim=1), rtol=1e-6, atol=1e-6)
    with pytest.raises(TypeError, match="give one of them"):
        x.sum(1, dim=1)
    with pytest.raises(TypeError, match="unexpected keyword argument 'dims'"):
        x.mean(dims=1)


def test_data_detach_and_requires_grad_like_torch() -> None:
    """``.data`` is the NumPy array itself: assign an array, or update it in place."""
    w = nabla.tensor([1.0, 2.0], requires_grad=True)
    w.data = np.array([3.0, 4.0], dtype=np.float32)
    (w * w).sum().backward()
    np.testing.assert_array_equal(w.grad, [6.0, 8.0])
    w.data -= 0.5 * w.grad  # PyTorch's p.data.sub_(lr * p.grad)
    assert w.tolist() == [0.0, 0.0] and w.is_leaf and w.requires_grad
    d, td = w.detach(), torch.tensor([1.0], requires_grad=True).detach()
    assert d.requires_grad == td.requires_grad is False and np.shares_memory(d.data, w.data)
    x = nabla.zeros(2).requires_grad_()
    assert x.requires_grad and x.is_leaf and x.requires_grad_(False) is x and not x.requires_grad
