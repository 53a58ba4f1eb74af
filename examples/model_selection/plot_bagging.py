"""
Bagging an unstable model
=========================

Bootstrap aggregating fits the same model on :math:`B` bootstrap samples and averages
their predictions. It leaves the bias of the model unchanged and lowers its variance,
which helps most for unstable models such as deep regression trees or k-NN with small
:math:`k`. We compare one 1-nearest-neighbour regressor with a bag of 50.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from nabla.datasets import make_sine, sine
from nabla.ensemble import BaggingRegressor
from nabla.neighbors import KNeighborsRegressor

X, y = make_sine(80, noise=0.3, random_state=0)
X_test, y_test = make_sine(1000, noise=0.3, random_state=1)
grid = np.linspace(0, 1, 400)[:, None]
single = KNeighborsRegressor(n_neighbors=1).fit(X, y)
bag = BaggingRegressor(KNeighborsRegressor(n_neighbors=1), n_estimators=50, random_state=0).fit(
    X, y
)
for name, model in (("one 1-NN", single), ("bag of 50", bag)):
    print(
        f"{name:10s} test mean squared error {np.mean((model.predict(X_test) - y_test) ** 2):.3f}"
    )

fig, ax = plt.subplots()
ax.plot(X, y, "k.", label="data")
ax.plot(grid, sine(grid), "k--", label="truth")
ax.plot(grid, single.predict(grid), label="one 1-NN regressor", alpha=0.7)
ax.plot(grid, bag.predict(grid), label="bagged, B = 50", linewidth=2)
ax.set(xlabel="x", ylabel="y", ylim=(-2, 2))
ax.legend()
plt.show()
