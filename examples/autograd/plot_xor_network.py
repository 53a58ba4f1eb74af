"""
XOR learned by a 2-2-1 network
==============================

No single neuron separates XOR's two classes, but two hidden units do: each draws one
line, and the output unit combines them. We train a 2-2-1 network with sigmoid units on
noisy XOR points and draw the decision regions it learned.
"""

# %%
# Noisy copies of the four XOR points, labelled 0 or 1.
import matplotlib.pyplot as plt
import numpy as np

from nabla import nn, optim
from nabla.datasets import make_xor
from nabla.plot import plot_decision_boundary

X, y = make_xor(200, noise=0.15, random_state=0)
X = X.astype(np.float32)

# %%
# A 2-2-1 network: two hidden sigmoid units, one output score (a logit), trained with
# Adam on the binary cross-entropy computed from the logit.
net = nn.Sequential(nn.Linear(2, 2, rng=2), nn.Sigmoid(), nn.Linear(2, 1, rng=12))
opt = optim.Adam(net.parameters(), lr=0.05)
loss_fn = nn.BCEWithLogitsLoss()
target = y.reshape(-1, 1).astype(np.float32)
for _step in range(1500):
    opt.zero_grad()
    loss = loss_fn(net(X), target)
    loss.backward()
    opt.step()
accuracy = float(((net(X).numpy() > 0) == (target > 0.5)).mean())
print(f"final loss {loss.item():.3f}, training accuracy {accuracy:.2f}")


# %%
# The decision regions: the two hidden units' lines cut the plane into the XOR pattern.
def predict(points):
    return (net(points.astype(np.float32)).numpy().ravel() > 0).astype(int)


ax = plot_decision_boundary(predict, X, y, title="XOR by a 2-2-1 network")
plt.show()
