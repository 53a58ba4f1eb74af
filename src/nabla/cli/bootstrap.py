"""``nabla bootstrap``: the bootstrap lecture's confidence band for kernel ridge, as a command.

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
import sys
from pathlib import Path
from typing import Any

import numpy as np


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "bootstrap",
        help="bootstrap confidence band of kernel ridge on 1-D data (the bootstrap lecture)",
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


#: kernel ridge builds an n x n kernel (800 MB at this size) and refits it B times
MAX_POINTS = 10_000
#: resample indices (B x n) and bootstrap predictions (B x grid) held at once, in values
MAX_BOOTSTRAP_VALUES = 50_000_000


def _check_options(args: argparse.Namespace) -> None:
    """Every option, before anything is read, printed or written."""
    from nabla.cli import _checks

    _checks.int_in(args.grid, "--grid", 2, 100_000)
    _checks.int_in(args.n_bootstrap, "--n-bootstrap", 1, MAX_BOOTSTRAP_VALUES)
    _checks.seed(args.seed)
    _checks.finite_at_least_zero(args.alpha, "--alpha")
    if args.sigma is not None:
        _checks.positive_finite(args.sigma, "--sigma")
    if not 0 < args.confidence < 1:  # NaN fails too
        raise ValueError(f"--confidence must be in (0, 1), got {args.confidence!r}")
    if args.n_jobs == 0:
        raise ValueError("--n-jobs must be a positive number of workers, or negative (-1: all)")
    if args.csv is None:
        _checks.int_in(args.n_samples, "--n-samples", 2, MAX_POINTS)
        _checks.finite_at_least_zero(args.noise, "--noise")
    elif args.target is None:
        raise ValueError("--csv needs --target, the name of the column to predict")
    _checks.replaceable_file(args.output, "--output")
    fmt = Path(args.output).suffix.lstrip(".").lower() or "png"
    from matplotlib.backend_bases import FigureCanvasBase

    if fmt not in FigureCanvasBase.get_supported_filetypes():
        raise ValueError(f"--output: cannot write a .{fmt} figure; use .png (or .pdf, .svg)")


def _check_size(n: int, args: argparse.Namespace) -> None:
    if n > MAX_POINTS:
        raise ValueError(
            f"the data has {n} points; kernel ridge builds an n x n kernel, so the bootstrap "
            f"takes at most {MAX_POINTS}: subsample the data"
        )
    held = args.n_bootstrap * (n + args.grid)
    if held > MAX_BOOTSTRAP_VALUES:
        raise ValueError(
            f"--n-bootstrap {args.n_bootstrap} with {n} points and --grid {args.grid} would "
            f"hold {held:,} values (over {MAX_BOOTSTRAP_VALUES:,}); lower --n-bootstrap"
        )


def run(args: argparse.Namespace) -> int:
    from nabla.kernel_ridge import KernelRidge
    from nabla.model_selection import BootstrapCI
    from nabla.plot.bands import plot_confidence_band

    _check_options(args)
    output = Path(args.output)
    if args.csv is not None:
        X, y, description, x_name, y_name = _read_csv(args.csv, args.target, args.feature)
        truth_fn = None
    else:
        from nabla.datasets import make_sine, sine

        X, y = make_sine(args.n_samples, noise=args.noise, random_state=args.seed)
        description = f"built-in noisy sine (n={len(y)}, noise={args.noise}, seed={args.seed})"
        x_name, y_name, truth_fn = "x", "y", sine
    _check_size(len(y), args)

    # default bandwidth: a tenth of the range of x (0.1 on the built-in data)
    span = float(X.max() - X.min()) if truth_fn is None else 1.0
    if not np.isfinite(span):
        raise ValueError("the x values span more than the largest float; rescale them")
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
    from nabla.base import validate_params

    validate_params(estimator)  # bad options fail here, before any work or output
    ci._validate_params()
    print(f"nabla bootstrap: {args.n_bootstrap} refits on {len(y)} points ...", file=sys.stderr)
    ci.fit(X, y)
    grid = np.linspace(X.min(), X.max(), args.grid)[:, np.newaxis]
    prediction, lower, upper, boot = ci.predict(grid, return_bootstrap=True)
    width = upper - lower
    if not (np.all(np.isfinite(boot)) and np.all(np.isfinite(width))):
        raise ValueError(
            "the bootstrap predictions are not finite; rescale the data or raise --alpha"
        )

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
    """Read one numeric feature and the numeric target from a CSV with a header row."""
    from nabla.data import load_csv
    from nabla.data._csv import read_header

    if target is None:
        raise ValueError("--csv needs --target, the name of the column to predict")
    header = read_header(path)
    if feature is None and target in header:
        others = [name for name in header if name != target]
        if len(others) != 1:
            raise ValueError(
                f"--csv: '{path}' has {len(others)} columns besides {target!r}; choose the "
                "x column with --feature"
            )
        feature = others[0]
    table = load_csv(path, target, columns=None if feature is None else [feature], dtype=np.float64)
    if table.classes is not None:
        raise ValueError(f"--csv: the target {target!r} of '{path}' must hold numbers")
    feature = table.feature_names[0]
    if len(table.X) < 2:
        raise ValueError(
            f"--csv: '{path}' has {len(table.X)} data rows; the bootstrap needs at least 2"
        )
    X = table.X.astype(np.float64)
    y = np.asarray(table.y, dtype=np.float64)
    return X, y, f"{path} (n={len(y)}, x={feature!r}, y={target!r})", feature, target
