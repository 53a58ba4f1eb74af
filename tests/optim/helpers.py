"""Running an optimiser on a test problem, in nabla and in PyTorch, from the same start."""

from __future__ import annotations

from typing import Any

import numpy as np

from tests.optim.registry import NABLA_ONLY, OptSpec


def groups(params: list, config: dict[str, Any]) -> list[dict[str, Any]]:
    """Two parameter groups: even-indexed parameters with ``config``, odd ones at half the lr."""
    return [
        {"params": params[0::2]},
        {"params": params[1::2], "lr": config.get("lr", 1e-3) * 0.5},
    ]


def flat(arrays) -> np.ndarray:
    return np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays])


def run_nabla(spec: OptSpec, config: dict[str, Any], problem, steps: int, grouped: bool = True):
    """The parameters after each of ``steps`` steps (a list of flat arrays)."""
    params = problem.nabla_params()
    opt = spec.cls(groups(params, config) if grouped else params, **config)
    out = []

    def closure():
        opt.zero_grad()
        loss = problem.nabla_loss(params)
        loss.backward()
        return loss

    for _ in range(steps):
        opt.step(closure)
        out.append(flat(p.data for p in params))
    return out


def run_torch(torch, spec: OptSpec, config: dict[str, Any], problem, steps: int, grouped=True):
    # torch keeps an optimiser's scalar state (NAdam's product of momentum coefficients) in
    # the default dtype: float64 here, as the parameters are, so that it is not rounded to
    # float32 on the way
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        return _run_torch(torch, spec, config, problem, steps, grouped)
    finally:
        torch.set_default_dtype(default)


def _run_torch(torch, spec: OptSpec, config: dict[str, Any], problem, steps: int, grouped: bool):
    params = problem.torch_params(torch)
    cls = getattr(torch.optim, spec.torch_name)
    config = {k: v for k, v in config.items() if k not in NABLA_ONLY}
    opt = cls(groups(params, config) if grouped else params, **config)
    out = []

    def closure():
        opt.zero_grad()
        loss = problem.torch_loss(torch, params)
        loss.backward()
        return loss

    for _ in range(steps):
        opt.step(closure)
        out.append(flat(p.detach().numpy() for p in params))
    return out


def adam_reference(config: dict[str, Any], problem, steps: int, decoupled: bool):
    """The notes' Adam, written out plainly (an oracle for bias_correction=False)."""
    params = problem.nabla_params()
    lrs = [config["lr"] if i % 2 == 0 else config["lr"] * 0.5 for i in range(len(params))]
    b1, b2 = config.get("betas", (0.9, 0.999))
    eps = config.get("eps", 1e-8)
    wd = config.get("weight_decay", 1e-2 if decoupled else 0.0)
    amsgrad = config.get("amsgrad", False)
    corrected = config.get("bias_correction", True)
    m = [np.zeros_like(p.data) for p in params]
    a = [np.zeros_like(p.data) for p in params]
    a_max = [np.zeros_like(p.data) for p in params]
    out = []
    for t in range(1, steps + 1):
        for p in params:
            p.grad = None
        problem.nabla_loss(params).backward()
        for i, p in enumerate(params):
            g = -p.grad if config.get("maximize", False) else p.grad
            theta = p.data
            if decoupled:
                theta = theta * (1 - lrs[i] * wd)
            else:
                g = g + wd * theta
            m[i] = b1 * m[i] + (1 - b1) * g  # first moment
            a[i] = b2 * a[i] + (1 - b2) * g * g  # second moment
            a_max[i] = np.maximum(a_max[i], a[i])
            v_hat, a_hat = m[i], (a_max[i] if amsgrad else a[i])
            if corrected:
                v_hat, a_hat = v_hat / (1 - b1**t), a_hat / (1 - b2**t)
            p.data[...] = theta - lrs[i] / (np.sqrt(a_hat) + eps) * v_hat
        out.append(flat(p.data for p in params))
    return out


def rel_err(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))
