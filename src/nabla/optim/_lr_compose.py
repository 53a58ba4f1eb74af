"""Schedules made of schedules: ``SequentialLR`` (one after another, e.g. a warm-up then a
decay) and ``ChainedScheduler`` (several at once, their factors multiplied); PyTorch's,
step for step, re-exported by ``nabla.optim.lr_scheduler``."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from typing import Any

from nabla.optim._lr_base import LRScheduler, check_optimizer
from nabla.optim._util import check_int
from nabla.optim.optimizer import Optimizer


def _check_schedulers(who: str, schedulers: Any, optimizer: Optimizer) -> list[LRScheduler]:
    from nabla.optim.lr_scheduler import ReduceLROnPlateau

    if not isinstance(schedulers, (list, tuple)) or not schedulers:
        raise ValueError(
            f"{who}: schedulers must be a non-empty list of schedulers, got {schedulers!r}"
        )
    for i, s in enumerate(schedulers):
        if not isinstance(s, LRScheduler):
            raise TypeError(
                f"{who}: schedulers[{i}] must be an LRScheduler, got {type(s).__name__}"
            )
        if isinstance(s, ReduceLROnPlateau):
            raise ValueError(
                f"{who}: schedulers[{i}] is a ReduceLROnPlateau, whose step needs the metric; "
                f"step it on its own"
            )
        if s.optimizer is not optimizer:
            raise ValueError(
                f"{who}: schedulers[{i}] ({type(s).__name__}) schedules another optimiser; all "
                f"must schedule the same one"
            )
    return list(schedulers)


class _Composite(LRScheduler):
    """State dicts of a schedule of schedules: each one's state, in order."""

    _schedulers: list[LRScheduler]

    def state_dict(self) -> dict[str, Any]:
        state = {k: v for k, v in super().state_dict().items() if k != "_schedulers"}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        if not isinstance(state_dict, dict):
            super().load_state_dict(state_dict)
        saved = state_dict.get("_schedulers")
        if not isinstance(saved, list) or len(saved) != len(self._schedulers):
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: expected the states of "
                f"{len(self._schedulers)} schedulers under '_schedulers'"
            )
        super().load_state_dict({k: v for k, v in state_dict.items() if k != "_schedulers"})
        for s, st in zip(self._schedulers, saved):
            s.load_state_dict(st)


def _undo_initial_steps(sched: Any) -> None:
    """Take back the step each schedule made at construction (recursively)."""
    if isinstance(sched, _Composite):
        for s in sched._schedulers:
            _undo_initial_steps(s)
    else:
        sched.last_epoch -= 1


class SequentialLR(_Composite):
    """Run ``schedulers[i]`` from ``milestones[i - 1]`` to ``milestones[i]``.

    At a milestone the next schedule starts from epoch 0, from the rates in ``initial_lr``
    (through its closed form where it has one, as PyTorch's ``step(0)``). Build the
    schedules on the optimiser first, then this; it resets the rates and starts the first.

    Parameters
    ----------
    optimizer : Optimizer
    schedulers : list of LRScheduler
        On ``optimizer`` (not ``ReduceLROnPlateau``).
    milestones : list of int
        Increasing epochs (>= 1), one fewer than the schedulers.
    last_epoch : int, default -1

    Examples
    --------
    >>> import numpy as np
    >>> from nabla.nn.parameter import Parameter
    >>> from nabla.optim import SGD
    >>> from nabla.optim import lr_scheduler as ls
    >>> opt = SGD([Parameter(np.zeros(1))], lr=1.0)
    >>> warm = ls.LinearLR(opt, start_factor=0.25, total_iters=3)
    >>> decay = ls.ExponentialLR(opt, gamma=0.5)
    >>> sched = ls.SequentialLR(opt, [warm, decay], milestones=[3])
    >>> rates = [sched.get_last_lr()[0]]
    >>> for _ in range(5):
    ...     opt.step()
    ...     sched.step()
    ...     rates.append(sched.get_last_lr()[0])
    >>> rates
    [0.25, 0.5, 0.75, 1.0, 0.5, 0.25]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        schedulers: list[LRScheduler],
        milestones: list[int],
        last_epoch: int = -1,
    ) -> None:
        who = type(self).__name__
        check_optimizer(who, optimizer, last_epoch)
        schedulers = _check_schedulers(who, schedulers, optimizer)
        if not isinstance(milestones, (list, tuple)) or len(milestones) != len(schedulers) - 1:
            raise ValueError(
                f"{who}: milestones must list one epoch fewer than the {len(schedulers)} "
                f"schedulers, got {milestones!r}"
            )
        for m in milestones:
            check_int(who, "each milestone", m, low=1)
        if any(b <= a for a, b in itertools.pairwise(milestones)):
            raise ValueError(f"{who}: milestones must increase, got {milestones!r}")
        self._schedulers = schedulers
        self._milestones = [int(m) for m in milestones]
        self.optimizer = optimizer
        self.last_epoch = last_epoch + 1
        for group in optimizer.param_groups:  # back to the initial rates
            group["lr"] = group["initial_lr"]
        _undo_initial_steps(self)
        first = schedulers[bisect.bisect_right(self._milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def step(self) -> None:
        """Advance one epoch in the schedule whose turn it is."""
        self.last_epoch += 1
        i = bisect.bisect_right(self._milestones, self.last_epoch)
        sched = self._schedulers[i]
        if i > 0 and self._milestones[i - 1] == self.last_epoch:
            sched._jump_to(0)  # its first epoch
        else:
            sched.step()
        self._last_lr = sched.get_last_lr()


class ChainedScheduler(_Composite):
    """Step several schedules on one optimiser at once: their (chainable) factors multiply.

    Parameters
    ----------
    schedulers : sequence of LRScheduler
        On the same optimiser (not ``ReduceLROnPlateau``).
    optimizer : Optimizer, optional
        Default: the first scheduler's.
    """

    def __init__(
        self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None
    ) -> None:
        who = type(self).__name__
        if optimizer is not None:
            check_optimizer(who, optimizer, -1)
        elif isinstance(schedulers, (list, tuple)) and schedulers:
            optimizer = getattr(schedulers[0], "optimizer", None)
        self._schedulers = _check_schedulers(who, schedulers, optimizer)  # type: ignore[arg-type]
        self.optimizer = optimizer  # type: ignore[assignment]
        self._last_lr = self._group_lrs()

    def step(self) -> None:
        """Step every schedule, in order."""
        for s in self._schedulers:
            s.step()
        self._last_lr = self._group_lrs()


__all__ = ["ChainedScheduler", "SequentialLR"]
