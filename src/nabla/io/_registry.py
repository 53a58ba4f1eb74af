"""The explicit registry of model classes that files may name.

A saved model records its architecture as a tree of ``{"class": name, "config": {...}}``
nodes (containers list their children). Loading looks each name up in this registry;
a name that is not registered is refused. Nothing is ever imported by a string taken from
a file.

Each entry is ``name -> (class, config(module) -> dict, build(config) -> module)``: the
config function reads a layer's constructor arguments back from its attributes, and the
build function calls the constructor (with a fixed ``rng`` where the constructor draws
initial weights, so that loading does not disturb ``nn.init``'s default generator; the
weights are overwritten by the file's anyway).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

ConfigFn = Callable[[Any], dict[str, Any]]
BuildFn = Callable[[dict[str, Any]], Any]

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


def _dtype(m: Any) -> str:
    return str(m.weight.data.dtype)


def _bn_dtype(m: Any) -> str:
    t = m.weight if m.weight is not None else m.running_mean
    return "float32" if t is None else str(t.data.dtype)


def _with_rng(cls: type) -> BuildFn:
    return lambda cfg: cls(**cfg, rng=0)


def _load_builtins() -> None:
    """Register nabla.nn's layers and containers (and its model zoo, when present)."""
    global _BUILTINS_LOADED
    if _BUILTINS_LOADED:
        return
    _BUILTINS_LOADED = True
    from nabla import nn

    def bias(m: Any) -> bool:
        return m.bias is not None

    entries: dict[str, tuple[type, ConfigFn | None, BuildFn | None]] = {
        "Sequential": (nn.Sequential, None, None),
        "ModuleList": (nn.ModuleList, None, None),
        "Linear": (
            nn.Linear,
            lambda m: {
                "in_features": m.in_features,
                "out_features": m.out_features,
                "bias": bias(m),
                "dtype": _dtype(m),
            },
            _with_rng(nn.Linear),
        ),
        "Conv2d": (
            nn.Conv2d,
            lambda m: {
                "in_channels": m.in_channels,
                "out_channels": m.out_channels,
                "kernel_size": list(m.kernel_size),
                "stride": list(m.stride),
                "padding": list(m.padding),
                "dilation": list(m.dilation),
                "bias": bias(m),
                "dtype": _dtype(m),
            },
            _with_rng(nn.Conv2d),
        ),
        "Maxout": (
            nn.Maxout,
            lambda m: {
                "in_features": m.in_features,
                "out_features": m.out_features,
                "pieces": m.pieces,
                "bias": bias(m),
                "dtype": _dtype(m),
            },
            _with_rng(nn.Maxout),
        ),
        "PReLU": (
            nn.PReLU,
            lambda m: {"num_parameters": m.num_parameters, "init": m.init, "dtype": _dtype(m)},
            None,
        ),
        "Dropout": (nn.Dropout, lambda m: {"p": m.p, "inverted": m.inverted}, None),
        "MaxPool2d": (
            nn.MaxPool2d,
            lambda m: {
                "kernel_size": list(m.kernel_size),
                "stride": list(m.stride),
                "padding": list(m.padding),
            },
            None,
        ),
        "AvgPool2d": (
            nn.AvgPool2d,
            lambda m: {
                "kernel_size": list(m.kernel_size),
                "stride": list(m.stride),
                "padding": list(m.padding),
                "count_include_pad": m.count_include_pad,
            },
            None,
        ),
        "Flatten": (nn.Flatten, lambda m: {"start_dim": m.start_dim, "end_dim": m.end_dim}, None),
        "Unflatten": (
            nn.Unflatten,
            lambda m: {"dim": m.dim, "unflattened_size": list(m.unflattened_size)},
            None,
        ),
        "Identity": (nn.Identity, None, None),
        "ReLU": (nn.ReLU, None, None),
        "Sigmoid": (nn.Sigmoid, None, None),
        "Tanh": (nn.Tanh, None, None),
        "LeakyReLU": (nn.LeakyReLU, lambda m: {"negative_slope": m.negative_slope}, None),
        "ELU": (nn.ELU, lambda m: {"alpha": m.alpha}, None),
        "Softplus": (nn.Softplus, lambda m: {"beta": m.beta, "threshold": m.threshold}, None),
        "Softmax": (nn.Softmax, lambda m: {"dim": m.dim}, None),
        "LogSoftmax": (nn.LogSoftmax, lambda m: {"dim": m.dim}, None),
    }
    for bn in ("BatchNorm1d", "BatchNorm2d"):
        entries[bn] = (
            getattr(nn, bn),
            lambda m: {
                "num_features": m.num_features,
                "eps": m.eps,
                "momentum": m.momentum,
                "affine": m.affine,
                "track_running_stats": m.track_running_stats,
                "dtype": _bn_dtype(m),
            },
            None,
        )
    _REGISTRY.update(entries)
    _register_zoo()


def _register_zoo() -> None:
    """The networks of ``nabla.nn.models``; they are rebuilt from their children."""
    from nabla.nn import models

    for name in ("LeNet5", "ConvNet", "Autoencoder", "XORNet"):
        cls = getattr(models, name, None)
        if isinstance(cls, type):
            _REGISTRY.setdefault(name, (cls, None, None))
    mlp = getattr(models, "MLP", None)
    if isinstance(mlp, type):

        def build_mlp(children: dict[str, Any]) -> Any:
            net = _assemble(mlp, children)
            # the one attribute MLP keeps besides its layers: the widths, from the Linears
            linears = [c for c in children.values() if type(c).__name__ == "Linear"]
            if linears:
                net.sizes = [linears[0].in_features] + [m.out_features for m in linears]
            return net

        _REGISTRY.setdefault("MLP", (mlp, None, build_mlp))
    gate = getattr(models, "LogicGate", None)
    if isinstance(gate, type):
        _REGISTRY.setdefault(
            "LogicGate",
            (
                gate,
                lambda m: {
                    "weights": m.weight.data[0].tolist(),
                    "bias": float(m.bias.data[0]),
                    "dtype": _dtype(m),
                },
                None,
            ),
        )


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


def describe(module: Any) -> dict[str, Any]:
    """The architecture of ``module`` as a JSON-able tree of registered class names."""
    name = _name_of(module)
    _, config, _ = _REGISTRY[name]
    node: dict[str, Any] = {"class": name}
    if config is not None:
        node["config"] = config(module)
    elif module._modules:
        node["children"] = [[k, describe(c)] for k, c in module._modules.items()]
    return node


def _assemble(cls: type, children: dict[str, Any]) -> Any:
    """A ``cls`` whose whole state is its children, without running its constructor.

    Used for the model zoo's networks, whose constructors take hyper-parameters that
    only shape the children; ``cls`` comes from the registry, never from a string.
    """
    from nabla.nn.module import Module

    obj: Any = object.__new__(cls)
    Module.__init__(obj)
    for k, c in children.items():
        setattr(obj, k, c)
    return obj


def build(node: Any) -> Any:
    """Rebuild a module from :func:`describe`'s tree; ``ValueError`` for a bad tree."""
    from nabla.nn.container import ModuleList, Sequential

    if not isinstance(node, dict) or not isinstance(node.get("class"), str):
        raise ValueError(f"a model node must be an object with a 'class', got {node!r}")
    _load_builtins()
    name = node["class"]
    entry = _REGISTRY.get(name)
    if entry is None:
        raise ValueError(
            f"the model class {name!r} is not in nabla.io's registry (register it with "
            f"nabla.io.register_model before loading)"
        )
    cls, config_fn, build_fn = entry
    if "children" in node:
        children = node["children"]
        if (
            config_fn is not None
            or not isinstance(children, list)
            or not all(
                isinstance(c, list) and len(c) == 2 and isinstance(c[0], str) for c in children
            )
        ):
            raise ValueError(f"the children of {name!r} must be [name, node] pairs")
        built = OrderedDict((k, build(c)) for k, c in children)
        if build_fn is not None:
            return build_fn(built)
        if issubclass(cls, ModuleList):
            return cls(list(built.values()))
        if cls is Sequential:
            return cls(built)
        return _assemble(cls, built)
    config = node.get("config", {})
    if not isinstance(config, dict):
        raise ValueError(f"the config of {name!r} must be an object, got {config!r}")
    try:
        return (build_fn or (lambda c: cls(**c)))(config)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"cannot rebuild {name} from config {config}: {exc}") from None


def registered() -> list[str]:
    """The names files may use, sorted."""
    _load_builtins()
    return sorted(_REGISTRY)
