"""
Vanishing gradients: sigmoid against ReLU with He initialisation
================================================================

In a deep sigmoid network each layer multiplies the backward error by
:math:`\\sigma'(z) \\le 1/4`, so the first layers get almost no gradient. ReLU with He
initialisation (:math:`\\mathrm{var}(w) = 2/n_\\text{in}`) keeps the gradient's size from
layer to layer. We measure the gradient norm of every layer's weights in two 10-layer
networks.
"""

# %%
# Two deep stacks of 64-unit layers: sigmoid with the default initialisation, and ReLU
# with He (Kaiming) initialisation.
import matplotlib.pyplot as plt
import numpy as np

import nabla
from nabla import nn

depth, width = 10, 64
x = np.random.default_rng(0).normal(size=(128, width)).astype(np.float32)


def make(activation, he):
    layers = []
    for i in range(depth):
        linear = nn.Linear(width, width, rng=i)
        if he:
            nn.init.kaiming_normal_(linear.weight, nonlinearity="relu", rng=i)
        layers += [linear, activation()]
    return nn.Sequential(*layers)


# %%
# One backward pass of a simple loss; the gradient norm of each layer's weights.
norms = {}
for name, activation, he in (("sigmoid", nn.Sigmoid, False), ("ReLU + He", nn.ReLU, True)):
    net = make(activation, he)
    net(nabla.tensor(x)).pow(2).mean().backward()
    norms[name] = [float(np.linalg.norm(m.weight.grad)) for m in net if isinstance(m, nn.Linear)]
    print(
        name, "first / last layer gradient norm:", f"{norms[name][0]:.1e} / {norms[name][-1]:.1e}"
    )

fig, ax = plt.subplots()
for name, values in norms.items():
    ax.semilogy(range(1, depth + 1), values, "o-", label=name)
ax.set(xlabel="layer", ylabel="gradient norm of the weights", title="Gradient per layer")
ax.legend()
plt.show()
