"""Neural networks as scikit-learn estimators: ``MLPClassifier`` and ``MLPRegressor``,
built on ``nabla.nn`` and ``nabla.optim``; ``NeuralNetClassifier`` and
``NeuralNetRegressor`` wrap any ``nabla.nn.Module`` (a CNN, a custom network) trained by
``nabla.train.Trainer``."""

from nabla.neural_network._mlp import MLPClassifier, MLPRegressor
from nabla.neural_network._wrapper import NeuralNetClassifier, NeuralNetRegressor

__all__ = ["MLPClassifier", "MLPRegressor", "NeuralNetClassifier", "NeuralNetRegressor"]
