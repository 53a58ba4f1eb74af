"""The optimiser registry: one entry per optimiser drives the generic tests.

Each ``OptSpec`` names the class, its PyTorch peer, the configurations whose trajectories
are compared (every flag at least once), the invalid constructor arguments with the
exception and message expected, and settings that reach the minimum of a convex quadratic.
Adding an optimiser means adding an entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nabla import optim
from tests.optim.lamb_reference import lamb_reference

# keyword arguments that exist in nabla only; configurations using them have a NumPy oracle
NABLA_ONLY = ("bias_correction",)


@dataclass
class OptSpec:
    name: str
    cls: type
    torch_name: str | None
    configs: list[dict[str, Any]]
    invalid: list[tuple[dict[str, Any], type, str]]
    # (kwargs, steps, ExponentialLR gamma or None) that reach a quadratic's minimum
    converge: tuple[dict[str, Any], int, float | None] | None = None
    second_order: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    # the oracle for an optimiser PyTorch does not have: reference(config, problem, steps)
    # -> the parameters after each step, written out from the paper in NumPy
    reference: Callable[..., Any] | None = None


_COMMON_BAD = [
    ({"lr": -0.1}, ValueError, "lr must be >= 0, got -0.1"),
    ({"lr": "fast"}, TypeError, "lr must be a real number, got 'fast'"),
    ({"lr": float("nan")}, ValueError, "lr must not be NaN, got nan"),
]
_WD_BAD = [({"weight_decay": -1e-4}, ValueError, "weight_decay must be >= 0, got -0.0001")]

OPTIMIZERS: list[OptSpec] = [
    OptSpec(
        "SGD",
        optim.SGD,
        "SGD",
        configs=[
            {"lr": 0.05},
            {"lr": 0.05, "momentum": 0.9},
            {"lr": 0.05, "momentum": 0.9, "dampening": 0.3},
            {"lr": 0.05, "momentum": 0.9, "nesterov": True},
            {"lr": 0.05, "weight_decay": 0.1},
            {"lr": 0.01, "maximize": True},
            {"lr": 0.003, "momentum": 0.8, "weight_decay": 0.5, "nesterov": True, "maximize": True},
            {"lr": 0.003, "momentum": 0.5, "dampening": 0.4, "weight_decay": 0.5, "maximize": True},
            # dampening = momentum: the running-mean momentum of the notes on the perceptron
            {"lr": 0.05, "momentum": 0.8, "dampening": 0.8},
        ],
        invalid=_COMMON_BAD
        + _WD_BAD
        + [
            ({"momentum": -0.5}, ValueError, "momentum must be >= 0, got -0.5"),
            ({"dampening": 1.5}, ValueError, "dampening must be in [0, 1], got 1.5"),
            (
                {"nesterov": True},
                ValueError,
                "nesterov=True requires momentum > 0 and dampening = 0, got momentum=0.0",
            ),
            (
                {"nesterov": True, "momentum": 0.9, "dampening": 0.1},
                ValueError,
                "nesterov=True requires momentum > 0 and dampening = 0, got momentum=0.9 and "
                "dampening=0.1",
            ),
            ({"nesterov": "yes"}, TypeError, "nesterov must be True or False, got 'yes'"),
        ],
        converge=({"lr": 0.1, "momentum": 0.5}, 300, None),
    ),
    OptSpec(
        "Adagrad",
        optim.Adagrad,
        "Adagrad",
        configs=[
            {"lr": 0.1},
            {"lr": 0.1, "lr_decay": 0.05},
            {"lr": 0.1, "weight_decay": 0.1},
            {"lr": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-6},
            {"lr": 0.05, "maximize": True},
            {"lr": 0.02, "maximize": True, "weight_decay": 0.5, "lr_decay": 0.01},
        ],
        invalid=_COMMON_BAD
        + _WD_BAD
        + [
            ({"lr_decay": -1.0}, ValueError, "lr_decay must be >= 0, got -1.0"),
            (
                {"initial_accumulator_value": -0.1},
                ValueError,
                "initial_accumulator_value must be >= 0, got -0.1",
            ),
            ({"eps": -1e-10}, ValueError, "eps must be >= 0, got -1e-10"),
        ],
        converge=({"lr": 1.0}, 500, None),
    ),
    OptSpec(
        "RMSprop",
        optim.RMSprop,
        "RMSprop",
        configs=[
            {"lr": 0.01},
            {"lr": 0.01, "alpha": 0.9, "momentum": 0.5},
            {"lr": 0.01, "centered": True},
            {"lr": 0.01, "centered": True, "momentum": 0.7, "weight_decay": 0.1},
            {"lr": 0.005, "maximize": True, "eps": 1e-6},
            {"lr": 0.002, "maximize": True, "weight_decay": 0.5, "momentum": 0.5},
        ],
        invalid=_COMMON_BAD
        + _WD_BAD
        + [
            ({"alpha": 1.5}, ValueError, "alpha must be in [0, 1], got 1.5"),
            ({"momentum": -0.9}, ValueError, "momentum must be >= 0, got -0.9"),
            ({"eps": -1.0}, ValueError, "eps must be >= 0, got -1.0"),
            ({"centered": None}, TypeError, "centered must be True or False, got None"),
        ],
        converge=({"lr": 0.05, "momentum": 0.5}, 1000, 0.99),
    ),
    OptSpec(
        "Adam",
        optim.Adam,
        "Adam",
        configs=[
            {"lr": 0.01},
            {"lr": 0.01, "amsgrad": True},
            {"lr": 0.01, "weight_decay": 0.1},
            {"lr": 0.01, "maximize": True},
            {"lr": 0.002, "maximize": True, "amsgrad": True, "weight_decay": 0.5},
            {"lr": 0.02, "betas": (0.3, 0.4), "eps": 1e-6},
            {"lr": 0.01, "bias_correction": False},
            {"lr": 0.01, "bias_correction": False, "amsgrad": True, "weight_decay": 0.1},
            # decoupled weight decay: PyTorch's Adam(decoupled_weight_decay=True), i.e. AdamW
            {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
            {"lr": 0.01, "weight_decay": 0.5, "decoupled_weight_decay": True, "amsgrad": True},
            {
                "lr": 0.005,
                "weight_decay": 0.2,
                "decoupled_weight_decay": True,
                "maximize": True,
                "betas": (0.8, 0.9),
                "eps": 1e-6,
            },
            {
                "lr": 0.01,
                "weight_decay": 0.3,
                "decoupled_weight_decay": True,
                "bias_correction": False,
                "amsgrad": True,
            },
        ],
        invalid=_COMMON_BAD
        + _WD_BAD
        + [
            ({"betas": (1.0, 0.999)}, ValueError, "betas[0] must be in [0, 1), got 1.0"),
            ({"betas": (0.9, -0.1)}, ValueError, "betas[1] must be in [0, 1), got -0.1"),
            ({"betas": 0.9}, TypeError, "betas must be a pair (beta1, beta2), got 0.9"),
            ({"eps": -1e-8}, ValueError, "eps must be >= 0, got -1e-08"),
            ({"amsgrad": 1}, TypeError, "amsgrad must be True or False, got 1"),
        ],
        converge=({"lr": 0.1}, 1000, None),
    ),
    OptSpec(
        "AdamW",
        optim.AdamW,
        "AdamW",
        configs=[
            {"lr": 0.01},
            {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True},
            {"lr": 0.01, "maximize": True, "weight_decay": 0.0},
            {"lr": 0.01, "bias_correction": False},
            {"lr": 0.02, "betas": (0.5, 0.8), "eps": 1e-6, "weight_decay": 0.3},
            {"lr": 0.01, "betas": (0.95, 0.99), "eps": 1e-4, "amsgrad": True, "maximize": True},
            {"lr": 0.01, "betas": (0.7, 0.95), "eps": 1e-5, "bias_correction": False},
        ],
        invalid=_COMMON_BAD
        + _WD_BAD
        + [
            ({"betas": (0.9, 1.0)}, ValueError, "betas[1] must be in [0, 1), got 1.0"),
            ({"betas": (-0.5, 0.9)}, ValueError, "betas[0] must be in [0, 1), got -0.5"),
        ],
        converge=({"lr": 0.1, "weight_decay": 0.0}, 1000, None),
    ),
    OptSpec(
        "NAdam",
        optim.NAdam,
        "NAdam",
        configs=[
            {"lr": 0.01},
            {"lr": 0.01, "weight_decay": 0.1},
            {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
            {"lr": 0.02, "betas": (0.5, 0.8), "eps": 1e-6, "momentum_decay": 0.1},
            {"lr": 0.01, "maximize": True},
            {
                "lr": 0.005,
                "maximize": True,
                "weight_decay": 0.5,
                "decoupled_weight_decay": True,
                "momentum_decay": 0.0,
            },
        ],
        invalid=_COMMON_BAD
        + _WD_BAD
        + [
            ({"betas": (1.0, 0.999)}, ValueError, "betas[0] must be in [0, 1), got 1.0"),
            ({"betas": [0.9]}, TypeError, "betas must be a pair (beta1, beta2), got [0.9]"),
            ({"eps": -1e-8}, ValueError, "eps must be >= 0, got -1e-08"),
            ({"momentum_decay": -0.004}, ValueError, "momentum_decay must be >= 0, got -0.004"),
            (
                {"decoupled_weight_decay": "yes"},
                TypeError,
                "decoupled_weight_decay must be True or False, got 'yes'",
            ),
        ],
        converge=({"lr": 0.1}, 1000, None),
    ),
    OptSpec(
        "RAdam",
        optim.RAdam,
        "RAdam",
        configs=[
            {"lr": 0.01},
            {"lr": 0.01, "weight_decay": 0.1},
            {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
            # beta2 = 0.6: rho_inf = 4, never rectified (momentum steps throughout)
            {"lr": 0.01, "betas": (0.5, 0.6)},
            {"lr": 0.02, "betas": (0.8, 0.9), "eps": 1e-6},
            {"lr": 0.01, "maximize": True},
            {"lr": 0.005, "maximize": True, "weight_decay": 0.5, "decoupled_weight_decay": True},
        ],
        invalid=_COMMON_BAD
        + _WD_BAD
        + [
            ({"betas": (0.9, 1.0)}, ValueError, "betas[1] must be in [0, 1), got 1.0"),
            ({"eps": -1.0}, ValueError, "eps must be >= 0, got -1.0"),
            ({"maximize": 0}, TypeError, "maximize must be True or False, got 0"),
        ],
        converge=({"lr": 0.1}, 1000, None),
    ),
    OptSpec(
        "LAMB",
        optim.LAMB,
        None,
        configs=[
            {"lr": 0.01},
            {"lr": 0.01, "weight_decay": 0.1},
            {"lr": 0.02, "betas": (0.5, 0.8), "eps": 1e-4},
            {"lr": 0.01, "bias_correction": False, "weight_decay": 0.01},
            {"lr": 0.01, "weight_norm_bounds": (0.5, 1.0)},
            {"lr": 0.005, "maximize": True, "weight_decay": 0.3, "weight_norm_bounds": (0.0, 2.0)},
        ],
        invalid=_COMMON_BAD
        + _WD_BAD
        + [
            ({"eps": 0.0}, ValueError, "eps must be > 0, got 0.0"),
            ({"betas": (0.9, -0.1)}, ValueError, "betas[1] must be in [0, 1), got -0.1"),
            (
                {"weight_norm_bounds": 10.0},
                TypeError,
                "weight_norm_bounds must be None or a pair (gamma_l, gamma_u), got 10.0",
            ),
            (
                {"weight_norm_bounds": (2.0, 1.0)},
                ValueError,
                "weight_norm_bounds[1] must be >= 2, got 1.0",
            ),
            (
                {"weight_norm_bounds": (-1.0, 1.0)},
                ValueError,
                "weight_norm_bounds[0] must be >= 0, got -1.0",
            ),
        ],
        # each step moves a layer by lr ||theta||: the rate must decay, and slowly enough
        converge=({"lr": 0.05}, 3000, 0.995),
        reference=lamb_reference,
    ),
    OptSpec(
        "LBFGS",
        optim.LBFGS,
        "LBFGS",
        configs=[
            {"lr": 0.5, "max_iter": 5, "history_size": 3},
            {"lr": 1.0, "max_iter": 10, "line_search_fn": "strong_wolfe"},
            # non-default stopping rules and memory (each changes the quadratic's trajectory)
            {"lr": 0.5, "max_iter": 4, "history_size": 2, "tolerance_grad": 1e-2},
            {
                "lr": 1.0,
                "max_iter": 6,
                "history_size": 1,
                "line_search_fn": "strong_wolfe",
                "tolerance_change": 1e-4,
            },
            {
                "lr": 0.8,
                "max_iter": 7,
                "max_eval": 9,
                "history_size": 4,
                "tolerance_grad": 1e-5,
                "tolerance_change": 1e-6,
            },
            {
                "lr": 1.0,
                "max_iter": 3,
                "history_size": 2,
                "line_search_fn": "strong_wolfe",
                "tolerance_grad": 1e-4,
                "tolerance_change": 1e-7,
            },
        ],
        invalid=_COMMON_BAD
        + [
            ({"history_size": 0}, ValueError, "history_size must be >= 1, got 0"),
            ({"max_iter": 0}, ValueError, "max_iter must be >= 1, got 0"),
            (
                {"line_search_fn": "wolfe"},
                ValueError,
                "line_search_fn must be None or 'strong_wolfe', got 'wolfe'",
            ),
            ({"tolerance_grad": -1.0}, ValueError, "tolerance_grad must be >= 0, got -1.0"),
        ],
        second_order=True,
    ),
    OptSpec(
        "BFGS",
        optim.BFGS,
        None,
        configs=[],
        invalid=_COMMON_BAD
        + [
            ({"max_eval": 0}, ValueError, "max_eval must be >= 1, got 0"),
            ({"tolerance_change": -1e-9}, ValueError, "tolerance_change must be >= 0, got -1e-09"),
            (
                {"line_search_fn": "armijo"},
                ValueError,
                "line_search_fn must be None or 'strong_wolfe', got 'armijo'",
            ),
        ],
        second_order=True,
    ),
    OptSpec(
        "Newton",
        optim.Newton,
        None,
        configs=[],
        invalid=[
            ({"lr": 0.0}, ValueError, "lr must be > 0, got 0.0"),
            ({"lr": "one"}, TypeError, "lr must be a real number, got 'one'"),
            ({"damping": -1.0}, ValueError, "damping must be >= 0, got -1.0"),
            ({"c1": 1.5}, ValueError, "c1 must be in (0, 1), got 1.5"),
            ({"hessian": 3}, TypeError, "hessian must be a callable theta -> H, got 3"),
        ],
        second_order=True,
    ),
]

FIRST_ORDER = [s for s in OPTIMIZERS if not s.second_order]
BY_NAME = {s.name: s for s in OPTIMIZERS}
