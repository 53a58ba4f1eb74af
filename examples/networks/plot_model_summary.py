"""
Model summaries of LeNet-5 and VGG
==================================

``nn.summary`` runs one input through a model and lists each layer's output shape, its
number of parameters and its multiply-accumulate operations. It makes the lecture's point
about convolutional networks concrete: the convolutions hold few parameters, the fully
connected layers most of them.
"""

# %%
# LeNet-5 on 28x28 images.
from nabla import nn

print(nn.summary(nn.models.LeNet5(rng=0), (1, 1, 28, 28)))

# %%
# VGG-11 for 32x32 images, at an eighth of its width to keep it small.
vgg = nn.models.vgg11(num_classes=10, in_channels=3, input_size=32, width=0.125, hidden=64, rng=0)
print(nn.summary(vgg, (1, 3, 32, 32)))
