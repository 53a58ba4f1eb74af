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


def resume(trainer: Trainer, ckpt: Any) -> None:
    """Restore a checkpoint read by ``load_checkpoint``; all checks come first."""
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
    saved_cbs = ckpt.extra.get("callbacks", [])
    names = [type(cb).__name__ for cb in trainer.callbacks]
    if [c["class"] for c in saved_cbs] != names:
        raise ValueError(
            f"{who}: {where} was written with callbacks {[c['class'] for c in saved_cbs]}, "
            f"this run has {names}"
        )
    if (trainer.scheduler is None) != (ckpt.scheduler_class is None):
        raise ValueError(f"{who}: {where} and this run differ in having a scheduler")
    ckpt.restore(trainer.model, trainer.optimizer, trainer.scheduler)
    for name, state in saved_rng.items():
        gens[name].bit_generator.state = state
    for cb, saved in zip(trainer.callbacks, saved_cbs):
        cb.load_state_dict(saved["state"])
    trainer.epoch = ckpt.epoch
    trainer.history = {k: list(v) for k, v in ckpt.history.items()}
