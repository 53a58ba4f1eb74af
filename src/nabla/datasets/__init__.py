"""Synthetic datasets with a known truth, for experiments, teaching figures and tests.

The generators follow scikit-learn's conventions: ``n_samples``, ``noise`` (the standard
deviation of added Gaussian noise), ``random_state`` (an int seed or a NumPy Generator),
``shuffle``, and they return ``X, y``.

- ``make_sine``: the 1-D regression problem of the bootstrap lecture, noisy samples of a
  smooth function whose value is known everywhere, so the coverage of a confidence band
  can be measured;
- ``make_logic_gate`` and ``make_xor``: the truth tables of the neural-network lecture (XOR
  is the classic problem no linear classifier solves);
- ``make_moons``, ``make_circles``, ``make_spirals``: two-dimensional classes that need a
  non-linear boundary;
- ``make_blobs``: Gaussian clusters; ``make_regression``: a sparse linear model.
"""

from nabla.datasets._classification import (
    make_blobs,
    make_circles,
    make_logic_gate,
    make_moons,
    make_spirals,
    make_xor,
)
from nabla.datasets._regression import make_regression, make_sine, sine

__all__ = [
    "make_blobs",
    "make_circles",
    "make_logic_gate",
    "make_moons",
    "make_regression",
    "make_sine",
    "make_spirals",
    "make_xor",
    "sine",
]
