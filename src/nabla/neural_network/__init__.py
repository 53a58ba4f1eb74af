"""Neural networks as scikit-learn estimators: ``MLPClassifier`` and ``MLPRegressor``,
built on ``nabla.nn`` and ``nabla.optim``."""

from nabla.neural_network._mlp import MLPClassifier, MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor"]
