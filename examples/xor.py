"""Learn XOR with a 2-4-1 network trained by backpropagation, using only nabla's autograd.

Run: python examples/xor.py
"""

import numpy as np

import nabla

rng = np.random.default_rng(1)
X = nabla.tensor(np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32))
y = nabla.tensor(np.array([[0], [1], [1], [0]], dtype=np.float32))
W1 = nabla.tensor(rng.normal(0, 1, (2, 4)).astype(np.float32), requires_grad=True)
b1 = nabla.tensor(np.zeros(4, np.float32), requires_grad=True)
W2 = nabla.tensor(rng.normal(0, 1, (4, 1)).astype(np.float32), requires_grad=True)
b2 = nabla.tensor(np.zeros(1, np.float32), requires_grad=True)

for step in range(2000):
    logits = (X @ W1 + b1).tanh() @ W2 + b2
    # binary cross-entropy from logits: softplus(z) - y z, stable for any z
    loss = (logits.softplus() - y * logits).mean()
    for p in (W1, b1, W2, b2):
        p.grad = None
    loss.backward()
    for p in (W1, b1, W2, b2):
        p.data -= 0.5 * p.grad
    if step % 500 == 0:
        print(f"step {step:4d}  loss {loss.item():.4f}")

pred = ((X @ W1 + b1).tanh() @ W2 + b2).sigmoid()
print("predictions:", np.round(pred.numpy().ravel(), 3), "targets:", y.numpy().ravel())
accuracy = float(np.mean((pred.numpy() > 0.5) == (y.numpy() > 0.5)))
print(f"accuracy {accuracy:.2f}")
