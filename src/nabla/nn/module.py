"""``Module``: the base of every layer and network (the MLP lecture "Layer specification").

A module holds parameters, buffers and sub-modules as attributes; assigning a ``Parameter``
or a ``Module`` to an attribute registers it (as in PyTorch), and the dotted names of
``named_parameters()`` / ``state_dict()`` follow the attribute names. The backward of a
module is not written by hand: ``forward`` uses differentiable ops and the autograd engine
runs the chain rule (the notes' delta^[l-1] = sum_o delta_o^[l] dz_o^[l] / dz^[l-1]).
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from nabla.autograd.tensor import Tensor
from nabla.nn.parameter import Parameter

_hook_ids = itertools.count()


class RemovableHandle:
    """Returned by ``register_forward_hook``: ``handle.remove()`` (or leaving a ``with``
    block) unregisters the hook."""

    def __init__(self, hooks: dict[int, Any]) -> None:
        self._hooks = hooks
        self.id = next(_hook_ids)

    def remove(self) -> None:
        self._hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict`` found missing from, or unexpected in, a state dict."""

    missing_keys: list[str]
    unexpected_keys: list[str]


def _addindent(s: str, n: int) -> str:
    lines = s.split("\n")
    return lines[0] + "".join("\n" + " " * n + line for line in lines[1:])


class Module:
    """Base class of layers and networks, with PyTorch's interface.

    Subclasses call ``super().__init__()`` first, assign parameters / sub-modules as
    attributes, and define ``forward``. Calling the module runs the forward pre-hooks,
    ``forward`` and the forward hooks.

    Examples
    --------
    >>> import numpy as np, nabla
    >>> from nabla import nn
    >>> class Net(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = nn.Linear(3, 4, rng=0)
    ...         self.out = nn.Linear(4, 2, rng=1)
    ...     def forward(self, x):
    ...         return self.out(self.hidden(x).sigmoid())
    >>> net = Net()
    >>> [name for name, _ in net.named_parameters()]
    ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
    >>> sum(p.size for p in net.parameters())  # the course notes: 3-4-2 has 26 parameters
    26
    >>> net(nabla.tensor(np.ones((5, 3), dtype=np.float32))).shape
    (5, 2)
    """

    training: bool
    _parameters: dict[str, Parameter | None]
    _buffers: dict[str, Tensor | None]
    _non_persistent: set[str]
    _modules: dict[str, Module | None]
    _forward_hooks: dict[int, Callable[..., Any]]
    _forward_pre_hooks: dict[int, Callable[..., Any]]

    def __init__(self) -> None:
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent"] = set()
        d["_modules"] = {}
        d["_forward_hooks"] = {}
        d["_forward_pre_hooks"] = {}

    # ---- calling ----------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._forward_pre_hooks or self._forward_hooks:
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    def _call_with_hooks(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        for hook in list(self._forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        out = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            result = hook(self, args, out)
            if result is not None:
                out = result
        return out

    def register_forward_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """``hook(module, args)`` runs before ``forward``; a non-None result replaces args."""
        self._check_init("register_forward_pre_hook")
        if not callable(hook):
            raise TypeError(f"register_forward_pre_hook: hook must be callable, got {hook!r}")
        handle = RemovableHandle(self._forward_pre_hooks)
        self._forward_pre_hooks[handle.id] = hook
        return handle

    def register_forward_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """``hook(module, args, output)`` runs after ``forward``; a non-None result replaces
        the output."""
        self._check_init("register_forward_hook")
        if not callable(hook):
            raise TypeError(f"register_forward_hook: hook must be callable, got {hook!r}")
        handle = RemovableHandle(self._forward_hooks)
        self._forward_hooks[handle.id] = hook
        return handle

    # ---- registration -----------------------------------------------------------------
    def _check_init(self, who: str) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"{who}: call super().__init__() in {type(self).__name__}.__init__ before "
                "assigning parameters, buffers or sub-modules"
            )

    def _check_name(self, name: Any, who: str) -> None:
        if not isinstance(name, str):
            raise TypeError(f"{who}: name must be a str, got {type(name).__name__}")
        if not name or "." in name:
            raise KeyError(f"{who}: name must be non-empty and contain no '.', got {name!r}")

    def _forget(self, name: str) -> None:
        for store in (self._parameters, self._buffers, self._modules):
            store.pop(name, None)
        self._non_persistent.discard(name)

    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            self._check_init(f"assigning parameter '{name}'")
            self._forget(name)
            params[name] = value  # type: ignore[index]
        elif isinstance(value, Module):
            self._check_init(f"assigning module '{name}'")
            self._forget(name)
            self._modules[name] = value
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign {type(value).__name__} as parameter '{name}' of "
                    f"{type(self).__name__} (nabla.nn.Parameter or None expected)"
                )
            params[name] = None
        elif params is not None and name in self._modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign {type(value).__name__} as child module '{name}' of "
                    f"{type(self).__name__} (nabla.nn.Module or None expected)"
                )
            self._modules[name] = None
        elif params is not None and name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign {type(value).__name__} as buffer '{name}' of "
                    f"{type(self).__name__} (nabla.Tensor or None expected)"
                )
            self._buffers[name] = value
        d[name] = value

    def __getattr__(self, name: str) -> Any:
        # registered parameters, buffers and modules live in __dict__ (fast attribute
        # access); this runs only for names that do not exist
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        if "_parameters" in self.__dict__:
            self._forget(name)
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or None: a declared but absent parameter, like ``bias=False``)."""
        self._check_init("register_parameter")
        self._check_name(name, "register_parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"register_parameter: '{name}' must be a nabla.nn.Parameter or None, "
                f"got {type(param).__name__}"
            )
        self._forget(name)
        self._parameters[name] = param
        self.__dict__[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a state tensor that is not a parameter (e.g. BatchNorm's running mean).

        Persistent buffers are part of ``state_dict()``.
        """
        self._check_init("register_buffer")
        self._check_name(name, "register_buffer")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"register_buffer: '{name}' must be a nabla.Tensor or None, "
                f"got {type(tensor).__name__}"
            )
        self._forget(name)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent.add(name)
        self.__dict__[name] = tensor

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module under ``name``."""
        self._check_init("add_module")
        self._check_name(name, "add_module")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {type(module).__name__} is not a nabla.nn.Module")
        self._forget(name)
        self._modules[name] = module
        self.__dict__[name] = module

    register_module = add_module

    # ---- traversal --------------------------------------------------------------------
    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and every descendant (each once), with dotted names."""
        seen: set[int] = set()
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            name, m = stack.pop()
            if id(m) in seen:
                continue
            seen.add(id(m))
            yield name, m
            children = [
                (f"{name}.{k}" if name else k, c) for k, c in m._modules.items() if c is not None
            ]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        """This module and every descendant (each once), depth first."""
        seen: set[int] = set()
        stack: list[Module] = [self]
        while stack:
            m = stack.pop()
            if id(m) in seen:
                continue
            seen.add(id(m))
            yield m
            stack.extend(c for c in reversed(m._modules.values()) if c is not None)

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen: set[int] = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def _named(self, store: str, prefix: str, recurse: bool) -> Iterator[tuple[str, Tensor]]:
        seen: set[int] = set()
        mods = self.named_modules(prefix) if recurse else iter([(prefix, self)])
        for mname, m in mods:
            for k, t in getattr(m, store).items():
                if t is None or id(t) in seen:
                    continue
                seen.add(id(t))
                yield (f"{mname}.{k}" if mname else k), t

    def named_parameters(
        self, prefix: str = "", recurse: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) pairs; a parameter shared by two modules appears once."""
        return self._named("_parameters", prefix, recurse)  # type: ignore[return-value]

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        if not recurse:
            yield from (p for p in self._parameters.values() if p is not None)
            return
        # the hot path of zero_grad and of optimisers: no names built
        seen: set[int] = set()
        for m in self.modules():
            for p in m._parameters.values():
                if p is not None and id(p) not in seen:
                    seen.add(id(p))
                    yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        return self._named("_buffers", prefix, recurse)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every sub-module (children first) and on this module."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    def get_submodule(self, target: str) -> Module:
        """The sub-module at a dotted path such as ``'features.0'``."""
        m: Module = self
        for part in target.split(".") if target else []:
            child = m._modules.get(part)
            if child is None:
                raise AttributeError(f"{type(m).__name__} has no sub-module '{part}' ({target!r})")
            m = child
        return m

    # ---- modes and gradients ------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set training mode (dropout active, batch statistics) here and below; returns self."""
        if not isinstance(mode, (bool, np.bool_)):
            raise TypeError(f"train: mode must be a bool, got {type(mode).__name__} {mode!r}")
        for m in self.modules():
            m.__dict__["training"] = bool(mode)
        return self

    def eval(self) -> Module:
        """Set evaluation mode (``train(False)``); returns self."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Turn gradients of every parameter on or off (freeze a part of a network)."""
        for p in self.parameters():
            p.requires_grad = bool(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of every parameter (None, or zero-filled arrays)."""
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad = np.zeros_like(p.data)

    def to(self, dtype: Any) -> Module:
        """Convert every floating-point parameter and buffer to ``dtype`` in place (the
        Parameter objects stay the same, so optimisers that hold them keep working)."""
        dt = np.dtype(dtype)
        if dt.kind != "f":
            raise TypeError(f"to: dtype must be a floating-point type, got {dt}")
        for t in itertools.chain(self.parameters(), self.buffers()):
            if t.data.dtype.kind == "f" and t.data.dtype != dt:
                t.data = t.data.astype(dt)
                if t.grad is not None:
                    t.grad = t.grad.astype(dt)
        return self

    def float(self) -> Module:
        return self.to(np.float32)

    def double(self) -> Module:
        return self.to(np.float64)

    # ---- state --------------------------------------------------------------------------
    def state_dict(self, prefix: str = "", keep_vars: bool = False) -> OrderedDict[str, Tensor]:
        """Every parameter and persistent buffer by dotted name, in registration order.

        Values are tensors that share memory with the module (``keep_vars=True``: the
        Parameter objects themselves). ``{k: v.numpy() for k, v in sd.items()}`` gives NumPy
        arrays; PyTorch's ``torch.from_numpy`` turns them into a state dict that the
        equivalent torch module loads.
        """
        out: OrderedDict[str, Tensor] = OrderedDict()
        for mname, m in self.named_modules(prefix.rstrip(".")):
            pre = f"{mname}." if mname else ""
            for k, p in m._parameters.items():
                if p is not None:
                    out[pre + k] = p if keep_vars else Tensor._wrap(p.data)
            for k, b in m._buffers.items():
                if b is not None and k not in m._non_persistent:
                    out[pre + k] = b if keep_vars else Tensor._wrap(b.data)
        return out

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True
    ) -> IncompatibleKeys:
        """Copy parameters and buffers from ``state_dict`` into this module, in place.

        Values may be nabla tensors, NumPy arrays, or anything ``numpy.asarray`` accepts (a
        CPU torch tensor included). Every entry is checked before anything is copied: a
        mis-shaped or non-numeric entry raises (naming the key), and with ``strict=True`` so
        do missing and unexpected keys; on error no parameter or buffer changes. With
        ``strict=False`` the missing and unexpected keys are returned instead.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"load_state_dict: expected a mapping of names to arrays, got "
                f"{type(state_dict).__name__}"
            )
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors: list[str] = []
        values: list[tuple[Tensor, np.ndarray]] = []
        for key, target in own.items():
            if key not in state_dict:
                continue
            raw = state_dict[key]
            try:
                arr = np.asarray(raw.data if isinstance(raw, Tensor) else raw)
            except (TypeError, ValueError, RuntimeError) as exc:
                errors.append(f"cannot convert {key!r} ({type(raw).__name__}) to an array: {exc}")
                continue
            if arr.dtype.kind not in "biuf":
                errors.append(f"{key!r} has non-numeric dtype {arr.dtype}")
            elif arr.shape != target.data.shape:
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {arr.shape} from "
                    f"checkpoint, the shape in current model is {target.data.shape}"
                )
            elif not np.can_cast(arr.dtype, target.data.dtype, "same_kind"):
                errors.append(
                    f"{key!r} has dtype {arr.dtype}, which cannot be cast to the model's "
                    f"{target.data.dtype}"
                )
            else:
                values.append((target, arr))
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: " + ", ".join(unexpected))
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: " + ", ".join(missing))
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                + "\n\t".join(errors)
                + "\nNothing was loaded."
            )
        for target, arr in values:
            np.copyto(target.data, arr, casting="same_kind")
        return IncompatibleKeys(missing, unexpected)

    # ---- printing -----------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The hyper-parameters shown inside ``repr`` (override in layers)."""
        return ""

    def __repr__(self) -> str:
        lines = []
        extra = self.extra_repr()
        if extra:
            lines.extend(extra.split("\n"))
        for name, m in self._modules.items():
            lines.append(f"({name}): " + _addindent(repr(m), 2))
        main = type(self).__name__ + "("
        if lines:
            if len(lines) == 1 and not self._modules:
                return main + lines[0] + ")"
            main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"

    def num_parameters(self, trainable_only: bool = False) -> int:
        """Number of scalar parameters, shared ones once (``nabla.nn.summary``)."""
        from nabla.nn.summary import num_parameters

        return num_parameters(self, trainable_only)

    def summary(self, input_shape: Any, **kwargs: Any) -> Any:
        """Each layer's output shape, parameters and MACs: ``nabla.nn.summary(self, ...)``."""
        from nabla.nn.summary import summary

        return summary(self, input_shape, **kwargs)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()))
