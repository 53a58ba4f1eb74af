"""Newton, BFGS and L-BFGS: closures, convergence, PyTorch's L-BFGS path, Hessians."""

from __future__ import annotations

import numpy as np
import pytest

from nabla.nn.parameter import Parameter
from nabla.optim import BFGS, LBFGS, Newton
from nabla.optim.newton import fd_hessian
from tests.optim.helpers import rel_err, run_nabla, run_torch
from tests.optim.problems import Logistic, Net, Quadratic, Rosenbrock
from tests.optim.registry import BY_NAME


def _closure(opt, params, problem):
    def closure():
        opt.zero_grad()
        loss = problem.nabla_loss(params)
        loss.backward()
        return loss

    return closure


@pytest.mark.parametrize("cls", [Newton, BFGS, LBFGS])
def test_step_without_closure_raises(cls) -> None:
    w = Parameter(np.array([1.0, 2.0]))
    w.grad = np.array([1.0, 1.0])
    opt = cls([w])
    with pytest.raises(TypeError, match=rf"{cls.__name__}\.step\(\) requires a closure"):
        opt.step()
    assert w.data.tolist() == [1.0, 2.0]


# (problem, LBFGS config index, steps): as many steps as the two trajectories stay within
# rounding of each other; on the non-convex problems a tie in a stopping test eventually
# sends them apart (1e-7 after 5 steps for the most sensitive), on the quadratic never
_N_CONFIGS = len(BY_NAME["LBFGS"].configs)
LBFGS_CASES = (
    [(Quadratic, i, 20) for i in range(_N_CONFIGS)]
    + [(Net, i, s) for i, s in zip(range(_N_CONFIGS), (10, 10, 10, 6, 6, 10))]
    + [(Rosenbrock, i, s) for i, s in zip(range(_N_CONFIGS), (10, 10, 10, 4, 3, 10))]
)


@pytest.mark.parametrize(
    ("problem_cls", "index", "steps"),
    LBFGS_CASES,
    ids=[f"{p.__name__}-{i}-{s}steps" for p, i, s in LBFGS_CASES],
)
def test_lbfgs_follows_pytorch(problem_cls, index, steps) -> None:
    torch = pytest.importorskip("torch", reason="PyTorch's LBFGS is the oracle")
    spec = BY_NAME["LBFGS"]
    config = spec.configs[index]
    ours = run_nabla(spec, config, problem_cls(), steps, grouped=False)
    theirs = run_torch(torch, spec, config, problem_cls(), steps, grouped=False)
    start = np.concatenate([p.data.ravel() for p in problem_cls().nabla_params()])
    assert rel_err(ours[0], start) > 1e-3, "the first step did not move"
    tol = 1e-12 if problem_cls is Quadratic else 1e-9
    for step, (a, b) in enumerate(zip(ours, theirs)):
        assert rel_err(a, b) <= tol, f"step {step}: {rel_err(a, b):.3g}"


@pytest.mark.parametrize("index", range(2, _N_CONFIGS))
def test_lbfgs_non_default_tolerances_change_the_quadratic_trajectory(index) -> None:
    """So that the comparison above exercises them: the defaults would go elsewhere."""
    spec = BY_NAME["LBFGS"]
    config = spec.configs[index]
    defaults = {"tolerance_grad": 1e-7, "tolerance_change": 1e-9}
    assert any(k in config for k in defaults)
    ours = run_nabla(spec, config, Quadratic(), 20, grouped=False)
    plain = run_nabla(spec, {**config, **defaults}, Quadratic(), 20, grouped=False)
    assert rel_err(ours[-1], plain[-1]) > 1e-6


@pytest.mark.parametrize("cls", [BFGS, LBFGS])
def test_rosenbrock_solved_to_1e_8(cls) -> None:
    problem = Rosenbrock()
    params = problem.nabla_params()
    opt = cls(
        params,
        max_iter=200,
        tolerance_grad=1e-12,
        tolerance_change=1e-20,
        line_search_fn="strong_wolfe",
    )
    opt.step(_closure(opt, params, problem))
    assert np.max(np.abs(params[0].data - 1.0)) <= 1e-8
    assert opt.state[params[0]]["n_iter"] < 200


def test_bfgs_inverse_hessian_satisfies_the_secant_equation() -> None:
    problem = Quadratic()
    params = problem.nabla_params()
    opt = BFGS(params, max_iter=1, tolerance_change=0.0, tolerance_grad=0.0)
    closure = _closure(opt, params, problem)
    opt.step(closure)
    opt.step(closure)
    state = opt.state[params[0]]
    s = state["d"] * state["t"]  # the last step; its pair enters H at the next step
    opt.step(closure)
    H = state["H"]
    # on a quadratic y = A s, so the secant equation H y = s reads H A s = s
    np.testing.assert_allclose(H @ (problem.A @ s), s, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(H, H.T, atol=1e-12)
    assert np.all(np.linalg.eigvalsh(H) > 0)


@pytest.mark.parametrize("analytic", [True, False], ids=["analytic", "central-differences"])
def test_newton_solves_a_quadratic_in_one_step(analytic) -> None:
    problem = Quadratic()
    params = problem.nabla_params()
    opt = Newton(params, hessian=(lambda theta: problem.A) if analytic else None)
    opt.step(_closure(opt, params, problem))
    theta = np.concatenate([p.data for p in params])
    assert rel_err(theta, problem.minimum) <= (1e-12 if analytic else 1e-8)


@pytest.mark.parametrize("analytic", [True, False], ids=["analytic", "central-differences"])
def test_newton_logistic_regression_in_a_few_steps(analytic) -> None:
    scipy_optimize = pytest.importorskip("scipy.optimize", reason="SciPy gives the optimum")
    problem = Logistic()
    w = Parameter(np.zeros(3))
    opt = Newton([w], hessian=problem.hessian if analytic else None)
    closure = _closure(
        opt, [w], type("P", (), {"nabla_loss": lambda self, ps: problem.nabla_loss(ps[0])})()
    )
    norms = []
    for _ in range(6):
        opt.step(closure)
        norms.append(np.linalg.norm(problem.grad(w.data)))
    assert norms[-1] <= 1e-10, norms
    # quadratic convergence: near the optimum each gradient norm is O(the last one squared)
    assert norms[4] <= 20 * norms[3] ** 2
    assert norms[5] <= 20 * norms[4] ** 2
    loss = lambda v: np.mean(np.logaddexp(0, -problem.s * (problem.X @ v)))
    ref = scipy_optimize.minimize(loss, np.zeros(3), jac=problem.grad, method="BFGS", tol=1e-12)
    np.testing.assert_allclose(w.data, ref.x, rtol=1e-6)


def test_fd_hessian_matches_the_analytic_one() -> None:
    problem = Logistic()
    w = np.array([0.3, -0.2, 0.1])
    np.testing.assert_allclose(
        fd_hessian(problem.grad, w), problem.hessian(w), rtol=1e-7, atol=1e-9
    )


def test_newton_damps_an_indefinite_hessian_and_descends() -> None:
    # f = x^4 - x^2 + y^2 has f''(x) = 12 x^2 - 2 < 0 near x = 0: the raw Newton step climbs
    x = Parameter(np.array([0.1, 1.0]))

    class P:
        @staticmethod
        def nabla_loss(ps):
            v = ps[0]
            return v[0] ** 4 - v[0] ** 2 + v[1] ** 2

    opt = Newton([x])
    closure = _closure(opt, [x], P())
    f0 = float(closure())
    opt.step(closure)
    assert opt.state[x]["damping_used"] > 0
    assert float(closure()) < f0
    for _ in range(20):
        opt.step(closure)
    np.testing.assert_allclose(np.abs(x.data), [np.sqrt(0.5), 0.0], atol=1e-8)


def test_newton_finite_difference_limit_and_bad_hessian() -> None:
    big = Parameter(np.zeros(1001))
    with pytest.raises(
        ValueError, match=r"allowed for at most max_fd_params=1000 parameters, but there are 1001"
    ):
        Newton([big])
    Newton([big], hessian=lambda theta: np.eye(1001))  # fine with an analytic Hessian
    w = Parameter(np.ones(2))
    opt = Newton([w], hessian=lambda theta: np.eye(3))

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with pytest.raises(
        ValueError,
        match=r"returned an array of shape \(3, 3\), but the 2 parameters need shape \(2, 2\)",
    ):
        opt.step(closure)
    assert w.data.tolist() == [1.0, 1.0]


def test_newton_line_search_shortens_an_overshooting_step() -> None:
    problem = Quadratic()
    params = problem.nabla_params()
    opt = Newton(params, lr=3.0, hessian=lambda theta: problem.A)  # t = 3 overshoots, 1.5 does not
    closure = _closure(opt, params, problem)
    f0 = float(closure())
    opt.step(closure)
    assert opt.state[params[0]]["t"] == 1.5
    assert float(closure()) < f0
