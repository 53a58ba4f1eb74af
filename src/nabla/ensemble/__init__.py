"""Ensembles: bagging (bootstrap aggregating, the course notes) of any estimator.

Members are fitted in parallel through joblib (``n_jobs``, any ``joblib.parallel_config``
backend) with per-member seeds from ``numpy.random.SeedSequence.spawn``, so an ensemble
does not depend on the number of workers or the backend.
"""

from __future__ import annotations

from nabla.ensemble._bagging import BaggingClassifier, BaggingRegressor

__all__ = ["BaggingClassifier", "BaggingRegressor"]
