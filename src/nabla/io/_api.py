"""``save`` / ``load`` for models, state dicts and training checkpoints."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nabla.io import _registry
from nabla.io._format import encode_tree, read_file, read_header, write_file

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


# ---- models -------------------------------------------------------------------------------
def save(model: Any, path: PathLike, *, metadata: dict[str, Any] | None = None) -> Path:
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

    Returns
    -------
    pathlib.Path
    """
    _check_module(model, "save")
    spec = _registry.describe(model)  # raises before anything is written
    arrays = _state_arrays(model)
    meta_arrays: dict[str, Array] = {}
    meta = {"model": spec, "metadata": encode_tree(metadata or {}, meta_arrays, "/metadata")}
    clash = set(arrays) & set(meta_arrays)
    if clash:
        raise ValueError(f"save: state dict names {sorted(clash)} clash with metadata arrays")
    return write_file(path, "model", meta, {**arrays, **meta_arrays}, "save")


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
        The file is empty, truncated, corrupted, a pickle, not a nabla model file, or
        names a class that is not registered; the message names the path.
    """
    _kind, meta, arrays = read_file(path, ("model",), "load")
    p = Path(path)
    try:
        model = _registry.build(meta["model"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"load: '{p}' has an invalid model description: {exc}") from None
    state = {k: v for k, v in arrays.items() if not k.startswith("/")}
    _load_into(model, state, p, "load")
    model.eval()
    if with_metadata:
        return model, meta.get("metadata", {})
    return model


def save_state_dict(
    state_dict: dict[str, Any], path: PathLike, *, metadata: dict[str, Any] | None = None
) -> Path:
    """Save a ``{name: array}`` mapping (e.g. ``model.state_dict()``) atomically."""
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
    return write_file(path, "state_dict", meta, {**arrays, **meta_arrays}, "save_state_dict")


def load_state_dict(path: PathLike) -> dict[str, Array]:
    """The arrays of a nabla model / state-dict file, or of any plain safetensors file."""
    from safetensors import SafetensorError
    from safetensors.numpy import load as st_load

    from nabla.data._files import check_readable_file

    p = check_readable_file(path, "load_state_dict")
    data = p.read_bytes()
    header = read_header(data, p, "load_state_dict")
    meta = header.get("__metadata__")
    if isinstance(meta, dict) and meta.get("format") == "nabla":
        _, _, arrays = read_file(p, ("model", "state_dict"), "load_state_dict")
    else:
        try:
            arrays = st_load(data)
        except SafetensorError as exc:
            raise ValueError(f"load_state_dict: '{p}' is truncated or corrupted: {exc}") from None
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
            model = _registry.build(self.model_spec)
        except ValueError as exc:
            raise ValueError(f"'{self.path}' has an invalid model description: {exc}") from None
        _load_into(model, self.model_state, self.path, "Checkpoint.build_model")
        return model

    def restore(self, model: Any, optimizer: Any = None, scheduler: Any = None) -> None:
        """Load the saved states into ``model`` (and ``optimizer``, ``scheduler``).

        All or nothing: class names are checked first, and if loading any state fails
        the objects are put back as they were.
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
    """
    who = "save_checkpoint"
    _check_module(model, who)
    if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
        raise ValueError(f"{who}: epoch must be an integer >= 0, got {epoch!r}")
    try:
        spec = _registry.describe(model)
    except TypeError:
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
    return write_file(path, "checkpoint", meta, arrays, who)


def load_checkpoint(path: PathLike) -> Checkpoint:
    """Read a checkpoint written by :func:`save_checkpoint` (checked; never unpickled)."""
    _, tree, _ = read_file(path, ("checkpoint",), "load_checkpoint")
    p = Path(path)
    try:
        return Checkpoint(
            path=p,
            epoch=int(tree["epoch"]),
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
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"load_checkpoint: '{p}' has invalid contents: {exc}") from None
