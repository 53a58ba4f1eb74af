"""
Feature maps of hand-made edge filters
======================================

A convolution slides one small filter over the whole image, so a filter that detects a
vertical edge finds it anywhere. We set the four filters of a convolution layer by hand
(vertical and horizontal Sobel edges, a blur and a centre-surround) and draw their
feature maps for one digit.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

import nabla
from nabla import nn
from nabla.data import load_digits
from nabla.plot import plot_feature_maps

X, y = load_digits()
image = (X[0].reshape(1, 8, 8) / 16.0).astype(np.float32)

sobel = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], dtype=np.float32)
filters = np.stack([sobel, sobel.T, np.full((3, 3), 1 / 9), -np.ones((3, 3)) / 8])
filters[3, 1, 1] = 1.0
model = nn.Sequential(nn.Conv2d(1, 4, kernel_size=3, padding=1, bias=False))
model[0].weight.data[...] = filters[:, None].astype(np.float32)

# %%
# The input digit and the four feature maps (vertical edges, horizontal edges, blur,
# centre-surround).
fig, axes = plt.subplots(1, 2, figsize=(9, 4))
axes[0].imshow(image[0], cmap="gray_r")
axes[0].set_title(f"input: a {y[0]}")
plot_feature_maps(model, nabla.tensor(image), "0", ax=axes[1])
axes[1].set_title("feature maps")
plt.tight_layout()
plt.show()
