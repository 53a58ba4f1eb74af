"""Model selection: bootstrap confidence intervals, k-fold cross-validation.

* :class:`BootstrapCI` — a confidence band for any estimator's predictions, by refitting
  it on bootstrap resamples (the bootstrap lecture), with a shortcut for kernel ridge;
* :func:`ideal_interval` — the interval the bootstrap imitates: refits on fresh training
  sets drawn from a known data generator (simulated data);
* :func:`bootstrap_ci` — the bootstrap interval of a statistic of the data (as
  :func:`scipy.stats.bootstrap`, on the same resamples);
* :class:`KFold`, :class:`StratifiedKFold`, :func:`cross_val_score`,
  :func:`cross_validate` — k-fold cross-validation (the course notes), usable as scikit-learn
  splitters.

All repeated work runs through joblib (``n_jobs``, and any ``joblib.parallel_config``
backend: loky processes, threads, Dask, Ray) with per-task seeds from
``numpy.random.SeedSequence.spawn``, so results do not depend on the number of workers or
the backend. Work that would take under ``MIN_PARALLEL_SECONDS`` (0.25 s) serially stays in
the calling process. Estimators and data travel to the workers by pickle, so the
estimator's class must be importable there (nabla installed on every worker).

On a Dask cluster (``pip install "dask[distributed]"``)::

    import joblib
    from dask.distributed import Client

    client = Client("tcp://scheduler:8786")  # or Client() for a local cluster
    with joblib.parallel_config(backend="dask"):
        ci = BootstrapCI(model, n_bootstrap=1000, random_state=0).fit(X, y)

On a Ray cluster (``pip install "ray[default]"``), register Ray's joblib backend once and
select it; give ``n_jobs=-1`` (all CPUs of the Ray cluster), because Ray's backend, unlike
Dask's, runs one job at a time when ``n_jobs`` is left unset::

    import joblib
    import ray
    from ray.util.joblib import register_ray

    ray.init(address="auto")  # join a running cluster; ray.init() starts a local one
    register_ray()
    with joblib.parallel_config(backend="ray", n_jobs=-1):
        ci = BootstrapCI(model, n_bootstrap=1000, random_state=0).fit(X, y)
        scores = cross_val_score(model, X, y, cv=KFold(10, shuffle=True, random_state=0))

The intervals, scores and bagged ensembles equal those of a serial run with the same
``random_state``.
"""

from __future__ import annotations

from nabla.model_selection._bootstrap import BootstrapResult, bootstrap_ci
from nabla.model_selection._bootstrap_ci import BootstrapCI
from nabla.model_selection._ideal import ideal_interval
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
    "ideal_interval",
]
