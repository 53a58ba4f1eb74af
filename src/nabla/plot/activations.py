"""Activation functions and their derivatives, the derivatives taken by nabla's autograd.

The notes on neural networks draw each activation next to its derivative to explain
saturation: the sigmoid's slope is at most 1/4 and vanishes at both ends, tanh's at most 1,
ReLU's is 0 or 1. Here the derivative is not a hand formula but the gradient that nabla's
backward pass computes, so the figure shows what training actually uses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from nabla.plot._figure import check_axes, finite_1d, legend_if_several, new_axes

WHO = "plot_activations"


def _functions() -> dict[str, Callable[[Any], Any]]:
    from nabla.nn import functional as F

    return {
        "relu": F.relu,
        "sigmoid": F.sigmoid,
        "tanh": F.tanh,
        "softplus": F.softplus,
        "leaky_relu": F.leaky_relu,
        "elu": F.elu,
    }


def _activation_curves(fn: Callable[[Any], Any], x: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """``g(x)`` and ``g'(x)`` of an elementwise activation, the derivative by autograd.

    ``x`` becomes a float64 tensor that requires gradients; ``g(x).sum()`` is
    back-propagated, and since ``g`` acts elementwise, ``x.grad`` is ``g'(x)``. At a kink
    the derivative is nabla's convention (ReLU's gradient at 0 is 0).
    """
    from nabla.autograd.tensor import Tensor

    t = Tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
    y = fn(t)
    if not isinstance(y, Tensor) or y.shape != t.shape:
        raise ValueError(
            f"{WHO}: an activation must map a tensor to a tensor of the same shape "
            f"(elementwise); got {type(y).__name__} of shape {getattr(y, 'shape', None)}."
        )
    y.sum().backward()
    grad = np.zeros_like(t.data) if t.grad is None else np.asarray(t.grad, dtype=np.float64)
    return np.asarray(y.data, dtype=np.float64), grad


def _resolve(names: Any) -> list[tuple[str, Callable[[Any], Any]]]:
    known = _functions()
    items = [names] if isinstance(names, str) or callable(names) else names
    if not isinstance(items, Sequence) or len(items) == 0:
        raise ValueError(f"{WHO}: names must be one or more of {sorted(known)}; got {names!r}.")
    out = []
    for item in items:
        if isinstance(item, str):
            if item not in known:
                raise ValueError(
                    f"{WHO}: unknown activation {item!r}; choose from {sorted(known)} or pass "
                    "a module such as nn.LeakyReLU(0.2)."
                )
            out.append((item, known[item]))
        elif callable(item):
            extra = getattr(item, "extra_repr", lambda: "")()
            name = getattr(item, "__name__", type(item).__name__)
            out.append((f"{name}({extra})" if extra else name, item))
        else:
            raise TypeError(
                f"{WHO}: each activation must be a name or a callable module; got {item!r}."
            )
    return out


def plot_activations(
    names: str | Sequence[Any] = ("sigmoid", "tanh", "relu"),
    derivative: bool = True,
    *,
    x: ArrayLike | None = None,
    ax: Any = None,
) -> Any:
    """Draw activation functions ``g(z)`` and, dashed, their derivatives ``g'(z)``.

    Parameters
    ----------
    names : str or sequence
        Names among ``'relu'``, ``'sigmoid'``, ``'tanh'``, ``'softplus'``, ``'leaky_relu'``
        (slope 0.01) and ``'elu'`` (alpha 1), or callables mapping a tensor elementwise to a
        tensor (``nn.LeakyReLU(0.2)``, ``nn.ELU(0.5)``), labelled by their class and
        hyper-parameters.
    derivative : bool, default=True
        Also draw ``g'(z)`` (dashed, same colour), computed by back-propagation through
        nabla's autograd, not by a hand formula.
    x : array-like, optional
        The points ``z``; default 401 points on [-5, 5].
    ax : matplotlib Axes, optional
        Draw there; by default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        Line ``2 k`` is activation ``k`` and line ``2 k + 1`` its derivative (only the
        activations without ``derivative``).

    Examples
    --------
    >>> from nabla.plot import plot_activations
    >>> ax = plot_activations(["sigmoid", "relu"])
    >>> [line.get_label() for line in ax.lines]
    ['sigmoid', "sigmoid'", 'relu', "relu'"]
    >>> float(ax.lines[1].get_ydata().max())  # the sigmoid's slope peaks at 1/4
    0.25
    """
    check_axes(ax, WHO)
    if not isinstance(derivative, (bool, np.bool_)):
        raise TypeError(f"{WHO}: derivative must be True or False; got {derivative!r}.")
    z = np.linspace(-5.0, 5.0, 401) if x is None else finite_1d(x, WHO, "x")
    if z.size < 2:
        raise ValueError(f"{WHO}: x needs at least 2 points; got {z.size}.")
    curves = [(label, *_activation_curves(fn, z)) for label, fn in _resolve(names)]

    ax = new_axes(ax)
    for k, (label, g, dg) in enumerate(curves):
        colour = f"C{k % 10}"
        ax.plot(z, g, color=colour, linewidth=2.0, label=label)
        if derivative:
            ax.plot(z, dg, color=colour, linestyle="--", linewidth=1.5, label=f"{label}'")
    ax.set_xlabel("pre-activation z")
    ax.set_ylabel("g(z)  and  g'(z) (dashed)" if derivative else "g(z)")
    ax.set_title("activation functions" + (" and their derivatives" if derivative else ""))
    ax.grid(True, alpha=0.3)
    legend_if_several(ax, loc="best", fontsize="small")
    return ax
