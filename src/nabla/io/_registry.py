"""The explicit registry of model classes that files may name.

A saved model records its architecture as a tree of ``{"class": name, "config": {...}}``
nodes (containers list their children). Loading looks each name up in this registry;
a name that is not registered is refused. Nothing is ever imported by a string taken from
a file.

Each entry is ``name -> (class, config(module) -> dict, build(config) -> module)``: the
config function reads a layer's constructor arguments back from its attributes, and the
build function calls the constructor. Where a constructor draws initial weights it is given
a generator that draws only zeros (``_builtins.NoDraws``): loading computes nothing random, does not
disturb ``nn.init``'s default generator, and the file's weights replace the zeros.

A tree is checked whole before anything is built (:func:`plan`): every node's keys and
class, the types of the built-in layers' configs (``_schema``), child names (non-empty, no
'.', not one of the module's own attributes such as ``forward`` or ``_modules``), at most
``MAX_MODULES`` modules nested at most ``MAX_NESTING`` deep. :func:`describe` applies the
same checks, so a model that saves also loads.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nabla.io._builtins import KEEPS_CHILD_NAMES, ZOO_CHILDREN, ZOO_RESERVED, assemble
from nabla.io._schema import CONFIGS, State, check_config, layer_state, show

ConfigFn = Callable[[Any], dict[str, Any]]
BuildFn = Callable[[dict[str, Any]], Any]

MAX_MODULES = 100_000
MAX_NESTING = 32

_REGISTRY: dict[str, tuple[type, ConfigFn | None, BuildFn | None]] = {}
_BUILTINS_LOADED = False


def register_model(
    name: str,
    cls: type,
    config: ConfigFn | None = None,
    build: BuildFn | None = None,
) -> None:
    """Allow files to name ``cls`` as ``name``.

    Parameters
    ----------
    name : str
        The name written in files (unique).
    cls : type
        A ``nabla.nn.Module`` subclass.
    config : callable, optional
        ``config(module) -> dict`` of JSON-able constructor keyword arguments that rebuild
        an equivalent module. Omitted: the module is rebuilt from its children
        (containers such as ``Sequential``), or, for a module with no children, with
        ``cls()``.
    build : callable, optional
        ``build(config) -> module``; default ``cls(**config)``.
    """
    from nabla.nn.module import Module

    if not isinstance(name, str) or not name:
        raise ValueError(f"register_model: name must be a non-empty str, got {name!r}")
    if not (isinstance(cls, type) and issubclass(cls, Module)):
        raise TypeError(f"register_model: cls must be a nabla.nn.Module subclass, got {cls!r}")
    _load_builtins()
    known = _REGISTRY.get(name)
    if known is not None and known[0] is not cls:
        raise ValueError(
            f"register_model: the name {name!r} is already taken by {known[0].__qualname__}"
        )
    _REGISTRY[name] = (cls, config, build)


def _load_builtins() -> None:
    """Register nabla.nn's layers and containers (and its model zoo, when present)."""
    global _BUILTINS_LOADED
    if _BUILTINS_LOADED:
        return
    _BUILTINS_LOADED = True
    from nabla.io._builtins import layer_entries, zoo_entries

    _REGISTRY.update(layer_entries())
    for name, entry in zoo_entries().items():
        _REGISTRY.setdefault(name, entry)


def _name_of(module: Any) -> str:
    from nabla.nn.container import Sequential

    _load_builtins()
    for name, (cls, _, _) in _REGISTRY.items():
        if type(module) is cls:
            return name
    if isinstance(module, Sequential):
        return "Sequential"  # a subclass that adds no state of its own beyond its layers
    raise TypeError(
        f"nabla.io: cannot describe a {type(module).__qualname__}: its class is not in the "
        f"model registry; register it with nabla.io.register_model(name, cls, config), or "
        f"save its weights with nabla.io.save_state_dict"
    )


def _describe(module: Any) -> dict[str, Any]:
    name = _name_of(module)
    _, config, _ = _REGISTRY[name]
    node: dict[str, Any] = {"class": name}
    if config is not None:
        node["config"] = config(module)
    elif module._modules:
        node["children"] = [[k, _describe(c)] for k, c in module._modules.items()]
    return node


def describe(module: Any) -> dict[str, Any]:
    """The architecture of ``module`` as a JSON-able tree of registered class names.

    Raises ``TypeError`` for a class that is not registered, ``ValueError`` for a tree
    that :func:`build` would refuse (so that every model that saves also loads).
    """
    if _nesting(module) > MAX_NESTING:
        raise ValueError(f"nabla.io: the model nests modules more than {MAX_NESTING} deep")
    node = _describe(module)
    try:
        plan(node)
    except ValueError as exc:
        raise ValueError(f"nabla.io: the model cannot be saved so that it loads: {exc}") from None
    return node


def _nesting(module: Any) -> int:
    deepest, stack = 0, [(module, 1)]
    while stack and deepest <= MAX_NESTING:
        m, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((c, d + 1) for c in m._modules.values() if c is not None)
    return deepest


# ---- checking a tree -------------------------------------------------------------------------
@dataclass
class Plan:
    """What :func:`plan` found: the state dict the built model will have (name -> (shape,
    dtype)), except below ``opaque`` prefixes (modules built by user code, whose state is
    known only once built), and the number of modules."""

    state: State = field(default_factory=dict)
    opaque: list[str] = field(default_factory=list)
    modules: int = 0


@functools.cache
def _reserved(cls: type) -> frozenset[str]:
    """Names a child may not take: the class's attributes and a Module's own fields."""
    from nabla.nn.module import Module

    bare: Any = object.__new__(Module)
    Module.__init__(bare)
    return frozenset(dir(cls)) | frozenset(vars(bare))


def _children(name: str, cls: type, children: Any) -> list[tuple[str, Any]]:
    if not isinstance(children, list) or not all(
        isinstance(c, list) and len(c) == 2 and isinstance(c[0], str) for c in children
    ):
        raise ValueError(f"the children of {name!r} must be [name, node] pairs")
    names = [k for k, _ in children]
    reserved = _reserved(cls) | ZOO_RESERVED.get(name, set())
    for k in names:
        if not k or "." in k or len(k) > 200 or k in reserved:
            raise ValueError(
                f"{name} cannot have a child named {show(k)} (names are non-empty, without "
                f"'.', and not an attribute of {cls.__name__})"
            )
    if len(set(names)) != len(names):
        raise ValueError(f"{name} has two children with the same name")
    expected = ZOO_CHILDREN.get(name)
    if expected is not None and set(names) != expected:
        raise ValueError(f"{name} is made of {sorted(expected)}, got {sorted(names)[:12]}")
    return children


def _plan(node: Any, prefix: str, depth: int, out: Plan) -> None:
    from nabla.nn.container import ModuleList

    out.modules += 1
    if out.modules > MAX_MODULES or depth > MAX_NESTING:
        raise ValueError(
            f"a model has at most {MAX_MODULES:,} modules nested at most {MAX_NESTING} deep"
        )
    if not isinstance(node, dict) or not isinstance(node.get("class"), str):
        raise ValueError(f"a model node must be an object with a 'class', got {show(node)}")
    name = node["class"]
    if not set(node) <= {"class", "config", "children"} or len(node) > 2:
        raise ValueError(f"the node of {show(name)} has unexpected keys {sorted(node)[:4]}")
    entry = _REGISTRY.get(name)
    if entry is None:
        raise ValueError(
            f"the model class {show(name)} is not in nabla.io's registry (register it with "
            f"nabla.io.register_model before loading)"
        )
    cls, config_fn, build_fn = entry
    if "children" in node:
        if config_fn is not None or name in CONFIGS:
            raise ValueError(f"{name} is built from a config, not from children")
        children = _children(name, cls, node["children"])
        if build_fn is not None and name not in KEEPS_CHILD_NAMES:
            out.opaque.append(prefix)  # the user's build function names the children
        for i, (k, child) in enumerate(children):
            k = str(i) if issubclass(cls, ModuleList) else k
            _plan(child, f"{prefix}{k}.", depth + 1, out)
        return
    config = node.get("config", {})
    if not isinstance(config, dict):
        raise ValueError(f"the config of {name} must be an object, got {show(config)}")
    if config_fn is None and config:
        raise ValueError(f"{name} takes no config, got {show(config)}")
    try:
        check_config(name, config)
    except ValueError as exc:
        raise ValueError(f"cannot rebuild {name} from config {show(config)}: {exc}") from None
    state = layer_state(name, config)
    if state is None:
        out.opaque.append(prefix)
    else:
        out.state.update({prefix + k: v for k, v in state.items()})


def plan(node: Any) -> Plan:
    """Check a whole tree (see the module docstring) without building anything."""
    _load_builtins()
    out = Plan()
    _plan(node, "", 1, out)
    return out


# ---- building --------------------------------------------------------------------------------
def _build(node: dict[str, Any]) -> Any:
    from nabla.nn.container import ModuleList, Sequential

    name = node["class"]
    cls, _config_fn, build_fn = _REGISTRY[name]
    if "children" in node:
        built = OrderedDict((k, _build(c)) for k, c in node["children"])
        if build_fn is not None:
            return build_fn(built)
        if issubclass(cls, ModuleList):
            return cls(list(built.values()))
        if cls is Sequential:
            return cls(built)
        return assemble(cls, built)
    config = node.get("config", {})
    try:
        return (build_fn or (lambda c: cls(**c)))(config)
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, OverflowError) as exc:
        raise ValueError(f"cannot rebuild {name} from config {show(config)}: {exc}") from None


def build(node: Any) -> Any:
    """Rebuild a module from :func:`describe`'s tree; ``ValueError`` for a bad tree.

    The tree is checked whole first (:func:`plan`). Layers whose constructors draw random
    weights get zeros instead: the caller loads the real weights.
    """
    plan(node)
    try:
        return _build(node)
    except MemoryError:
        raise ValueError("the model it describes does not fit in memory") from None
    except (TypeError, KeyError, AttributeError, IndexError, OverflowError) as exc:
        raise ValueError(f"the model cannot be rebuilt: {exc}") from None


def registered() -> list[str]:
    """The names files may use, sorted."""
    _load_builtins()
    return sorted(_REGISTRY)
