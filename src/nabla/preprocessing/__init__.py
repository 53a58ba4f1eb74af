"""Basis-function expansions for non-linear regression (the MLP lecture)."""

from nabla.preprocessing._polynomial import PolynomialFeatures
from nabla.preprocessing._rbf import RBFFeatures

__all__ = ["PolynomialFeatures", "RBFFeatures"]
