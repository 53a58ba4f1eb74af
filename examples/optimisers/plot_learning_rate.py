"""
Choosing the learning rate from cost curves
===========================================

The notes on optimisation read the learning rate off the cost curve: too small and the
cost falls slowly, a good one falls fast and levels off, too large and it oscillates or
blows up. We train a logistic-regression network with gradient descent at four learning
rates and plot the four cost curves.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from nabla import nn, optim
from nabla.data import Standardize, load_breast_cancer

X, y = load_breast_cancer()
X = Standardize.fit(X)(X).astype(np.float32)

fig, ax = plt.subplots()
for lr in (0.001, 0.05, 1.0, 12.0):
    net = nn.Linear(X.shape[1], 2, rng=0)
    opt = optim.SGD(net.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    costs = []
    for _epoch in range(60):
        opt.zero_grad()
        loss = loss_fn(net(X), y)
        loss.backward()
        opt.step()
        costs.append(loss.item())
    print(f"lr={lr}: cost after 60 steps {costs[-1]:.3f}")
    ax.plot(costs, label=f"lr = {lr}")
ax.set(xlabel="iteration", ylabel="cost J", yscale="log", title="Cost curves")
ax.legend()
plt.show()
