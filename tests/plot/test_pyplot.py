"""Without ax=, figures go to pyplot once the caller uses it (plt.show() works), and a
refused call opens no figure. Run in a fresh interpreter: pyplot is global state."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np
    import matplotlib
    matplotlib.use("Agg")
    from functools import partial
    from nabla import nn, optim
    from nabla import plot as P

    # without pyplot imported: a standalone figure, pyplot never loaded
    ax = P.plot_ecdf([1.0, 2.0])
    assert "matplotlib.pyplot" not in sys.modules
    assert ax.figure.canvas.get_default_filetype() == "png"

    import matplotlib.pyplot as plt

    ax = P.plot_activations("relu")
    assert plt.get_fignums() == [ax.figure.number] and plt.gca() is ax
    plt.close("all")

    clf = lambda A: (A[:, 0] > 0).astype(int)
    refused = [
        lambda: P.plot_activations(["nope"]),
        lambda: P.plot_optimizer_paths(lambda w: w, [partial(optim.SGD, lr=0.1)], [0.0, 1.0]),
        lambda: P.plot_optimizer_paths("rosenbrock", [optim.SGD], [0.0, 1.0, 2.0]),
        lambda: P.plot_history([]),
        lambda: P.plot_history([{"loss": [1.0]}, {"loss": [1.0, 2.0]}], labels=["a", "a"]),
        lambda: P.plot_validation_curve(nn.Linear(1, 1), "alpha", [1, 2], np.zeros((4, 1)), None),
        lambda: P.plot_gradient_flow({"a": [1.0], "b": [1.0, 2.0]}),
        lambda: P.plot_activation_stats({"a": {"std": []}}),
        lambda: P.plot_confusion_matrix([0, 1], [0]),
        lambda: P.plot_decision_boundary(clf, np.zeros((5, 3))),
        lambda: P.plot_intervals(np.zeros(3), np.zeros((4, 3)), np.zeros((4, 2))),
        lambda: P.plot_ecdf([]),
        lambda: P.plot_kernel_matrix(np.zeros(3)),
        lambda: P.plot_filters(nn.Linear(2, 2)),
        lambda: P.plot_feature_maps(nn.Sequential(nn.Linear(2, 2)), np.zeros((1, 2, 2)), "x"),
    ]
    for k, call in enumerate(refused):
        try:
            call()
        except (ValueError, TypeError):
            pass
        else:
            raise AssertionError(f"call {k} was not refused")
        assert plt.get_fignums() == [], f"call {k} opened a figure"
    print("ok", len(refused))
    """
)


def test_pyplot_figures_and_no_figure_on_refusal() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok 15"
