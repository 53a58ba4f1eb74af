"""
Ridge and lasso coefficient paths
=================================

Ridge adds :math:`\\lambda\\|\\theta\\|_2^2` to the squared error and shrinks all weights
smoothly towards zero; the lasso adds :math:`\\lambda\\|\\theta\\|_1` and sets weights
exactly to zero, one after another, so it also selects features. We fit both over a range
of :math:`\\lambda` on data where only 4 of 10 features matter.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from nabla.datasets import make_regression
from nabla.linear_model import Lasso, Ridge

X, y, true_coef = make_regression(100, 10, n_informative=4, noise=5.0, coef=True, random_state=0)
print("true coefficients:", np.round(true_coef, 1))

alphas = np.logspace(-2, 4, 40)
ridge = np.array([Ridge(alpha=a).fit(X, y).coef_ for a in alphas])
lasso_alphas = np.logspace(-2, 2, 40)
lasso = np.array([Lasso(alpha=a, max_iter=5000).fit(X, y).coef_ for a in lasso_alphas])
for i in (0, 20, 30, 39):
    kept = int(np.sum(lasso[i] != 0))
    print(f"lasso, lambda = {lasso_alphas[i]:8.2f}: {kept} non-zero coefficients")

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
axes[0].semilogx(alphas, ridge)
axes[0].set(xlabel="lambda", ylabel="coefficient", title="Ridge")
axes[1].semilogx(lasso_alphas, lasso)
axes[1].set(xlabel="lambda", title="Lasso")
plt.tight_layout()
plt.show()
