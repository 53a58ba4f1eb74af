"""
Gaussian classifiers: full, shared and diagonal covariances
===========================================================

A Gaussian classifier fits one Gaussian :math:`\\mathcal N(\\mu_j, \\Sigma_j)` per class by
maximum likelihood and predicts with Bayes' rule. A full covariance per class gives
quadratic boundaries; one covariance shared by all classes gives linear boundaries; a
diagonal covariance (naive Bayes) gives quadratic boundaries aligned with the axes.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from nabla.discriminant_analysis import GaussianClassifier
from nabla.plot import plot_decision_boundary

rng = np.random.default_rng(0)
covariances = [
    np.array([[1.0, 0.8], [0.8, 1.0]]),
    np.array([[0.3, 0.0], [0.0, 1.5]]),
    np.array([[1.0, -0.6], [-0.6, 0.8]]),
]
means = [np.array([0.0, 0.0]), np.array([2.5, 1.0]), np.array([0.5, 3.0])]
X = np.vstack([rng.multivariate_normal(m, c, size=100) for m, c in zip(means, covariances)])
y = np.repeat([0, 1, 2], 100)

fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
for ax, covariance in zip(axes, ("full", "shared", "diagonal")):
    clf = GaussianClassifier(covariance=covariance).fit(X, y)
    print(f"{covariance:8s} training accuracy {clf.score(X, y):.3f}")
    plot_decision_boundary(clf, X, y, ax=ax, title=f"covariance = {covariance!r}")
plt.tight_layout()
plt.show()
