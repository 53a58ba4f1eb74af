"""Optimisers with PyTorch's interface: the update rules of the lecture notes.

First-order methods (``step()`` after ``loss.backward()``): :class:`SGD` (momentum,
dampening, Nesterov, weight decay), :class:`Adagrad`, :class:`RMSprop` (momentum, centred),
:class:`Adam` (with or without bias correction, AMSGrad), :class:`AdamW`, :class:`NAdam`,
:class:`RAdam` and the layer-wise :class:`LAMB`. Second-order
methods (``step(closure)``): :class:`Newton` (exact Hessian), :class:`BFGS` and
:class:`LBFGS`. Also gradient clipping (:func:`clip_grad_norm_`, :func:`clip_grad_value_`)
and learning-rate schedules (:mod:`nabla.optim.lr_scheduler`).

Examples
--------
>>> import numpy as np
>>> from nabla.nn.parameter import Parameter
>>> from nabla import optim
>>> w = Parameter(np.array([3.0, -1.0]))
>>> opt = optim.SGD([w], lr=0.25)
>>> for _ in range(40):
...     opt.zero_grad()
...     loss = (w * w).sum()
...     loss.backward()
...     opt.step()
>>> bool(np.all(np.abs(w.data) < 1e-10))
True
"""

from nabla.optim import lr_scheduler
from nabla.optim.adagrad import Adagrad
from nabla.optim.adam import Adam
from nabla.optim.adamw import AdamW
from nabla.optim.bfgs import BFGS
from nabla.optim.clip import clip_grad_norm_, clip_grad_value_
from nabla.optim.lamb import LAMB
from nabla.optim.lbfgs import LBFGS
from nabla.optim.nadam import NAdam
from nabla.optim.newton import Newton
from nabla.optim.optimizer import Optimizer
from nabla.optim.radam import RAdam
from nabla.optim.rmsprop import RMSprop
from nabla.optim.sgd import SGD

__all__ = [
    "BFGS",
    "LAMB",
    "LBFGS",
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "NAdam",
    "Newton",
    "Optimizer",
    "RAdam",
    "RMSprop",
    "clip_grad_norm_",
    "clip_grad_value_",
    "lr_scheduler",
]
