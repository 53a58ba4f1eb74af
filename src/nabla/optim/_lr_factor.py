"""Schedules that multiply the initial rate by a factor of the epoch: ``LambdaLR``,
``MultiplicativeLR``, ``MultiStepLR``, ``ConstantLR``, ``LinearLR`` and ``PolynomialLR``
(PyTorch's, step for step; re-exported by ``nabla.optim.lr_scheduler``).

Except ``LambdaLR``, each is chainable: ``get_lr`` multiplies the current rate by the ratio
of this epoch's factor to the last one's, so that the schedule composes with others;
``_closed_form`` gives the same rates from ``base_lrs``.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from nabla.optim._lr_base import LRScheduler, callables_per_group, check_optimizer, function_state
from nabla.optim._util import check_int, check_real
from nabla.optim.optimizer import Optimizer


class _FunctionScheduler(LRScheduler):
    """A schedule driven by user functions: their code is not saved in the state dict."""

    lr_lambdas: list[Callable[[int], float]]

    def state_dict(self) -> dict[str, Any]:
        """As ``LRScheduler.state_dict``; a callable object's attributes are kept, a plain
        function or lambda is not (PyTorch's rule)."""
        state = {k: v for k, v in super().state_dict().items() if k != "lr_lambdas"}
        state["lr_lambdas"] = [function_state(f) for f in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore ``state_dict()``; the functions stay, their saved attributes come back."""
        if not isinstance(state_dict, dict):
            super().load_state_dict(state_dict)
        saved = state_dict.get("lr_lambdas", [None] * len(self.lr_lambdas))
        super().load_state_dict({k: v for k, v in state_dict.items() if k != "lr_lambdas"})
        for fn, attrs in zip(self.lr_lambdas, saved):
            if attrs is not None:
                fn.__dict__.update(attrs)


class LambdaLR(_FunctionScheduler):
    r"""The initial rate times a function of the epoch:
    :math:`\eta_t = \eta_0\, \lambda(t)`.

    Parameters
    ----------
    optimizer : Optimizer
    lr_lambda : callable or list of callables
        ``lr_lambda(epoch) -> factor``, for all groups or one per group.
    last_epoch : int, default -1

    Examples
    --------
    >>> import numpy as np
    >>> from nabla.nn.parameter import Parameter
    >>> from nabla.optim import SGD
    >>> from nabla.optim.lr_scheduler import LambdaLR
    >>> opt = SGD([Parameter(np.zeros(1))], lr=0.1)
    >>> warmup = LambdaLR(opt, lambda epoch: min(1.0, (epoch + 1) / 4))
    >>> rates = []
    >>> for _ in range(5):
    ...     opt.step()
    ...     warmup.step()
    ...     rates.append(round(warmup.get_last_lr()[0], 3))
    >>> rates
    [0.05, 0.075, 0.1, 0.1, 0.1]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        check_optimizer(type(self).__name__, optimizer, last_epoch)
        self.lr_lambdas = callables_per_group(type(self).__name__, lr_lambda, optimizer)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [b * f(self.last_epoch) for f, b in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(_FunctionScheduler):
    r"""Multiply the current rate by a function of the epoch, every epoch:
    :math:`\eta_t = \eta_{t-1}\, \lambda(t)`.

    Parameters
    ----------
    optimizer : Optimizer
    lr_lambda : callable or list of callables
        ``lr_lambda(epoch) -> factor``, for all groups or one per group.
    last_epoch : int, default -1
    """

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        check_optimizer(type(self).__name__, optimizer, last_epoch)
        self.lr_lambdas = callables_per_group(type(self).__name__, lr_lambda, optimizer)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._group_lrs()
        return [lr * f(self.last_epoch) for f, lr in zip(self.lr_lambdas, self._group_lrs())]


class MultiStepLR(LRScheduler):
    r"""Multiply the rate by ``gamma`` at each milestone epoch:
    :math:`\eta_t = \eta_0\, \gamma^{\#\{m \le t\}}` (a milestone listed twice counts twice).

    Parameters
    ----------
    optimizer : Optimizer
    milestones : iterable of int
        Epochs (>= 0) at which to decay.
    gamma : float, default 0.1
        Factor (>= 0).
    last_epoch : int, default -1
    """

    def __init__(
        self,
        optimizer: Optimizer,
        milestones: Iterable[int],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ) -> None:
        who = type(self).__name__
        check_optimizer(who, optimizer, last_epoch)
        if isinstance(milestones, (str, bytes)) or not isinstance(milestones, Iterable):
            raise TypeError(f"{who}: milestones must be an iterable of ints, got {milestones!r}")
        milestones = list(milestones)
        for m in milestones:
            check_int(who, "each milestone", m, low=0)
        check_real(who, "gamma", gamma, low=0.0)
        self.milestones = Counter(int(m) for m in milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch not in self.milestones:
            return self._group_lrs()
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [lr * factor for lr in self._group_lrs()]

    def _closed_form(self) -> list[float]:
        passed = bisect.bisect_right(sorted(self.milestones.elements()), self.last_epoch)
        return [b * self.gamma**passed for b in self.base_lrs]


class ConstantLR(LRScheduler):
    r"""The initial rate times ``factor`` for the first ``total_iters`` epochs, then the
    initial rate: a constant warm-up.

    Parameters
    ----------
    optimizer : Optimizer
    factor : float, default 1/3
        In (0, 1] (PyTorch also takes 0, but then cannot undo it at ``total_iters``).
    total_iters : int, default 5
        Epochs at the reduced rate (>= 0).
    last_epoch : int, default -1
    """

    def __init__(
        self,
        optimizer: Optimizer,
        factor: float = 1.0 / 3,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        who = type(self).__name__
        check_optimizer(who, optimizer, last_epoch)
        check_real(who, "factor", factor, low=0.0, high=1.0, low_open=True)
        check_int(who, "total_iters", total_iters, low=0)
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return [lr * self.factor for lr in self._group_lrs()]
        if self.last_epoch != self.total_iters:
            return self._group_lrs()
        return [lr * (1.0 / self.factor) for lr in self._group_lrs()]

    def _closed_form(self) -> list[float]:
        f = 1.0 if self.last_epoch >= self.total_iters else self.factor
        return [b * f for b in self.base_lrs]


class LinearLR(LRScheduler):
    r"""The initial rate times a factor going linearly from ``start_factor`` to
    ``end_factor`` over ``total_iters`` epochs (a linear warm-up or decay):

    .. math:: \eta_t = \eta_0 \left(s + (e - s) \frac{\min(t, T)}{T}\right).

    Parameters
    ----------
    optimizer : Optimizer
    start_factor : float, default 1/3
        In (0, 1].
    end_factor : float, default 1
        In [0, 1].
    total_iters : int, default 5
        Epochs of the ramp (>= 1).
    last_epoch : int, default -1
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        who = type(self).__name__
        check_optimizer(who, optimizer, last_epoch)
        check_real(who, "start_factor", start_factor, low=0.0, high=1.0, low_open=True)
        check_real(who, "end_factor", end_factor, low=0.0, high=1.0)
        check_int(who, "total_iters", total_iters, low=1)
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        s, e, T, t = self.start_factor, self.end_factor, self.total_iters, self.last_epoch
        if t == 0:
            return [lr * s for lr in self._group_lrs()]
        if self._is_initial or t > T:
            return self._group_lrs()
        ratio = 1.0 + (e - s) / (T * s + (t - 1) * (e - s))  # factor(t) / factor(t - 1)
        return [lr * ratio for lr in self._group_lrs()]

    def _closed_form(self) -> list[float]:
        s, e, T = self.start_factor, self.end_factor, self.total_iters
        f = s + (e - s) * min(T, self.last_epoch) / T
        return [b * f for b in self.base_lrs]


class PolynomialLR(LRScheduler):
    r"""Decay to zero along a polynomial over ``total_iters`` epochs:
    :math:`\eta_t = \eta_0 (1 - \min(t, T) / T)^p`.

    Parameters
    ----------
    optimizer : Optimizer
    total_iters : int, default 5
        Epochs of the decay (>= 1).
    power : float, default 1
        The exponent :math:`p` (>= 0; 1 is a linear decay).
    last_epoch : int, default -1
    """

    def __init__(
        self,
        optimizer: Optimizer,
        total_iters: int = 5,
        power: float = 1.0,
        last_epoch: int = -1,
    ) -> None:
        who = type(self).__name__
        check_optimizer(who, optimizer, last_epoch)
        check_int(who, "total_iters", total_iters, low=1)
        check_real(who, "power", power, low=0.0)
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        T, t = self.total_iters, self.last_epoch
        if self._is_initial or t > T:
            return self._group_lrs()
        ratio = ((1.0 - t / T) / (1.0 - (t - 1) / T)) ** self.power  # factor(t) / factor(t - 1)
        return [lr * ratio for lr in self._group_lrs()]

    def _closed_form(self) -> list[float]:
        f = (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters) ** self.power
        return [b * f for b in self.base_lrs]


__all__ = [
    "ConstantLR",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "PolynomialLR",
]
