"""
Softmax regression on three classes
===================================

Softmax regression gives each class a weight vector and turns the scores into
probabilities, :math:`\\Pr(y = c \\mid x) = e^{\\theta_c^\\top x} / \\sum_{c'}
e^{\\theta_{c'}^\\top x}`. Its boundaries are straight lines where two scores are equal. We
fit it to three blobs and draw the regions and the probability of the predicted class.
"""

# %%
import matplotlib.pyplot as plt

from nabla.datasets import make_blobs
from nabla.linear_model import SoftmaxRegression
from nabla.plot import plot_decision_boundary

X, y = make_blobs(300, centers=3, cluster_std=1.5, random_state=2)
clf = SoftmaxRegression(C=10.0).fit(X, y)
print(f"training accuracy {clf.score(X, y):.3f}")
print("class probabilities of the first point:", clf.predict_proba(X[:1]).round(3))

fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
plot_decision_boundary(clf, X, y, ax=axes[0], title="regions")
plot_decision_boundary(clf, X, y, proba=True, ax=axes[1], title="probability")
plt.tight_layout()
plt.show()
