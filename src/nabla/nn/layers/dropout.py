"""``Dropout`` (the course notes "DROPOUT"): an approximation of bagging by random binary masks."""

from __future__ import annotations

from typing import Any

import numpy as np

from nabla.autograd.tensor import Tensor
from nabla.nn import functional as F
from nabla.nn import init
from nabla.nn.layers._util import check_bool
from nabla.nn.module import Module


class Dropout(Module):
    """Zero each entry with probability ``p`` in training.

    Inverted dropout (default; the notes' "BETTER: INVERTED DROPOUT", PyTorch's behaviour):
    training h <- h * m / (1 - p) with m ~ Bernoulli(1 - p); evaluation: h unchanged.
    ``inverted=False`` is the notes' first variant: training h <- h * m, evaluation
    h <- (1 - p) h ("pass p to test").

    Parameters
    ----------
    p : float in [0, 1), default 0.5
    inverted : bool, default True
    rng : int or numpy.random.Generator, optional
        Source of the masks (an int seeds a generator kept by the layer; default: the
        generator of ``nabla.nn.init``, reset by ``nn.init.manual_seed``).

    Shape
    -----
    Any shape -> the same shape.

    Examples
    --------
    >>> import numpy as np, nabla
    >>> from nabla import nn
    >>> drop = nn.Dropout(0.5, rng=0)
    >>> y = drop(nabla.tensor(np.ones(8, dtype=np.float32))).numpy()
    >>> sorted(set(y.tolist())) in ([0.0, 2.0], [2.0], [0.0])
    True
    >>> drop.eval()(nabla.tensor(np.ones(2, dtype=np.float32))).numpy()
    array([1., 1.], dtype=float32)
    """

    def __init__(self, p: float = 0.5, inverted: bool = True, rng: init.RNG = None) -> None:
        super().__init__()
        if not isinstance(p, (int, float, np.floating)) or isinstance(p, bool) or not 0 <= p < 1:
            raise ValueError(f"Dropout: p must be a probability in [0, 1), got {p!r}")
        self.p = float(p)
        self.inverted = check_bool(inverted, "Dropout", "inverted")
        # an int seed becomes one generator here, so that successive masks differ
        self.rng = None if rng is None else init.get_rng(rng, "Dropout")

    def forward(self, input: Any) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inverted, self.rng)

    def extra_repr(self) -> str:
        return f"p={self.p}" + ("" if self.inverted else ", inverted=False")
