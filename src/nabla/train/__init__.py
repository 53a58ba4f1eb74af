"""The fit loop and its recipes: validation, metrics, callbacks, resumable checkpoints.

``Trainer(model, loss_fn, optimizer).fit(data, epochs=..., val_split=...)`` trains with
minibatches (the course notes), records a per-epoch history (loss and accuracy or R², training and
validation), and runs callbacks: :class:`EarlyStopping` (restores the best weights),
:class:`ModelCheckpoint` (periodic, atomic), :class:`SnapshotEnsemble` (cosine annealing
with warm restarts, a snapshot per cycle, averaged predictions). Gradient clipping and
learning-rate schedules are trainer options. A NaN or infinite loss raises
:class:`DivergenceError` naming the epoch and batch.

Diagnostics: :class:`GradientStats` (per-layer gradient norms, update-to-weight ratios,
vanishing / exploding warnings), :class:`ActivationStats` (activation mean, standard
deviation, dead or saturated units) and :class:`OverfittingMonitor`, whose warnings are
:class:`TrainingWarning`; :func:`lr_find` runs the learning-rate range test.
"""

from nabla.train.activation_stats import ActivationStats
from nabla.train.callbacks import Callback, EarlyStopping, ModelCheckpoint, SnapshotEnsemble
from nabla.train.diagnostics import GradientStats, OverfittingMonitor, TrainingWarning
from nabla.train.lr_range import LRFindResult, lr_find
from nabla.train.metrics import R2, Accuracy, Metric
from nabla.train.trainer import DivergenceError, Trainer, fit

__all__ = [
    "R2",
    "Accuracy",
    "ActivationStats",
    "Callback",
    "DivergenceError",
    "EarlyStopping",
    "GradientStats",
    "LRFindResult",
    "Metric",
    "ModelCheckpoint",
    "OverfittingMonitor",
    "SnapshotEnsemble",
    "Trainer",
    "TrainingWarning",
    "fit",
    "lr_find",
]
