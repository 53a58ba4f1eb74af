"""Batch normalisation (the course notes "BATCH NORMALIZATION"): normalise each channel over the
batch, then scale and shift with learned gamma and beta."""

from __future__ import annotations

from typing import Any

import numpy as np

from nabla.autograd.ops import nn as _nn
from nabla.autograd.tensor import Tensor, apply, apply1
from nabla.nn import init
from nabla.nn.layers._util import check_bool, check_float, check_int, float_dtype, to_tensor
from nabla.nn.module import Module
from nabla.nn.parameter import Parameter


class _BatchNorm(Module):
    _who = "BatchNorm"
    _ranks: tuple[int, ...] = ()
    _layout = ""

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        who = self._who
        self.num_features = check_int(num_features, who, "num_features")
        self.eps = check_float(eps, who, "eps", 0.0)
        if eps <= 0:
            raise ValueError(f"{who}: eps must be > 0, got {eps!r}")
        self.momentum = None if momentum is None else check_float(momentum, who, "momentum", 0, 1)
        self.affine = check_bool(affine, who, "affine")
        self.track_running_stats = check_bool(track_running_stats, who, "track_running_stats")
        dt = float_dtype(dtype, who)
        c = self.num_features
        if self.affine:
            self.weight = Parameter(np.ones(c, dtype=dt))
            self.bias = Parameter(np.zeros(c, dtype=dt))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if self.track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(c, dtype=dt)))
            self.register_buffer("running_var", Tensor(np.ones(c, dtype=dt)))
            self.register_buffer("num_batches_tracked", Tensor(np.zeros((), dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def reset_parameters(self) -> None:
        """Running statistics to (0, 1); gamma to 1 and beta to 0 (PyTorch's default)."""
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            init.zeros_(self.bias)

    def forward(self, input: Any) -> Tensor:
        x = input if isinstance(input, Tensor) else to_tensor(input, self._who)
        shape = x.data.shape
        c = self.num_features
        if len(shape) not in self._ranks or shape[1] != c:
            raise ValueError(
                f"{self._who}: expected input of shape {self._layout.format(c=c)} "
                f"(num_features={c}), got shape {shape}"
            )
        use_batch = self.training or not self.track_running_stats
        if use_batch and x.data.size // c <= 1:
            raise ValueError(
                f"{self._who}: expected more than 1 value per channel when training, got input "
                f"shape {shape}"
            )
        momentum = 0.0 if self.momentum is None else self.momentum
        rm = rv = None
        if self.track_running_stats:
            rm, rv = self.running_mean.data, self.running_var.data
            if self.training:
                self.num_batches_tracked.data += 1
                if self.momentum is None:  # cumulative moving average
                    momentum = 1.0 / float(self.num_batches_tracked.data)
        op = _nn.BatchNorm(use_batch, momentum, self.eps, rm, rv)
        if self.affine:
            return apply(op, x, self.weight, self.bias)
        return apply1(op, x)

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs over N (and L), per feature C.

    y = gamma (x - mu_B) / sqrt(var_B + eps) + beta in training, with the batch mean and
    (biased) variance; the running estimates are updated as
    r <- (1 - momentum) r + momentum stat_B (unbiased variance; ``momentum=None``: a
    cumulative average), and used in evaluation mode.

    Parameters
    ----------
    num_features : int
        C.
    eps : float, default 1e-5
    momentum : float or None, default 0.1
    affine : bool, default True
        Learn gamma (``weight``, initialised to 1) and beta (``bias``, initialised to 0).
    track_running_stats : bool, default True
        Keep ``running_mean``, ``running_var`` and ``num_batches_tracked`` buffers; without
        them the batch statistics are used in evaluation too.
    dtype : numpy dtype, default float32

    Shape
    -----
    (N, C) or (N, C, L) -> same shape.

    Examples
    --------
    >>> import numpy as np, nabla
    >>> from nabla import nn
    >>> bn = nn.BatchNorm1d(3)
    >>> y = bn(nabla.tensor(np.random.default_rng(0).normal(5, 2, (64, 3))))
    >>> bool(np.allclose(y.numpy().mean(0), 0, atol=1e-6))
    True
    """

    _who = "BatchNorm1d"
    _ranks = (2, 3)
    _layout = "(N, {c}) or (N, {c}, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs over N, H and W, per channel C.

    As ``BatchNorm1d`` (same parameters, buffers and update rule) for images.

    Shape
    -----
    (N, C, H, W) -> same shape.
    """

    _who = "BatchNorm2d"
    _ranks = (4,)
    _layout = "(N, {c}, H, W)"
