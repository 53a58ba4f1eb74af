"""Multi-layer perceptrons as scikit-learn estimators, built on ``nabla.nn`` and ``nabla.optim``.

The network is the notes' fully connected net (the course notes "NEURAL NETWORK"): affine layers
h = W x + b with an activation between them, optionally batch norm (before the activation)
and inverted dropout (after it); a classifier ends in logits trained with cross-entropy, a
regressor in a linear output trained with the squared error. Training is minibatch
gradient descent with any first-order optimiser of ``nabla.optim``; the L2 penalty
``alpha`` is weight decay on the weights only (biases are never penalised).
"""

from __future__ import annotations

import itertools
import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_random_state, validate_data

from nabla.base import Interval, StrOptions
from nabla.utils import atomic_fit

_ACTIVATIONS = {"relu", "tanh", "logistic", "identity", "leaky_relu", "elu"}
_SOLVERS = {"adam", "adamw", "sgd", "rmsprop", "adagrad"}


def _activation(name: str) -> Any:
    from nabla import nn

    return {
        "relu": nn.ReLU,
        "tanh": nn.Tanh,
        "logistic": nn.Sigmoid,
        "identity": nn.Identity,
        "leaky_relu": nn.LeakyReLU,
        "elu": nn.ELU,
    }[name]()


def _build_network(
    sizes: list[int], activation: str, batch_norm: bool, dropout: float, rng: np.random.Generator
) -> Any:
    """Linear -> [BatchNorm1d] -> activation -> [Dropout], repeated; a Linear output layer."""
    from nabla import nn

    seeds = rng.integers(0, 2**31 - 1, size=2 * len(sizes))
    layers: list[Any] = []
    for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Linear(n_in, n_out, dtype=np.float64, rng=int(seeds[2 * i])))
        if i == len(sizes) - 2:
            break
        if batch_norm:
            layers.append(nn.BatchNorm1d(n_out, dtype=np.float64))
        layers.append(_activation(activation))
        if dropout > 0:
            layers.append(nn.Dropout(dropout, rng=int(seeds[2 * i + 1])))
    return nn.Sequential(*layers)


def _make_optimizer(net: Any, solver: str, lr: float, alpha: float, momentum: float) -> Any:
    from nabla import optim

    # weight decay on weight matrices only: the intercepts are never penalised
    decay = [p for name, p in net.named_parameters() if name.endswith("weight") and p.ndim == 2]
    rest = [
        p for name, p in net.named_parameters() if not (name.endswith("weight") and p.ndim == 2)
    ]
    groups = [{"params": decay, "weight_decay": alpha}, {"params": rest, "weight_decay": 0.0}]
    groups = [g for g in groups if g["params"]]
    if solver == "sgd":
        return optim.SGD(groups, lr=lr, momentum=momentum)
    if solver == "rmsprop":
        return optim.RMSprop(groups, lr=lr)
    if solver == "adagrad":
        return optim.Adagrad(groups, lr=lr)
    if solver == "adamw":
        return optim.AdamW(groups, lr=lr)
    return optim.Adam(groups, lr=lr)


class _BaseMLP(BaseEstimator):
    _constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(_ACTIVATIONS)],
        "solver": [StrOptions(_SOLVERS)],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "batch_norm": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 1e-4,
        batch_size: int | str = "auto",
        learning_rate_init: float = 1e-3,
        momentum: float = 0.9,
        max_iter: int = 200,
        tol: float = 1e-4,
        batch_norm: bool = False,
        dropout: float = 0.0,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        random_state: Any = None,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.momentum = momentum
        self.max_iter = max_iter
        self.tol = tol
        self.batch_norm = batch_norm
        self.dropout = dropout
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state

    # -- subclass hooks ----------------------------------------------------------------
    def _loss_fn(self) -> Any:
        raise NotImplementedError

    def _val_score(self, net: Any, X: np.ndarray, y: np.ndarray) -> float:
        raise NotImplementedError

    # -- fitting -----------------------------------------------------------------------
    def _hidden_sizes(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, (int, np.integer)) else list(sizes)
        if any(not isinstance(s, (int, np.integer)) or s < 1 for s in sizes):
            raise ValueError(
                f"hidden_layer_sizes must be positive integers, got {self.hidden_layer_sizes!r}."
            )
        return [int(s) for s in sizes]

    def _fit_network(self, X: np.ndarray, t: np.ndarray, n_outputs: int) -> dict[str, Any]:
        """Train on X and encoded targets t; return the fitted attributes (set by ``fit``)."""
        import nabla

        hidden = self._hidden_sizes()
        rng = check_random_state(self.random_state)
        gen = np.random.default_rng(rng.randint(0, 2**31 - 1))
        n = X.shape[0]
        X_val: Any = None
        t_val: Any = None
        if self.early_stopping:
            perm = gen.permutation(n)
            n_val = max(1, round(self.validation_fraction * n))
            if n - n_val < 1:
                raise ValueError(
                    f"early_stopping needs at least 2 samples to hold out a validation set, "
                    f"got {n}."
                )
            X_val, t_val = X[perm[:n_val]], t[perm[:n_val]]
            X, t = X[perm[n_val:]], t[perm[n_val:]]
            n = X.shape[0]
        sizes = [X.shape[1], *hidden, n_outputs]
        net = _build_network(sizes, self.activation, self.batch_norm, self.dropout, gen)
        opt = _make_optimizer(net, self.solver, self.learning_rate_init, self.alpha, self.momentum)
        loss_fn = self._loss_fn()
        bs = min(200, n) if self.batch_size == "auto" else min(int(self.batch_size), n)

        loss_curve: list[float] = []
        val_scores: list[float] = []
        best_loss, best_score, best_state, stall = np.inf, -np.inf, None, 0
        Xt = nabla.tensor(X)
        converged = False
        epoch = 0
        # Overflow on extreme inputs is detected below (a non-finite loss or weight raises
        # ValueError), so NumPy's warnings about it would only be noise.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for epoch in range(1, self.max_iter + 1):
                net.train()
                order = gen.permutation(n)
                total = 0.0
                for start in range(0, n, bs):
                    idx = order[start : start + bs]
                    opt.zero_grad()
                    loss = loss_fn(net(Xt[idx]), nabla.tensor(t[idx]))
                    loss.backward()
                    opt.step()
                    total += loss.item() * len(idx)
                epoch_loss = total / n
                if not np.isfinite(epoch_loss) or not all(
                    np.isfinite(p.data).all() for p in net.parameters()
                ):
                    what = "loss" if not np.isfinite(epoch_loss) else "weights"
                    raise ValueError(
                        f"{type(self).__name__}: the training {what} became non-finite at "
                        f"epoch {epoch} (loss {epoch_loss}); lower learning_rate_init (now "
                        f"{self.learning_rate_init}) or standardise X."
                    )
                loss_curve.append(epoch_loss)
                if self.early_stopping:
                    score = self._val_score(net, X_val, t_val)
                    val_scores.append(score)
                    improved = score > best_score + self.tol
                    if score > best_score:
                        best_score, best_state = (
                            score,
                            {k: v.copy() for k, v in _numpy_state(net).items()},
                        )
                else:
                    improved = epoch_loss < best_loss - self.tol
                    best_loss = min(best_loss, epoch_loss)
                stall = 0 if improved else stall + 1
                if stall >= self.n_iter_no_change:
                    converged = True
                    break
        if self.early_stopping and best_state is not None:
            net.load_state_dict({k: nabla.tensor(v) for k, v in best_state.items()})
        if not converged and not self.early_stopping:
            warnings.warn(
                f"{type(self).__name__}: stochastic optimiser reached max_iter={self.max_iter} "
                "epochs without converging; increase max_iter or learning_rate_init.",
                ConvergenceWarning,
                stacklevel=3,
            )
        net.eval()
        return {
            "model_": net,
            "loss_": loss_curve[-1],
            "loss_curve_": loss_curve,
            "n_iter_": epoch,
            "n_layers_": len(sizes),
            "validation_scores_": val_scores if self.early_stopping else None,
            "best_validation_score_": best_score if self.early_stopping else None,
        }

    def _forward(self, X: np.ndarray) -> np.ndarray:
        import nabla

        with nabla.no_grad():
            return self.model_(nabla.tensor(X)).numpy()

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags


def _numpy_state(net: Any) -> dict[str, np.ndarray]:
    return {k: v.numpy() for k, v in net.state_dict().items()}


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """A multi-layer perceptron classifier trained by backpropagation (the course notes).

    Softmax output over the classes, cross-entropy loss from the logits, minibatch training
    with a ``nabla.optim`` optimiser. Names follow scikit-learn's ``MLPClassifier``; beyond
    it, ``batch_norm`` and ``dropout`` add the notes' batch normalisation and inverted
    dropout to each hidden layer, and ``solver`` also offers RMSprop, Adagrad and AdamW.

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default (100,)
        Width of each hidden layer.
    activation : {"relu", "tanh", "logistic", "identity", "leaky_relu", "elu"}, default "relu"
    solver : {"adam", "adamw", "sgd", "rmsprop", "adagrad"}, default "adam"
    alpha : float, default 1e-4
        L2 penalty on the weights (weight decay); intercepts are not penalised.
    batch_size : int or "auto", default "auto"
        ``min(200, n_samples)`` when "auto".
    learning_rate_init : float, default 1e-3
    momentum : float, default 0.9
        Used by ``solver="sgd"``.
    max_iter : int, default 200
        Maximum number of epochs.
    tol : float, default 1e-4
        Training stops when the loss (or, with early stopping, the validation accuracy)
        has not improved by ``tol`` for ``n_iter_no_change`` epochs.
    batch_norm : bool, default False
    dropout : float in [0, 1), default 0.0
    early_stopping : bool, default False
        Hold out ``validation_fraction`` of the data, stop when its accuracy stalls, and
        keep the weights of the best epoch.
    validation_fraction : float, default 0.1
    n_iter_no_change : int, default 10
    random_state : int, RandomState or None
        Seeds the initial weights, the shuffling, dropout and the validation split.

    Attributes
    ----------
    classes_ : ndarray
    model_ : nabla.nn.Sequential
        The trained network (in eval mode).
    loss_, loss_curve_, n_iter_, n_layers_, n_features_in_
    validation_scores_, best_validation_score_ : set with early stopping, else None

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from nabla.neural_network import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifier((16,), max_iter=300, learning_rate_init=0.01, random_state=0)
    >>> clf.fit(X, y).score(X, y) > 0.95
    True
    """

    @atomic_fit
    def fit(self, X: Any, y: Any) -> MLPClassifier:
        X, y = validate_data(self, X, y, dtype=np.float64, reset=True)
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        if len(encoder.classes_) < 2:
            raise ValueError(
                "MLPClassifier needs samples of at least 2 classes in the data, but the data "
                f"contains only one class: {encoder.classes_[0]!r}"
            )
        t = encoder.transform(y).astype(np.int64)
        fitted = self._fit_network(X, t, len(encoder.classes_))
        # every fitted attribute is assigned only after training succeeded
        self.__dict__.update(fitted, classes_=encoder.classes_)
        return self

    def _loss_fn(self) -> Any:
        from nabla import nn

        return nn.CrossEntropyLoss()

    def _val_score(self, net: Any, X: np.ndarray, t: np.ndarray) -> float:
        import nabla

        net.eval()
        with nabla.no_grad():
            pred = net(nabla.tensor(X)).numpy().argmax(axis=1)
        return float(np.mean(pred == t))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities: the softmax of the network's logits."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        z = self._forward(X)
        z = z - z.max(axis=1, keepdims=True)  # stable softmax
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        return p

    def predict_log_proba(self, X: Any) -> np.ndarray:
        return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return self.classes_[self._forward(X).argmax(axis=1)]


class MLPRegressor(RegressorMixin, _BaseMLP):
    """A multi-layer perceptron regressor trained by backpropagation (the course notes).

    Linear output layer, mean squared error, minibatch training with a ``nabla.optim``
    optimiser; one or several outputs. Parameters and attributes as
    :class:`MLPClassifier`, with the validation score of early stopping being R^2.

    Examples
    --------
    >>> import numpy as np
    >>> from nabla.neural_network import MLPRegressor
    >>> X = np.linspace(-1, 1, 200).reshape(-1, 1); y = X.ravel() ** 2
    >>> reg = MLPRegressor((32,), activation="tanh", learning_rate_init=0.01, max_iter=500,
    ...                    random_state=0).fit(X, y)
    >>> reg.score(X, y) > 0.9
    True
    """

    @atomic_fit
    def fit(self, X: Any, y: Any) -> MLPRegressor:
        X, y = validate_data(
            self, X, y, dtype=np.float64, multi_output=True, y_numeric=True, reset=True
        )
        y = np.asarray(y, dtype=np.float64)
        t = y.reshape(-1, 1) if y.ndim == 1 else y
        fitted = self._fit_network(X, t, t.shape[1])
        self.__dict__.update(fitted, n_outputs_=t.shape[1], _y_1d=y.ndim == 1)
        return self

    def _loss_fn(self) -> Any:
        from nabla import nn

        return nn.MSELoss()

    def _val_score(self, net: Any, X: np.ndarray, t: np.ndarray) -> float:
        import nabla

        net.eval()
        with nabla.no_grad():
            pred = net(nabla.tensor(X)).numpy()
        ss_res = ((t - pred) ** 2).sum()
        ss_tot = ((t - t.mean(axis=0)) ** 2).sum()
        return float(1 - ss_res / ss_tot) if ss_tot > 0 else 0.0

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        out = self._forward(X)
        return out.ravel() if self.n_outputs_ == 1 and self._y_1d else out
