"""
Logistic regression's decision boundary, one IRLS iteration at a time
=====================================================================

Newton's method on the logistic log-likelihood is iteratively reweighted least squares:
each iteration solves a weighted least-squares problem with weights
:math:`\\pi_i(1 - \\pi_i)`. It converges in a handful of iterations. We stop it after 1, 2,
3 and 10 iterations and draw the boundary :math:`\\theta^\\top x = 0` each time, then
compare with gradient descent.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np

from nabla.datasets import make_blobs
from nabla.linear_model import LogisticRegression
from nabla.plot import plot_decision_boundary

X, y = make_blobs(200, centers=[[-1.0, -0.5], [1.0, 0.8]], cluster_std=1.0, random_state=0)

# %%
# Fewer iterations than needed is what we want here, so the "did not converge" warning
# is silenced for this loop.
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
grid = np.linspace(X[:, 0].min(), X[:, 0].max(), 2)
axes[0].scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=12)
for iterations in (1, 2, 3, 10):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = LogisticRegression(solver="newton", max_iter=iterations, C=100.0).fit(X, y)
    w, b = clf.coef_.ravel(), float(np.ravel(clf.intercept_)[0])
    axes[0].plot(grid, -(b + w[0] * grid) / w[1], label=f"{iterations} iteration(s)")
    print(
        f"{iterations:2d} IRLS iteration(s): w = {np.round(w, 3)}, b = {b:.3f}, "
        f"accuracy {clf.score(X, y):.3f}"
    )
axes[0].set(ylim=(X[:, 1].min(), X[:, 1].max()), title="IRLS iterations")
axes[0].legend(fontsize=8)

final = LogisticRegression(solver="newton", C=100.0).fit(X, y)
plot_decision_boundary(final, X, y, proba=True, ax=axes[1], title="final fit, probabilities")
plt.tight_layout()
plt.show()
