"""LAMB written out from the paper's pseudocode (You et al., 2020, Algorithm 2), in NumPy:
the oracle for ``nabla.optim.LAMB``, which PyTorch does not have."""

from __future__ import annotations

from typing import Any

import numpy as np


def lamb_reference(config: dict[str, Any], problem, steps: int) -> list[np.ndarray]:
    """The parameters after each step, two groups as ``helpers.groups`` makes them (the odd
    parameters at half the learning rate); gradients from the problem's loss."""
    params = problem.nabla_params()
    lr = config.get("lr", 1e-3)
    lrs = [lr if i % 2 == 0 else lr * 0.5 for i in range(len(params))]
    beta1, beta2 = config.get("betas", (0.9, 0.999))
    eps = config.get("eps", 1e-6)
    lam = config.get("weight_decay", 0.0)
    corrected = config.get("bias_correction", True)
    bounds = config.get("weight_norm_bounds")
    sign = -1.0 if config.get("maximize", False) else 1.0
    m = [np.zeros_like(p.data) for p in params]
    v = [np.zeros_like(p.data) for p in params]
    out = []
    for t in range(1, steps + 1):
        for p in params:
            p.grad = None
        problem.nabla_loss(params).backward()
        for i, p in enumerate(params):
            x, g = p.data.copy(), sign * p.grad
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g**2
            m_hat = m[i] / (1 - beta1**t) if corrected else m[i]
            v_hat = v[i] / (1 - beta2**t) if corrected else v[i]
            r = m_hat / (np.sqrt(v_hat) + eps)
            u = r + lam * x
            x_norm, u_norm = np.sqrt(np.sum(x**2)), np.sqrt(np.sum(u**2))
            phi = x_norm if bounds is None else min(max(x_norm, bounds[0]), bounds[1])
            ratio = phi / u_norm if phi > 0 and u_norm > 0 else 1.0
            p.data[...] = x - lrs[i] * ratio * u
        out.append(np.concatenate([p.data.ravel() for p in params]))
    return out
