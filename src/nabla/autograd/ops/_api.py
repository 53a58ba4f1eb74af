"""How an op module meets the Tensor API: binding a function as a ``Tensor`` method (one line
per method, next to the op) and PyTorch's argument names (``dim``, ``keepdim``) accepted
beside nabla's NumPy ones (``axis``, ``keepdims``)."""

from __future__ import annotations

from typing import Any

from nabla.autograd.tensor import Tensor


def tensor_method(name: str, fn: Any) -> None:
    """Make ``fn`` the method ``Tensor.<name>``: ``x.name(*args)`` calls ``fn(x, *args)``.

    Refuses a name that ``Tensor`` (or another op module) already defines, so that one method
    never has two implementations, whichever module is imported last.
    """
    old = Tensor.__dict__.get(name)
    module = getattr(fn, "__module__", None)
    qualname = getattr(fn, "__qualname__", None)
    # the same function again (a module reloaded) is no conflict
    same = (
        module is not None
        and qualname is not None
        and (getattr(old, "__module__", None), getattr(old, "__qualname__", None))
        == (module, qualname)
    )
    if old is not None and old is not fn and not same:
        raise RuntimeError(
            f"Tensor.{name} is defined twice: by {getattr(old, '__module__', 'tensor.py')} and "
            f"by {module}; keep one of them."
        )
    setattr(Tensor, name, fn)


def axis_arg(axis: Any, dim: Any, who: str, dim_name: str = "dim") -> Any:
    """``axis`` (nabla's name) or ``dim`` (PyTorch's); giving both is a ``TypeError``."""
    if dim is None:
        return axis
    if axis is not None:
        raise TypeError(f"{who}: got both axis={axis!r} and {dim_name}={dim!r}; give one of them")
    return dim


def keepdims_arg(keepdims: bool, keepdim: bool | None) -> bool:
    """``keepdims`` (NumPy's name) unless PyTorch's ``keepdim`` is given."""
    return bool(keepdims if keepdim is None else keepdim)
