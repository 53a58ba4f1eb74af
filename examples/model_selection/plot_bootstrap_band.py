"""
The bootstrap band against the ideal band
=========================================

The bootstrap lecture's question: how uncertain is a trained predictor :math:`f(x)`? The
ideal 90% band would train on many fresh training sets from the true distribution and
take the 5th and 95th percentiles of the predictions at each :math:`x`. The bootstrap
imitates it with resamples of the one training set. Here the true distribution is known,
so we can draw both bands and compare.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from nabla.datasets import make_sine, sine
from nabla.kernel_ridge import KernelRidge
from nabla.model_selection import BootstrapCI, ideal_interval
from nabla.plot import plot_intervals

model = KernelRidge(alpha=1e-2, kernel="rbf", sigma=0.1)
X, y = make_sine(100, noise=0.3, random_state=0)
grid = np.linspace(0, 1, 100)[:, None]


def fresh_training_set(rng):
    return make_sine(100, noise=0.3, random_state=rng)


# %%
# 200 fits on fresh data (the ideal band) and 200 bootstrap refits on the one data set.
_, _, ideal = ideal_interval(
    fresh_training_set, model, grid, B=200, random_state=1, return_predictions=True
)
ci = BootstrapCI(model, n_bootstrap=200, confidence=0.90, random_state=0).fit(X, y)
prediction, lower, upper = ci.predict(grid)
covered = np.mean((lower <= sine(grid).ravel()) & (sine(grid).ravel() <= upper))
print(f"the bootstrap band covers the true function at {covered:.0%} of the grid")

ax = plot_intervals(
    grid,
    ideal,
    (lower, upper),
    confidence=0.90,
    prediction=prediction,
    truth=sine(grid),
    X_train=X,
    y_train=y,
)
plt.show()
