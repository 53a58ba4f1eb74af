"""Test problems, each in nabla and (where needed) in PyTorch, from the same start.

* ``Net``: a small network, tanh(x W1^T + b1) W2^T + b2 with a mean squared error, float64,
  built from autograd ops on Parameters (no nabla.nn needed).
* ``Quadratic``: f(theta) = 1/2 theta^T A theta - b^T theta with A symmetric positive
  definite (condition number 10): minimum A^{-1} b, Hessian A.
* ``rosenbrock``: the 2-D Rosenbrock function, minimum at (1, 1).
* ``Logistic``: mean logistic loss of a non-separable data set with an intercept column.
"""

from __future__ import annotations

import numpy as np

import nabla
from nabla.nn.parameter import Parameter


class Net:
    """A 3-6-2 tanh network and data, fixed by ``seed``."""

    def __init__(self, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.x = rng.standard_normal((20, 3))
        self.y = rng.standard_normal((20, 2))
        self.init = {
            "W1": rng.standard_normal((6, 3)) * 0.5,
            "b1": rng.standard_normal(6) * 0.1,
            "W2": rng.standard_normal((2, 6)) * 0.5,
            "b2": rng.standard_normal(2) * 0.1,
        }

    def nabla_params(self) -> list[Parameter]:
        return [Parameter(self.init[k].copy()) for k in ("W1", "b1", "W2", "b2")]

    def nabla_loss(self, params: list[Parameter]) -> nabla.Tensor:
        W1, b1, W2, b2 = params
        x, y = nabla.tensor(self.x), nabla.tensor(self.y)
        h = (x @ W1.T + b1).tanh()
        return ((h @ W2.T + b2 - y) ** 2).mean()

    def torch_params(self, torch):
        return [
            torch.tensor(self.init[k].copy(), requires_grad=True) for k in ("W1", "b1", "W2", "b2")
        ]

    def torch_loss(self, torch, params):
        W1, b1, W2, b2 = params
        x, y = torch.tensor(self.x), torch.tensor(self.y)
        h = torch.tanh(x @ W1.T + b1)
        return ((h @ W2.T + b2 - y) ** 2).mean()


class Quadratic:
    """f(theta) = 1/2 theta^T A theta - b^T theta on R^n, with two parameters (n = 3 + 2)."""

    def __init__(self, seed: int = 1, n: int = 5) -> None:
        rng = np.random.default_rng(seed)
        Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
        self.A = Q @ np.diag(np.linspace(1.0, 10.0, n)) @ Q.T
        self.b = rng.standard_normal(n)
        self.minimum = np.linalg.solve(self.A, self.b)
        self.init = rng.standard_normal(n)
        self.split = 3

    def nabla_params(self) -> list[Parameter]:
        return [
            Parameter(self.init[: self.split].copy()),
            Parameter(self.init[self.split :].copy()),
        ]

    def nabla_loss(self, params: list[Parameter]) -> nabla.Tensor:
        theta = nabla.autograd.concatenate(params)
        return 0.5 * (theta @ (nabla.tensor(self.A) @ theta)) - (nabla.tensor(self.b) * theta).sum()

    def torch_params(self, torch):
        return [
            torch.tensor(self.init[: self.split].copy(), requires_grad=True),
            torch.tensor(self.init[self.split :].copy(), requires_grad=True),
        ]

    def torch_loss(self, torch, params):
        theta = torch.cat(params)
        return 0.5 * (theta @ (torch.tensor(self.A) @ theta)) - (torch.tensor(self.b) * theta).sum()


def rosenbrock(x):
    """(1 - x0)^2 + 100 (x1 - x0^2)^2 for a nabla or torch tensor of shape (2,)."""
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


class Logistic:
    """Mean logistic loss log(1 + exp(-s x^T w)) with labels s in {-1, +1}."""

    def __init__(self, seed: int = 2, n: int = 200) -> None:
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((n, 2))
        self.X = np.hstack([X, np.ones((n, 1))])
        w_true = np.array([1.5, -2.0, 0.5])
        p = 1 / (1 + np.exp(-self.X @ w_true))
        self.s = np.where(rng.random(n) < p, 1.0, -1.0)  # noisy labels: not separable

    def nabla_loss(self, w: Parameter) -> nabla.Tensor:
        z = nabla.tensor(self.X) @ w * nabla.tensor(-self.s)
        return z.softplus().mean()

    def grad(self, w: np.ndarray) -> np.ndarray:
        z = self.s * (self.X @ w)
        return -(self.X.T @ (self.s / (1 + np.exp(z)))) / len(self.s)

    def hessian(self, w: np.ndarray) -> np.ndarray:
        p = 1 / (1 + np.exp(-(self.X @ w)))
        return (self.X.T * (p * (1 - p))) @ self.X / len(self.s)


class Rosenbrock:
    """The 2-D Rosenbrock function from the classic start (-1.2, 1)."""

    init = np.array([-1.2, 1.0])

    def nabla_params(self) -> list[Parameter]:
        return [Parameter(self.init.copy())]

    def nabla_loss(self, params: list[Parameter]) -> nabla.Tensor:
        return rosenbrock(params[0])

    def torch_params(self, torch):
        return [torch.tensor(self.init.copy(), requires_grad=True)]

    def torch_loss(self, torch, params):
        return rosenbrock(params[0])
