"""Model selection: bootstrap confidence intervals, k-fold cross-validation.

* :class:`BootstrapCI` — a confidence band for any estimator's predictions, by refitting
  it on bootstrap resamples (seed 000), with a shortcut for kernel ridge;
* :func:`bootstrap_ci` — the bootstrap interval of a statistic of the data (as
  :func:`scipy.stats.bootstrap`, on the same resamples);
* :class:`KFold`, :class:`StratifiedKFold`, :func:`cross_val_score`,
  :func:`cross_validate` — k-fold cross-validation (seed 001), usable as scikit-learn
  splitters.

All repeated work runs through joblib (``n_jobs``, and any ``joblib.parallel_config``
backend: loky processes, threads, Dask, Ray) with per-task seeds from
``numpy.random.SeedSequence.spawn``, so results do not depend on the number of workers or
the backend. On a Dask cluster::

    from dask.distributed import Client
    import joblib

    client = Client("tcp://scheduler:8786")
    with joblib.parallel_config(backend="dask"):
        ci = BootstrapCI(model, n_bootstrap=1000, random_state=0).fit(X, y)

and on Ray, ``from ray.util.joblib import register_ray; register_ray()`` then
``joblib.parallel_config(backend="ray")``.
"""

from __future__ import annotations

from nabla.model_selection._bootstrap import BootstrapResult, bootstrap_ci
from nabla.model_selection._bootstrap_ci import BootstrapCI
from nabla.model_selection._split import KFold, StratifiedKFold
from nabla.model_selection._validation import cross_val_score, cross_validate

__all__ = [
    "BootstrapCI",
    "BootstrapResult",
    "KFold",
    "StratifiedKFold",
    "bootstrap_ci",
    "cross_val_score",
    "cross_validate",
]
