"""Model summaries: each layer's output shape, parameter count and multiply-accumulates.

``summary(model, input_shape)`` runs one forward pass on zeros (without gradients, in
evaluation mode) with hooks on the layers, as torchinfo and Keras's ``Model.summary`` do,
and reports a row per layer call with the totals. A fully connected layer with ``n_in``
inputs and ``n_out`` outputs has ``n_in n_out + n_out`` parameters (the notes' 3-4-2 network:
3 x 4 + 4 + 4 x 2 + 2 = 26); a convolution with ``C_out`` filters of size
``C_in x kh x kw`` has ``C_out (C_in kh kw + 1)``, shared over every position of the output.

Multiply-accumulates (MACs) count one multiplication and one addition of a weight:

- ``Linear``: ``in_features`` per output value, so ``in_features x out_features`` per row;
- ``Conv2d``: ``C_in kh kw`` per output value, so ``H_out W_out C_out C_in kh kw`` per image.

Bias additions, activations, pooling and normalisation are not counted (they are small
next to the products, and torchinfo and most papers leave them out too).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from nabla.autograd.engine import no_grad
from nabla.autograd.tensor import Tensor
from nabla.nn.layers import Conv2d, Linear
from nabla.nn.module import Module

__all__ = ["LayerSummary", "ModelSummary", "num_parameters", "summary"]

# a summary is for looking at a network, not for running it: refuse absurd inputs before
# allocating them (a batch of one image is enough to see every shape)
_MAX_INPUT_ELEMENTS = 2**27


class LayerSummary(NamedTuple):
    """One call of one layer during the summary's forward pass.

    ``num_params`` counts the parameters the layer owns directly; a layer called more than
    once (an activation module reused in ``forward``) shows them on its first call only
    (``repeated`` is True on later calls), so that the rows add up to the total.

    Examples
    --------
    >>> from nabla import nn
    >>> row = nn.summary(nn.Linear(3, 4, rng=0), (2, 3)).layers[0]
    >>> row.type, row.output_shape, row.num_params, row.macs
    ('Linear', (2, 4), 16, 24)
    """

    name: str
    type: str
    input_shape: Any
    output_shape: Any
    num_params: int
    macs: int
    repeated: bool


def num_parameters(module: Module, trainable_only: bool = False) -> int:
    """The number of scalar parameters of ``module`` (a shared parameter counted once).

    Parameters
    ----------
    module : Module
    trainable_only : bool, default False
        Count only parameters with ``requires_grad`` (frozen layers left out).

    Returns
    -------
    int

    Examples
    --------
    >>> from nabla import nn
    >>> from nabla.nn.summary import num_parameters
    >>> net = nn.models.MLP([3, 4, 2], rng=0)  # the notes' 3-4-2 network
    >>> num_parameters(net)
    26
    >>> net[0].requires_grad_(False)
    Linear(in_features=3, out_features=4, bias=True)
    >>> net.num_parameters(trainable_only=True)
    10
    """
    if not isinstance(module, Module):
        raise TypeError(f"num_parameters: expected a nabla.nn.Module, got {type(module).__name__}")
    return sum(p.size for p in module.parameters() if p.requires_grad or not trainable_only)


def _own_params(m: Module) -> int:
    return sum(p.size for p in m._parameters.values() if p is not None)


def _macs(m: Module, output: Any) -> int:
    if not isinstance(output, Tensor):
        return 0
    if isinstance(m, Linear):
        return output.size * m.in_features
    if isinstance(m, Conv2d):
        kh, kw = m.kernel_size
        return output.size * m.in_channels * kh * kw
    return 0


def _shape(obj: Any) -> Any:
    if isinstance(obj, (Tensor, np.ndarray)):
        return tuple(obj.shape)
    if isinstance(obj, (tuple, list)):
        return [_shape(o) for o in obj]
    return None


def _fmt_shape(shape: Any) -> str:
    if shape is None:
        return "--"
    if isinstance(shape, list):
        return "[" + ", ".join(_fmt_shape(s) for s in shape) + "]"
    return "(" + ", ".join(str(n) for n in shape) + ")"


@dataclass(frozen=True)
class ModelSummary:
    """What :func:`summary` found; ``str()`` (and ``repr``) is the table.

    Attributes
    ----------
    layers : tuple of LayerSummary
        One row per layer call, in the order the calls started.
    input_shape, output_shape : tuple of int
    total_params, trainable_params : int
        Unique parameters of the whole model (shared ones once).
    total_macs : int
        Multiply-accumulates of the forward pass for the whole input batch.

    Examples
    --------
    >>> from nabla import nn
    >>> s = nn.summary(nn.models.LeNet5(rng=0), (1, 1, 28, 28))
    >>> s.total_params, s.total_macs, len(s.layers)
    (61706, 416520, 12)
    """

    model_type: str
    layers: tuple[LayerSummary, ...]
    input_shape: tuple[int, ...]
    output_shape: Any
    total_params: int
    trainable_params: int
    total_macs: int

    def __str__(self) -> str:
        head = ("Layer (type)", "Output Shape", "Param #", "MACs")
        body = [
            (
                f"{r.name} ({r.type})" if r.name else r.type,
                _fmt_shape(r.output_shape),
                "--" if r.repeated else f"{r.num_params:,}",
                f"{r.macs:,}",
            )
            for r in self.layers
        ]
        widths = [max(len(row[i]) for row in [head, *body]) for i in range(4)]

        def line(row: tuple[str, ...]) -> str:
            left = f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}"
            return f"{left}  {row[2]:>{widths[2]}}  {row[3]:>{widths[3]}}"

        rule = "=" * (sum(widths) + 6)
        lines = [f"{self.model_type} summary", rule, line(head), rule]
        lines += [line(row) for row in body]
        lines += [
            rule,
            f"Input shape: {_fmt_shape(self.input_shape)}",
            f"Output shape: {_fmt_shape(self.output_shape)}",
            f"Total params: {self.total_params:,}",
            f"Trainable params: {self.trainable_params:,}",
            f"Non-trainable params: {self.total_params - self.trainable_params:,}",
            f"Total MACs: {self.total_macs:,}",
        ]
        return "\n".join(lines)

    __repr__ = __str__


def _check_input_shape(input_shape: Any) -> tuple[int, ...]:
    if isinstance(input_shape, (int, np.integer)) and not isinstance(input_shape, bool):
        input_shape = (input_shape,)
    if not isinstance(input_shape, (tuple, list)) or not input_shape:
        raise TypeError(
            f"summary: input_shape must be a non-empty tuple of ints including the batch "
            f"axis, e.g. (1, 1, 28, 28); got {input_shape!r}"
        )
    if not all(
        isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1 for n in input_shape
    ):
        raise ValueError(f"summary: input_shape must hold positive ints; got {input_shape!r}")
    shape = tuple(int(n) for n in input_shape)
    if int(np.prod(shape, dtype=np.float64)) > _MAX_INPUT_ELEMENTS:
        raise ValueError(
            f"summary: input_shape {shape} has more than {_MAX_INPUT_ELEMENTS:,} elements; "
            "a batch of one sample shows every shape"
        )
    return shape


def _input_dtype(model: Module, dtype: Any) -> np.dtype:
    if dtype is not None:
        return np.dtype(dtype)
    for p in model.parameters():
        if p.data.dtype.kind == "f":
            return p.data.dtype
    return np.dtype(np.float32)


def summary(
    model: Module,
    input_shape: Sequence[int],
    *,
    dtype: Any = None,
    print_fn: Callable[[str], Any] | None = None,
) -> ModelSummary:
    """Each layer's output shape, parameter count and MACs, with totals.

    One forward pass runs on zeros of ``input_shape`` under ``no_grad`` and in evaluation
    mode (so that batch normalisation does not update its running statistics and dropout
    is off). Hooks go on the leaf modules and on modules that own parameters directly;
    they are removed, and every module's training flag restored, afterwards, also when the
    forward pass fails. Parameters and buffers are not changed.

    Parameters
    ----------
    model : Module
    input_shape : tuple of int
        The whole input shape, batch axis included (as torchinfo's ``input_size``), e.g.
        ``(1, 1, 28, 28)`` for one MNIST image.
    dtype : numpy dtype, optional
        Of the zeros; default: the dtype of the model's first floating-point parameter.
    print_fn : callable, optional
        Called with the table (e.g. ``print``, or a logger's ``info``); the library prints
        nothing by itself. At the interactive prompt, the returned object shows the table.

    Returns
    -------
    ModelSummary
        ``str(result)`` is the table; ``result.layers`` the rows.

    Raises
    ------
    ValueError
        If the model cannot take ``input_shape``: the message names the layer where the
        shapes stop fitting and the input shape it received.

    Examples
    --------
    >>> from nabla import nn
    >>> net = nn.models.MLP([3, 4, 2], activation="sigmoid", rng=0)
    >>> s = nn.summary(net, (1, 3))
    >>> print(s)
    MLP summary
    =========================================
    Layer (type)  Output Shape  Param #  MACs
    =========================================
    0 (Linear)    (1, 4)             16    12
    1 (Sigmoid)   (1, 4)              0     0
    2 (Linear)    (1, 2)             10     8
    =========================================
    Input shape: (1, 3)
    Output shape: (1, 2)
    Total params: 26
    Trainable params: 26
    Non-trainable params: 0
    Total MACs: 20
    >>> s.total_params, s.layers[2].output_shape
    (26, (1, 2))
    """
    if not isinstance(model, Module):
        raise TypeError(f"summary: expected a nabla.nn.Module, got {type(model).__name__}")
    shape = _check_input_shape(input_shape)
    x = Tensor(np.zeros(shape, dtype=_input_dtype(model, dtype)))

    rows: list[dict[str, Any]] = []
    running: list[dict[str, Any]] = []  # the calls that started and have not finished
    seen: set[int] = set()

    def make_hooks(name: str) -> tuple[Callable[..., Any], Callable[..., Any]]:
        def pre(m: Module, args: tuple[Any, ...]) -> None:
            first = id(m) not in seen
            seen.add(id(m))
            row = {"name": name, "module": m, "input_shape": _shape(args[0]) if args else None}
            row["params"] = _own_params(m) if first else 0
            row["repeated"] = not first
            rows.append(row)
            running.append(row)

        def post(m: Module, args: tuple[Any, ...], out: Any) -> None:
            row = running.pop()
            row["output_shape"] = _shape(out)
            row["macs"] = _macs(m, out)

        return pre, post

    handles = []
    modes = [(m, m.training) for m in model.modules()]
    try:
        for name, m in model.named_modules():
            if not m._modules or _own_params(m):
                pre, post = make_hooks(name)
                handles.append(m.register_forward_pre_hook(pre))
                handles.append(m.register_forward_hook(post))
        model.eval()
        with no_grad():
            try:
                out = model(x)
            except (ValueError, RuntimeError, IndexError) as exc:
                raise ValueError(_where(model, shape, running, rows, exc)) from exc
    finally:
        for h in handles:
            h.remove()
        for m, mode in modes:
            m.__dict__["training"] = mode

    result = ModelSummary(
        model_type=type(model).__name__,
        layers=tuple(
            LayerSummary(
                r["name"],
                type(r["module"]).__name__,
                r["input_shape"],
                r["output_shape"],
                r["params"],
                r["macs"],
                r["repeated"],
            )
            for r in rows
        ),
        input_shape=shape,
        output_shape=_shape(out),
        total_params=num_parameters(model),
        trainable_params=num_parameters(model, trainable_only=True),
        total_macs=sum(r["macs"] for r in rows),
    )
    if print_fn is not None:
        print_fn(str(result))
    return result


def _where(
    model: Module,
    shape: tuple[int, ...],
    running: list[dict[str, Any]],
    rows: list[dict[str, Any]],
    exc: Exception,
) -> str:
    """The error message: the innermost layer that was running when the forward failed."""
    head = f"summary: {type(model).__name__} cannot take input shape {shape}"
    if running:
        r = running[-1]
        label = f"'{r['name']}' ({type(r['module']).__name__})" if r["name"] else "the model"
        return (
            f"{head}: the shapes stop fitting at layer {label}, which received input of shape "
            f"{_fmt_shape(r['input_shape'])}: {exc}"
        )
    done = [r for r in rows if "output_shape" in r]
    if done:
        r = done[-1]
        return (
            f"{head}: the shapes stop fitting after layer '{r['name']}' "
            f"({type(r['module']).__name__}), whose output has shape "
            f"{_fmt_shape(r['output_shape'])}: {exc}"
        )
    return f"{head}: the forward pass failed before the first layer: {exc}"
