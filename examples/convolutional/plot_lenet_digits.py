"""
LeNet-5 on handwritten digits, and its learned filters
======================================================

LeNet-5 alternates convolution and pooling twice, then classifies with three fully
connected layers. We train it for twelve epochs on the 8x8 digits that ship with
scikit-learn, enlarged to 16x16, measure its accuracy on held-out digits, and look at the
six 5x5 filters of its first layer.
"""

# %%
# The digits, scaled to [0, 1] and enlarged to 16x16 by repeating each pixel.
import matplotlib.pyplot as plt
import numpy as np

from nabla import nn, optim
from nabla.data import load_digits
from nabla.plot import plot_filters
from nabla.train import Trainer

X, y = load_digits()
X = np.kron(X.reshape(-1, 1, 8, 8) / 16.0, np.ones((2, 2))).astype(np.float32)
rng = np.random.default_rng(0)
order = rng.permutation(len(X))
train, test = order[:1400], order[1400:]

# %%
# Train with Adam for twelve epochs; the trainer holds out 10% of the training digits for
# its per-epoch validation line.
net = nn.models.LeNet5(input_size=16, rng=0)
trainer = Trainer(
    net, nn.CrossEntropyLoss(), optim.Adam(net.parameters(), lr=5e-3), progress=False, seed=0
)
history = trainer.fit((X[train], y[train]), epochs=12, batch_size=32, val_split=0.1)
net.eval()
accuracy = float((net(X[test]).numpy().argmax(axis=1) == y[test]).mean())
print(f"test accuracy after 12 epochs: {accuracy:.3f} ({len(test)} digits)")

# %%
# The first layer's six filters: edge and stroke detectors.
ax = plot_filters(net.conv1)
ax.set_title("LeNet-5, first-layer filters")
plt.show()
