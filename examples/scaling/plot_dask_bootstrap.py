"""
Bootstrap refits on a Dask cluster
==================================

Each bootstrap refit is independent, so they can run anywhere. With a ``dask.distributed``
client running, joblib's ``dask`` backend sends the refits to the cluster's workers.
Every resample's random generator comes from ``SeedSequence.spawn``, so the band is
identical to the serial one, bit for bit. Here the cluster is a local one in threads; on a
real cluster only the ``Client`` line changes.
"""

# %%
import joblib
import matplotlib.pyplot as plt
import numpy as np
from dask.distributed import Client, LocalCluster

from nabla.datasets import make_sine, sine
from nabla.kernel_ridge import KernelRidge
from nabla.model_selection import BootstrapCI
from nabla.plot import plot_confidence_band

X, y = make_sine(100, noise=0.3, random_state=0)
grid = np.linspace(0, 1, 100)[:, None]
model = KernelRidge(alpha=1e-2, kernel="rbf", sigma=0.1)
serial = BootstrapCI(model, n_bootstrap=100, random_state=0).fit(X, y).predict(grid)

# %%
with (
    LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster,
    Client(cluster),
):
    with joblib.parallel_config(backend="dask"):
        ci = BootstrapCI(model, n_bootstrap=100, random_state=0).fit(X, y)
        on_dask = ci.predict(grid)
same = all(np.array_equal(a, b) for a, b in zip(serial, on_dask))
print(f"the band from the Dask cluster equals the serial one: {same}")

prediction, lower, upper = on_dask
plot_confidence_band(
    grid,
    prediction,
    lower,
    upper,
    X_train=X,
    y_train=y,
    truth=sine(grid),
    confidence=0.90,
    title="90% bootstrap band, refits on Dask",
)
plt.show()
