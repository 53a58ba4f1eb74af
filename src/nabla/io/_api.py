"""``save`` / ``load`` for models, state dicts and training checkpoints."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nabla.io import _checkpoint_checks as _checks
from nabla.io import _registry
from nabla.io import _safetensors as st
from nabla.io._format import NablaFile, encode_tree, read_file, write_file

Array = np.ndarray
PathLike = str | os.PathLike[str]


def _check_module(model: Any, who: str) -> None:
    from nabla.nn.module import Module

    if not isinstance(model, Module):
        raise TypeError(f"{who}: model must be a nabla.nn.Module, got {type(model).__name__}")


def _state_arrays(model: Any) -> dict[str, Array]:
    return {k: v.data for k, v in model.state_dict().items()}


def _load_into(model: Any, state: dict[str, Array], p: Path, who: str) -> None:
    try:
        model.load_state_dict(state)
    except (RuntimeError, ValueError, TypeError) as exc:
        # one line: the command line shows this message as its error line
        detail = " ".join(str(exc).split())
        raise ValueError(f"{who}: '{p}' does not fit the model: {detail}") from None


Shapes = dict[str, tuple[tuple[int, ...], np.dtype]]


def _cut(name: str) -> str:
    return name if len(name) <= 80 else name[:77] + "..."


def _misfits(expected: Shapes, have: Shapes, opaque: Iterable[str] = ()) -> list[str]:
    """How the arrays ``have`` differ from the state ``expected`` (names below an
    ``opaque`` prefix are not compared); empty when they fit."""
    hidden = set(opaque)

    def unknown(key: str) -> bool:
        # is a prefix of key ending in '.' (at most MAX_NESTING of them) opaque?
        if "" in hidden:
            return True
        end = -1
        for _ in range(_registry.MAX_NESTING + 1 if hidden else 0):
            end = key.find(".", end + 1)
            if end < 0:
                break
            if key[: end + 1] in hidden:
                return True
        return False

    def listed(keys: list[str]) -> str:
        return ", ".join(map(_cut, keys[:5])) + (" ..." if len(keys) > 5 else "")

    errors = []
    missing = [k for k in expected if k not in have]
    unexpected = [k for k in have if k not in expected and not unknown(k)]
    if missing:
        errors.append(f"missing {listed(missing)}")
    if unexpected:
        errors.append(f"unexpected {listed(unexpected)}")
    for k, (shape, dtype) in expected.items():
        if k not in have:
            continue
        got_shape, got_dtype = have[k]
        if tuple(got_shape) != tuple(shape):
            errors.append(f"{k} has shape {tuple(got_shape)}, the model needs {tuple(shape)}")
        elif not np.can_cast(got_dtype, dtype, "same_kind"):
            errors.append(f"{k} is {got_dtype}, which cannot be cast to the model's {dtype}")
    return errors


def _refuse_misfits(errors: list[str], p: Path, who: str) -> None:
    if errors:
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        raise ValueError(f"{who}: '{p}' does not fit the model: {'; '.join(errors[:5])}{more}")


# ---- models -------------------------------------------------------------------------------
def save(
    model: Any, path: PathLike, *, metadata: dict[str, Any] | None = None, force: bool = False
) -> Path:
    """Save a model (architecture + weights) to a safetensors file, atomically.

    The architecture is recorded as registered class names and constructor arguments
    (see :func:`register_model`); the weights are the model's ``state_dict()``, stored as
    safetensors tensors under their PyTorch-style names, so any safetensors reader (e.g.
    ``safetensors.torch.load_file``) gets the state dict.

    Parameters
    ----------
    model : nabla.nn.Module
        A module whose class (and whose children's classes) are registered.
    path : path
        Target file; the previous file survives any failure.
    metadata : dict, optional
        JSON-able information kept with the model (arrays allowed), returned by
        ``load(path, with_metadata=True)``.
    force : bool, default False
        Replace ``path`` even if it is read-only (it stays read-only).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    PermissionError
        ``path`` is read-only (as ``open(path, "wb")`` would refuse it) and ``force`` is
        False; the file is left unchanged.

    The same model and metadata always give the same bytes (sorted keys, arrays in a fixed
    order), whatever order the metadata's dicts were built in.
    """
    _check_module(model, "save")
    spec = _registry.describe(model)  # raises before anything is written
    arrays = _state_arrays(model)
    meta_arrays: dict[str, Array] = {}
    meta = {"model": spec, "metadata": encode_tree(metadata or {}, meta_arrays, "/metadata")}
    clash = set(arrays) & set(meta_arrays)
    if clash:
        raise ValueError(f"save: state dict names {sorted(clash)} clash with metadata arrays")
    return write_file(path, "model", meta, {**arrays, **meta_arrays}, "save", force=force)


def load(path: PathLike, *, with_metadata: bool = False) -> Any:
    """Load a model saved by :func:`save`, in evaluation mode.

    Nothing is unpickled: the file is checked (format, version, kind, sizes, checksum),
    its class names are looked up in the registry, the model is rebuilt from its
    constructor arguments and the weights are copied in.

    Returns
    -------
    model : nabla.nn.Module
        In ``eval()`` mode (call ``train()`` to train it further).
    metadata : dict
        Only with ``with_metadata=True``: the ``metadata`` given to :func:`save`.

    Raises
    ------
    FileNotFoundError, IsADirectoryError
    ValueError
        The file is empty, truncated, corrupted, a pickle, not a nabla model file, names
        a class that is not registered, holds a malformed description or metadata, or
        describes a model its arrays do not fit; the message names the path. The header
        and the description are checked before anything is allocated, layers are built
        without random initialisation, and the weights are read straight into the model:
        memory is about one copy of the weights.
    """
    with NablaFile(path, ("model",), "load") as f:
        p, tree = f.path, f.tree
        spec = tree.get("model") if isinstance(tree, dict) else None
        try:
            plan = _registry.plan(spec)
        except ValueError as exc:
            raise ValueError(f"load: '{p}' has an invalid model description: {exc}") from None
        # the description against the arrays the file holds, before anything is allocated
        held = {k: (e.shape, e.dtype) for k, e in f.entries.items() if not k.startswith("/")}
        _refuse_misfits(_misfits(plan.state, held, plan.opaque), p, "load")
        try:
            model = _registry.build(spec)
        except ValueError as exc:
            raise ValueError(f"load: '{p}' has an invalid model description: {exc}") from None
        own = {k: t.data for k, t in model.state_dict(keep_vars=True).items()}
        _refuse_misfits(_misfits({k: (a.shape, a.dtype) for k, a in own.items()}, held), p, "load")
        # the weights go straight into the model's arrays: memory is one copy of them
        into = {k: a for k, a in own.items() if a.dtype == held[k][1] and a.flags.c_contiguous}
        arrays = f.read_arrays(into)
        for k, a in own.items():
            if k not in into:
                np.copyto(a, arrays[k], casting="same_kind")
        metadata = f.decode(tree.get("metadata", {}), arrays)
    model.eval()
    if with_metadata:
        return model, metadata
    return model


def save_state_dict(
    state_dict: dict[str, Any],
    path: PathLike,
    *,
    metadata: dict[str, Any] | None = None,
    force: bool = False,
) -> Path:
    """Save a ``{name: array}`` mapping (e.g. ``model.state_dict()``) atomically.

    A read-only ``path`` raises ``PermissionError`` unless ``force=True`` (see :func:`save`).
    """
    if not isinstance(state_dict, dict):
        raise TypeError(f"save_state_dict: expected a dict, got {type(state_dict).__name__}")
    arrays: dict[str, Array] = {}
    for k, v in state_dict.items():
        if not isinstance(k, str) or k.startswith("/"):
            raise ValueError(f"save_state_dict: keys must be str not starting with '/', got {k!r}")
        arr = np.asarray(getattr(v, "data", v))
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"save_state_dict: {k!r} has non-numeric dtype {arr.dtype}")
        arrays[k] = arr
    meta_arrays: dict[str, Array] = {}
    meta = {"metadata": encode_tree(metadata or {}, meta_arrays, "/metadata")}
    return write_file(
        path, "state_dict", meta, {**arrays, **meta_arrays}, "save_state_dict", force=force
    )


def load_state_dict(path: PathLike) -> dict[str, Array]:
    """The arrays of a nabla model / state-dict file, or of any plain safetensors file.

    The header is checked before anything is allocated, and each array is read by its
    offsets (memory is the size of the arrays, not of a copy of the file).
    """
    who = "load_state_dict"
    with st.Container(path, who) as c:
        meta = c.metadata
        if isinstance(meta, dict) and meta.get("format") == "nabla":
            arrays = None
        else:
            arrays = {k: c.read(k) for k in c.entries}
    if arrays is None:
        _, _, arrays = read_file(path, ("model", "state_dict"), who)
    return {k: v for k, v in arrays.items() if not k.startswith("/")}


# ---- checkpoints --------------------------------------------------------------------------
@dataclass
class Checkpoint:
    """What :func:`load_checkpoint` read; :meth:`restore` puts it back into live objects."""

    path: Path
    epoch: int
    model_state: dict[str, Array]
    model_spec: dict[str, Any] | None = None
    optimizer_class: str | None = None
    optimizer_state: dict[str, Any] | None = None
    scheduler_class: str | None = None
    scheduler_state: dict[str, Any] | None = None
    history: dict[str, Any] = field(default_factory=dict)
    rng_state: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def build_model(self) -> Any:
        """A new model with the saved architecture and weights (training mode)."""
        if self.model_spec is None:
            raise ValueError(
                f"load_checkpoint: '{self.path}' holds no architecture (the model's class was "
                f"not registered); build the model yourself and call restore(model)"
            )
        try:
            plan = _registry.plan(self.model_spec)
        except ValueError as exc:
            raise ValueError(f"'{self.path}' has an invalid model description: {exc}") from None
        # the description against the saved state, before anything is allocated
        held = {k: (np.shape(v), np.asarray(v).dtype) for k, v in self.model_state.items()}
        _refuse_misfits(
            _misfits(plan.state, held, plan.opaque), self.path, "Checkpoint.build_model"
        )
        try:
            model = _registry.build(self.model_spec)
        except ValueError as exc:
            raise ValueError(f"'{self.path}' has an invalid model description: {exc}") from None
        _load_into(model, self.model_state, self.path, "Checkpoint.build_model")
        return model

    def validate(self, model: Any, optimizer: Any = None, scheduler: Any = None) -> None:
        """Raise ``ValueError`` (naming the file and the field) if :meth:`restore` would
        fail; changes nothing.

        Checks the class names, the model state's names, shapes and dtypes against
        ``model``, the optimiser state by loading it into a scratch copy of ``optimizer``
        (and its buffers for finite numbers), and the scheduler state's structure and value
        types against ``scheduler``'s own.
        """
        who = "Checkpoint.restore"
        _check_module(model, who)
        for obj, saved, what in (
            (optimizer, self.optimizer_class, "optimizer"),
            (scheduler, self.scheduler_class, "scheduler"),
        ):
            if obj is None:
                continue
            if saved is None:
                raise ValueError(f"{who}: '{self.path}' holds no {what} state")
            if type(obj).__name__ != saved:
                raise ValueError(
                    f"{who}: '{self.path}' holds a {saved} {what} state, not a {type(obj).__name__}"
                )
        live = {k: (a.shape, a.dtype) for k, a in _state_arrays(model).items()}
        held = {k: (np.shape(v), np.asarray(v).dtype) for k, v in self.model_state.items()}
        errors = _misfits(live, held)
        if errors:
            more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
            detail = f"it does not fit the model: {'; '.join(errors[:5])}{more}"
            raise _checks.invalid(self.path, "model_state", detail, who)
        if optimizer is not None:
            if self.optimizer_state is None:
                detail = "the checkpoint holds none; restore without an optimizer"
                raise _checks.invalid(self.path, "optimizer_state", detail, who)
            _checks.check_optimizer_state(optimizer, self.optimizer_state, self.path, who)
        if scheduler is not None:
            live_sched = {k: v for k, v in scheduler.state_dict().items() if k != "optimizer"}
            _checks.check_like(self.scheduler_state, live_sched, "scheduler_state", self.path, who)

    def restore(self, model: Any, optimizer: Any = None, scheduler: Any = None) -> None:
        """Load the saved states into ``model`` (and ``optimizer``, ``scheduler``).

        All or nothing: everything is checked first (:meth:`validate`), and if loading any
        state still fails the objects are put back as they were.
        """
        who = "Checkpoint.restore"
        self.validate(model, optimizer, scheduler)
        old_model = {k: v.copy() for k, v in _state_arrays(model).items()}
        old_opt = None if optimizer is None else optimizer.state_dict()
        old_sched = None if scheduler is None else scheduler.state_dict()
        try:
            _load_into(model, self.model_state, self.path, who)
            if optimizer is not None:
                optimizer.load_state_dict(self.optimizer_state)
            if scheduler is not None:
                scheduler.load_state_dict(self.scheduler_state)
        except (KeyError, TypeError, ValueError) as exc:
            model.load_state_dict(old_model)
            if optimizer is not None:
                optimizer.load_state_dict(old_opt)
            if scheduler is not None:
                scheduler.load_state_dict(old_sched)
            raise ValueError(f"{who}: '{self.path}' does not fit: {exc}") from None


def save_checkpoint(
    path: PathLike,
    *,
    model: Any,
    optimizer: Any = None,
    scheduler: Any = None,
    epoch: int = 0,
    history: dict[str, Any] | None = None,
    rng_state: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    force: bool = False,
) -> Path:
    """Save everything needed to resume training, atomically.

    Parameters
    ----------
    path : path
    model : nabla.nn.Module
        Its weights (and, if its classes are registered, its architecture).
    optimizer, scheduler : optional
        Their ``state_dict()`` (per-parameter buffers, step counts, learning rates).
    epoch : int
        The number of completed epochs.
    history : dict, optional
        Per-epoch metrics so far.
    rng_state : dict, optional
        ``{name: Generator.bit_generator.state}`` of every random generator in play.
    extra : dict, optional
        Anything else JSON-able (arrays allowed).
    force : bool, default False
        Replace ``path`` even if it is read-only (otherwise ``PermissionError``).
    """
    who = "save_checkpoint"
    _check_module(model, who)
    if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
        raise ValueError(f"{who}: epoch must be an integer >= 0, got {epoch!r}")
    try:
        spec = _registry.describe(model)
    except (TypeError, ValueError):
        spec = None  # a custom module: the weights alone, restored into a model the user builds
    tree = {
        "epoch": int(epoch),
        "model_spec": spec,
        "model_state": _state_arrays(model),
        "optimizer_class": None if optimizer is None else type(optimizer).__name__,
        "optimizer_state": None if optimizer is None else optimizer.state_dict(),
        "scheduler_class": None if scheduler is None else type(scheduler).__name__,
        "scheduler_state": None if scheduler is None else scheduler.state_dict(),
        "history": history or {},
        "rng_state": rng_state or {},
        "extra": extra or {},
    }
    arrays: dict[str, Array] = {}
    meta = encode_tree(tree, arrays)
    return write_file(path, "checkpoint", meta, arrays, who, force=force)


def load_checkpoint(path: PathLike) -> Checkpoint:
    """Read a checkpoint written by :func:`save_checkpoint` (checked; never unpickled).

    Every field is checked for the type ``save_checkpoint`` writes (``epoch`` an integer
    >= 0, states dicts, arrays arrays); a ``ValueError`` names the file and the field.
    """
    _, tree, _ = read_file(path, ("checkpoint",), "load_checkpoint")
    p = Path(path)
    tree = _checks.check_fields(tree, p)
    return Checkpoint(
        path=p,
        epoch=tree["epoch"],
        model_state=dict(tree["model_state"]),
        model_spec=tree["model_spec"],
        optimizer_class=tree["optimizer_class"],
        optimizer_state=tree["optimizer_state"],
        scheduler_class=tree["scheduler_class"],
        scheduler_state=tree["scheduler_state"],
        history=dict(tree["history"]),
        rng_state=dict(tree["rng_state"]),
        extra=dict(tree["extra"]),
    )
