"""``nabla bootstrap``: seed 000's bootstrap confidence band for kernel ridge, as a command.

Fits kernel ridge regression (RBF kernel) to 1-D data, refits it on ``--n-bootstrap``
resamples, and reports the band's mean width and, on the built-in data whose true function
is known, the share of the true function it covers; the figure is written as PNG.

    nabla bootstrap                                   # built-in noisy sine, 100 points
    nabla bootstrap --csv data.csv --target y         # your data: one feature column
    nabla bootstrap --method bca --n-jobs 2 --output band.png

Heavy modules are imported inside ``run`` so that ``nabla --help`` stays fast.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import Any

import numpy as np


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "bootstrap",
        help="bootstrap confidence band of kernel ridge on 1-D data (seed 000)",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    data = parser.add_argument_group("data (default: the built-in noisy sine)")
    data.add_argument("--csv", type=Path, help="a CSV file with a header row")
    data.add_argument("--target", help="the CSV column to predict (required with --csv)")
    data.add_argument(
        "--feature", help="the CSV column used as x (default: the one column besides --target)"
    )
    data.add_argument("--n-samples", type=int, default=100, help="built-in data: points")
    data.add_argument("--noise", type=float, default=0.3, help="built-in data: noise std")
    model = parser.add_argument_group("model and bootstrap")
    model.add_argument("--alpha", type=float, default=0.01, help="ridge penalty lambda")
    model.add_argument("--sigma", type=float, default=None, help="RBF bandwidth sigma")
    model.add_argument("--n-bootstrap", type=int, default=200, help="resamples B")
    model.add_argument("--confidence", type=float, default=0.90, help="confidence level")
    model.add_argument("--method", default="percentile", choices=["percentile", "basic", "bca"])
    model.add_argument("--grid", type=int, default=200, help="points at which f is evaluated")
    model.add_argument("--seed", type=int, default=0, help="seed of the data and resamples")
    model.add_argument("--n-jobs", type=int, default=None, help="parallel workers (joblib)")
    parser.add_argument(
        "--output", type=Path, default=Path("bootstrap.png"), help="PNG figure to write"
    )
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from nabla.kernel_ridge import KernelRidge
    from nabla.model_selection import BootstrapCI
    from nabla.plot.bands import plot_confidence_band

    if args.grid < 2:
        raise ValueError(f"--grid must be an int >= 2; got {args.grid}")
    output = Path(args.output)
    if not output.parent.is_dir():
        raise FileNotFoundError(f"--output: no directory {output.parent} to write {output.name}")

    if args.csv is not None:
        X, y, description, x_name, y_name = _read_csv(args.csv, args.target, args.feature)
        truth_fn = None
    else:
        from nabla.datasets import make_sine, sine

        X, y = make_sine(args.n_samples, noise=args.noise, random_state=args.seed)
        description = f"built-in noisy sine (n={len(y)}, noise={args.noise}, seed={args.seed})"
        x_name, y_name, truth_fn = "x", "y", sine

    # default bandwidth: a tenth of the range of x (0.1 on the built-in data)
    span = float(X.max() - X.min()) if truth_fn is None else 1.0
    sigma = args.sigma if args.sigma is not None else 0.1 * (span if span > 0 else 1.0)
    estimator = KernelRidge(alpha=args.alpha, kernel="rbf", sigma=sigma)
    ci = BootstrapCI(
        estimator,
        n_bootstrap=args.n_bootstrap,
        confidence=args.confidence,
        method=args.method,
        random_state=args.seed,
        n_jobs=args.n_jobs,
    )
    ci._validate_params()  # bad options fail here, before any work or output
    print(f"nabla bootstrap: {args.n_bootstrap} refits on {len(y)} points ...", file=sys.stderr)
    ci.fit(X, y)
    grid = np.linspace(X.min(), X.max(), args.grid)[:, np.newaxis]
    prediction, lower, upper, boot = ci.predict(grid, return_bootstrap=True)
    width = upper - lower

    level = f"{round(100 * args.confidence)}%"
    print(f"data: {description}")
    print(
        f"model: KernelRidge(alpha={args.alpha:g}, kernel='rbf', sigma={sigma:g}); "
        f"{ci.n_bootstrap - ci.n_failed_} bootstrap refits; {level} {args.method} interval"
    )
    truth = None
    if truth_fn is not None:
        truth = truth_fn(grid)
        covered = float(np.mean((lower <= truth) & (truth <= upper)))
        print(f"coverage: {covered:.3f} of the true function on {args.grid} grid points")
    else:
        inside = ci.predict(X)
        share = float(np.mean((inside[1] <= y) & (y <= inside[2])))
        print(
            "coverage: unknown (no true function for CSV data); "
            f"{share:.3f} of the targets lie inside the band"
        )
    print(f"band width: mean {float(np.mean(width)):.4f}, max {float(np.max(width)):.4f}")

    title = f"Bootstrap {level} confidence band of kernel ridge (B={ci.n_bootstrap})"
    fig = plot_confidence_band(
        grid[:, 0], prediction, lower, upper,
        bootstrap=boot, X_train=X[:, 0], y_train=y, truth=truth,
        confidence=args.confidence, title=title,
    )  # fmt: skip
    fig.axes[0].set_xlabel(x_name)
    fig.axes[0].set_ylabel(y_name)
    from nabla.plot.bands import save_figure

    written = save_figure(fig, output)
    print(f"figure: {written.resolve()}")
    return 0


def _read_csv(
    path: Path, target: str | None, feature: str | None
) -> tuple[np.ndarray, np.ndarray, str, str, str]:
    """Read one numeric feature and the target from a CSV with a header row."""
    if target is None:
        raise ValueError("--csv needs --target, the name of the column to predict")
    if not path.is_file():
        raise FileNotFoundError(f"--csv: no such file: {path}")
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        raise ValueError(f"--csv: {path} is empty; expected a header row and data rows")
    header = [name.strip() for name in rows[0]]
    if target not in header:
        raise ValueError(f"--csv: {path} has no column {target!r}; its columns are {header}")
    others = [name for name in header if name != target]
    if feature is None:
        if len(others) != 1:
            raise ValueError(
                f"--csv: {path} has {len(others)} columns besides {target!r} ({others}); "
                "choose the x column with --feature"
            )
        feature = others[0]
    elif feature not in others:
        raise ValueError(f"--feature: {path} has no column {feature!r}; its columns are {header}")
    i_x, i_y = header.index(feature), header.index(target)
    xs, ys = [], []
    for line, row in enumerate(rows[1:], start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        try:
            xs.append(float(row[i_x]))
            ys.append(float(row[i_y]))
        except (ValueError, IndexError) as exc:
            raise ValueError(
                f"--csv: {path} line {line}: expected numbers in columns {feature!r} and "
                f"{target!r}; got {row}"
            ) from exc
    if len(ys) < 2:
        raise ValueError(f"--csv: {path} has {len(ys)} data rows; the bootstrap needs at least 2")
    X = np.asarray(xs, dtype=np.float64)[:, np.newaxis]
    y = np.asarray(ys, dtype=np.float64)
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError(f"--csv: {path} contains NaN or infinite values")
    return X, y, f"{path} (n={len(y)}, x={feature!r}, y={target!r})", feature, target
