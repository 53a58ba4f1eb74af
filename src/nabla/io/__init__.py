"""Safe files: models, state dicts and checkpoints as safetensors + JSON metadata.

- ``save(model, path)`` / ``load(path)``: architecture (registered class names and their
  constructor arguments) and weights.
- ``save_checkpoint`` / ``load_checkpoint``: model, optimiser, scheduler, epoch, history
  and random-generator states, enough to resume training bit for bit.
- ``save_state_dict`` / ``load_state_dict``: plain arrays.

Every write goes to a temporary file in the target's folder, is fsynced and renamed over
the target (``atomic_write_bytes``); a read-only target is refused with ``PermissionError``
unless ``force=True``, and the temporary files of saves killed mid-write are removed by
the next save to the same path. The same model and metadata always give the same bytes.

Loading never unpickles; truncated, corrupted, foreign, pickle and malformed files are
refused with a ``ValueError`` naming the path, and the header is checked against the
file (and the model description against the arrays it holds) before anything is
allocated. Class names in files are resolved only through the explicit registry
(``register_model``).

Examples
--------
>>> import tempfile, os
>>> from nabla import nn, io
>>> net = nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU(), nn.Linear(4, 2, rng=1))
>>> path = os.path.join(tempfile.mkdtemp(), "net.safetensors")
>>> _ = io.save(net, path)
>>> io.load(path)
Sequential(
  (0): Linear(in_features=3, out_features=4, bias=True)
  (1): ReLU()
  (2): Linear(in_features=4, out_features=2, bias=True)
)
"""

from nabla.io._api import (
    Checkpoint,
    load,
    load_checkpoint,
    load_state_dict,
    save,
    save_checkpoint,
    save_state_dict,
)
from nabla.io._atomic import atomic_write_bytes, check_output_dir
from nabla.io._format import FORMAT_VERSION
from nabla.io._registry import register_model, registered

__all__ = [
    "FORMAT_VERSION",
    "Checkpoint",
    "atomic_write_bytes",
    "check_output_dir",
    "load",
    "load_checkpoint",
    "load_state_dict",
    "register_model",
    "registered",
    "save",
    "save_checkpoint",
    "save_state_dict",
]
