"""Cyclical schedules, stepped once per batch: ``CyclicLR`` (Smith, 2017) and ``OneCycleLR``
(Smith & Topin, 2019), with the momentum cycled the other way (PyTorch's, step for step;
re-exported by ``nabla.optim.lr_scheduler``)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

from nabla.optim._lr_base import LRScheduler, check_optimizer, function_state, per_group
from nabla.optim._util import check_bool, check_int, check_real
from nabla.optim.optimizer import Optimizer


def _momentum_setup(who: str, optimizer: Optimizer, base: Any, top: Any) -> tuple[bool, list, list]:
    """Check that the optimiser has a momentum (``momentum`` or ``betas[0]``); the
    per-group bounds; whether it is beta1."""
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError(
            f"{who}: cycle_momentum=True needs an optimiser with a momentum or betas "
            f"(SGD, RMSprop, Adam, ...), got {type(optimizer).__name__}; pass "
            f"cycle_momentum=False"
        )
    bases = per_group(who, "base_momentum", base, optimizer)
    tops = per_group(who, "max_momentum", top, optimizer)
    return "betas" in optimizer.defaults, bases, tops


def _set_momentum(group: dict[str, Any], use_beta1: bool, value: float) -> None:
    if use_beta1:
        group["betas"] = (value, *group["betas"][1:])
    else:
        group["momentum"] = value


class CyclicLR(LRScheduler):
    r"""Cycle the rate between ``base_lr`` and ``max_lr`` (cyclical learning rates, Smith
    2017), ``step()`` after every batch.

    A cycle rises for ``step_size_up`` steps and falls for ``step_size_down``; at step
    :math:`t` of a cycle of length :math:`L = u + d` (cycle :math:`c = \lfloor 1 + t/L
    \rfloor`, position :math:`x = 1 + t/L - c`), the height is :math:`x / (u/L)` rising and
    :math:`(x - 1) / (u/L - 1)` falling, and

    .. math:: \eta_t = \eta_{base} + (\eta_{max} - \eta_{base})\, h\, s,

    with the scale :math:`s` = 1 ('triangular'), :math:`1/2^{c-1}` ('triangular2'),
    :math:`\gamma^t` ('exp_range') or ``scale_fn`` (of :math:`c` or of :math:`t`, as
    ``scale_mode`` says). The momentum goes the other way, from ``max_momentum`` down to
    ``base_momentum`` at the peak of the rate.

    Parameters
    ----------
    optimizer : Optimizer
    base_lr, max_lr : float or list of float
        Lower and upper rates, for all groups or one per group (>= 0). ``base_lr`` replaces
        the groups' rates at construction.
    step_size_up : int, default 2000
        Steps of the rising half (>= 1).
    step_size_down : int, optional
        Steps of the falling half (default: ``step_size_up``).
    mode : {'triangular', 'triangular2', 'exp_range'}, default 'triangular'
        Ignored when ``scale_fn`` is given.
    gamma : float, default 1
        Of 'exp_range' (> 0).
    scale_fn : callable, optional
        A custom scale, with values in [0, 1].
    scale_mode : {'cycle', 'iterations'}, default 'cycle'
        What ``scale_fn`` is a function of.
    cycle_momentum : bool, default True
        Cycle ``momentum`` (or Adam's ``betas[0]``) inversely to the rate.
    base_momentum, max_momentum : float or list of float, default 0.8, 0.9
    last_epoch : int, default -1
        Index of the last *batch*.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        base_lr: float | list[float],
        max_lr: float | list[float],
        step_size_up: int = 2000,
        step_size_down: int | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
        scale_fn: Callable[[float], float] | None = None,
        scale_mode: str = "cycle",
        cycle_momentum: bool = True,
        base_momentum: float = 0.8,
        max_momentum: float = 0.9,
        last_epoch: int = -1,
    ) -> None:
        who = type(self).__name__
        check_optimizer(who, optimizer, last_epoch)
        base_lrs = per_group(who, "base_lr", base_lr, optimizer)
        self.max_lrs = per_group(who, "max_lr", max_lr, optimizer)
        check_int(who, "step_size_up", step_size_up, low=1)
        if step_size_down is not None:
            check_int(who, "step_size_down", step_size_down, low=1)
        if scale_fn is None and mode not in ("triangular", "triangular2", "exp_range"):
            raise ValueError(
                f"{who}: mode must be 'triangular', 'triangular2' or 'exp_range' (or give "
                f"scale_fn), got {mode!r}"
            )
        if scale_fn is not None and not callable(scale_fn):
            raise TypeError(f"{who}: scale_fn must be None or a function, got {scale_fn!r}")
        if scale_mode not in ("cycle", "iterations"):
            raise ValueError(
                f"{who}: scale_mode must be 'cycle' or 'iterations', got {scale_mode!r}"
            )
        check_real(who, "gamma", gamma, low=0.0, low_open=True)
        check_bool(who, "cycle_momentum", cycle_momentum)
        if cycle_momentum:
            self.use_beta1, self.base_momentums, self.max_momentums = _momentum_setup(
                who, optimizer, base_momentum, max_momentum
            )
        # every argument is valid: now the optimiser's groups may change
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        self.mode, self.gamma, self.scale_mode = mode, gamma, scale_mode
        self._scale_fn_custom = scale_fn
        if scale_fn is None:  # the built-in modes fix what the scale is a function of
            self.scale_mode = "iterations" if mode == "exp_range" else "cycle"
        self.cycle_momentum = cycle_momentum
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                group["lr"] = lr
            if cycle_momentum:
                for top, base, group in zip(
                    self.max_momentums, self.base_momentums, optimizer.param_groups
                ):
                    _set_momentum(group, self.use_beta1, top)
                    group["max_momentum"], group["base_momentum"] = top, base
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x: float) -> float:
        """The amplitude's scale at cycle (or step) ``x``."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma**x

    def get_lr(self) -> list[float]:
        t = self.last_epoch
        cycle = math.floor(1 + t / self.total_size)
        x = 1.0 + t / self.total_size - cycle
        if x <= self.step_ratio:
            height = x / self.step_ratio
        else:
            height = (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else t)
        lrs = [b + (top - b) * height * scale for b, top in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, b, top in zip(
                self.optimizer.param_groups, self.base_momentums, self.max_momentums
            ):
                _set_momentum(group, self.use_beta1, top - (top - b) * height * scale)
        return lrs

    def state_dict(self) -> dict[str, Any]:
        """As ``LRScheduler.state_dict``; a custom ``scale_fn`` is kept only as a callable
        object's attributes (PyTorch's rule)."""
        state = super().state_dict()
        state["_scale_fn_custom"] = function_state(self._scale_fn_custom)
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore ``state_dict()``; the scale function stays, its attributes come back."""
        if not isinstance(state_dict, dict):
            super().load_state_dict(state_dict)
        fn = self._scale_fn_custom
        attrs = state_dict.get("_scale_fn_custom")
        super().load_state_dict({k: v for k, v in state_dict.items() if k != "_scale_fn_custom"})
        if fn is not None and attrs is not None:
            fn.__dict__.update(attrs)


class OneCycleLR(LRScheduler):
    r"""The 1cycle policy (Smith & Topin, 2019), ``step()`` after every batch: the rate
    rises from ``max_lr / div_factor`` to ``max_lr`` over the first ``pct_start`` of the
    ``total_steps``, then falls to ``max_lr / (div_factor * final_div_factor)``; the
    momentum does the opposite. With ``three_phase`` the fall first mirrors the rise back
    to the initial rate, then annihilates it (the paper's form; two phases are fastai's).

    Each phase anneals from its start value :math:`a` to its end value :math:`b` with
    :math:`p` going from 0 to 1 over the phase: :math:`b + (a - b)(1 + \cos \pi p)/2`
    ('cos') or :math:`a + (b - a) p` ('linear').

    Parameters
    ----------
    optimizer : Optimizer
    max_lr : float or list of float
        Peak rate, for all groups or one per group (>= 0).
    total_steps : int, optional
        Length of the cycle (>= 1); or give ``epochs`` and ``steps_per_epoch``.
    epochs, steps_per_epoch : int, optional
    pct_start : float, default 0.3
        Fraction of the steps spent rising, in [0, 1].
    anneal_strategy : {'cos', 'linear'}, default 'cos'
    cycle_momentum : bool, default True
    base_momentum, max_momentum : float or list of float, default 0.85, 0.95
    div_factor : float, default 25
        initial_lr = max_lr / div_factor (> 0).
    final_div_factor : float, default 1e4
        min_lr = initial_lr / final_div_factor (> 0).
    three_phase : bool, default False
    last_epoch : int, default -1
        Index of the last batch.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        who = type(self).__name__
        check_optimizer(who, optimizer, last_epoch)
        if total_steps is not None:
            check_int(who, "total_steps", total_steps, low=1)
        elif epochs is not None and steps_per_epoch is not None:
            check_int(who, "epochs", epochs, low=1)
            check_int(who, "steps_per_epoch", steps_per_epoch, low=1)
            total_steps = epochs * steps_per_epoch
        else:
            raise ValueError(
                f"{who}: give total_steps, or epochs and steps_per_epoch (got total_steps="
                f"{total_steps!r}, epochs={epochs!r}, steps_per_epoch={steps_per_epoch!r})"
            )
        check_real(who, "pct_start", pct_start, low=0.0, high=1.0)
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"{who}: anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}"
            )
        check_real(who, "div_factor", div_factor, low=0.0, low_open=True)
        check_real(who, "final_div_factor", final_div_factor, low=0.0, low_open=True)
        check_bool(who, "three_phase", three_phase)
        check_bool(who, "cycle_momentum", cycle_momentum)
        max_lrs = per_group(who, "max_lr", max_lr, optimizer)
        if cycle_momentum:
            self.use_beta1, bases, tops = _momentum_setup(
                who, optimizer, base_momentum, max_momentum
            )
        rise = float(pct_start * total_steps) - 1
        if three_phase:
            self._phases = [
                (rise, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (2 * rise, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                (total_steps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]
        else:
            self._phases = [
                (rise, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (total_steps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
            ]
        ends = [0.0] + [p[0] for p in self._phases]
        if any(a == b for a, b in itertools.pairwise(ends)):
            raise ValueError(
                f"{who}: pct_start={pct_start!r} with total_steps={total_steps} leaves a phase "
                f"of no steps (phase ends {ends[1:]}); change pct_start or total_steps"
            )
        # every argument is valid: now the optimiser's groups may change
        self.total_steps = total_steps
        self.anneal_strategy = anneal_strategy
        self.cycle_momentum = cycle_momentum
        if last_epoch == -1:
            for top, group in zip(max_lrs, optimizer.param_groups):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
            if cycle_momentum:
                for t_m, b_m, group in zip(tops, bases, optimizer.param_groups):
                    _set_momentum(group, self.use_beta1, t_m)
                    group["max_momentum"], group["base_momentum"] = t_m, b_m
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def step(self) -> None:
        """Advance one batch; past ``total_steps`` raise ``ValueError`` (nothing changes)."""
        if self.last_epoch + 1 > self.total_steps:
            raise ValueError(
                f"{type(self).__name__}: tried to step {self.last_epoch + 1} times, but the "
                f"schedule has total_steps={self.total_steps}"
            )
        super().step()

    def get_lr(self) -> list[float]:
        t = self.last_epoch
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, (end, lr_a, lr_b, m_a, m_b) in enumerate(self._phases):
                if t <= end or i == len(self._phases) - 1:
                    pct = (t - start) / (end - start)
                    lrs.append(self._anneal(group[lr_a], group[lr_b], pct))
                    if self.cycle_momentum:
                        m = self._anneal(group[m_a], group[m_b], pct)
                        _set_momentum(group, self.use_beta1, m)
                    break
                start = end
        return lrs


__all__ = ["CyclicLR", "OneCycleLR"]
