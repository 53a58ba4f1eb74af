"""Any network as a scikit-learn estimator: ``NeuralNetClassifier`` and ``NeuralNetRegressor``.

As skorch does for PyTorch: the estimator holds a module factory (a ``Module`` class or a
function that builds one), a loss, an optimiser and the ``Trainer``'s settings, and
``fit`` builds a fresh network and trains it with :class:`nabla.train.Trainer`. So a CNN
or any custom ``Module`` works in ``Pipeline``, ``cross_val_score``, ``GridSearchCV`` and
``nabla.model_selection.BootstrapCI``: the notes' hyper-parameter tuning, for networks.

Parameters named ``module__<name>``, ``optimizer__<name>`` and ``criterion__<name>`` go to
the module factory, the optimiser and the loss (``GridSearchCV`` can search them like any
other). The factory also gets, when its signature names them and they are not given,
``n_features_in`` (columns of ``X``), ``n_classes`` (classifier) and ``n_outputs`` (the
output width: the number of classes, or the number of regression targets).

Randomness: an int ``random_state`` ``s`` seeds both the weights and the shuffles: the
factory runs, and training runs, with nabla's default generator in the state
``nabla.manual_seed(s)`` gives (then it is put back as it was), and the ``Trainer`` gets
``seed=s``. A hand-written ``nabla.manual_seed(s)``, build, ``Trainer(..., seed=s).fit``
gives the same weights. ``None`` or a ``RandomState`` draws ``s`` from NumPy's generator.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
from collections.abc import Iterator
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, check_random_state, validate_data

from nabla.utils import atomic_fit, check_classification_y

_PREFIXES = ("module__", "optimizer__", "criterion__")
_OPTIMIZERS = {
    "sgd": "SGD",
    "adam": "Adam",
    "adamw": "AdamW",
    "rmsprop": "RMSprop",
    "adagrad": "Adagrad",
}
_DTYPES = {"float32": np.float32, "float64": np.float64}


@contextlib.contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """nabla's default generator as ``nabla.manual_seed(seed)`` leaves it; then put back."""
    from nabla.nn import init

    gen = init.default_generator()
    saved = gen.bit_generator.state
    gen.bit_generator.state = np.random.default_rng(seed).bit_generator.state
    try:
        yield
    finally:
        init.default_generator().bit_generator.state = saved


def _seed(random_state: Any) -> int:
    if isinstance(random_state, (Integral, np.integer)) and not isinstance(random_state, bool):
        return int(random_state)
    return int(check_random_state(random_state).randint(0, 2**31 - 1))


class _NeuralNet(BaseEstimator):
    _parameter_constraints: dict = {
        "module": [callable],
        "criterion": [None, callable],
        "optimizer": [StrOptions(set(_OPTIMIZERS)), callable],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "train_split": [None, Interval(Real, 0, 1, closed="neither")],
        "callbacks": [None, list],
        "clip_grad_norm": [None, Interval(Real, 0, None, closed="neither")],
        "dtype": [StrOptions(set(_DTYPES)), type],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }
    _default_criterion = ""

    def __init__(
        self,
        module: Any,
        *,
        criterion: Any = None,
        optimizer: Any = "adam",
        lr: float = 0.01,
        max_epochs: int = 10,
        batch_size: int = 32,
        train_split: float | None = None,
        callbacks: list | None = None,
        clip_grad_norm: float | None = None,
        dtype: Any = "float32",
        random_state: Any = None,
        verbose: int = 0,
        **kwargs: Any,
    ) -> None:
        self.module = module
        self.criterion = criterion
        self.optimizer = optimizer
        self.lr = lr
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.train_split = train_split
        self.callbacks = callbacks
        self.clip_grad_norm = clip_grad_norm
        self.dtype = dtype
        self.random_state = random_state
        self.verbose = verbose
        for key, value in kwargs.items():  # checked by fit, as every parameter
            setattr(self, key, value)

    # -- parameters: the routed ones are parameters too (for clone, GridSearchCV) --------
    def _extra_names(self) -> list[str]:
        """The keyword parameters beyond the signature's (public, not fitted)."""
        named = set(self._get_param_names())
        return [
            k
            for k in vars(self)
            if k not in named and not k.startswith("_") and not k.endswith("_")
        ]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        params = super().get_params(deep=deep)
        params.update({k: getattr(self, k) for k in self._extra_names()})
        return params

    def set_params(self, **params: Any) -> _NeuralNet:
        # every parameter is flat (``module__hidden`` is routed by fit, not nested): set
        # them all; unknown names are refused by fit, as bad values are
        for key, value in params.items():
            setattr(self, key, value)
        return self

    def _check_extra(self) -> None:
        bad = [k for k in self._extra_names() if not k.startswith(_PREFIXES) or k in _PREFIXES]
        if bad:
            raise ValueError(
                f"{type(self).__name__}: unknown parameter(s) {sorted(bad)}; the parameters "
                f"are {sorted(self._get_param_names())} and routed ones that start with "
                f"{', '.join(_PREFIXES)} followed by a name"
            )

    def _routed(self, prefix: str) -> dict[str, Any]:
        return {k[len(prefix) :]: v for k, v in vars(self).items() if k.startswith(prefix)}

    # -- the pieces ----------------------------------------------------------------------
    def _dtype(self) -> Any:
        if isinstance(self.dtype, str):
            return _DTYPES[self.dtype]
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(
                f"{type(self).__name__}: dtype must be 'float32' or 'float64' (or np.float32, "
                f"np.float64), got {self.dtype!r}"
            )
        return self.dtype

    def _build(self, auto: dict[str, int]) -> Any:
        from nabla.nn import Module

        who, kwargs = type(self).__name__, self._routed("module__")
        if isinstance(self.module, Module):
            if kwargs:
                raise ValueError(
                    f"{who}: module__ parameters {sorted(kwargs)} need a module class or a "
                    "function that builds the module, not a module instance"
                )
            return copy.deepcopy(self.module)
        try:
            names = set(inspect.signature(self.module).parameters)
        except (TypeError, ValueError):  # a builtin without a signature: nothing filled in
            names = set()
        kwargs.update({k: v for k, v in auto.items() if k in names and k not in kwargs})
        model = self.module(**kwargs)
        if not isinstance(model, Module):
            raise TypeError(
                f"{who}: module must be a nabla.nn.Module class or a function returning a "
                f"Module; calling it gave a {type(model).__name__}"
            )
        return model

    def _make_optimizer(self, model: Any) -> Any:
        from nabla import optim

        opt = self.optimizer
        cls = getattr(optim, _OPTIMIZERS[opt]) if isinstance(opt, str) else opt
        return cls(model.parameters(), lr=self.lr, **self._routed("optimizer__"))

    def _make_criterion(self) -> Any:
        from nabla import nn

        loss, kwargs = self.criterion, self._routed("criterion__")
        if loss is None:
            loss = getattr(nn, self._default_criterion)
        if isinstance(loss, type):
            return loss(**kwargs)
        if kwargs:
            raise ValueError(
                f"{type(self).__name__}: criterion__ parameters {sorted(kwargs)} need a loss "
                "class, not an instance or a function"
            )
        return loss

    def _check_outputs(self, model: Any, X: np.ndarray, width: int) -> None:
        """One forward pass in evaluation mode: the module must give ``(n, width)``."""
        import nabla

        model.eval()
        with nabla.no_grad():
            shape = tuple(model(nabla.tensor(X[:1])).shape)
        model.train()
        if shape != (1, width):
            what = "one score (logit) per class" if width and self._classifier else "outputs"
            raise ValueError(
                f"{type(self).__name__}: the module maps one sample to shape {shape}, but it "
                f"must give {what}, shape (1, {width}); set its output width (e.g. "
                f"module__n_outputs={width}, or give the factory an n_outputs parameter)"
            )

    def _fit(self, X: np.ndarray, t: np.ndarray, width: int) -> dict[str, Any]:
        from nabla.train import Trainer

        seed, dtype = _seed(self.random_state), self._dtype()
        auto = {"n_features_in": X.shape[1], "n_outputs": width}
        if self._classifier:
            auto["n_classes"] = width
        with _seeded(seed):
            model = self._build(auto).to(dtype)
            self._check_outputs(model, X, width)
            callbacks = copy.deepcopy(self.callbacks or [])
            trainer = Trainer(
                model,
                self._make_criterion(),
                self._make_optimizer(model),
                callbacks=callbacks,
                clip_grad_norm=self.clip_grad_norm,
                progress=bool(self.verbose),
                seed=seed,
            )
            history = trainer.fit(
                (X, t),
                epochs=self.max_epochs,
                batch_size=self.batch_size,
                val_split=self.train_split or 0.0,
            )
        model.eval()
        return {
            "module_": model,
            "history_": history,
            "callbacks_": callbacks,
            "n_epochs_": len(history["loss"]),
        }

    def _forward(self, X: Any) -> np.ndarray:
        import nabla

        check_is_fitted(self)
        X = validate_data(self, X, dtype=self._dtype(), reset=False)
        step = max(int(self.batch_size), 256)
        with nabla.no_grad():
            outs = [
                self.module_(nabla.tensor(X[i : i + step])).numpy() for i in range(0, len(X), step)
            ]
        return np.concatenate(outs).astype(np.float64)


class NeuralNetClassifier(ClassifierMixin, _NeuralNet):
    """A network built by ``module`` and trained by ``Trainer``, as a scikit-learn classifier.

    The module maps ``(n, n_features)`` inputs (reshape inside it for images, e.g. with
    ``nn.Unflatten``) to ``(n, n_classes)`` scores; the loss is cross-entropy on them (the
    labels are encoded as 0 .. n_classes - 1), ``predict_proba`` their softmax.

    Parameters
    ----------
    module : Module class, function returning a Module, or Module
        Built afresh at each ``fit`` with the ``module__`` parameters (and ``n_features_in``,
        ``n_classes``, ``n_outputs`` if its signature names them); an instance is copied.
    criterion : loss class, loss or None, default None
        None: ``nn.CrossEntropyLoss``; a class gets the ``criterion__`` parameters.
    optimizer : {"adam", "adamw", "sgd", "rmsprop", "adagrad"} or optimiser class, default "adam"
        Built as ``optimizer(params, lr=lr, **optimizer__ parameters)``.
    lr : float, default 0.01
    max_epochs : int, default 10
    batch_size : int, default 32
    train_split : float in (0, 1) or None, default None
        Hold out this fraction for validation (``history_``'s ``val_*``; needed by
        callbacks that monitor it, such as ``EarlyStopping``).
    callbacks : list of Callback, optional
        Copied at each ``fit``; the trained copies are ``callbacks_``.
    clip_grad_norm : float, optional
    dtype : {"float32", "float64"} or the NumPy type, default "float32"
        Of the inputs and the network's parameters.
    random_state : int, RandomState or None
        See the module docstring: an int makes ``fit`` deterministic.
    verbose : int, default 0
        > 0: a progress bar.
    **kwargs
        ``module__<name>``, ``optimizer__<name>``, ``criterion__<name>``.

    Attributes
    ----------
    module_ : nabla.nn.Module
        The trained network (in evaluation mode).
    classes_, n_features_in_, history_, callbacks_, n_epochs_

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from nabla import nn
    >>> from nabla.neural_network import NeuralNetClassifier
    >>> def mlp(n_features_in, n_classes, hidden=16):
    ...     return nn.Sequential(nn.Linear(n_features_in, hidden), nn.ReLU(),
    ...                          nn.Linear(hidden, n_classes))
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = NeuralNetClassifier(mlp, module__hidden=32, lr=0.02, max_epochs=60,
    ...                           random_state=0).fit(X, y)
    >>> clf.score(X, y) > 0.95, clf.predict_proba(X[:2]).shape
    (True, (2, 3))
    """

    _classifier = True
    _default_criterion = "CrossEntropyLoss"

    @atomic_fit
    def fit(self, X: Any, y: Any) -> NeuralNetClassifier:
        self._check_extra()
        X, y = validate_data(self, X, y, dtype=self._dtype(), reset=True)
        check_classification_y(y, min_classes=2, who=type(self).__name__)
        encoder = LabelEncoder().fit(y)
        t = encoder.transform(y).astype(np.int64)
        fitted = self._fit(X, t, len(encoder.classes_))
        self.__dict__.update(fitted, classes_=encoder.classes_)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities: the softmax of the network's scores."""
        z = self._forward(X)
        z -= z.max(axis=1, keepdims=True)  # exp cannot overflow
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log-probabilities, ``z - logsumexp(z)`` (stable)."""
        z = self._forward(X)
        z -= z.max(axis=1, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=1, keepdims=True))

    def predict(self, X: Any) -> np.ndarray:
        scores = self._forward(X)  # checks that the estimator is fitted first
        return self.classes_[scores.argmax(axis=1)]


class NeuralNetRegressor(RegressorMixin, _NeuralNet):
    """A network built by ``module`` and trained by ``Trainer``, as a scikit-learn regressor.

    The module maps ``(n, n_features)`` inputs to ``(n, n_outputs)`` (``n_outputs = 1`` for
    a 1-D ``y``); the loss is the mean squared error. Parameters and attributes as
    :class:`NeuralNetClassifier` (default criterion ``nn.MSELoss``), plus ``n_outputs_``.

    Examples
    --------
    >>> import numpy as np
    >>> from nabla import nn
    >>> from nabla.neural_network import NeuralNetRegressor
    >>> def mlp(n_features_in, n_outputs):
    ...     return nn.Sequential(nn.Linear(n_features_in, 32), nn.Tanh(),
    ...                          nn.Linear(32, n_outputs))
    >>> X = np.linspace(-1, 1, 200).reshape(-1, 1); y = X.ravel() ** 2
    >>> reg = NeuralNetRegressor(mlp, lr=0.01, max_epochs=100, random_state=0).fit(X, y)
    >>> reg.score(X, y) > 0.9, reg.predict(X[:3]).shape
    (True, (3,))
    """

    _classifier = False
    _default_criterion = "MSELoss"

    @atomic_fit
    def fit(self, X: Any, y: Any) -> NeuralNetRegressor:
        self._check_extra()
        dtype = self._dtype()
        X, y = validate_data(self, X, y, dtype=dtype, multi_output=True, y_numeric=True)
        t = np.asarray(y, dtype=dtype)
        t = t.reshape(-1, 1) if t.ndim == 1 else t
        fitted = self._fit(X, t, t.shape[1])
        self.__dict__.update(fitted, n_outputs_=t.shape[1], _y_1d=np.ndim(y) == 1)
        return self

    def predict(self, X: Any) -> np.ndarray:
        out = self._forward(X)
        return out.ravel() if self._y_1d else out

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
