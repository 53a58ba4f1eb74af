"""Training diagnostics as callbacks: gradient flow, activation statistics, warnings.

The notes diagnose a network layer by layer. With small weights "activations decay to
zero" and the gradients of the first layers vanish ("no learning"); sigmoids and tanh
"saturate at large / small values"; a ReLU whose input stays negative never passes a
gradient again (a dead unit); too large a step makes the gradients explode (the remedy:
clip them). And when the validation loss rises while the training loss falls, the network
overfits. These callbacks measure each of those while ``Trainer.fit`` runs:

* :class:`GradientStats`: each parameter's gradient norm ``||dL/dθ||`` and update-to-weight
  ratio ``||θ_{t+1} - θ_t|| / ||θ_t||``, per optimiser step; warns (:class:`TrainingWarning`)
  when a gradient vanishes or explodes;
* ``ActivationStats`` (in :mod:`nabla.train.activation_stats`): each activation layer's
  output mean, standard deviation and fraction of dead ReLUs or saturated sigmoid / tanh
  units, per optimiser step;
* :class:`OverfittingMonitor`: warns when the validation loss rises while the training
  loss falls.

What they record is kept on the callback, per recorded step, in the formats that
:func:`nabla.plot.plot_gradient_flow` and :func:`nabla.plot.plot_activation_stats` draw
(``{name: [value per step]}`` and ``{layer: {"mean" | "std" | "saturation": [...]}}``),
with the global step numbers (1-based, counting from the first epoch) in ``steps``. The
trainer's ``history`` stays one number per epoch (what checkpoints store and resumes
check), so the callbacks keep no state across a resume: a resumed run records its own
steps, numbered on from the resumed epoch.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from nabla.train.callbacks import Callback

if TYPE_CHECKING:
    from nabla.train.trainer import Trainer

Array = np.ndarray


class TrainingWarning(UserWarning):
    """A run shows a known training problem: vanishing or exploding gradients, overfitting,
    or a learning-rate range test whose loss never fell."""


def _norm(a: Array) -> float:
    """Euclidean norm: squares summed with NumPy's pairwise sum in the array's dtype (no
    BLAS call, no float64 copy: cheap on a busy machine), again in float64 when that
    overflowed. Call it under ``np.errstate(over="ignore", invalid="ignore")``."""
    s = float(np.square(a).sum())
    if not math.isfinite(s) and a.dtype != np.float64:
        s = float(np.square(a, dtype=np.float64).sum())  # overflow, or a true inf / NaN
    return math.sqrt(s)


def _count(who: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{who}: {name} must be an integer >= 1, got {value!r}")
    return int(value)


def _threshold(who: str, name: str, value: Any, upper: float = math.inf) -> float | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float, np.integer, np.floating))
        or not 0 < value < upper
    ):
        raise ValueError(f"{who}: {name} must be a number in (0, {upper}) or None, got {value!r}")
    return float(value)


class _StepCounter(Callback):
    """Global step numbers: step ``epoch * steps_per_epoch + batch + 1``."""

    every = 1
    _offset = 0

    def on_epoch_start(self, trainer: Trainer, epoch: int) -> None:
        self._offset = epoch * trainer.steps_per_epoch

    def _step(self, batch: int) -> int | None:
        """The global step of ``batch`` if it is one to record, else None."""
        step = self._offset + batch + 1
        return step if (step - 1) % self.every == 0 else None


class GradientStats(_StepCounter):
    r"""Per-parameter gradient norms and update-to-weight ratios; vanishing / exploding warnings.

    At each recorded step, right after ``loss.backward()`` (before gradient clipping, so a
    clipped explosion still shows), the norm :math:`\|g\|_2` of every trainable
    parameter's gradient; after the optimiser step, the relative size of the step,
    :math:`\|\theta_{t+1} - \theta_t\|_2 / \|\theta_t\|_2` (a common rule of thumb: about
    1e-3; much smaller learns slowly, much larger is unstable). A parameter without a
    gradient at a step (unused in the loss) counts as a zero gradient; a ratio with
    :math:`\|\theta_t\| = 0` is NaN (drawn as a gap).

    Warnings (:class:`TrainingWarning`, at most one of each kind per ``fit``):

    * vanishing: some parameter's gradient norm is below ``vanishing`` times the largest
      gradient norm of the same step: the gradient dies out on its way back through the
      layers (the notes' deep sigmoid network), so the layers before barely learn. It is
      relative, so that a converged run whose gradients are all small does not warn;
    * exploding: some gradient norm is NaN, infinite or above ``exploding``.

    Parameters
    ----------
    every : int, default 1
        Record every ``every``-th optimiser step (1: all of them).
    record_updates : bool, default True
        Also record the update-to-weight ratios (the weights are copied before each
        recorded step, into buffers kept between steps).
    vanishing : float in (0, 1) or None, default 1e-7
        None: no vanishing warning.
    exploding : float > 0 or None, default 1e3
        None: no exploding warning.

    Attributes
    ----------
    steps : list of int
        The recorded global steps (1-based; step ``epoch * steps_per_epoch + batch + 1``).
    grad_norms : dict of str to list of float
        ``{parameter name: [norm per recorded step]}`` (names as ``named_parameters``),
        the input of :func:`nabla.plot.plot_gradient_flow`.
    update_ratios : dict of str to list of float
        The same for the update-to-weight ratios (empty if not recorded).

    Examples
    --------
    >>> import numpy as np
    >>> from nabla import nn, optim
    >>> from nabla.train import Trainer, GradientStats
    >>> X = np.random.default_rng(0).normal(size=(64, 3)).astype(np.float32); y = X.sum(1)
    >>> net = nn.Sequential(nn.Linear(3, 8, rng=0), nn.Tanh(), nn.Linear(8, 1, rng=1))
    >>> grads = GradientStats()
    >>> _ = Trainer(net, nn.MSELoss(), optim.SGD(net.parameters(), lr=0.05),
    ...             callbacks=[grads], progress=False).fit((X, y), epochs=2, batch_size=16)
    >>> grads.steps, list(grads.grad_norms)
    ([1, 2, 3, 4, 5, 6, 7, 8], ['0.weight', '0.bias', '2.weight', '2.bias'])
    >>> from nabla.plot import plot_gradient_flow
    >>> len(plot_gradient_flow(grads.grad_norms, steps=grads.steps).lines)
    4
    """

    def __init__(
        self,
        every: int = 1,
        record_updates: bool = True,
        vanishing: float | None = 1e-7,
        exploding: float | None = 1e3,
    ) -> None:
        who = "GradientStats"
        self.every = _count(who, "every", every)
        self.record_updates = bool(record_updates)
        self.vanishing = _threshold(who, "vanishing", vanishing, upper=1.0)
        self.exploding = _threshold(who, "exploding", exploding)
        self.steps: list[int] = []
        self.grad_norms: dict[str, list[float]] = {}
        self.update_ratios: dict[str, list[float]] = {}
        self._params: list[tuple[str, Any]] = []
        self._buffers: list[Array] = []
        self._before: list[float] | None = None
        self._warned: set[str] = set()

    def on_fit_start(self, trainer: Trainer) -> None:
        self._params = [(n, p) for n, p in trainer.model.named_parameters() if p.requires_grad]
        if not self._params:
            raise ValueError("GradientStats: the model has no trainable parameters to watch")
        names = [n for n, _ in self._params]
        self.steps, self._before, self._warned = [], None, set()
        self.grad_norms = {n: [] for n in names}
        self.update_ratios = {n: [] for n in names} if self.record_updates else {}

    def on_after_backward(self, trainer: Trainer, batch: int) -> None:
        step = self._step(batch)
        if step is None:
            return
        with np.errstate(over="ignore", invalid="ignore"):
            norms = [0.0 if p.grad is None else _norm(p.grad) for _, p in self._params]
            if self.record_updates:
                self._copy_weights()
        self.steps.append(step)
        for (name, _), g in zip(self._params, norms):
            self.grad_norms[name].append(g)
        self._check(norms, step)

    def _copy_weights(self) -> None:
        """theta_t and ||theta_t|| before the step, into buffers kept from step to step."""
        buffers = self._buffers
        if len(buffers) != len(self._params) or any(
            b.shape != p.data.shape or b.dtype != p.data.dtype
            for b, (_, p) in zip(buffers, self._params)
        ):
            buffers[:] = [np.empty_like(p.data) for _, p in self._params]
        for b, (_, p) in zip(buffers, self._params):
            np.copyto(b, p.data)
        self._before = [_norm(b) for b in buffers]

    def on_batch_end(self, trainer: Trainer, batch: int, logs: dict[str, float]) -> None:
        if self._before is None:
            return
        with np.errstate(all="ignore"):  # weights that just overflowed give NaN, no warning
            for (name, p), w0, size in zip(self._params, self._buffers, self._before):
                change = _norm(np.subtract(p.data, w0, out=w0))  # theta_{t+1} - theta_t
                self.update_ratios[name].append(change / size if size > 0 else math.nan)
        self._before = None

    def _check(self, norms: list[float], step: int) -> None:
        names = [n for n, _ in self._params]
        if self.exploding is not None and "exploding" not in self._warned:
            bad = [i for i, g in enumerate(norms) if not g <= self.exploding]
            if bad:
                i = bad[0]
                self._warned.add("exploding")
                warnings.warn(
                    f"GradientStats: the gradient of {names[i]!r} exploded at step {step}: its "
                    f"norm is {norms[i]:.3g} (exploding={self.exploding:g}). Lower the learning "
                    "rate or clip the gradients (Trainer(clip_grad_norm=...)).",
                    TrainingWarning,
                    stacklevel=2,
                )
        finite = [g for g in norms if math.isfinite(g)]
        top = max(finite, default=0.0)
        if self.vanishing is None or "vanishing" in self._warned or top == 0.0:
            return
        i = int(np.argmin([g if math.isfinite(g) else math.inf for g in norms]))
        if norms[i] < self.vanishing * top:
            j = norms.index(top)
            self._warned.add("vanishing")
            warnings.warn(
                f"GradientStats: the gradient of {names[i]!r} vanished at step {step}: its norm "
                f"{norms[i]:.3g} is {norms[i] / top:.2g} times that of {names[j]!r} ({top:.3g}) "
                f"(vanishing={self.vanishing:g}), so the layers up to it barely learn. Use "
                "ReLU-like activations, a variance-preserving initialisation (Xavier, He), "
                "batch normalisation or residual connections.",
                TrainingWarning,
                stacklevel=2,
            )


class OverfittingMonitor(Callback):
    """Warn when the validation loss rises while the training loss falls.

    After each epoch: when the validation loss has stayed above its minimum (reached at
    epoch ``b``) for ``patience`` epochs, is now more than ``min_delta`` above it, and the
    training loss is now more than ``min_delta`` below its value at epoch ``b``, the
    network is fitting its training data at the expense of new data; a
    :class:`TrainingWarning` says so (once per ``fit``). It reads the trainer's history
    only, so it keeps no state and works across a resume. Needs validation data.

    Parameters
    ----------
    patience : int, default 3
    min_delta : float, default 0

    Examples
    --------
    >>> from nabla.train import OverfittingMonitor
    >>> OverfittingMonitor(patience=5).patience
    5
    """

    def __init__(self, patience: int = 3, min_delta: float = 0.0) -> None:
        who = "OverfittingMonitor"
        self.patience = _count(who, "patience", patience)
        if (
            isinstance(min_delta, bool)
            or not isinstance(min_delta, (int, float, np.integer, np.floating))
            or not 0 <= min_delta < math.inf
        ):
            raise ValueError(f"{who}: min_delta must be a finite number >= 0, got {min_delta!r}")
        self.min_delta = float(min_delta)
        self.warned = False

    def on_fit_start(self, trainer: Trainer) -> None:
        if not trainer.has_validation:
            raise ValueError(
                "OverfittingMonitor: it compares the validation loss with the training loss; "
                "pass val_data or val_split to fit()"
            )
        self.warned = False

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        val = np.asarray(trainer.history.get("val_loss", []), dtype=np.float64)
        loss = np.asarray(trainer.history.get("loss", []), dtype=np.float64)
        if self.warned or len(val) <= self.patience or not np.isfinite(val).all():
            return
        b, e = int(np.argmin(val)), len(val) - 1
        d = self.min_delta
        if e - b >= self.patience and val[e] > val[b] + d and loss[e] < loss[b] - d:
            self.warned = True
            warnings.warn(
                f"OverfittingMonitor: the validation loss rose from {val[b]:.4g} (epoch "
                f"{b + 1}) to {val[e]:.4g} (epoch {e + 1}) while the training loss fell from "
                f"{loss[b]:.4g} to {loss[e]:.4g}: the network is overfitting its training "
                "data. Stop earlier (EarlyStopping keeps the best weights), regularise "
                "(weight decay, dropout) or get more data.",
                TrainingWarning,
                stacklevel=2,
            )
