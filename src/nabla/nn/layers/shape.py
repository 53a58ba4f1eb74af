"""Shape layers: ``Flatten`` and ``Unflatten``."""

from __future__ import annotations

from typing import Any

from nabla.autograd.tensor import Tensor
from nabla.nn.layers._util import to_tensor
from nabla.nn.module import Module


def flatten_dims(x: Tensor, start_dim: int, end_dim: int) -> Tensor:
    """x with dimensions start_dim..end_dim merged; the merged size is computed (not -1),
    so that an empty batch works too."""
    shape = x.shape
    if not shape:
        return x.reshape((1,))
    s, e = start_dim % len(shape), end_dim % len(shape)
    merged = 1
    for d in shape[s : e + 1]:
        merged *= d
    return x.reshape((*shape[:s], merged, *shape[e + 1 :]))


class Flatten(Module):
    """Merge dimensions ``start_dim``..``end_dim`` into one (default: all but the batch).

    Shape
    -----
    (N, C, H, W) -> (N, C H W) with the defaults.
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)

    def forward(self, input: Any) -> Tensor:
        x = input if isinstance(input, Tensor) else to_tensor(input, "Flatten")
        n = x.ndim
        if n and not (-n <= self.start_dim < n and -n <= self.end_dim < n):
            raise ValueError(
                f"Flatten: start_dim={self.start_dim}, end_dim={self.end_dim} are out of range "
                f"for an input of shape {x.shape}"
            )
        return flatten_dims(x, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dimension ``dim`` into ``unflattened_size``: (N, C H W) -> (N, C, H, W)."""

    def __init__(self, dim: int, unflattened_size: tuple[int, ...]) -> None:
        super().__init__()
        self.dim, self.unflattened_size = int(dim), tuple(int(s) for s in unflattened_size)

    def forward(self, input: Any) -> Tensor:
        x = input if isinstance(input, Tensor) else to_tensor(input, "Unflatten")
        d = self.dim % max(x.ndim, 1)
        shape = (*x.shape[:d], *self.unflattened_size, *x.shape[d + 1 :])
        return x.reshape(shape)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
