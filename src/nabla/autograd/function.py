"""Custom differentiable functions in PyTorch's form: ``class F(nabla.autograd.Function)``
with ``@staticmethod forward(ctx, ...)`` and ``@staticmethod backward(ctx, grad_output)``,
called as ``F.apply(...)``.

>>> import nabla
>>> class Cube(nabla.autograd.Function):
...     @staticmethod
...     def forward(ctx, x):
...         ctx.save_for_backward(x)
...         return x ** 3
...
...     @staticmethod
...     def backward(ctx, grad_output):
...         (x,) = ctx.saved_tensors
...         return grad_output * 3 * x ** 2
>>> x = nabla.tensor([1.0, 2.0], requires_grad=True)
>>> Cube.apply(x).sum().backward()
>>> x.grad
array([ 3., 12.], dtype=float32)

Two forms of ``Function`` live in this one class. nabla's own ops subclass it with
*instance* methods on NumPy arrays (``forward(self, *arrays)``, ``backward(self, g)``,
settings in ``__init__``; see ``engine.py``) and run through ``nabla.autograd.apply``. A
subclass whose ``forward`` is a ``@staticmethod`` is PyTorch's form, on tensors:

* ``forward(ctx, *args)`` runs under ``no_grad`` and returns one tensor; the arguments may
  be tensors or anything else (numbers, flags);
* ``ctx.save_for_backward(*tensors)`` keeps tensors for ``backward``, read back as
  ``ctx.saved_tensors``; any other attribute can be set on ``ctx`` too;
  ``ctx.needs_input_grad`` has one bool per argument of ``forward``;
* ``backward(ctx, grad_output)`` gets the gradient of the output (a tensor) and returns one
  gradient per argument of ``forward`` (None where there is none, e.g. for a number), each
  of the argument's shape or one that broadcasts to it; it runs under ``no_grad``;
* instead of taking ``ctx`` in ``forward``, PyTorch's newer form ``forward(*args)`` plus
  ``@staticmethod setup_context(ctx, inputs, output)`` works too.

The node recorded in the graph is the ``ctx`` (``y.grad_fn``, shown as ``<FBackward>``).
Differences from PyTorch: one output per function, and no gradient of the gradient
(``backward`` is not recorded).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nabla.autograd import engine
from nabla.autograd.engine import _FREED, _GradMode, no_grad, record
from nabla.autograd.tensor import Tensor, _to_array


def _class_attr(cls: type, name: str) -> Any:
    """The raw class attribute (a staticmethod stays one), found along the MRO."""
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    return None


class Function(engine.Function):
    """The base of differentiable functions; see the module docstring for its two forms."""

    _static = False  # True for PyTorch's form (a staticmethod forward)
    _node: type[_Node]  # the node class of PyTorch's form, made per subclass

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._static = isinstance(_class_attr(cls, "forward"), staticmethod)
        if cls._static:
            cls._node = type(f"{cls.__name__}Backward", (_Node,), {"_cls": cls})

    @classmethod
    def apply(cls, *args: Any) -> Tensor:
        """Run ``forward`` on ``args`` and record the call so that ``backward`` reaches the
        tensors among them (PyTorch's ``Function.apply``)."""
        if not cls._static:
            raise TypeError(
                f"{cls.__name__}.apply: this Function defines forward as an instance method on "
                f"arrays (nabla's op form): call nabla.autograd.apply({cls.__name__}(...), "
                f"*tensors). For PyTorch's form, make forward and backward @staticmethods."
            )
        ctx = cls._node()
        tensors = tuple(a for a in args if isinstance(a, Tensor))
        grad_on = _GradMode.enabled
        ctx.needs_input_grad = tuple(
            isinstance(a, Tensor) and a._requires_grad and grad_on for a in args
        )
        ctx.arg_is_tensor = tuple(isinstance(a, Tensor) for a in args)
        setup = _class_attr(cls, "setup_context")
        with no_grad():
            if isinstance(setup, staticmethod):
                out = cls.forward(*args)
                cls.setup_context(ctx, args, out)  # type: ignore[attr-defined]
            else:
                out = cls.forward(ctx, *args)
        if isinstance(out, (tuple, list)):
            raise TypeError(
                f"{cls.__name__}.forward returned {len(out)} outputs; nabla's custom Functions "
                f"return one tensor (stack the outputs, or write one Function per output)"
            )
        data = out.data if isinstance(out, Tensor) else _to_array(out, None, cls.__name__)
        result = Tensor._wrap(data)
        needs = tuple(t._requires_grad for t in tensors)
        if grad_on and True in needs and id(out) not in ctx.__dict__.get("_non_diff", ()):
            if data.dtype.kind != "f":
                raise TypeError(
                    f"{cls.__name__}.forward returned dtype {data.dtype}; only a floating-point "
                    f"output can require grad (mark it with ctx.mark_non_differentiable)"
                )
            record(ctx, result, tensors, needs)
        return result


class _Node(engine.Function):
    """The node of one ``F.apply`` call, and the ``ctx`` its forward and backward see."""

    _cls: type[Function]
    needs_input_grad: tuple[bool, ...]
    arg_is_tensor: tuple[bool, ...]

    @property
    def name(self) -> str:
        return self._cls.__name__

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep ``tensors`` (or None) for ``backward``; read them as ``saved_tensors``."""
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    f"save_for_backward: expected tensors or None, got {type(t).__name__}; "
                    f"store other values as attributes of ctx (ctx.value = ...)"
                )
        self._saved = tensors

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        if "needs_input_grad" not in self.__dict__:  # the graph was freed by backward()
            raise RuntimeError(_FREED)
        return self.__dict__.get("_saved", ())

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        """The output given here gets no gradient (it will not require grad)."""
        self._non_diff = {id(t) for t in tensors}

    def set_materialize_grads(self, value: bool) -> None:
        """Accepted for PyTorch's code; nabla's ``backward`` always gets a gradient tensor."""

    def backward(self, g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        cls = self._cls
        if not isinstance(_class_attr(cls, "backward"), staticmethod):
            raise NotImplementedError(
                f"{cls.__name__} defines no backward: add @staticmethod backward(ctx, grad)"
            )
        with no_grad():
            grads = cls.backward(self, Tensor._wrap(g))
        if not isinstance(grads, tuple):
            grads = (grads,)
        n = len(self.arg_is_tensor)
        if len(grads) != n:
            raise RuntimeError(
                f"{cls.__name__}.backward returned {len(grads)} gradients, but forward took "
                f"{n} arguments: return one per argument (None where there is none)"
            )
        out: list[np.ndarray | None] = []
        for i, (gi, is_tensor) in enumerate(zip(grads, self.arg_is_tensor)):
            if not is_tensor:
                if gi is not None:
                    raise RuntimeError(
                        f"{cls.__name__}.backward returned a gradient for argument {i}, which "
                        f"is not a tensor; return None there"
                    )
                continue
            out.append(None if gi is None else self._checked(gi, len(out), i))
        return tuple(out)

    def _checked(self, gi: Any, k: int, i: int) -> np.ndarray:
        arr = np.asarray(gi.data if isinstance(gi, Tensor) else gi)
        shape = self.inputs[k].data.shape  # type: ignore[index]
        try:
            fits = np.broadcast_shapes(shape, arr.shape) == arr.shape
        except ValueError:
            fits = False
        if not fits:
            raise RuntimeError(
                f"{self._cls.__name__}.backward returned a gradient of shape {arr.shape} for "
                f"argument {i}, whose shape is {shape}"
            )
        return arr
