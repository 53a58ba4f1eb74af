"""
Kernel ridge regression with each kernel
========================================

Kernel ridge predicts :math:`f(x) = \\sum_i \\alpha_i K(x_i, x)` with
:math:`\\hat\\alpha = (P + \\lambda I)^{-1} y`, :math:`P_{ij} = K(x_i, x_j)`. The kernel
decides which functions it can fit: the linear kernel gives a line, the polynomial kernel
a polynomial, the RBF kernel any smooth curve, and the sigmoid kernel a combination of
tanh-shaped curves. We fit each to the same noisy sine.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from nabla.datasets import make_sine, sine
from nabla.kernel_ridge import KernelRidge

X, y = make_sine(60, noise=0.3, random_state=0)
grid = np.linspace(0, 1, 300)[:, None]
models = {
    "linear": KernelRidge(alpha=1e-2, kernel="linear"),
    "polynomial, degree 5": KernelRidge(alpha=1e-4, kernel="poly", degree=5, coef0=1.0),
    "RBF, sigma = 0.1": KernelRidge(alpha=1e-2, kernel="rbf", sigma=0.1),
    "sigmoid": KernelRidge(alpha=1e-1, kernel="sigmoid", gamma=0.5, coef0=1.0),
}

fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharex=True, sharey=True)
for ax, (name, model) in zip(axes.ravel(), models.items()):
    model.fit(X, y)
    mse = np.mean((model.predict(grid) - sine(grid)) ** 2)
    print(f"{name:22s} mean squared error to the truth: {mse:.3f}")
    ax.plot(X, y, "k.", label="data")
    ax.plot(grid, sine(grid), "k--", label="truth")
    ax.plot(grid, model.predict(grid), label="kernel ridge")
    ax.set(title=name, ylim=(-2, 2))
axes[0, 0].legend(fontsize=8)
plt.tight_layout()
plt.show()
