"""
Backpropagation by hand against autograd
========================================

The lecture's recursion for a sigmoid network computes every gradient in one backward
pass: :math:`\\delta^{(L+1)} = a^{(L+1)} - y`, :math:`\\delta^{(l)} = a^{(l)}(1 - a^{(l)})
\\odot \\Theta^{(l)\\top} \\delta^{(l+1)}` and :math:`\\partial L / \\partial \\Theta^{(l)} =
\\delta^{(l+1)} a^{(l)\\top}`. We implement it in NumPy for a 3-layer network and compare
it with ``backward()``, layer by layer.
"""

# %%
# A 4-5-5-1 sigmoid network (no biases, as in the lecture) and one example.
import matplotlib.pyplot as plt
import numpy as np

import nabla

rng = np.random.default_rng(0)
sizes = [4, 5, 5, 1]
thetas = [rng.normal(size=(sizes[i + 1], sizes[i])) for i in range(3)]
x, y = rng.normal(size=4), 1.0

# %%
# Autograd: the forward pass records the graph, ``backward()`` fills ``.grad``.
params = [nabla.tensor(t, requires_grad=True) for t in thetas]
a = nabla.tensor(x)
for theta in params:
    a = (theta @ a).sigmoid()
loss = -(y * a.log() + (1 - y) * (1 - a).log()).sum()
loss.backward()

# %%
# The lecture's recursion, in NumPy: store the activations, then go backwards.
acts = [x]
for theta in thetas:
    acts.append(1 / (1 + np.exp(-theta @ acts[-1])))
delta = acts[-1] - y
by_hand = [None] * 3
for layer in (2, 1, 0):
    by_hand[layer] = np.outer(delta, acts[layer])
    delta = acts[layer] * (1 - acts[layer]) * (thetas[layer].T @ delta)

errors = [np.abs(p.grad - g).max() for p, g in zip(params, by_hand)]
for layer, err in enumerate(errors, start=1):
    print(f"layer {layer}: largest difference {err:.1e}")

fig, ax = plt.subplots()
ax.bar([f"Theta({i})" for i in (1, 2, 3)], [np.abs(g).mean() for g in by_hand])
ax.set_ylabel("mean |dL/dTheta|")
ax.set_title("Gradient size per layer (backprop by hand = autograd)")
plt.show()
