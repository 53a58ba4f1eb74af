"""Seed 000's experiment: bootstrap confidence band of kernel ridge, nabla vs the plain loop.

B = 200 kernel ridge refits (RBF kernel) on n = 1,000 one-dimensional points, each
evaluated on 200 grid points, then the 90% percentile band. The peer is the plain
scikit-learn loop (resample, fit, predict) on the very same resamples. nabla's
``BootstrapCI`` takes its kernel ridge shortcut: one kernel matrix, then per resample either
an r x r solve in the kernel's numerically significant eigen-directions (sigma = 0.1, the
seed's smooth fit: low rank) or a Cholesky on the distinct points it drew (sigma = 0.01:
full rank). Both bands must agree before a time is reported.

A last comparison checks that ``n_jobs=2`` does not slow down a small problem (B = 50
least-squares refits on 100 points), thanks to batching and the serial fallback.
"""

from __future__ import annotations

import numpy as np

from harness import check_close, compare


def main(quick: bool) -> None:
    from sklearn.linear_model import LinearRegression

    from nabla.datasets import make_sine
    from nabla.model_selection import BootstrapCI

    n, B, m = (200, 20, 50) if quick else (1000, 200, 200)
    X, y = make_sine(n, noise=0.3, random_state=0)
    grid = np.linspace(0.0, 1.0, m)[:, np.newaxis]
    # sigma = 0.1, the seed's smooth fit: the kernel matrix has a low numerical rank and the
    # shortcut takes its low-rank route; sigma = 0.01 makes K full-rank: distinct-point
    # Cholesky per resample
    for gamma in (50.0, 5000.0):
        _compare_band(X, y, grid, B, {"alpha": 1e-2, "kernel": "rbf", "gamma": gamma})

    X_small, y_small = X[:100], y[:100]

    def small(n_jobs: int | None) -> np.ndarray:
        ci = BootstrapCI(LinearRegression(), n_bootstrap=50, random_state=1, n_jobs=n_jobs)
        return ci.fit(X_small, y_small).predict(grid)[1]

    check_close("small problem, n_jobs=2 vs serial", small(2), small(None), rtol=0, atol=0)
    compare(
        "small problem (B=50 least squares, n=100): n_jobs=2 vs serial",
        {"nabla": lambda: small(2), "serial": lambda: small(None)},
        repeat=5,
    )


def _compare_band(X: np.ndarray, y: np.ndarray, grid: np.ndarray, B: int, params: dict) -> None:
    from sklearn.kernel_ridge import KernelRidge as SklearnKernelRidge

    from nabla.kernel_ridge import KernelRidge
    from nabla.model_selection import BootstrapCI

    def nabla(n_jobs: int | None = None) -> tuple[np.ndarray, ...]:
        ci = BootstrapCI(KernelRidge(**params), n_bootstrap=B, random_state=0, n_jobs=n_jobs)
        return ci.fit(X, y).predict(grid, return_bootstrap=True)

    fitted = BootstrapCI(KernelRidge(**params), n_bootstrap=B, random_state=0).fit(X, y)
    indices = fitted.bootstrap_indices_

    def sklearn_loop() -> tuple[np.ndarray, ...]:
        boot = np.stack(
            [SklearnKernelRidge(**params).fit(X[i], y[i]).predict(grid) for i in indices]
        )
        prediction = SklearnKernelRidge(**params).fit(X, y).predict(grid)
        low, high = np.percentile(boot, [5, 95], axis=0)
        return prediction, low, high, boot

    ours, ours_2, ref = nabla(), nabla(2), sklearn_loop()
    for name, a, b, c in zip(("prediction", "lower", "upper", "bootstrap"), ours, ours_2, ref):
        check_close(f"{name} (serial vs scikit-learn)", a, c, rtol=1e-6, atol=1e-8)
        check_close(f"{name} (n_jobs=2 vs serial)", b, a, rtol=0, atol=0)

    medians = compare(
        f"bootstrap band, kernel ridge gamma={params['gamma']:g} ({fitted._route} route) "
        f"B={B} n={len(y)} grid={len(grid)}",
        {"nabla": nabla, "sklearn_loop": sklearn_loop, "nabla_n_jobs_2": lambda: nabla(2)},
        repeat=3,
    )
    print(
        f"  ratio nabla(n_jobs=2)/sklearn_loop = "
        f"{medians['nabla_n_jobs_2'] / medians['sklearn_loop']:.3f}x",
        flush=True,
    )
