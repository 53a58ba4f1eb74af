"""Containers: ``Sequential`` (a chain of layers), ``ModuleList`` and ``ModuleDict``."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, overload

from nabla.nn.module import Module


def _check_module(m: Any, who: str, where: Any) -> Module:
    if not isinstance(m, Module):
        raise TypeError(f"{who}: entry {where!r} is a {type(m).__name__}, not a nabla.nn.Module")
    return m


class Sequential(Module):
    """Modules applied one after the other: ``y = m_k(...m_2(m_1(x)))``.

    Children are named '0', '1', ... (or by the keys of an ``OrderedDict``), so a state dict
    has the same keys as PyTorch's ``nn.Sequential``.

    Examples
    --------
    >>> from nabla import nn
    >>> net = nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU(), nn.Linear(4, 2, rng=1))
    >>> list(net.state_dict())
    ['0.weight', '0.bias', '2.weight', '2.bias']
    >>> net
    Sequential(
      (0): Linear(in_features=3, out_features=4, bias=True)
      (1): ReLU()
      (2): Linear(in_features=4, out_features=2, bias=True)
    )
    """

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], Mapping):
            for name, m in args[0].items():
                self.add_module(str(name), _check_module(m, "Sequential", name))
        else:
            for i, m in enumerate(args):
                self.add_module(str(i), _check_module(m, "Sequential", i))

    def forward(self, x: Any) -> Any:
        for m in self._modules.values():
            x = m(x)  # type: ignore[misc]
        return x

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())  # type: ignore[arg-type]

    def _index(self, idx: int) -> str:
        n = len(self)
        if not isinstance(idx, int) or not -n <= idx < n:
            raise IndexError(f"Sequential: index {idx!r} is out of range for {n} modules")
        return list(self._modules)[idx % n]

    @overload
    def __getitem__(self, idx: int) -> Module: ...

    @overload
    def __getitem__(self, idx: slice) -> Sequential: ...

    def __getitem__(self, idx: int | slice) -> Module | Sequential:
        if isinstance(idx, slice):
            items = list(self._modules.items())[idx]
            return Sequential(OrderedDict(items))
        return self._modules[self._index(idx)]  # type: ignore[return-value]

    def __setitem__(self, idx: int, module: Module) -> None:
        self.add_module(self._index(idx), _check_module(module, "Sequential", idx))

    def __delitem__(self, idx: int) -> None:
        """Remove a module; the rest are renumbered '0', '1', ... (as PyTorch does)."""
        delattr(self, self._index(idx))
        rest = list(self._modules.values())
        for name in list(self._modules):
            delattr(self, name)
        for i, m in enumerate(rest):
            self.add_module(str(i), m)

    def append(self, module: Module) -> Sequential:
        """Add a module at the end; returns self."""
        self.add_module(str(len(self)), _check_module(module, "Sequential.append", len(self)))
        return self


class ModuleList(Module):
    """A list of modules whose parameters are registered (names '0', '1', ...)."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())  # type: ignore[arg-type]

    def __getitem__(self, idx: int) -> Module:
        n = len(self)
        if not isinstance(idx, int) or not -n <= idx < n:
            raise IndexError(f"ModuleList: index {idx!r} is out of range for {n} modules")
        return self._modules[str(idx % n)]  # type: ignore[return-value]

    def __setitem__(self, idx: int, module: Module) -> None:
        self[idx]
        self.add_module(str(idx % len(self)), _check_module(module, "ModuleList", idx))

    def append(self, module: Module) -> ModuleList:
        self.add_module(str(len(self)), _check_module(module, "ModuleList.append", len(self)))
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        for m in modules:
            self.append(m)
        return self

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ModuleList has no forward(); iterate over it instead")


class ModuleDict(Module):
    """A dict of modules whose parameters are registered under the keys."""

    def __init__(self, modules: Mapping[str, Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def __getitem__(self, key: str) -> Module:
        if key not in self._modules:
            raise KeyError(f"ModuleDict: no module named {key!r}; keys are {list(self._modules)}")
        return self._modules[key]  # type: ignore[return-value]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, _check_module(module, "ModuleDict", key))

    def __delitem__(self, key: str) -> None:
        self[key]
        delattr(self, key)

    def keys(self) -> Iterable[str]:
        return self._modules.keys()

    def values(self) -> Iterable[Module]:
        return self._modules.values()  # type: ignore[return-value]

    def items(self) -> Iterable[tuple[str, Module]]:
        return self._modules.items()  # type: ignore[return-value]

    def update(self, modules: Mapping[str, Module]) -> None:
        for k, m in modules.items():
            self[k] = m

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ModuleDict has no forward(); index it instead")
