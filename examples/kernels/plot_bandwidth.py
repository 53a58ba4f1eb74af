"""
The RBF kernel's bandwidth and lambda
=====================================

Both the bandwidth :math:`\\sigma` of the RBF kernel
:math:`K(x, x') = \\exp(-\\|x - x'\\|^2 / 2\\sigma^2)` and the ridge coefficient
:math:`\\lambda` regularise the predictor. A narrow kernel makes the kernel matrix nearly
diagonal and the fit follows every point; a wide one makes neighbouring points alike and
the fit smooth. We show two kernel matrices and the fits for three bandwidths.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from nabla.datasets import make_sine, sine
from nabla.kernel_ridge import KernelRidge
from nabla.metrics import rbf_kernel
from nabla.plot import plot_kernel_matrix

X, y = make_sine(60, noise=0.3, random_state=0)
order = np.argsort(X[:, 0])
X, y = X[order], y[order]
grid = np.linspace(0, 1, 300)[:, None]

fig, axes = plt.subplots(1, 3, figsize=(14, 4))
for ax, sigma in zip(axes[:2], (0.02, 0.2)):
    plot_kernel_matrix(
        rbf_kernel(X, X, gamma=1 / (2 * sigma**2)), ax=ax, title=f"P for sigma = {sigma}"
    )
axes[2].plot(X, y, "k.", label="data")
axes[2].plot(grid, sine(grid), "k--", label="truth")
for sigma in (0.01, 0.1, 1.0):
    model = KernelRidge(alpha=1e-3, kernel="rbf", sigma=sigma).fit(X, y)
    print(f"sigma = {sigma}: training R^2 = {model.score(X, y):.3f}")
    axes[2].plot(grid, model.predict(grid), label=f"sigma = {sigma}")
axes[2].set(ylim=(-2, 2), title="fits, lambda = 1e-3")
axes[2].legend(fontsize=8)
plt.tight_layout()
plt.show()
