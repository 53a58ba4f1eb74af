"""What a trainer's checkpoint holds beyond the weights, and putting it back.

Resuming is exact because every source of randomness is either a function of
(seed, epoch) (the loader's shuffle) or a ``numpy.random.Generator`` whose state is saved:
dropout layers' generators, ``nn.init``'s default generator, and the augmentation's.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from nabla.train.trainer import Trainer


def find_generators(obj: Any, prefix: str, out: dict[str, np.random.Generator]) -> None:
    """Every ``numpy.random.Generator`` held by ``obj`` (a transform, recursively)."""
    if isinstance(obj, np.random.Generator):
        out.setdefault(prefix, obj)
        return
    parts = getattr(obj, "transforms", None)
    if isinstance(parts, (list, tuple)):
        for i, t in enumerate(parts):
            find_generators(t, f"{prefix}.{i}", out)
    for attr, value in getattr(obj, "__dict__", {}).items():
        if isinstance(value, np.random.Generator):
            out.setdefault(f"{prefix}.{attr}", value)


def generators(trainer: Trainer) -> dict[str, np.random.Generator]:
    """Every random generator whose state a checkpoint must hold, by a stable name."""
    from nabla.nn import init

    found: dict[str, np.random.Generator] = {"nn.init": init.default_generator()}
    for name, m in trainer.model.named_modules():
        for attr, value in vars(m).items():
            if isinstance(value, np.random.Generator):
                found.setdefault(f"model.{name}.{attr}" if name else f"model.{attr}", value)
    if trainer.train_loader is not None and trainer.train_loader.transform is not None:
        find_generators(trainer.train_loader.transform, "transform", found)
    unique: dict[str, np.random.Generator] = {}
    seen: set[int] = set()
    for name, gen in found.items():
        if id(gen) not in seen:
            seen.add(id(gen))
            unique[name] = gen
    return unique


def save_checkpoint(trainer: Trainer, path: str | os.PathLike[str]) -> Path:
    """Write everything needed to resume (see :func:`nabla.io.save_checkpoint`)."""
    from nabla.io import save_checkpoint as write

    loader_seed = None if trainer.train_loader is None else trainer.train_loader.seed
    return write(
        path,
        model=trainer.model,
        optimizer=trainer.optimizer,
        scheduler=trainer.scheduler,
        epoch=trainer.epoch,
        history=trainer.history,
        rng_state={k: g.bit_generator.state for k, g in trainer.generators().items()},
        extra={
            "loader_seed": loader_seed,
            "hparams": trainer.hparams,
            "callbacks": [
                {"class": type(cb).__name__, "state": cb.state_dict()} for cb in trainer.callbacks
            ],
        },
    )


def _stateful(callbacks: list[Any]) -> list[Any]:
    """The callbacks whose state a resume restores: those with a non-empty state.

    Stateless ones (progress printers, loggers) may differ between a run and its resume,
    so that a cosmetic option never makes a run unresumable.
    """
    return [cb for cb in callbacks if cb.state_dict()]


def _saved_callbacks(ckpt: Any, who: str, where: str) -> list[dict[str, Any]]:
    saved = ckpt.extra.get("callbacks", [])
    if not isinstance(saved, list) or not all(
        isinstance(c, dict) and isinstance(c.get("class"), str) and isinstance(c.get("state"), dict)
        for c in saved
    ):
        raise ValueError(
            f"{who}: {where} has an invalid extra['callbacks']: expected a list of "
            f"{{'class': name, 'state': dict}}"
        )
    return [c for c in saved if c["state"]]


def _check_progress(trainer: Trainer, ckpt: Any, who: str, where: str) -> None:
    """The epoch and the history: ``0 <= epoch <= epochs``, one history row per epoch."""
    if not 0 <= ckpt.epoch <= trainer.epochs:
        raise ValueError(
            f"{who}: {where} has an invalid epoch: {ckpt.epoch} completed epochs, but this "
            f"run trains for {trainer.epochs} in all (epoch must be in 0..{trainer.epochs})"
        )
    for key, values in ckpt.history.items():
        if len(values) != ckpt.epoch or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in values
        ):
            raise ValueError(
                f"{who}: {where} has an invalid history[{key!r}]: expected {ckpt.epoch} "
                f"numbers, one per completed epoch"
            )


def _scratch_generators(
    gens: dict[str, np.random.Generator], saved: dict[str, Any], who: str, where: str
) -> dict[str, Any]:
    """Each saved state set on a scratch bit generator of the live one's type (numpy
    checks it there); the live generators are not touched."""
    out = {}
    for name, gen in gens.items():
        scratch = type(gen.bit_generator)(0)
        try:
            scratch.state = saved[name]
        except (KeyError, TypeError, ValueError, OverflowError) as exc:
            detail = " ".join(str(exc).split())[:200]
            raise ValueError(
                f"{who}: {where} has an invalid rng_state[{name!r}]: {detail}"
            ) from None
        out[name] = scratch.state
    return out


def resume(trainer: Trainer, ckpt: Any) -> None:
    """Restore a checkpoint read by ``load_checkpoint``: all of it, or nothing.

    Every part is checked against this run first (the set-up, the epoch and history, the
    model, optimiser and scheduler states, each generator's state on a scratch generator,
    each callback's state); only then is anything changed, and if applying still fails,
    everything is put back as it was.
    """
    who = "Trainer.fit"
    where = f"the checkpoint '{ckpt.path}'"
    gens = trainer.generators()
    saved_rng = ckpt.rng_state
    if set(saved_rng) != set(gens):
        raise ValueError(
            f"{who}: {where} holds random generators {sorted(saved_rng)} but this run has "
            f"{sorted(gens)}; resume with the same model, augmentation and seed"
        )
    saved_seed = ckpt.extra.get("loader_seed")
    if trainer.train_loader is not None and saved_seed != trainer.train_loader.seed:
        raise ValueError(
            f"{who}: {where} was written with shuffle seed {saved_seed}, this run uses "
            f"{trainer.train_loader.seed}; resume with the same seed"
        )
    saved_cbs = _saved_callbacks(ckpt, who, where)
    live_cbs = _stateful(trainer.callbacks)
    names = [type(cb).__name__ for cb in live_cbs]
    if [c["class"] for c in saved_cbs] != names:
        raise ValueError(
            f"{who}: {where} was written with callbacks {[c['class'] for c in saved_cbs]} "
            f"(those that keep state), this run has {names}; resume with the same ones"
        )
    if (trainer.scheduler is None) != (ckpt.scheduler_class is None):
        raise ValueError(f"{who}: {where} and this run differ in having a scheduler")
    _check_progress(trainer, ckpt, who, where)
    ckpt.validate(trainer.model, trainer.optimizer, trainer.scheduler)
    rng = _scratch_generators(gens, saved_rng, who, where)
    for i, (cb, saved) in enumerate(zip(live_cbs, saved_cbs)):
        try:
            cb.check_state(saved["state"], trainer)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(
                f"{who}: {where} has an invalid state of callback {saved['class']} "
                f"(#{i + 1} of those that keep state): {exc}"
            ) from None
    _apply(trainer, ckpt, gens, rng, list(zip(live_cbs, saved_cbs)), who, where)


def _apply(
    trainer: Trainer,
    ckpt: Any,
    gens: dict[str, np.random.Generator],
    rng: dict[str, Any],
    callbacks: list[tuple[Any, dict[str, Any]]],
    who: str,
    where: str,
) -> None:
    """Apply a checked checkpoint; on any failure put every part back."""
    old_rng = {name: g.bit_generator.state for name, g in gens.items()}
    old_cbs = [cb.state_dict() for cb, _ in callbacks]
    old_weights = trainer.weights()
    old_opt = trainer.optimizer.state_dict()
    old_sched = None if trainer.scheduler is None else trainer.scheduler.state_dict()
    try:
        ckpt.restore(trainer.model, trainer.optimizer, trainer.scheduler)
        for name, state in rng.items():
            gens[name].bit_generator.state = state
        for cb, saved in callbacks:
            cb.load_state_dict(saved["state"])
    except BaseException as exc:  # Ctrl-C included: put everything back, then report
        trainer.model.load_state_dict(old_weights)
        trainer.optimizer.load_state_dict(old_opt)
        if trainer.scheduler is not None:
            trainer.scheduler.load_state_dict(old_sched)
        for name, state in old_rng.items():
            gens[name].bit_generator.state = state
        for (cb, _), state in zip(callbacks, old_cbs):
            cb.load_state_dict(state)
        if not isinstance(exc, Exception):
            raise
        raise ValueError(f"{who}: {where} could not be applied and was not: {exc}") from None
    trainer.epoch = ckpt.epoch
    trainer.history = {k: list(v) for k, v in ckpt.history.items()}
