"""k-nearest neighbours (seed 001): brute force with chunked matrix-product distances."""

from nabla.neighbors._estimators import KNeighborsClassifier, KNeighborsRegressor

__all__ = ["KNeighborsClassifier", "KNeighborsRegressor"]
