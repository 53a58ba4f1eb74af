"""Learning-rate schedules with PyTorch's semantics (``torch.optim.lr_scheduler``).

A scheduler changes ``group["lr"]`` of its optimiser's parameter groups. Create it after
the optimiser (construction sets the initial rate, "epoch 0"), and call ``scheduler.step()``
once per epoch *after* ``optimizer.step()`` (per batch for ``CyclicLR`` and ``OneCycleLR``).
The chainable schedules (StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR,
MultiplicativeLR, ConstantLR, LinearLR, PolynomialLR) update the rate from its current
value, as PyTorch's do, so that two schedulers on one optimiser compose by multiplication
(``ChainedScheduler`` steps several at once; ``SequentialLR`` runs them one after another).

This module holds the decays of the notes on optimisation and the restarts of snapshot
ensembles; the factor schedules, the cycles and the compositions live in their own modules
and are re-exported here.
"""

from __future__ import annotations

import math

from nabla.optim._lr_base import LRScheduler
from nabla.optim._lr_compose import ChainedScheduler, SequentialLR
from nabla.optim._lr_cycle import CyclicLR, OneCycleLR
from nabla.optim._lr_factor import (
    ConstantLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    PolynomialLR,
)
from nabla.optim._util import check_int, check_real
from nabla.optim.optimizer import Optimizer

__all__ = [
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "ExponentialLR",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "OneCycleLR",
    "PolynomialLR",
    "ReduceLROnPlateau",
    "SequentialLR",
    "StepLR",
]


class StepLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` every ``step_size`` epochs.

    :math:`\eta_t = \eta_0\, \gamma^{\lfloor t / \text{step\_size} \rfloor}` (applied
    chainably: at each multiple of ``step_size`` the current rate is multiplied by gamma).

    Parameters
    ----------
    optimizer : Optimizer
    step_size : int
        Period of the decay (>= 1).
    gamma : float, default 0.1
        Factor (>= 0).
    last_epoch : int, default -1
    """

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        check_int(type(self).__name__, "step_size", step_size, low=1)
        check_real(type(self).__name__, "gamma", gamma, low=0.0)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._group_lrs()
        return [lr * self.gamma for lr in self._group_lrs()]

    def _closed_form(self) -> list[float]:
        return [b * self.gamma ** (self.last_epoch // self.step_size) for b in self.base_lrs]


class ExponentialLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` every epoch: :math:`\eta_t = \eta_0 \gamma^t`.

    Parameters
    ----------
    optimizer : Optimizer
    gamma : float
        Factor per epoch (>= 0).
    last_epoch : int, default -1
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        check_real(type(self).__name__, "gamma", gamma, low=0.0)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._group_lrs()
        return [lr * self.gamma for lr in self._group_lrs()]

    def _closed_form(self) -> list[float]:
        return [b * self.gamma**self.last_epoch for b in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    r"""Cosine annealing from the initial rate to ``eta_min`` over ``T_max`` epochs.

    .. math::
        \eta_t = \eta_{min} + \tfrac12(\eta_0 - \eta_{min})
                 \left(1 + \cos\frac{t\pi}{T_{max}}\right),

    computed, as in PyTorch, by the equivalent recursion
    :math:`\eta_t = \eta_{min} + (\eta_{t-1} - \eta_{min})
    \frac{1 + \cos(t\pi/T_{max})}{1 + \cos((t-1)\pi/T_{max})}`, so that it composes with
    other changes of the rate. After ``T_max`` epochs the rate rises again along the
    cosine (period ``2 T_max``); it does not restart (see CosineAnnealingWarmRestarts).

    Parameters
    ----------
    optimizer : Optimizer
    T_max : int
        Half-period in epochs (>= 1).
    eta_min : float, default 0
        Smallest learning rate (>= 0).
    last_epoch : int, default -1
    """

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        check_int(type(self).__name__, "T_max", T_max, low=1)
        check_real(type(self).__name__, "eta_min", eta_min, low=0.0)
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        t, T, lo = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._group_lrs()
        if self._step_count == 1 and t > 0:  # resumed: the closed form
            return [lo + (b - lo) * (1 + math.cos(t * math.pi / T)) / 2 for b in self.base_lrs]
        if (t - 1 - T) % (2 * T) == 0:  # leaving the minimum, where the ratio is 0/0
            return [
                lr + (b - lo) * (1 - math.cos(math.pi / T)) / 2
                for lr, b in zip(self._group_lrs(), self.base_lrs)
            ]
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [ratio * (lr - lo) + lo for lr in self._group_lrs()]

    def _closed_form(self) -> list[float]:
        c = (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
        return [self.eta_min + (b - self.eta_min) * c for b in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    r"""Cosine annealing with warm restarts (SGDR; the notes' snapshot-ensemble schedule).

    .. math::
        \eta_t = \eta_{min} + \tfrac12(\eta_0 - \eta_{min})
                 \left(1 + \cos\frac{T_{cur}\pi}{T_i}\right),

    where :math:`T_{cur}` counts epochs since the last restart and the :math:`i`-th cycle
    lasts :math:`T_i = T_0\, T_{mult}^i` epochs. At each restart the rate jumps back to
    :math:`\eta_0`; a snapshot ensemble saves the model at the end of each cycle, where
    the rate is smallest. ``step(epoch)`` accepts fractional epochs, to update the rate
    within an epoch (``scheduler.step(epoch + i / iters)``).

    Parameters
    ----------
    optimizer : Optimizer
    T_0 : int
        Length of the first cycle (>= 1).
    T_mult : int, default 1
        Growth factor of the cycle length (>= 1).
    eta_min : float, default 0
        Smallest learning rate (>= 0).
    last_epoch : int, default -1
    """

    def __init__(
        self,
        optimizer: Optimizer,
        T_0: int,
        T_mult: int = 1,
        eta_min: float = 0.0,
        last_epoch: int = -1,
    ) -> None:
        who = type(self).__name__
        check_int(who, "T_0", T_0, low=1)
        check_int(who, "T_mult", T_mult, low=1)
        check_real(who, "eta_min", eta_min, low=0.0)
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur: float = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        lo = self.eta_min
        c = (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
        return [lo + (b - lo) * c for b in self.base_lrs]

    def step(self, epoch: float | None = None) -> None:  # type: ignore[override]
        """Advance one epoch, or jump to ``epoch`` (may be fractional, >= 0)."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            check_real(type(self).__name__, "epoch", epoch, low=0.0)
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:  # which cycle: T_0 (T_mult^n - 1) / (T_mult - 1) <= epoch
                    n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult**n
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
        self._step_count += 1
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = self._group_lrs()


class ReduceLROnPlateau(LRScheduler):
    r"""Multiply the learning rate by ``factor`` when a metric stops improving.

    ``step(metric)`` once per epoch (e.g. with the validation loss). A value is an
    improvement if it beats the best so far by more than ``threshold`` (relative:
    ``best * (1 - threshold)`` in "min" mode; absolute: ``best - threshold``). After more
    than ``patience`` epochs without improvement, every group's rate becomes
    ``max(lr * factor, min_lr)`` (unless that changes it by at most ``eps``), and
    ``cooldown`` epochs follow in which bad epochs are not counted.

    Parameters
    ----------
    optimizer : Optimizer
    mode : {"min", "max"}, default "min"
        Whether the metric should decrease or increase.
    factor : float, default 0.1
        Reduction factor, in [0, 1).
    patience : int, default 10
        Epochs without improvement tolerated (>= 0).
    threshold : float, default 1e-4
        Smallest improvement that counts (>= 0).
    threshold_mode : {"rel", "abs"}, default "rel"
    cooldown : int, default 0
        Epochs to wait after a reduction (>= 0).
    min_lr : float or list of float, default 0
        Lower bound on the rate, for all groups or one per group (>= 0).
    eps : float, default 1e-8
        Reductions smaller than this are skipped (>= 0).
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | list[float] = 0.0,
        eps: float = 1e-8,
    ) -> None:
        who = type(self).__name__
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{who}: optimizer must be an Optimizer, got {type(optimizer)}")
        if mode not in ("min", "max"):
            raise ValueError(f"{who}: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(
                f"{who}: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}"
            )
        check_real(who, "factor", factor, low=0.0, high=1.0, high_open=True)
        check_int(who, "patience", patience, low=0)
        check_real(who, "threshold", threshold, low=0.0)
        check_int(who, "cooldown", cooldown, low=0)
        check_real(who, "eps", eps, low=0.0)
        n_groups = len(optimizer.param_groups)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != n_groups:
                raise ValueError(
                    f"{who}: min_lr has {len(min_lr)} values but the optimiser has {n_groups} "
                    f"parameter groups"
                )
            for i, m in enumerate(min_lr):
                check_real(who, f"min_lr[{i}]", m, low=0.0)
            self.default_min_lr: float | None = None
            self.min_lrs = list(min_lr)
        else:
            check_real(who, "min_lr", min_lr, low=0.0)
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * n_groups
        self.optimizer = optimizer
        self.mode, self.threshold, self.threshold_mode = mode, threshold, threshold_mode
        self.factor, self.patience, self.cooldown, self.eps = factor, patience, cooldown, eps
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.last_epoch = 0
        self._last_lr = self._group_lrs()
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def _is_better(self, a: float, best: float) -> bool:
        if self.mode == "min":
            return a < (
                best * (1.0 - self.threshold)
                if self.threshold_mode == "rel"
                else best - self.threshold
            )
        return a > (
            best * (1.0 + self.threshold) if self.threshold_mode == "rel" else best + self.threshold
        )

    def step(self, metrics: float) -> None:  # type: ignore[override]
        """Record this epoch's metric and reduce the rates if it has plateaued."""
        current = float(metrics)
        self.last_epoch += 1
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._group_lrs()

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"{type(self).__name__}: the optimiser now has {len(groups)} parameter "
                    f"groups but min_lrs has {len(self.min_lrs)} values; update min_lrs"
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old = float(group["lr"])
            new = max(old * self.factor, min_lr)
            if old - new > self.eps:
                group["lr"] = new
