"""Matrix product with NumPy's ``matmul`` rules: 1-D, 2-D and batched (broadcast) operands."""

from __future__ import annotations

from nabla.autograd.engine import Function
from nabla.autograd.tensor import Tensor, apply2, as_tensor
from nabla.backend import xp as np  # the array module (NumPy; one place to swap)

Array = np.ndarray


def _swap(a: Array) -> Array:
    return np.swapaxes(a, -1, -2)


def _swap_graph(a: Tensor) -> Tensor:
    """``_swap`` with Tensor ops (recorded)."""
    perm = list(range(a.ndim))
    perm[-1], perm[-2] = perm[-2], perm[-1]
    return a.transpose(tuple(perm))


class Matmul(Function):
    """y = a @ b.

    VJP (2-D and batched): ga = g @ b^T, gb = a^T @ g, the batch axes summed back by the
    engine. A 1-D operand is promoted to a row (``a``) or column (``b``) and the promoted
    axis removed again, as NumPy does.
    """

    def forward(self, a: Array, b: Array) -> Array:
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError("matmul needs operands with at least one dimension; use * for scalars")
        self.a, self.b = a, b
        return np.asarray(np.matmul(a, b))

    def backward(self, g: Array) -> tuple[Array | None, Array | None]:
        a, b = self.a, self.b
        need_a, need_b = self.needs_grad
        if a.ndim == 1 and b.ndim == 1:  # dot product: g is a scalar
            return (g * b if need_a else None), (g * a if need_b else None)
        if a.ndim == 1:  # (k,) @ (..., k, n) -> (..., n)
            ga = (np.matmul(g[..., None, :], _swap(b)))[..., 0, :] if need_a else None
            gb = a[:, None] * g[..., None, :] if need_b else None
            return ga, gb
        if b.ndim == 1:  # (..., m, k) @ (k,) -> (..., m)
            ga = g[..., :, None] * b if need_a else None
            gb = np.matmul(_swap(a), g[..., :, None])[..., 0] if need_b else None
            return ga, gb
        ga = np.matmul(g, _swap(b)) if need_a else None
        gb = np.matmul(_swap(a), g) if need_b else None
        return ga, gb

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        a, b = self.inputs  # type: ignore[misc]
        if a.ndim == 1 and b.ndim == 1:  # dot product: g is a scalar
            return g * b, g * a
        if a.ndim == 1:  # (k,) @ (..., k, n) -> (..., n)
            ga = matmul(g[..., None, :], _swap_graph(b))[..., 0, :]
            return ga, a[:, None] * g[..., None, :]
        if b.ndim == 1:  # (..., m, k) @ (k,) -> (..., m)
            return g[..., :, None] * b, matmul(_swap_graph(a), g[..., :, None])[..., 0]
        return matmul(g, _swap_graph(b)), matmul(_swap_graph(a), g)


def matmul(a: Tensor, b: Tensor) -> Tensor:
    a = as_tensor(a, b if isinstance(b, Tensor) else None)
    return apply2(Matmul(), a, as_tensor(b, a))
