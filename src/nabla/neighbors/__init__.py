"""k-nearest neighbours (the course notes): brute force with chunked matrix-product distances."""

from nabla.neighbors._estimators import KNeighborsClassifier, KNeighborsRegressor

__all__ = ["KNeighborsClassifier", "KNeighborsRegressor"]
