"""
Newton, BFGS and L-BFGS against gradient descent
================================================

Second-order methods use the curvature: Newton's step :math:`-H^{-1}g` reaches the minimum
of a quadratic in one step, and BFGS and L-BFGS build an approximation of :math:`H^{-1}`
from successive gradients. We minimise the Rosenbrock function with each and plot the
loss against the iteration.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

import nabla
from nabla import optim


def rosenbrock(w):
    return (1 - w[0]) ** 2 + 100 * (w[1] - w[0] * w[0]) ** 2


def run(make_optimizer, steps):
    """Minimise from (-1.5, 2); return the loss at every evaluation of the closure."""
    w = nabla.tensor([-1.5, 2.0], requires_grad=True, dtype=np.float64)
    opt = make_optimizer([w])
    losses = []

    def closure():
        opt.zero_grad()
        loss = rosenbrock(w)
        loss.backward()
        losses.append(loss.item())
        return loss

    for _ in range(steps):
        opt.step(closure)
    return losses, w.numpy()


# %%
# BFGS and L-BFGS run up to 20 iterations per ``step``; to compare them fairly, the
# x-axis counts evaluations of the loss and its gradient.
methods = {
    "gradient descent": (lambda p: optim.SGD(p, lr=1e-3), 300),
    "Newton": (lambda p: optim.Newton(p), 30),
    "BFGS": (lambda p: optim.BFGS(p), 5),
    "L-BFGS": (lambda p: optim.LBFGS(p, line_search_fn="strong_wolfe"), 5),
}
fig, ax = plt.subplots()
for name, (make, steps) in methods.items():
    losses, w = run(make, steps)
    print(f"{name:17s} {len(losses):4d} evaluations: w = {np.round(w, 4)}, loss {losses[-1]:.2e}")
    ax.semilogy(np.maximum(losses, 1e-16), label=name)
ax.set(xlabel="evaluations of the loss", ylabel="loss", xlim=(0, 300), title="Rosenbrock")
ax.legend()
plt.show()
