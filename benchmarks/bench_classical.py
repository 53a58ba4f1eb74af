"""Classical estimators, nabla against scikit-learn on the same data, fit (or predict) time.

Ridge (n=100,000, d=100), Lasso (n=10,000, d=200, 20 true non-zeros), KernelRidge with an
RBF kernel (n=2,000 / 4,000 / 8,000, d=10), LogisticRegression (n=50,000, d=50) and
KNeighborsClassifier prediction (20,000 training and 5,000 query points, d=50, k=5). Each
pair is checked to agree before it is timed: equal coefficients, predictions or
neighbours, within the accuracy each method's stopping rule promises.
"""

from __future__ import annotations

import numpy as np

from harness import check_close, compare


def _ridge(quick: bool) -> None:
    from sklearn.linear_model import Ridge as SkRidge

    from nabla.linear_model import Ridge

    n, d = (10_000, 50) if quick else (100_000, 100)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, d)) + 0.5
    y = X @ rng.standard_normal(d) + rng.standard_normal(n) + 3.0
    ours, theirs = Ridge(alpha=1.0).fit(X, y), SkRidge(alpha=1.0).fit(X, y)
    check_close("ridge coef", ours.coef_, theirs.coef_, rtol=1e-8, atol=1e-10)
    check_close("ridge intercept", ours.intercept_, theirs.intercept_, rtol=1e-8)
    compare(
        f"Ridge fit n={n} d={d}",
        {
            "nabla": lambda: Ridge(alpha=1.0).fit(X, y),
            "sklearn": lambda: SkRidge(alpha=1.0).fit(X, y),
        },
        repeat=7,
        unit="ms",
    )


def _lasso(quick: bool) -> None:
    from sklearn.linear_model import Lasso as SkLasso

    from nabla.linear_model import Lasso

    n, d, k = (2_000, 100, 10) if quick else (10_000, 200, 20)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, d))
    w = np.zeros(d)
    w[rng.choice(d, k, replace=False)] = rng.uniform(1.0, 3.0, k) * rng.choice([-1, 1], k)
    y = X @ w + 0.5 * rng.standard_normal(n) + 4.0
    alpha = 0.1
    ours, theirs = Lasso(alpha=alpha).fit(X, y), SkLasso(alpha=alpha).fit(X, y)
    # both stop at a duality gap of tol * ‖y - ȳ‖²; compare to the accuracy that promises
    check_close("lasso coef", ours.coef_, theirs.coef_, rtol=1e-4, atol=1e-4)
    nz = (np.count_nonzero(ours.coef_), np.count_nonzero(theirs.coef_))
    compare(
        f"Lasso fit n={n} d={d}",
        {
            "nabla": lambda: Lasso(alpha=alpha).fit(X, y),
            "sklearn": lambda: SkLasso(alpha=alpha).fit(X, y),
        },
        repeat=7,
        unit="ms",
    )
    print(f"  non-zeros: nabla {nz[0]}, sklearn {nz[1]}")


def _kernel_ridge(quick: bool) -> None:
    from sklearn.kernel_ridge import KernelRidge as SkKernelRidge

    from nabla.kernel_ridge import KernelRidge

    sizes = (500, 1_000) if quick else (2_000, 4_000, 8_000)
    for n in sizes:
        rng = np.random.default_rng(n)
        X = rng.standard_normal((n, 10))
        y = np.sin(X[:, 0]) + X[:, 1] ** 2 + 0.1 * rng.standard_normal(n)
        kw = {"alpha": 1.0, "kernel": "rbf", "gamma": 0.1}
        ours, theirs = KernelRidge(**kw).fit(X, y), SkKernelRidge(**kw).fit(X, y)
        check_close(f"kernel ridge n={n}", ours.dual_coef_, theirs.dual_coef_, rtol=1e-7, atol=1e-9)
        del ours, theirs
        compare(
            f"KernelRidge rbf fit n={n} d=10",
            {
                "nabla": lambda X=X, y=y, kw=kw: KernelRidge(**kw).fit(X, y),
                "sklearn": lambda X=X, y=y, kw=kw: SkKernelRidge(**kw).fit(X, y),
            },
            repeat=3 if n >= 8_000 else 5,
            unit="ms",
        )


def _logistic(quick: bool) -> None:
    from sklearn.linear_model import LogisticRegression as SkLogistic

    from nabla.linear_model import LogisticRegression

    n, d = (10_000, 20) if quick else (50_000, 50)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, d))
    y = (X @ rng.standard_normal(d) * 0.5 + 0.3 + rng.logistic(size=n) > 0).astype(int)
    # to the same tight tolerance both reach the same optimum
    tight = LogisticRegression(tol=1e-10).fit(X, y)
    exact = SkLogistic(tol=1e-10, max_iter=1000).fit(X, y)
    check_close("logistic coef (tol=1e-10)", tight.coef_, exact.coef_, rtol=1e-6, atol=1e-8)
    # with the defaults both stop once ‖∇f‖∞ ≤ 1e-4 (f the mean loss): the same model to
    # a few 1e-3 in probability, and the same predictions
    ours, default = LogisticRegression().fit(X, y), SkLogistic().fit(X, y)
    proba, ref = ours.predict_proba(X), default.predict_proba(X)
    check_close("logistic proba (defaults)", proba, ref, atol=5e-3)
    agree = np.mean(ours.predict(X) == default.predict(X))
    if agree < 0.999:
        raise AssertionError(f"logistic: only {agree:.4f} of the predictions agree")
    compare(
        f"LogisticRegression fit n={n} d={d}",
        {
            "nabla": lambda: LogisticRegression().fit(X, y),
            "sklearn": lambda: SkLogistic().fit(X, y),
            "sklearn-newton-cholesky": lambda: SkLogistic(solver="newton-cholesky").fit(X, y),
        },
        repeat=7,
        unit="ms",
    )
    print(f"  nabla solver: {ours.solver_}, iterations {ours.n_iter_[0]}")


def _knn(quick: bool) -> None:
    from sklearn.neighbors import KNeighborsClassifier as SkKNN

    from nabla.neighbors import KNeighborsClassifier

    n, m, d = (5_000, 1_000, 20) if quick else (20_000, 5_000, 50)
    rng = np.random.default_rng(0)
    X, Xq = rng.standard_normal((n, d)), rng.standard_normal((m, d))
    y = rng.integers(0, 10, n)
    ours, theirs = KNeighborsClassifier(n_neighbors=5).fit(X, y), SkKNN(n_neighbors=5).fit(X, y)
    dist, ind = ours.kneighbors(Xq)
    ref_dist, ref_ind = theirs.kneighbors(Xq)
    if not np.array_equal(ind, ref_ind) or not np.array_equal(ours.predict(Xq), theirs.predict(Xq)):
        raise AssertionError("k-NN: neighbours or predictions differ")
    check_close("knn distances", dist, ref_dist, rtol=1e-9)
    compare(
        f"KNeighborsClassifier predict train={n} test={m} d={d} k=5",
        {"nabla": lambda: ours.predict(Xq), "sklearn": lambda: theirs.predict(Xq)},
        repeat=7,
        unit="ms",
    )


def main(quick: bool = False) -> None:
    _ridge(quick)
    _lasso(quick)
    _kernel_ridge(quick)
    _logistic(quick)
    _knn(quick)
