"""
Logic gates as single neurons
=============================

The notes on neural networks build AND, OR and NOT from one sigmoid neuron each,
:math:`h(x) = g(b + w^\\top x)`, with hand-picked weights such as :math:`b = -30`,
:math:`w = (20, 20)` for AND. We print each gate's weights and truth table, then draw the
line :math:`b + w^\\top x = 0` where each gate switches.
"""

# %%
# The gates of the notes, ready-made in ``nn.models``.
import itertools

import matplotlib.pyplot as plt
import numpy as np

from nabla.nn.models import and_gate, not_gate, or_gate

gates = {"AND": and_gate(), "OR": or_gate()}
for name, gate in gates.items():
    w, b = gate.weight.numpy().ravel(), gate.bias.numpy()[0]
    print(f"{name}: w = {w}, b = {b}")
    for x in itertools.product([0.0, 1.0], repeat=2):
        out = gate(np.array([x])).numpy().item()
        print(f"   x = {x} -> h(x) = {out:.4f}")

gate = not_gate()
print(f"NOT: w = {gate.weight.numpy().ravel()}, b = {gate.bias.numpy()[0]}")
for x in (0.0, 1.0):
    print(f"   x = {x} -> h(x) = {gate(np.array([[x]])).numpy().item():.4f}")

# %%
# Each two-input gate is a linear classifier: its boundary is a line.
fig, axes = plt.subplots(1, 2, figsize=(8, 4))
corners = np.array(list(itertools.product([0.0, 1.0], repeat=2)))
xs = np.linspace(-0.5, 1.5, 2)
for ax, (name, gate) in zip(axes, gates.items()):
    w, b = gate.weight.numpy().ravel(), gate.bias.numpy()[0]
    labels = gate(corners).numpy().ravel() > 0.5
    ax.scatter(*corners[labels].T, s=80, label="1")
    ax.scatter(*corners[~labels].T, s=80, marker="x", label="0")
    ax.plot(xs, -(b + w[0] * xs) / w[1], "k-", label="b + w.x = 0")
    ax.set(title=name, xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), xlabel="x1", ylabel="x2")
    ax.legend(loc="upper right")
plt.tight_layout()
plt.show()
