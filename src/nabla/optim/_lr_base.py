"""``LRScheduler``, the base class of the learning-rate schedules, and the checks they share.

A scheduler changes ``group["lr"]`` of its optimiser's parameter groups. Construction sets
the rate of epoch 0; ``step()`` advances one epoch (``last_epoch`` counts them) and sets
the rates ``get_lr()`` computes. Chainable schedules compute the new rate from the
current one, so that several of them on one optimiser compose by multiplication; those
with a closed form (``_closed_form()``, from ``base_lrs`` and ``last_epoch``) can also jump
to an epoch, which ``SequentialLR`` uses when it hands over to the next schedule.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

from nabla.optim._util import check_int, check_real
from nabla.optim.optimizer import Optimizer


def check_optimizer(who: str, optimizer: Any, last_epoch: Any) -> None:
    """Raise unless ``optimizer`` is an Optimizer and ``last_epoch`` an int >= -1."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{who}: optimizer must be an Optimizer, got {type(optimizer)}")
    check_int(who, "last_epoch", last_epoch, low=-1)


def per_group(who: str, name: str, value: Any, optimizer: Optimizer, low: float = 0.0) -> list:
    """``value`` for each parameter group: one real number for all, or a list of them."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(
                f"{who}: {name} has {len(value)} values but the optimiser has {n} parameter groups"
            )
        for i, v in enumerate(value):
            check_real(who, f"{name}[{i}]", v, low=low)
        return list(value)
    check_real(who, name, value, low=low)
    return [value] * n


def callables_per_group(who: str, fn: Any, optimizer: Optimizer) -> list[Callable[[int], float]]:
    """``lr_lambda`` for each parameter group: one callable for all, or a list of them."""
    n = len(optimizer.param_groups)
    fns = list(fn) if isinstance(fn, (list, tuple)) else [fn] * n
    if len(fns) != n:
        raise ValueError(
            f"{who}: lr_lambda has {len(fns)} functions but the optimiser has {n} parameter groups"
        )
    for f in fns:
        if not callable(f):
            raise TypeError(f"{who}: lr_lambda must be a function of the epoch, got {f!r}")
    return fns


def function_state(fn: Any) -> dict[str, Any] | None:
    """What a state dict keeps of a user function: nothing for a plain function or lambda
    (code is not state), the attributes of a callable object (PyTorch's rule)."""
    if fn is None or isinstance(fn, types.FunctionType):
        return None
    return dict(fn.__dict__)


class LRScheduler:
    """Base class: ``step()``, ``get_last_lr()``, ``state_dict()``, ``load_state_dict()``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimiser whose learning rates to schedule.
    last_epoch : int, default -1
        Index of the last epoch; -1 starts a new schedule. A resumed schedule (>= 0)
        needs ``"initial_lr"`` in every group (restored with the optimiser's state dict).

    Attributes
    ----------
    base_lrs : list of float
        Each group's ``initial_lr``.
    last_epoch : int
        The number of ``step()`` calls so far (0 right after construction).
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        who = type(self).__name__
        check_optimizer(who, optimizer, last_epoch)
        if last_epoch != -1:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"{who}: param_groups[{i}] has no 'initial_lr', needed to resume with "
                        f"last_epoch={last_epoch}; load the optimiser's state dict first"
                    )
        else:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        self.optimizer = optimizer
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        """The step of construction (epoch 0, or the epoch after a resumed ``last_epoch``)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The learning rates for epoch ``last_epoch`` (subclasses)."""
        raise NotImplementedError

    def get_last_lr(self) -> list[float]:
        """The learning rates the last ``step()`` set, one per parameter group."""
        return list(self._last_lr)

    def step(self) -> None:
        """Advance one epoch and set each group's ``lr``."""
        self._step_count += 1
        self.last_epoch += 1
        self._set(self.get_lr())

    def _jump_to(self, epoch: int) -> None:
        """Set the rates of ``epoch`` directly: from the closed form where the schedule has
        one, else from ``get_lr()`` (as PyTorch's ``step(epoch)``)."""
        self.last_epoch = epoch
        closed = getattr(self, "_closed_form", None)
        self._set(closed() if closed is not None else self.get_lr())

    def _set(self, values: list[float]) -> None:
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """Every attribute except the optimiser (restore with ``load_state_dict``)."""
        return {
            k: (list(v) if isinstance(v, list) else v)
            for k, v in self.__dict__.items()
            if k != "optimizer"
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore attributes saved by ``state_dict()``."""
        if not isinstance(state_dict, dict):
            raise TypeError(
                f"{type(self).__name__}.load_state_dict: expected a dict, got "
                f"{type(state_dict).__name__}"
            )
        self.__dict__.update(
            {
                k: (list(v) if isinstance(v, list) else v)
                for k, v in state_dict.items()
                if k != "optimizer"
            }
        )

    def _group_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]


__all__ = ["LRScheduler"]
