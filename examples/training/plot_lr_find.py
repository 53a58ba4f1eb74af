"""
Finding a learning rate with a range test
=========================================

Instead of several full runs, the learning-rate range test trains once while the rate
grows exponentially, and records the loss. The loss falls where the rate is useful and
blows up where it is too large; a good rate lies on the steep descent, well before the
minimum. ``lr_find`` runs the test and puts the model back as it was.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from nabla import nn, optim
from nabla.data import Standardize, load_digits
from nabla.plot import plot_lr_find
from nabla.train import Trainer, lr_find

X, y = load_digits()
X = Standardize.fit(X)(X).astype(np.float32)
net = nn.Sequential(nn.Linear(64, 64, rng=0), nn.ReLU(), nn.Linear(64, 10, rng=1))
trainer = Trainer(
    net, nn.CrossEntropyLoss(), optim.SGD(net.parameters(), lr=0.1), progress=False, seed=0
)
result = lr_find(trainer, (X, y), start_lr=1e-5, end_lr=10.0, num_steps=100)
print(f"suggested learning rate: {result.suggestion:.3g}")

# %%
plot_lr_find(result)
plt.show()
