"""
Adam with and without bias correction
=====================================

Adam's moment estimates :math:`v` and :math:`a` start at zero, so in the first steps they
are biased towards zero. Dividing by :math:`1 - \\beta_1^t` and :math:`1 - \\beta_2^t`
corrects this. Without the correction, :math:`v` is small but :math:`\\sqrt a` is far
smaller (with :math:`\\beta_2 = 0.999`), so the first steps are several times too large.
We record the size of each step on a simple quadratic.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

import nabla
from nabla import optim


def step_sizes(bias_correction, steps=60):
    w = nabla.tensor([2.0], requires_grad=True, dtype=np.float64)
    opt = optim.Adam([w], lr=0.05, bias_correction=bias_correction)
    sizes, path = [], []
    for _ in range(steps):
        before = w.numpy().copy()
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
        sizes.append(abs(float(w.numpy()[0] - before[0])))
        path.append(float(w.numpy()[0]))
    return sizes, path


# %%
# With the correction, the first step is exactly the learning rate; without it, the
# first step is :math:`(1 - \beta_1)/\sqrt{1 - \beta_2} \approx 3.2` times larger.
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for flag in (True, False):
    sizes, path = step_sizes(flag)
    label = "with bias correction" if flag else "without"
    print(f"{label}: first step {sizes[0]:.4f}")
    axes[0].plot(sizes, label=label)
    axes[1].plot(path, label=label)
axes[0].set(xlabel="step", ylabel="|step|", title="Step size")
axes[1].set(xlabel="step", ylabel="w", title="Iterate (minimum at 0)")
axes[0].legend()
plt.tight_layout()
plt.show()
