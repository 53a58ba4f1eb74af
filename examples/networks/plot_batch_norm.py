"""
The effect of batch normalisation
=================================

Batch normalisation normalises each unit over the mini-batch and then scales and shifts
it with learned :math:`\\gamma, \\beta`. In a deep sigmoid network it makes training much
faster. We train the same 6-layer network on two moons with and without batch norm and
compare the training loss.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from nabla import nn, optim
from nabla.datasets import make_moons

X, y = make_moons(256, noise=0.2, random_state=0)
X = X.astype(np.float32)


def make(batch_norm):
    layers, width = [], 2
    for i in range(6):
        layers.append(nn.Linear(width, 32, rng=i))
        if batch_norm:
            layers.append(nn.BatchNorm1d(32))
        layers.append(nn.Sigmoid())
        width = 32
    layers.append(nn.Linear(32, 2, rng=99))
    return nn.Sequential(*layers)


# %%
# Full-batch SGD, the same learning rate for both.
curves = {}
for batch_norm in (False, True):
    net = make(batch_norm)
    opt = optim.SGD(net.parameters(), lr=0.5, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for _step in range(150):
        opt.zero_grad()
        loss = loss_fn(net(X), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    curves["with batch norm" if batch_norm else "without"] = losses
    print(f"batch norm {batch_norm}: final loss {losses[-1]:.3f}")

fig, ax = plt.subplots()
for name, losses in curves.items():
    ax.plot(losses, label=name)
ax.set(xlabel="step", ylabel="training loss", title="6 sigmoid layers on two moons")
ax.legend()
plt.show()
