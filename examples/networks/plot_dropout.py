"""
Dropout against overfitting
===========================

A wide network trained long on few noisy points fits the noise: its training loss keeps
falling while the validation loss rises. Dropout, which zeroes each hidden unit with
probability :math:`p` during training (and rescales the rest by :math:`1/(1-p)`), acts
like bagging over thinned networks and keeps the validation loss down.
"""

# %%
# 60 noisy training points on two moons, 500 validation points.
import matplotlib.pyplot as plt
import numpy as np

from nabla import nn, optim
from nabla.datasets import make_moons

X, y = make_moons(60, noise=0.35, random_state=0)
X_val, y_val = make_moons(500, noise=0.35, random_state=1)
X, X_val = X.astype(np.float32), X_val.astype(np.float32)


def make(p):
    return nn.Sequential(
        nn.Linear(2, 128, rng=0),
        nn.ReLU(),
        nn.Dropout(p, rng=1),
        nn.Linear(128, 128, rng=2),
        nn.ReLU(),
        nn.Dropout(p, rng=3),
        nn.Linear(128, 2, rng=4),
    )


# %%
# The same training for both; the validation loss is measured in evaluation mode.
loss_fn = nn.CrossEntropyLoss()
fig, ax = plt.subplots()
for p in (0.0, 0.5):
    net = make(p)
    opt = optim.Adam(net.parameters(), lr=0.01)
    train_loss, val_loss = [], []
    for _step in range(200):
        net.train()
        opt.zero_grad()
        loss = loss_fn(net(X), y)
        loss.backward()
        opt.step()
        net.eval()
        train_loss.append(loss_fn(net(X), y).item())
        val_loss.append(loss_fn(net(X_val), y_val).item())
    print(f"dropout p={p}: training loss {train_loss[-1]:.3f}, validation loss {val_loss[-1]:.3f}")
    (line,) = ax.plot(train_loss, "--", label=f"training, p={p}")
    ax.plot(val_loss, color=line.get_color(), label=f"validation, p={p}")
ax.set(xlabel="step", ylabel="cross-entropy", ylim=(0, 1.5), title="Dropout and overfitting")
ax.legend()
plt.show()
