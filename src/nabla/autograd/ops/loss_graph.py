"""The vector-Jacobian products of the fused losses written with Tensor ops, so that a
backward with ``create_graph=True`` can differentiate them again (Hessians of a loss,
Newton's method on a classifier). The formulas are those of ``ops/loss.py``; each takes the
loss node (with what its forward saved) and the output's gradient ``g`` as a Tensor.

float16 losses are computed in float32 and cast back; their backward is not recorded.
"""

from __future__ import annotations

from typing import Any

from nabla.autograd.ops.activation import sigmoid, softplus
from nabla.autograd.ops.composite import log_softmax
from nabla.autograd.tensor import Tensor
from nabla.backend import xp as np  # the array module (NumPy; one place to swap)


def _no_half(node: Any) -> None:
    if node.dtype == np.float16:
        raise RuntimeError(
            f"double backward is not supported for {node.name} on float16 inputs; use float32 "
            f"or float64"
        )


def _rows(x: Tensor) -> Tensor:
    """(N, C, d1, ...) -> (N d1 ..., C), as ``loss._rows``."""
    if x.ndim == 2:
        return x
    if x.ndim == 1:
        return x.reshape(1, -1)
    perm = (0, *range(2, x.ndim), 1)
    return x.transpose(perm).reshape(-1, x.shape[1])


def _unrows(g: Tensor, shape: tuple[int, ...]) -> Tensor:
    if len(shape) == 2:
        return g
    if len(shape) == 1:
        return g.reshape(shape)
    g = g.reshape((shape[0], *shape[2:], shape[1]))
    perm = (0, g.ndim - 1, *range(1, g.ndim - 1))
    return g.transpose(perm)


def _scale(node: Any, g: Tensor, denom: Any, rows: int | None = None) -> Tensor:
    """d(reduced loss)/d(per-entry loss) times g, as ``loss._grad_scale`` (for 'none' as a
    column of ``rows`` entries when ``rows`` is given)."""
    if node.reduction == "mean":
        with np.errstate(divide="ignore", invalid="ignore"):  # 0 / 0 is nan, as forward
            return g / float(denom)
    if node.reduction == "none" and rows is not None:
        return g.reshape(rows, 1)
    return g


def cross_entropy(node: Any, g: Tensor) -> tuple[Tensor | None, ...]:
    """gx = s (p a - B) from logits, with p = softmax(x) the only non-constant."""
    _no_half(node)
    m, c = node.logp.shape
    dtype = node.logp.dtype
    logp = log_softmax(_rows(node.inputs[0]), axis=1)
    p = logp.exp()
    s = _scale(node, g, node.denom, m)
    w, eps = node.weight, node.eps
    if node.target is not None:
        onehot = np.zeros((m, c), dtype=dtype)
        onehot[np.arange(m), node.ts] = 1
        lead = np.ones(m, dtype=dtype) if node.wt is None else node.wt  # keep is in wt
        if not eps:
            gx = p * lead[:, None] - onehot * lead[:, None]
        else:
            lead = (1 - eps) * lead
            wsum = c if w is None else w.sum()
            wc = np.ones(c, dtype=dtype) if w is None else w
            gx = p * (lead + (eps / c) * wsum)[:, None] - (onehot * lead[:, None] + (eps / c) * wc)
            if node.keep is not None:
                gx = gx * node.keep[:, None].astype(dtype)
        return (_unrows(gx * s, node.shape),)
    tp = _rows(node.inputs[1])
    if eps:
        tp = (1 - eps) * tp + eps / c
    wtp = tp if w is None else tp * w
    gx = (p * wtp.sum(axis=1, keepdims=True) - wtp) * s
    gt = None
    if node.needs_grad[1]:
        gt = _unrows(-(1 - eps) * (logp if w is None else logp * w) * s, node.shape)
    return _unrows(gx, node.shape), gt


def nll(node: Any, g: Tensor) -> tuple[Tensor]:
    """gx_{i t_i} = -s w_{t_i}: a constant pattern scaled by g."""
    _no_half(node)
    m = node.ts.shape[0]
    c = node.shape[1] if len(node.shape) > 1 else node.shape[0]
    base = np.zeros((m, c), dtype=node.wt.dtype)
    base[np.arange(m), node.ts] = -node.wt
    return (_unrows(_scale(node, g, node.denom, m) * base, node.shape),)


def bce_with_logits(node: Any, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
    """gx = s w [(1 - y) - c sigmoid(-x)]; gy = s w [-x + (pos_weight - 1) softplus(-x)]."""
    _no_half(node)
    x, y = node.inputs
    s = _scale(node, g, node.size)
    if node.weight is not None:
        s = s * node.weight
    pw = node.pos_weight
    c = 1.0 if pw is None else 1.0 + (pw - 1) * y
    gx = s * ((1.0 - y) - c * sigmoid(-x))
    gy = None
    if node.needs_grad[1]:
        gy = s * (-x if pw is None else -x + (pw - 1) * softplus(-x))
    return gx, gy
