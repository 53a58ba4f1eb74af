"""
Basis functions: Gaussian bumps and ridge
=========================================

A linear model in non-linear features fits curves: with Gaussian bumps
:math:`\\phi_j(x) = \\exp(-\\|x - \\mu_j\\|^2 / w)` of width :math:`w` centred on a
grid, the prediction is a weighted sum of bumps. With many bumps the fit needs
regularisation; we fit ridge on 30 bumps with a small and a large :math:`\\lambda`.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from nabla.datasets import make_sine, sine
from nabla.linear_model import Ridge
from nabla.preprocessing import RBFFeatures

X, y = make_sine(40, noise=0.3, random_state=0)
centres = np.linspace(0, 1, 30)[:, None]
features = RBFFeatures(centers=centres, width=0.005).fit(X)
grid = np.linspace(0, 1, 300)[:, None]

fig, ax = plt.subplots()
ax.plot(X, y, "ko", label="data")
ax.plot(grid, sine(grid), "k--", label="truth")
for alpha in (1e-6, 1.0):
    model = Ridge(alpha=alpha).fit(features.transform(X), y)
    ax.plot(grid, model.predict(features.transform(grid)), label=f"ridge, lambda = {alpha:g}")
    print(f"lambda = {alpha:g}: weight norm {np.linalg.norm(model.coef_):.1f}")
ax.set(ylim=(-2.5, 2.5), xlabel="x", ylabel="y", title="30 Gaussian basis functions")
ax.legend()
plt.show()
