"""
Checking the gradient of your own function
==========================================

Any function built from nabla's operations gets its gradient from ``backward()``. Before
trusting it, compare it with central differences in float64: ``gradcheck`` does this for
every input entry. We check a custom function and plot its autograd derivative against
the finite-difference one.
"""

# %%
# A custom function: a smooth "soft absolute value" times a damped sine.
import matplotlib.pyplot as plt
import numpy as np

import nabla
from nabla.autograd import gradcheck


def f(t):
    return (t * t + 0.1).sqrt() * (3 * t).sin() * (-0.5 * t * t).exp()


x = nabla.tensor(np.random.default_rng(0).normal(size=(4, 3)), requires_grad=True)
print("gradcheck:", gradcheck(lambda t: f(t).sum(axis=0), [x]))

# %%
# The derivative along a line, from autograd and from central differences
# :math:`(f(x + \epsilon) - f(x - \epsilon)) / 2\epsilon`.
grid = np.linspace(-3, 3, 201)
t = nabla.tensor(grid, requires_grad=True)
f(t).sum().backward()
eps = 1e-6
numerical = (f(nabla.tensor(grid + eps)).numpy() - f(nabla.tensor(grid - eps)).numpy()) / (2 * eps)
print(f"largest difference: {np.abs(t.grad - numerical).max():.2e}")

fig, ax = plt.subplots()
ax.plot(grid, f(nabla.tensor(grid)).numpy(), label="f(x)")
ax.plot(grid, t.grad, label="f'(x), autograd")
ax.plot(grid[::10], numerical[::10], "o", label="f'(x), central differences")
ax.set_xlabel("x")
ax.legend()
plt.show()
