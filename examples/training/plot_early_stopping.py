"""
Early stopping and the training curves
======================================

Early stopping treats the number of epochs as a hyper-parameter chosen on validation
data: training stops once the validation loss has not improved for ``patience`` epochs,
and the weights of the best epoch are restored. We train an over-sized network on a small
noisy problem and draw the training and validation curves with the stopping point.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from nabla import nn, optim
from nabla.datasets import make_moons
from nabla.plot import plot_history
from nabla.train import EarlyStopping, Trainer

X, y = make_moons(150, noise=0.35, random_state=0)
X = X.astype(np.float32)
net = nn.Sequential(
    nn.Linear(2, 128, rng=0),
    nn.ReLU(),
    nn.Linear(128, 128, rng=1),
    nn.ReLU(),
    nn.Linear(128, 2, rng=2),
)
stopper = EarlyStopping(patience=15)
trainer = Trainer(
    net,
    nn.CrossEntropyLoss(),
    optim.Adam(net.parameters(), lr=0.01),
    callbacks=[stopper],
    progress=False,
    seed=0,
)
history = trainer.fit((X, y), epochs=300, batch_size=32, val_split=0.3)
best = int(np.argmin(history["val_loss"])) + 1
print(f"stopped after {len(history['loss'])} epochs; best validation loss at epoch {best}")

# %%
ax = plot_history(history, "loss")
ax.axvline(best, color="k", linestyle=":", label="best epoch (weights restored)")
ax.legend()
plt.show()
