"""
Moving a network between nabla and PyTorch
==========================================

nabla's layers keep PyTorch's parameter names and layouts, so a state dict moves between
the two libraries with ``numpy()`` and ``torch.from_numpy``. We copy a LeNet-5 from nabla
into an equivalent PyTorch module, check that both give the same outputs and the same
gradients, and plot the two sets of outputs against each other.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

import nabla
from nabla import nn

net = nn.models.LeNet5(rng=0)


class TorchLeNet5(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = torch.nn.Conv2d(6, 16, 5)
        self.fc1, self.fc2 = torch.nn.Linear(400, 120), torch.nn.Linear(120, 84)
        self.fc3 = torch.nn.Linear(84, 10)

    def forward(self, x):
        x = torch.nn.functional.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = torch.nn.functional.max_pool2d(torch.relu(self.conv2(x)), 2)
        x = torch.relu(self.fc2(torch.relu(self.fc1(x.flatten(1)))))
        return self.fc3(x)


ref = TorchLeNet5()
ref.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in net.state_dict().items()})

# %%
# The same batch through both, forward and backward.
x = np.random.default_rng(0).random((16, 1, 28, 28), dtype=np.float32)
labels = np.arange(16) % 10
out = net(x)
nabla.nn.functional.cross_entropy(out, labels).backward()
ref_out = ref(torch.from_numpy(x))
torch.nn.functional.cross_entropy(ref_out, torch.from_numpy(labels)).backward()
print(f"largest output difference:   {np.abs(out.numpy() - ref_out.detach().numpy()).max():.1e}")
grad_diff = np.abs(net.conv1.weight.grad - ref.conv1.weight.grad.numpy()).max()
print(f"largest conv1 gradient diff: {grad_diff:.1e}")

fig, ax = plt.subplots()
ax.plot(ref_out.detach().numpy().ravel(), out.numpy().ravel(), ".")
ax.set(xlabel="PyTorch output", ylabel="nabla output", title="LeNet-5, same weights")
plt.show()
