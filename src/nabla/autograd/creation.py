"""Tensor factories with PyTorch's names and signatures.

The shape is given as PyTorch allows, ``zeros(2, 3)`` or ``zeros((2, 3))`` (``zeros(())``
is a scalar). Every factory takes ``dtype=`` (a NumPy dtype or a name from
``nabla.float32``, ``nabla.long``, ...), ``device=`` (the CPU only; see ``device.py``) and
``requires_grad=``. Defaults follow PyTorch: floating factories give float32; ``arange``
gives int64 when all its arguments are integers; ``full`` takes its dtype from the fill
value (bool, int64 or float32). Random factories draw from ``generator=`` (a
``nabla.Generator``, a NumPy Generator or an int seed; nabla's older ``rng=`` is the same)
or else from the default generator that ``nabla.manual_seed`` resets.

``from_numpy`` and ``as_tensor`` share memory with a NumPy array (no copy); ``tensor``
always copies, as in PyTorch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, SupportsIndex

import numpy as np

from nabla.autograd.device import check_device
from nabla.autograd.dtypes import resolve_dtype
from nabla.autograd.generator import get_rng
from nabla.autograd.tensor import Tensor, _check_numeric, _to_array

Shape = int | Sequence[int]


def _shape(size: tuple[Any, ...], who: str) -> tuple[int, ...]:
    """``(2, 3)`` from ``(2, 3)`` or ``((2, 3),)``; each a non-negative int."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    dims = []
    for n in size:
        if isinstance(n, bool) or not isinstance(n, SupportsIndex):
            raise TypeError(
                f"{who}: the size must be ints, as {who}(2, 3) or {who}((2, 3)); "
                f"got {type(n).__name__} {n!r}"
            )
        if n.__index__() < 0:
            raise ValueError(f"{who}: sizes must be non-negative, got {tuple(size)}")
        dims.append(n.__index__())
    return tuple(dims)


def _make(arr: np.ndarray, device: Any, requires_grad: bool, who: str) -> Tensor:
    check_device(device, who)
    return Tensor(arr, requires_grad=requires_grad)


def _float_dtype(dtype: Any, who: str) -> np.dtype:
    dt = resolve_dtype(dtype, who)
    if dt is None:
        return np.dtype(np.float32)
    if dt.kind != "f":
        raise TypeError(f"{who}: this factory makes floating-point data; got dtype {dt}")
    return dt


def _rng_arg(generator: Any, rng: Any, who: str) -> np.random.Generator:
    if generator is not None and rng is not None:
        raise TypeError(f"{who}: got both generator and rng; give one of them")
    return get_rng(rng if generator is None else generator, who)


# ---- filled --------------------------------------------------------------------------
def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros (float32 unless ``dtype`` says otherwise)."""
    dt = resolve_dtype(dtype, "zeros") or np.float32
    return _make(np.zeros(_shape(size, "zeros"), dt), device, requires_grad, "zeros")


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones (float32 unless ``dtype`` says otherwise)."""
    dt = resolve_dtype(dtype, "ones") or np.float32
    return _make(np.ones(_shape(size, "ones"), dt), device, requires_grad, "ones")


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor (its values are whatever the memory held, as NumPy's)."""
    dt = resolve_dtype(dtype, "empty") or np.float32
    return _make(np.empty(_shape(size, "empty"), dt), device, requires_grad, "empty")


def _fill_dtype(value: Any) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return np.bool_
    if isinstance(value, (int, np.integer)):
        return np.int64
    return np.float32


def full(
    size: Shape,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor filled with ``fill_value``; the dtype follows the value as PyTorch's
    (bool, int64 for an integer, float32 otherwise) unless ``dtype`` is given."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    shape = _shape((size,) if isinstance(size, (int, np.integer)) else (tuple(size),), "full")
    dt = resolve_dtype(dtype, "full") or _fill_dtype(fill_value)
    return _make(np.full(shape, fill_value, dt), device, requires_grad, "full")


def eye(
    n: int,
    m: int | None = None,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """The ``n`` x ``m`` identity (``m = n`` by default)."""
    shape = _shape((n,) if m is None else (n, m), "eye")
    dt = resolve_dtype(dtype, "eye") or np.float32
    return _make(np.eye(shape[0], shape[-1], dtype=dt), device, requires_grad, "eye")


# ---- ranges --------------------------------------------------------------------------
def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``start, start + step, ...`` up to ``end`` (excluded); ``arange(n)`` is ``0..n-1``.

    int64 when every argument is an integer, else float32 (the values are computed in
    float64 and then rounded, as PyTorch's).
    """
    if end is None:
        start, end = 0, start
    args = [a.item() if isinstance(a, Tensor) else a for a in (start, end, step)]
    if args[2] == 0:
        raise ValueError("arange: step must be nonzero")
    integral = all(isinstance(a, (int, np.integer)) for a in args)
    dt = resolve_dtype(dtype, "arange") or (np.int64 if integral else np.float32)
    arr = np.arange(*args, dtype=np.int64 if integral else np.float64).astype(dt)
    return _make(arr, device, requires_grad, "arange")


def linspace(
    start: float,
    end: float,
    steps: int,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    (steps,) = _shape((steps,), "linspace")
    dt = _float_dtype(dtype, "linspace")
    arr = np.linspace(float(start), float(end), steps).astype(dt)
    return _make(arr, device, requires_grad, "linspace")


def logspace(
    start: float,
    end: float,
    steps: int,
    base: float = 10.0,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``base ** linspace(start, end, steps)``."""
    (steps,) = _shape((steps,), "logspace")
    dt = _float_dtype(dtype, "logspace")
    arr = np.logspace(float(start), float(end), steps, base=float(base)).astype(dt)
    return _make(arr, device, requires_grad, "logspace")


# ---- random --------------------------------------------------------------------------
def rand(
    *size: Any,
    generator: Any = None,
    rng: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Uniform samples on [0, 1)."""
    dt = _float_dtype(dtype, "rand")
    gen = _rng_arg(generator, rng, "rand")
    arr = gen.random(_shape(size, "rand"), dtype=np.float64 if dt == np.float64 else np.float32)
    return _make(arr.astype(dt, copy=False), device, requires_grad, "rand")


def randn(
    *size: Any,
    generator: Any = None,
    rng: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Standard normal samples."""
    dt = _float_dtype(dtype, "randn")
    gen = _rng_arg(generator, rng, "randn")
    shape = _shape(size, "randn")
    arr = gen.standard_normal(shape, dtype=np.float64 if dt == np.float64 else np.float32)
    return _make(arr.astype(dt, copy=False), device, requires_grad, "randn")


def randint(
    *args: Any,
    low: Any = None,
    high: Any = None,
    size: Any = None,
    generator: Any = None,
    rng: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Integers drawn uniformly from [low, high): ``randint(high, size)`` or
    ``randint(low, high, size)`` (or by keyword), as PyTorch's; int64 unless ``dtype`` is
    given."""
    rest = list(args)
    if size is None and rest and isinstance(rest[-1], (tuple, list)):
        size = rest.pop()
    if high is None and rest:
        high = rest.pop()
    if low is None:
        low = rest.pop() if rest else 0
    if rest or size is None or high is None:
        raise TypeError(
            "randint: call it as randint(high, size) or randint(low, high, size), with size "
            "a tuple such as (3,)"
        )
    if high <= low:
        raise ValueError(f"randint: need low < high, got low={low}, high={high}")
    dt = resolve_dtype(dtype, "randint") or np.int64
    gen = _rng_arg(generator, rng, "randint")
    arr = gen.integers(low, high, _shape((size,), "randint"), dtype=np.int64).astype(dt)
    return _make(arr, device, requires_grad, "randint")


def randperm(
    n: int,
    *,
    generator: Any = None,
    rng: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A random permutation of ``0..n-1`` (int64 unless ``dtype`` is given)."""
    (n,) = _shape((n,), "randperm")
    dt = resolve_dtype(dtype, "randperm") or np.int64
    arr = _rng_arg(generator, rng, "randperm").permutation(n).astype(dt)
    return _make(arr, device, requires_grad, "randperm")


# ---- *_like --------------------------------------------------------------------------
def _like(input: Any, dtype: Any, who: str) -> tuple[tuple[int, ...], np.dtype]:
    arr = input.data if isinstance(input, Tensor) else np.asarray(input)
    return arr.shape, resolve_dtype(dtype, who) or arr.dtype


def zeros_like(
    input: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    shape, dt = _like(input, dtype, "zeros_like")
    return zeros(shape, dtype=dt, device=device, requires_grad=requires_grad)


def ones_like(
    input: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    shape, dt = _like(input, dtype, "ones_like")
    return ones(shape, dtype=dt, device=device, requires_grad=requires_grad)


def empty_like(
    input: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    shape, dt = _like(input, dtype, "empty_like")
    return empty(shape, dtype=dt, device=device, requires_grad=requires_grad)


def full_like(
    input: Any,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    shape, dt = _like(input, dtype, "full_like")
    return full(shape, fill_value, dtype=dt, device=device, requires_grad=requires_grad)


def rand_like(
    input: Any,
    *,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    shape, dt = _like(input, dtype, "rand_like")
    return rand(shape, generator=generator, dtype=dt, device=device, requires_grad=requires_grad)


def randn_like(
    input: Any,
    *,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    shape, dt = _like(input, dtype, "randn_like")
    return randn(shape, generator=generator, dtype=dt, device=device, requires_grad=requires_grad)


# ---- from data -----------------------------------------------------------------------
def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``ndarray`` (changes to one show in the other)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(ndarray).__name__}")
    _check_numeric(ndarray, "from_numpy")
    return Tensor._wrap(ndarray)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a tensor without a copy where possible: a tensor of the same dtype is
    returned as is, a NumPy array of the same dtype is shared; anything else is converted
    (Python floats become float32)."""
    dt = resolve_dtype(dtype, "as_tensor")
    check_device(device, "as_tensor")
    if isinstance(data, Tensor):
        return data if dt is None or data.data.dtype == dt else data.astype(dt)
    return Tensor._wrap(_to_array(data, dt, "as_tensor"))
