"""
Activation functions and their derivatives
==========================================

The choice of activation decides how gradients flow. The sigmoid's derivative is at most
1/4 and vanishes for large inputs; tanh is centred at zero; ReLU passes the gradient
unchanged where it is active; leaky ReLU, ELU and softplus keep a gradient for negative
inputs. The figure shows each function and its derivative.
"""

# %%
import matplotlib.pyplot as plt

from nabla.plot import plot_activations

fig, axes = plt.subplots(1, 2, figsize=(10, 4))
plot_activations(("sigmoid", "tanh"), ax=axes[0])
plot_activations(("relu", "leaky_relu", "elu", "softplus"), ax=axes[1])
plt.tight_layout()
plt.show()
