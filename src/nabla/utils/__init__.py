"""Small helpers shared by nabla's scikit-learn-compatible estimators."""

from nabla.utils._validation import atomic_fit, check_classification_y, check_random_generator

__all__ = ["atomic_fit", "check_classification_y", "check_random_generator"]
