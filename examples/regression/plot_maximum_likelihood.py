"""
Distributions and maximum likelihood
====================================

Maximum likelihood picks the parameters under which the data are most probable, by
minimising the negative log-likelihood :math:`-\\sum_i \\log p(x_i \\mid \\theta)`. For a
Gaussian the answer is known in closed form (the sample mean and the biased variance); we
find it numerically with ``fit_mle`` and gradient descent, and compare. Then we fit a
Bernoulli to the coin flips of the notes.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

import nabla
from nabla import distributions as D
from nabla import optim

data = np.random.default_rng(0).normal(2.0, 0.7, size=500)
loc = nabla.tensor(0.0, requires_grad=True, dtype=np.float64)
log_scale = nabla.tensor(0.0, requires_grad=True, dtype=np.float64)
nll = D.fit_mle(
    lambda: D.Normal(loc, log_scale.exp()), data, optim.Adam([loc, log_scale], lr=0.05), steps=400
)
print(f"MLE by Adam:   mu = {loc.item():.4f}, sigma = {np.exp(log_scale.item()):.4f}")
print(f"closed form:   mu = {data.mean():.4f}, sigma = {data.std():.4f}")

# %%
# The coin of the notes, H T H H T T H T: the likelihood :math:`\theta^4 (1-\theta)^4`
# is largest at :math:`\hat\theta = 4/8`.
flips = np.array([1, 0, 1, 1, 0, 0, 1, 0], dtype=np.float64)
thetas = np.linspace(0.01, 0.99, 99)
likelihood = [np.exp(D.Bernoulli(probs=t).log_prob(flips).sum().item()) for t in thetas]
print(f"Bernoulli MLE: theta = {thetas[int(np.argmax(likelihood))]:.2f}")

fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
axes[0].plot(nll)
axes[0].set(xlabel="step", ylabel="negative log-likelihood", title="fit_mle")
grid = np.linspace(-1, 5, 200)
axes[1].hist(data, bins=30, density=True, alpha=0.5, label="data")
axes[1].plot(
    grid, np.exp(D.Normal(loc, log_scale.exp()).log_prob(grid).numpy()), label="fitted Normal"
)
axes[1].set(xlabel="x", title="Gaussian")
axes[1].legend()
axes[2].plot(thetas, likelihood)
axes[2].set(xlabel="theta", ylabel="likelihood", title="Bernoulli, H T H H T T H T")
plt.tight_layout()
plt.show()
