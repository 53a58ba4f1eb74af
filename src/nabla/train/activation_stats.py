"""``ActivationStats``: each activation layer's output statistics while training.

The notes' picture of a bad initialisation: with small weights the activations "decay to
zero" layer after layer; sigmoids and tanh "saturate at large / small values" (no
learning); a ReLU unit whose input stays negative is dead. This callback records, per
layer and step, the mean and standard deviation of the outputs and the fraction of
saturated or dead units (see :mod:`nabla.train.diagnostics` for the family).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from nabla.train.diagnostics import _count, _StepCounter, _threshold

if TYPE_CHECKING:
    from nabla.train.trainer import Trainer

Array = np.ndarray


# Saturation rules: the fraction of a layer's outputs at the flat ends of its activation.
def _dead(a: Array, tol: float) -> float:
    # a unit (one output element of a sample) is dead when it is 0 for every sample; the
    # outputs of ReLU and ReLU6 are >= 0 (or NaN, never dead), so: its maximum is 0
    return float(np.mean(a.reshape(len(a), -1).max(axis=0) == 0))


def _near(low: float, high: float) -> Callable[[Array, float], float]:
    mid, half = (low + high) / 2, (high - low) / 2

    def saturated(a: Array, tol: float) -> float:
        # |a - mid| >= half - tol: within tol of low or of high
        return float(np.mean(np.abs(a - mid) >= half - tol))

    return saturated


def _rules() -> dict[type, Callable[[Any], Callable[[Array, float], float] | None]]:
    """Activation classes -> (module -> saturation function, or None for mean / std only)."""
    from nabla import nn

    rules: dict[type, Callable[[Any], Any]] = {}
    for name, rule in (
        ("ReLU", lambda m: _dead),
        ("ReLU6", lambda m: _dead),
        ("Sigmoid", lambda m: _near(0.0, 1.0)),
        ("Hardsigmoid", lambda m: _near(0.0, 1.0)),
        ("Tanh", lambda m: _near(-1.0, 1.0)),
        ("Hardtanh", lambda m: _near(float(m.min_val), float(m.max_val))),
    ):
        cls = getattr(nn, name, None)
        if isinstance(cls, type):
            rules[cls] = rule
    # activations without flat ends: mean and standard deviation only
    plain = "LeakyReLU PReLU ELU SELU CELU GELU SiLU Mish Softplus Softsign Hardswish LogSigmoid"
    for name in plain.split():
        cls = getattr(nn, name, None)
        if isinstance(cls, type):
            rules.setdefault(cls, lambda m: None)
    return rules


def _saturation(module: Any, rules: dict[type, Any]) -> Callable[[Array, float], float] | None:
    for cls in type(module).__mro__:
        if cls in rules:
            return rules[cls](module)
    return None


class ActivationStats(_StepCounter):
    """Each activation layer's output mean, standard deviation and saturated or dead fraction.

    Forward hooks on the watched layers read their outputs during the training forward
    passes of the recorded steps (never during validation); the hooks are removed at the
    end of ``fit``. Per layer and recorded step:

    * ``"mean"``, ``"std"``: over the batch and all units (population standard deviation),
      in the outputs' dtype with NumPy's pairwise sums (float32: about 7 digits);
    * ``"saturation"``: for ReLU and ReLU6, the fraction of dead units, those whose output
      is exactly 0 for every sample of the batch (a unit is one output element of a
      sample: a neuron, or one position of one feature map); for sigmoid and hard sigmoid,
      the fraction of outputs within ``tol`` of 0 or 1; for tanh and hard tanh, within
      ``tol`` of -1 or 1 (of ``min_val`` / ``max_val``). Other layers get no
      ``"saturation"``.

    Each watched output costs a few passes over it at a recorded step, and the callback
    keeps one scratch array of its size between steps.

    A layer called several times in one forward pass (one activation module reused, as in
    ``nn.models.LeNet5``) is recorded once per call, as ``"name#1"``, ``"name#2"``, ...

    Parameters
    ----------
    layers : iterable of str, optional
        Names of the submodules to watch (as ``named_modules``; any module, e.g. a
        ``Linear`` for its pre-activations). Default: every activation layer (ReLU
        family, sigmoid, tanh, their hard forms, ELU, GELU, SiLU, ...).
    every : int, default 1
        Record every ``every``-th optimiser step.
    tol : float in (0, 0.5), default 0.01
        How close to an asymptote counts as saturated.

    Attributes
    ----------
    steps : list of int
        The recorded global steps (as :class:`GradientStats`).
    stats : dict of str to dict of str to list of float
        ``{layer: {"mean": [...], "std": [...], "saturation": [...]}}``, one value per
        recorded step, the input of :func:`nabla.plot.plot_activation_stats`.

    Examples
    --------
    >>> import numpy as np
    >>> from nabla import nn, optim
    >>> from nabla.train import Trainer, ActivationStats
    >>> X = np.random.default_rng(0).normal(size=(64, 3)).astype(np.float32); y = X.sum(1)
    >>> net = nn.Sequential(nn.Linear(3, 8, rng=0), nn.Sigmoid(), nn.Linear(8, 1, rng=1))
    >>> acts = ActivationStats(every=2)
    >>> _ = Trainer(net, nn.MSELoss(), optim.SGD(net.parameters(), lr=0.05),
    ...             callbacks=[acts], progress=False).fit((X, y), epochs=1, batch_size=16)
    >>> acts.steps, sorted(acts.stats["1"])
    ([1, 3], ['mean', 'saturation', 'std'])
    """

    def __init__(self, layers: Iterable[str] | None = None, every: int = 1, tol: float = 0.01):
        who = "ActivationStats"
        if layers is not None:
            names = [] if isinstance(layers, str) else list(layers)
            if isinstance(layers, str) or not all(isinstance(n, str) for n in names):
                raise TypeError(f"{who}: layers must be a list of module names, got {layers!r}")
            layers = names
        self.layers = layers
        self.every = _count(who, "every", every)
        tol_ = _threshold(who, "tol", tol, upper=0.5)
        if tol_ is None:
            raise ValueError(f"{who}: tol must be a number in (0, 0.5), got None")
        self.tol = tol_
        self.steps: list[int] = []
        self.stats: dict[str, dict[str, list[float]]] = {}
        self._handles: list[Any] = []
        self._armed = False
        self._calls: list[tuple[str, dict[str, float]]] = []

    def _watched(self, model: Any) -> list[tuple[str, Any]]:
        modules = dict(model.named_modules())
        if self.layers is None:
            classes = tuple(_rules())
            found = [(n, m) for n, m in modules.items() if n and isinstance(m, classes)]
            if not found:
                raise ValueError(
                    "ActivationStats: the model has no activation layer (activations called "
                    "as functions cannot be watched); name the modules to watch with layers="
                )
            return found
        missing = [n for n in self.layers if n not in modules]
        if missing:
            raise ValueError(
                f"ActivationStats: the model has no submodule(s) {missing}; its modules are "
                f"{[n for n in modules if n]}"
            )
        return [(n, modules[n]) for n in self.layers]

    def on_fit_start(self, trainer: Trainer) -> None:
        watched = self._watched(trainer.model)  # checked before anything changes
        self._remove()  # hooks left by a fit that raised
        rules = _rules()
        self.steps, self.stats, self._armed, self._calls = [], {}, False, []
        for name, module in watched:
            self._handles.append(
                module.register_forward_hook(self._hook(name, _saturation(module, rules)))
            )

    def _hook(self, name: str, saturation: Callable[[Array, float], float] | None) -> Any:
        scratch: list[Array] = []  # one array the size of the output, reused at every step

        def hook(module: Any, args: Any, out: Any) -> None:
            if not self._armed:
                return
            a = getattr(out, "data", None)
            if not isinstance(a, np.ndarray) or a.size == 0 or a.dtype.kind != "f":
                return
            a = a if a.ndim else a.reshape(1)
            if not scratch or scratch[0].shape != a.shape or scratch[0].dtype != a.dtype:
                scratch[:] = [np.empty_like(a)]
            with np.errstate(all="ignore"):  # an overflowing run gives inf / NaN, no warning
                mean = np.mean(a, keepdims=True)
                d = np.subtract(a, mean, out=scratch[0])
                np.multiply(d, d, out=d)  # squared deviations
                record = {"mean": float(mean.item()), "std": math.sqrt(float(d.mean()))}
                if saturation is not None:
                    record["saturation"] = saturation(a, self.tol)
            self._calls.append((name, record))

        return hook

    def on_batch_start(self, trainer: Trainer, batch: int) -> None:
        self._armed = self._step(batch) is not None
        self._calls = []

    def on_batch_end(self, trainer: Trainer, batch: int, logs: dict[str, float]) -> None:
        if not self._armed:
            return
        self._armed = False
        calls = self._calls
        per_name: dict[str, int] = {}
        for name, _ in calls:
            per_name[name] = per_name.get(name, 0) + 1
        seen: dict[str, int] = {}
        row: dict[str, dict[str, float]] = {}
        for name, record in calls:
            seen[name] = seen.get(name, 0) + 1
            row[name if per_name[name] == 1 else f"{name}#{seen[name]}"] = record
        done = len(self.steps)
        for key, record in row.items():  # a layer first seen now: NaN for the steps before
            old = self.stats.setdefault(key, {})
            for stat, value in record.items():
                old.setdefault(stat, [math.nan] * done).append(value)
        for old in self.stats.values():  # a layer not called at this step: NaN
            for values in old.values():
                if len(values) == done:
                    values.append(math.nan)
        self.steps.append(int(self._step(batch) or 0))
        self._calls = []

    def on_fit_end(self, trainer: Trainer) -> None:
        self._remove()

    def _remove(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []
        self._armed = False
