"""
nabla estimators inside scikit-learn
====================================

nabla's estimators follow scikit-learn's contract, so its tools accept them: here a
``Pipeline`` that standardises the data and fits a kernel ridge regressor, tuned over the
kernel's bandwidth and :math:`\\lambda` by ``GridSearchCV``. The heat map shows the
cross-validated score of every pair.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from nabla.datasets import make_sine
from nabla.kernel_ridge import KernelRidge

X, y = make_sine(100, noise=0.3, random_state=0)
sigmas, alphas = [0.05, 0.1, 0.2, 0.5, 1.0], [1e-4, 1e-3, 1e-2, 1e-1, 1.0]
search = GridSearchCV(
    make_pipeline(StandardScaler(), KernelRidge(kernel="rbf")),
    {"kernelridge__sigma": sigmas, "kernelridge__alpha": alphas},
    cv=5,
)
search.fit(X, y)
print("best:", search.best_params_, f"R^2 = {search.best_score_:.3f}")

# %%
scores = search.cv_results_["mean_test_score"].reshape(len(alphas), len(sigmas))
fig, ax = plt.subplots()
image = ax.imshow(scores, cmap="viridis", origin="lower")
ax.set(
    xticks=range(len(sigmas)),
    xticklabels=sigmas,
    yticks=range(len(alphas)),
    yticklabels=alphas,
    xlabel="sigma (standardised x)",
    ylabel="lambda",
    title="cross-validated R^2",
)
fig.colorbar(image)
plt.show()
