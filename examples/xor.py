"""
XOR by backpropagation, with nothing but tensors
================================================

A 2-4-1 network learns XOR from its four points. The weights are plain tensors with
``requires_grad=True``; ``loss.backward()`` fills their gradients and a hand-written
gradient-descent step updates them. The script prints the loss as it falls and the final
predictions. Run it with ``python examples/xor.py``.
"""

# %%
# The four points of XOR and a 2-4-1 network: weights drawn from a seeded generator,
# biases at zero.
import numpy as np

import nabla

rng = np.random.default_rng(1)
X = nabla.tensor(np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32))
y = nabla.tensor(np.array([[0], [1], [1], [0]], dtype=np.float32))
W1 = nabla.tensor(rng.normal(0, 1, (2, 4)).astype(np.float32), requires_grad=True)
b1 = nabla.tensor(np.zeros(4, np.float32), requires_grad=True)
W2 = nabla.tensor(rng.normal(0, 1, (4, 1)).astype(np.float32), requires_grad=True)
b2 = nabla.tensor(np.zeros(1, np.float32), requires_grad=True)

# %%
# Gradient descent on the binary cross-entropy, computed from the logits as
# :math:`\mathrm{softplus}(z) - yz`, which stays finite for any :math:`z`.
for step in range(2000):
    logits = (X @ W1 + b1).tanh() @ W2 + b2
    loss = (logits.softplus() - y * logits).mean()
    for p in (W1, b1, W2, b2):
        p.grad = None
    loss.backward()
    for p in (W1, b1, W2, b2):
        p.data -= 0.5 * p.grad
    if step % 500 == 0:
        print(f"step {step:4d}  loss {loss.item():.4f}")

# %%
# The predicted probabilities are close to the targets 0, 1, 1, 0.
pred = ((X @ W1 + b1).tanh() @ W2 + b2).sigmoid()
print("predictions:", np.round(pred.numpy().ravel(), 3), "targets:", y.numpy().ravel())
accuracy = float(np.mean((pred.numpy() > 0.5) == (y.numpy() > 0.5)))
print(f"accuracy {accuracy:.2f}")
