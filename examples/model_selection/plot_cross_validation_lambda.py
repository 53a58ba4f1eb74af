"""
Choosing lambda by cross-validation
===================================

The training error always prefers the least regularised model. K-fold cross-validation
estimates the error on new data instead: fit on :math:`K - 1` folds, measure on the
remaining one, average over the folds. We choose the ridge coefficient :math:`\\lambda` of
kernel ridge by 5-fold cross-validation and draw the validation curve.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from nabla.datasets import make_sine
from nabla.kernel_ridge import KernelRidge
from nabla.model_selection import KFold, cross_val_score
from nabla.plot import plot_validation_curve

X, y = make_sine(80, noise=0.3, random_state=0)
cv = KFold(5, shuffle=True, random_state=0)
alphas = np.logspace(-6, 2, 17)
scores = [
    cross_val_score(
        KernelRidge(alpha=a, kernel="rbf", sigma=0.05),
        X,
        y,
        cv=cv,
        scoring="neg_mean_squared_error",
    ).mean()
    for a in alphas
]
best = alphas[int(np.argmax(scores))]
print(f"lambda chosen by 5-fold cross-validation: {best:.1e}")

# %%
ax = plot_validation_curve(
    KernelRidge(kernel="rbf", sigma=0.05),
    "alpha",
    alphas,
    X,
    y,
    cv=cv,
    scoring="neg_mean_squared_error",
    xscale="log",
)
ax.axvline(best, color="k", linestyle=":", label="chosen lambda")
ax.legend()
plt.show()
