"""
The output-size formula, layer by layer
=======================================

A convolution with filter :math:`w_f`, padding :math:`p` and stride :math:`s` on a
:math:`w`-wide input gives :math:`(w - w_f + 2p)/s + 1` outputs per axis. We apply the
formula through LeNet-5, check it against the shapes the layers really produce, and plot
how the spatial size and the channel count change with depth.
"""

# %%
import matplotlib.pyplot as plt

from nabla import nn

net = nn.models.LeNet5(rng=0)
size = 28
names, sizes, channels = ["input"], [28], [1]
for name, layer in net.named_children():
    if isinstance(layer, nn.Conv2d):
        k, s, p = layer.kernel_size[0], layer.stride[0], layer.padding[0]
        size = nn.conv_output_size(size, k, stride=s, padding=p)
        formula = f"({sizes[-1]} - {k} + 2*{p})/{s} + 1 = {size}"
    elif isinstance(layer, (nn.MaxPool2d, nn.AvgPool2d)):
        k = layer.kernel_size if isinstance(layer.kernel_size, int) else layer.kernel_size[0]
        size = nn.conv_output_size(size, k, stride=k)
        formula = f"({sizes[-1]} - {k})/{k} + 1 = {size}"
    else:
        continue
    names.append(name)
    sizes.append(size)
    channels.append(layer.out_channels if isinstance(layer, nn.Conv2d) else channels[-1])
    print(f"{name:6s} {formula}")

# %%
# The real shapes, from a forward pass with hooks.
print(nn.summary(net, (1, 1, 28, 28)))

fig, ax = plt.subplots()
ax.plot(names, sizes, "o-", label="height = width")
ax.plot(names, channels, "s-", label="channels")
ax.set(ylabel="size", title="LeNet-5: spatial size and channels")
ax.legend()
plt.show()
