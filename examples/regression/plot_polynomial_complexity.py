"""
Polynomial regression and model complexity
==========================================

A linear model in the features :math:`(1, x, x^2, \\dots, x^p)` fits a polynomial of degree
:math:`p`. The training error always falls as :math:`p` grows; the error on new data falls
and then rises again, once the polynomial follows the noise. We fit degrees 1 to 15 to 20
noisy points of a sine and plot both errors, then three of the fits.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from nabla.datasets import make_sine, sine
from nabla.linear_model import LinearRegression
from nabla.preprocessing import PolynomialFeatures

X, y = make_sine(20, noise=0.3, random_state=0)
X_test, y_test = make_sine(500, noise=0.3, random_state=1)


def fit(degree):
    features = PolynomialFeatures(degree, include_bias=False)
    model = LinearRegression().fit(features.fit_transform(X), y)
    return lambda Z: model.predict(features.transform(Z))


degrees = range(1, 16)
train_mse, test_mse = [], []
for p in degrees:
    f = fit(p)
    train_mse.append(np.mean((f(X) - y) ** 2))
    test_mse.append(np.mean((f(X_test) - y_test) ** 2))
print(f"best degree on new data: {degrees[int(np.argmin(test_mse))]}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
axes[0].semilogy(degrees, train_mse, "o-", label="training")
axes[0].semilogy(degrees, test_mse, "s-", label="new data")
axes[0].set(xlabel="degree p", ylabel="mean squared error", title="Model complexity")
axes[0].legend()
grid = np.linspace(0, 1, 300)[:, None]
axes[1].plot(X, y, "ko", label="training data")
axes[1].plot(grid, sine(grid), "k--", label="truth")
for p in (1, 4, 15):
    axes[1].plot(grid, fit(p)(grid), label=f"degree {p}")
axes[1].set(ylim=(-2, 2), xlabel="x", ylabel="y", title="Fits")
axes[1].legend(fontsize=8)
plt.tight_layout()
plt.show()
