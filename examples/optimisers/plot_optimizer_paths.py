"""
Optimiser paths on loss surfaces
================================

The same start, the same number of steps, four optimisers. On the Rosenbrock valley plain
gradient descent crawls along the curved floor, momentum overshoots and then follows it,
and Adam's per-coordinate steps move along the valley quickly. On a saddle, momentum and
Adam escape faster than gradient descent.
"""

# %%
import matplotlib.pyplot as plt

from nabla import optim
from nabla.plot import plot_optimizer_paths

optimizers = {
    "SGD": lambda p: optim.SGD(p, lr=1e-3),
    "momentum": lambda p: optim.SGD(p, lr=1e-3, momentum=0.9),
    "RMSprop": lambda p: optim.RMSprop(p, lr=1e-2),
    "Adam": lambda p: optim.Adam(p, lr=5e-2),
}
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
plot_optimizer_paths("rosenbrock", optimizers, start=(-1.5, 2.0), steps=300, ax=axes[0])
axes[0].set_title("Rosenbrock")
saddle_optimizers = {
    "SGD": lambda p: optim.SGD(p, lr=0.05),
    "momentum": lambda p: optim.SGD(p, lr=0.05, momentum=0.9),
    "Adam": lambda p: optim.Adam(p, lr=0.05),
}
plot_optimizer_paths("saddle", saddle_optimizers, start=(-1.0, 1e-3), steps=60, ax=axes[1])
axes[1].set_title("saddle")
plt.tight_layout()
plt.show()
