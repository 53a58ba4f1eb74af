"""
k-nearest neighbours as k changes
=================================

k-NN stores the training data and predicts the majority label among the :math:`k`
nearest points. With :math:`k = 1` every training point is classified correctly and the
boundary follows the noise; as :math:`k` grows the boundary smooths, and for very large
:math:`k` it underfits. We draw the boundary for four values of :math:`k` and print the
training and test accuracy.
"""

# %%
import matplotlib.pyplot as plt

from nabla.datasets import make_moons
from nabla.neighbors import KNeighborsClassifier
from nabla.plot import plot_decision_boundary

X, y = make_moons(200, noise=0.3, random_state=0)
X_test, y_test = make_moons(1000, noise=0.3, random_state=1)

fig, axes = plt.subplots(1, 4, figsize=(16, 4))
for ax, k in zip(axes, (1, 5, 25, 101)):
    clf = KNeighborsClassifier(n_neighbors=k).fit(X, y)
    print(
        f"k = {k:3d}: training accuracy {clf.score(X, y):.3f}, test {clf.score(X_test, y_test):.3f}"
    )
    plot_decision_boundary(clf, X, y, ax=ax, resolution=100, title=f"k = {k}")
plt.tight_layout()
plt.show()
