"""``nabla train``: train a network on a dataset and write the model, history and curves.

With no arguments it is nabla's main job: a small convolutional network (two 3x3
convolutions with batch norm, max-pooling, dropout; Adam with a cosine schedule; ±1-pixel
random shifts) on scikit-learn's 8x8 digits, with a stratified 25% test split.

    nabla train                                      # CNN on digits
    nabla train --model mlp --dataset iris
    nabla train --dataset train-images.idx.gz,train-labels.idx.gz --model lenet
    nabla train --dataset data.csv --target price --epochs 100
    nabla train --resume                             # continue an interrupted run

Results go to stdout, progress to stderr; the output folder receives model.safetensors,
history.json, curves.png, checkpoint.safetensors and run.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from nabla.data.catalog import Prepared, prepare_data
from nabla.train.callbacks import Callback

MODELS = ("cnn", "lenet", "mlp")


# ---- models --------------------------------------------------------------------------------
def build_model(name: str, data: Prepared, *, seed: int) -> Any:
    """The network ``name`` for ``data``'s input shape and number of outputs."""
    from nabla import nn

    g = np.random.default_rng([seed, 2])  # weights and dropout masks, independent of the split
    shape = data.X_train.shape[1:]
    k = data.n_outputs
    if name == "mlp":
        d = int(np.prod(shape))
        layers: list[Any] = [nn.Flatten()] if len(shape) > 1 else []
        layers += [
            nn.Linear(d, 128, rng=g),
            nn.ReLU(),
            nn.Dropout(0.1, rng=g),
            nn.Linear(128, 64, rng=g),
            nn.ReLU(),
            nn.Linear(64, k, rng=g),
        ]
        return nn.Sequential(*layers)
    if len(shape) != 3:
        raise ValueError(
            f"--model {name} needs image data (digits or an IDX pair); {data.name!r} has "
            f"{shape[0]} features per sample: use --model mlp"
        )
    c, h, w = shape
    if name == "cnn":
        if min(h, w) < 2:
            raise ValueError(f"--model cnn needs images of at least 2x2 pixels, got {h}x{w}")
        layers = []
        if min(h, w) >= 16:  # large images (MNIST): halve them first to keep the cost down
            layers += [nn.MaxPool2d(2)]
            h, w = h // 2, w // 2
        layers += [
            nn.Conv2d(c, 16, 3, padding=1, rng=g),
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1, rng=g),
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Dropout(0.25, rng=g),
            nn.Flatten(),
            nn.Linear(32 * (h // 2) * (w // 2), k, rng=g),
        ]
        return nn.Sequential(*layers)
    if h == w and h >= 16:
        return nn.models.LeNet5(num_classes=k, in_channels=c, input_size=h, rng=g)
    if min(h, w) < 4:
        raise ValueError(f"--model lenet needs images of at least 4x4 pixels, got {h}x{w}")
    # LeNet-5's layout scaled down to small images: 5x5 then 3x3 convolutions, two pools
    return nn.Sequential(
        nn.Conv2d(c, 6, 5, padding=2, rng=g),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 3, padding=1, rng=g),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * (h // 4) * (w // 4), 120, rng=g),
        nn.ReLU(),
        nn.Linear(120, 84, rng=g),
        nn.ReLU(),
        nn.Linear(84, k, rng=g),
    )


def describe_result(
    task: str, scores: np.ndarray, y: np.ndarray, y_std: float = 1.0, label: str = "test"
) -> list[str]:
    """Result lines: accuracy for classifiers; R² and RMSE (in target units) for regressors."""
    if task == "classification":
        correct = int(np.count_nonzero(scores.argmax(axis=1) == y))
        return [f"{label} accuracy: {100 * correct / len(y):.2f}% ({correct}/{len(y)})"]
    f = scores.reshape(len(y)).astype(np.float64)
    t = y.astype(np.float64)
    ss_res = float(((t - f) ** 2).sum())
    ss_tot = float(((t - t.mean()) ** 2).sum())
    r2 = 1 - ss_res / ss_tot if ss_tot > 0 else float("nan")
    rmse = (ss_res / len(y)) ** 0.5 * y_std
    return [f"{label} R²: {r2:.4f}", f"{label} RMSE: {rmse:.4g}"]


DEFAULTS: dict[str, Any] = {
    "model": "cnn",
    "dataset": "digits",
    "target": None,
    "epochs": 20,
    "batch_size": 32,
    "optimizer": "adam",
    "lr": None,  # per optimiser: LEARNING_RATES
    "seed": 0,
    "test_size": 0.25,
    "augment": True,
}
LEARNING_RATES = {"adam": 5e-3, "sgd": 0.1}
#: settings a resumed run must share with the interrupted one
_RUN_KEYS = tuple(DEFAULTS)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "train",
        help="train a network (default: a CNN on the digits dataset)",
        description=(
            "Train a network and write the model, its history and training curves into an "
            "output folder. With no options: a small CNN on the 8x8 digits shipped with "
            "scikit-learn (stratified 25% test split)."
        ),
    )
    parser.add_argument("--model", choices=sorted(MODELS), help="network (default: cnn)")
    parser.add_argument(
        "--dataset",
        help="digits, iris, wine, breast_cancer, diabetes (bundled with scikit-learn); "
        "IMAGES.idx,LABELS.idx (MNIST format, optionally .gz); or a CSV file with --target "
        "(default: digits)",
    )
    parser.add_argument("--target", help="the CSV column to predict")
    parser.add_argument("--epochs", type=int, help=f"epochs (default: {DEFAULTS['epochs']})")
    parser.add_argument(
        "--batch-size", type=int, help=f"minibatch size (default: {DEFAULTS['batch_size']})"
    )
    parser.add_argument("--optimizer", choices=sorted(LEARNING_RATES), help="default: adam")
    parser.add_argument(
        "--lr", type=float, help="peak learning rate (default: 0.005 for adam, 0.1 for sgd)"
    )
    parser.add_argument("--seed", type=int, help="seed of the split, weights and batches (0)")
    parser.add_argument("--test-size", type=float, help="held-out test fraction (default: 0.25)")
    parser.add_argument(
        "--no-augment",
        dest="augment",
        action="store_const",
        const=False,
        help="no random ±1-pixel shifts of training images",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=Path("nabla-output"),
        help="folder for the model, history, curves and checkpoint (default: ./nabla-output)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue the run whose checkpoint is in the output folder",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress on stderr")
    parser.set_defaults(run=run)
    return parser


def _settings(args: argparse.Namespace, output: Path) -> dict[str, Any]:
    """The run's settings: defaults, the interrupted run's (with --resume), the options."""
    given = {k: getattr(args, k, None) for k in _RUN_KEYS}
    if not args.resume:
        cfg: dict[str, Any] = {
            k: (DEFAULTS[k] if given[k] is None else given[k]) for k in _RUN_KEYS
        }
        if cfg["lr"] is None:
            cfg["lr"] = LEARNING_RATES[cfg["optimizer"]]
        return cfg
    from nabla.io import load_checkpoint

    ckpt = output / "checkpoint.safetensors"
    if not ckpt.is_file():
        raise FileNotFoundError(
            f"--resume: no checkpoint to resume in '{output}' (expected {ckpt.name}); run "
            f"without --resume to start"
        )
    saved = load_checkpoint(ckpt).extra.get("hparams", {})
    if not isinstance(saved, dict) or not all(k in saved for k in _RUN_KEYS):
        raise ValueError(f"--resume: '{ckpt}' was not written by nabla train")
    cfg = {k: saved[k] for k in _RUN_KEYS}
    try:
        _check_settings(cfg)
    except ValueError as exc:
        raise ValueError(f"--resume: '{ckpt}' holds invalid settings: {exc}") from None
    for k, v in given.items():
        if v is not None and v != cfg[k]:
            raise ValueError(
                f"--resume: --{k.replace('_', '-')} {v} differs from the interrupted run's "
                f"{cfg[k]}; a resumed run keeps its settings"
            )
    return cfg


def _check_settings(cfg: dict[str, Any]) -> None:
    """Every setting of the run (given, default, or read from a checkpoint by --resume)."""
    from nabla.cli import _checks

    if cfg["model"] not in MODELS:
        raise ValueError(f"--model must be one of {sorted(MODELS)}, got {cfg['model']!r}")
    if cfg["optimizer"] not in LEARNING_RATES:
        raise ValueError(
            f"--optimizer must be one of {sorted(LEARNING_RATES)}, got {cfg['optimizer']!r}"
        )
    if not isinstance(cfg["dataset"], str) or not isinstance(cfg["target"], (str, type(None))):
        raise ValueError("--dataset and --target must be text")
    if not isinstance(cfg["augment"], bool):
        raise ValueError(f"augment must be true or false, got {cfg['augment']!r}")
    for key in ("epochs", "batch_size"):
        value = cfg[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"--{key.replace('_', '-')} must be >= 1, got {value!r}")
    _checks.positive_finite(cfg["lr"], "--lr")
    test_size = cfg["test_size"]
    if (
        isinstance(test_size, bool)
        or not isinstance(test_size, (int, float))
        or not 0 < test_size < 1
    ):
        raise ValueError(f"--test-size must be in (0, 1), got {test_size!r}")
    _checks.seed(cfg["seed"])


#: what one run writes into its output folder
_OUTPUTS = ("model.safetensors", "history.json", "curves.png", "checkpoint.safetensors", "run.json")


class _RunLog(Callback):
    """The run's announcements: run.json and the first line when training starts (after a
    resume was checked and applied), then one line per epoch on stderr (through tqdm, so
    that it spares the bar). It keeps no state, so that --no-progress may differ between
    a run and its resume.
    """

    def __init__(self, task: str, header: str, settings: bytes, run_json: Path, show: bool):
        self.task, self.header, self.settings = task, header, settings
        self.run_json, self.show = run_json, show
        self.started = False

    def _start(self) -> None:
        if self.started:
            return
        from nabla import io

        self.started = True
        # the settings, for the user; --resume reads them from the checkpoint itself
        io.atomic_write_bytes(self.run_json, self.settings, "nabla train")
        if self.show:
            print(self.header, file=sys.stderr)

    def on_epoch_start(self, trainer: Any, epoch: int) -> None:
        self._start()

    def on_fit_end(self, trainer: Any) -> None:
        self._start()  # a resumed run that had no epoch left

    def on_epoch_end(self, trainer: Any, epoch: int, logs: dict[str, float]) -> None:
        if not self.show:
            return
        from tqdm import tqdm

        parts = [f"epoch {epoch + 1}/{trainer.epochs}", f"loss {logs['loss']:.4f}"]
        if self.task == "classification":
            parts.append(f"accuracy {100 * logs['accuracy']:.2f}%")
            parts.append(f"test accuracy {100 * logs['val_accuracy']:.2f}%")
        else:
            parts.append(f"R² {logs['r2']:.4f}")
            parts.append(f"test R² {logs['val_r2']:.4f}")
        parts.append(f"{logs['time']:.2f} s")
        tqdm.write("  ".join(parts), file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from nabla import io, nn, optim
    from nabla.plot import plot_history
    from nabla.train import ModelCheckpoint, Trainer

    started = time.perf_counter()
    output = Path(args.output)
    cfg = _settings(args, output)
    _check_settings(cfg)
    data: Prepared = prepare_data(
        cfg["dataset"], cfg["target"], test_size=cfg["test_size"], seed=cfg["seed"]
    )
    model = build_model(cfg["model"], data, seed=cfg["seed"])
    io.check_output_dir(output, "nabla train")  # fail now, not after training
    from nabla.cli._checks import replaceable_file

    for name in _OUTPUTS:
        replaceable_file(output / name, "--output")
    lr = float(cfg["lr"])
    if cfg["optimizer"] == "adam":
        optimizer: Any = optim.Adam(model.parameters(), lr=lr)
    else:
        optimizer = optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True)
    steps = cfg["epochs"] * -(-len(data.X_train) // cfg["batch_size"])
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    loss_fn = nn.CrossEntropyLoss() if data.task == "classification" else nn.MSELoss()
    ckpt_path = output / "checkpoint.safetensors"
    header = (
        f"nabla train: {cfg['model']} on {data.name} ({len(data.X_train)} training / "
        f"{len(data.X_test)} test samples), {cfg['epochs']} epochs, seed {cfg['seed']}"
    )
    settings = (json.dumps(cfg, indent=2) + "\n").encode()
    log = _RunLog(data.task, header, settings, output / "run.json", not args.no_progress)
    callbacks: list[Any] = [ModelCheckpoint(ckpt_path), log]
    trainer = Trainer(
        model,
        loss_fn,
        optimizer,
        scheduler=scheduler,
        scheduler_interval="batch",
        callbacks=callbacks,
        progress=False if args.no_progress else None,
        seed=cfg["seed"],
        hparams=cfg,
    )
    transform = None
    if cfg["augment"] and data.images:
        from nabla.data import RandomCrop

        transform = RandomCrop(data.X_train.shape[2:], padding=1, seed=cfg["seed"])
    start = time.perf_counter()
    try:
        history = trainer.fit(
            (data.X_train, data.y_train),
            epochs=cfg["epochs"],
            val_data=(data.X_test, data.y_test),
            batch_size=cfg["batch_size"],
            transform=transform,
            resume_from=ckpt_path if args.resume else None,
        )
    except KeyboardInterrupt:
        hint = "no epoch finished, so there is no checkpoint to resume"
        if ckpt_path.is_file():
            hint = (
                f"the checkpoint of epoch {io.load_checkpoint(ckpt_path).epoch} is in "
                f"'{ckpt_path}'; continue with: nabla train --resume --output {output}"
            )
        # the one line of an interrupted run (the dispatcher would add a second)
        print(f"nabla train: interrupted; {hint}", file=sys.stderr)
        return 130
    elapsed = time.perf_counter() - start
    model_path = io.save(model, output / "model.safetensors", metadata=data.metadata(cfg))
    io.atomic_write_bytes(
        output / "history.json",
        (json.dumps(history, indent=1) + "\n").encode(),
        "nabla train",
    )
    curves = plot_history(
        history, output / "curves.png", title=f"{cfg['model']} on {data.name}", val_label="test"
    )
    scores = trainer.predict(data.X_test)
    for line in describe_result(data.task, scores, data.y_test, data.y_std):
        print(line)
    total = time.perf_counter() - started
    print(f"time: {elapsed:.1f} s training ({trainer.epoch} epochs), {total:.1f} s in all")
    print(f"output: {model_path}, {output / 'history.json'}, {curves}")
    return 0
