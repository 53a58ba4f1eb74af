"""Toy dataset generators: shapes, class balance, determinism, the truth tables, and
equality in law with scikit-learn's generators (statistics, not bytes)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import datasets as skd

from nabla.datasets import (
    make_blobs,
    make_circles,
    make_logic_gate,
    make_moons,
    make_regression,
    make_spirals,
    make_xor,
)

GENERATORS = [
    lambda n, s: make_xor(n, random_state=s),
    lambda n, s: make_logic_gate("OR", n, noise=0.1, shuffle=True, random_state=s),
    lambda n, s: make_moons(n, noise=0.1, random_state=s),
    lambda n, s: make_circles(n, noise=0.1, random_state=s),
    lambda n, s: make_spirals(n, n_arms=3, noise=0.1, random_state=s),
    lambda n, s: make_blobs(n, random_state=s),
    lambda n, s: make_regression(n, 5, noise=1.0, random_state=s),
]


@pytest.mark.parametrize("gen", GENERATORS)
def test_shapes_and_determinism(gen) -> None:
    X, y = gen(30, 0)
    assert X.shape[0] == y.shape[0] == 30 and X.dtype == np.float64
    X2, y2 = gen(30, np.random.default_rng(0))
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = gen(30, 1)
    assert not np.array_equal(X, X3)


# ---- truth tables -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("gate", "table"),
    [
        ("AND", [0, 0, 0, 1]),
        ("OR", [0, 1, 1, 1]),
        ("NAND", [1, 1, 1, 0]),
        ("NOR", [1, 0, 0, 0]),
        ("XOR", [0, 1, 1, 0]),
        ("xnor", [1, 0, 0, 1]),
    ],
)
def test_logic_gate_truth_tables(gate, table) -> None:
    X, y = make_logic_gate(gate)
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, table)
    ops = {
        "AND": np.logical_and,
        "OR": np.logical_or,
        "NAND": lambda a, b: ~np.logical_and(a, b),
        "NOR": lambda a, b: ~np.logical_or(a, b),
        "XOR": np.logical_xor,
        "XNOR": lambda a, b: ~np.logical_xor(a, b),
    }
    a, b = X[:, 0].astype(bool), X[:, 1].astype(bool)
    np.testing.assert_array_equal(y, ops[gate.upper()](a, b).astype(int))


def test_logic_gate_repeats_and_noise() -> None:
    X, y = make_logic_gate("AND", 12, noise=0.2, random_state=0)
    np.testing.assert_array_equal(y, [0, 0, 0, 1] * 3)
    corners = np.tile([[0, 0], [0, 1], [1, 0], [1, 1]], (3, 1))
    assert 0 < np.abs(X - corners).max() < 1.5  # noise added to the inputs only


def test_xor_balance_and_labels() -> None:
    X, y = make_xor(400, noise=0.05, random_state=0)
    assert np.bincount(y).tolist() == [200, 200]
    corner = np.round(X).astype(int)  # noise 0.05 never moves a point half-way
    np.testing.assert_array_equal(y, corner[:, 0] ^ corner[:, 1])
    # noise: per-coordinate standard deviation around the corner, CLT bound on s
    dev = X - corner
    assert abs(dev.std() - 0.05) < 5 * 0.05 / np.sqrt(2 * dev.size)


# ---- against scikit-learn ----------------------------------------------------------------------
def test_moons_and_circles_without_noise_are_sklearns_point_sets() -> None:
    for ours, theirs in [
        (make_moons(101, shuffle=False), skd.make_moons(101, shuffle=False)),
        (
            make_circles(101, shuffle=False, factor=0.3),
            skd.make_circles(101, shuffle=False, factor=0.3),
        ),
    ]:
        np.testing.assert_allclose(ours[0], theirs[0], atol=1e-12)
        np.testing.assert_array_equal(ours[1], theirs[1])


def _class_stats(X, y, centre=(0.0, 0.0)):
    r = np.hypot(X[:, 0] - centre[0], X[:, 1] - centre[1])
    return [(X[y == k].mean(axis=0), r[y == k].mean(), r[y == k].std()) for k in (0, 1)]


@pytest.mark.parametrize("which", ["moons", "circles"])
def test_noisy_moons_and_circles_equal_in_law_to_sklearn(which) -> None:
    n, noise = 20_000, 0.2
    if which == "moons":
        ours = make_moons(n, noise=noise, random_state=0)
        theirs = skd.make_moons(n, noise=noise, random_state=0)
    else:
        ours = make_circles(n, noise=noise, factor=0.5, random_state=0)
        theirs = skd.make_circles(n, noise=noise, factor=0.5, random_state=0)
    assert np.bincount(ours[1]).tolist() == np.bincount(theirs[1]).tolist()
    # per class: the mean point and the radius' mean and spread agree to within 5 standard
    # errors of a difference of two independent means (each coordinate's sd is <= 1)
    tol = 5 * np.sqrt(2.0 / (n / 2))
    for (m1, r1, s1), (m2, r2, s2) in zip(_class_stats(*ours), _class_stats(*theirs)):
        np.testing.assert_allclose(m1, m2, atol=tol)
        assert abs(r1 - r2) < tol and abs(s1 - s2) < tol


def test_blobs_equal_in_law_to_sklearn() -> None:
    centers = np.array([[0.0, 0.0, 1.0], [4.0, -2.0, 0.0], [-3.0, 3.0, 3.0]])
    std = [0.5, 1.0, 2.0]
    kw = dict(centers=centers, cluster_std=std, random_state=0)
    X, y = make_blobs(30_001, 3, **kw)
    Xs, ys = skd.make_blobs(30_001, 3, **kw)
    assert np.bincount(y).tolist() == np.bincount(ys).tolist() == [10_001, 10_000, 10_000]
    for k in range(3):
        se = std[k] / np.sqrt(10_000)
        np.testing.assert_allclose(X[y == k].mean(axis=0), centers[k], atol=5 * se)
        np.testing.assert_allclose(X[y == k].mean(axis=0), Xs[ys == k].mean(axis=0), atol=7 * se)
        sd = X[y == k].std(axis=0)
        np.testing.assert_allclose(sd, Xs[ys == k].std(axis=0), atol=10 * std[k] / np.sqrt(20_000))


def test_blobs_random_centers_counts_and_box() -> None:
    _, y, C = make_blobs([5, 0, 7], 2, center_box=(-1.0, 1.0), return_centers=True, random_state=3)
    assert C.shape == (3, 2) and np.all(np.abs(C) <= 1.0)
    assert np.bincount(y, minlength=3).tolist() == [5, 0, 7]
    _, _, Cs = skd.make_blobs([5, 0, 7], 2, center_box=(-1.0, 1.0), return_centers=True)
    assert Cs.shape == C.shape


def test_regression_equal_in_law_to_sklearn() -> None:
    kw = dict(n_informative=3, bias=2.0, noise=0.5, coef=True, random_state=0)
    X, y, w = make_regression(5000, 8, **kw)
    Xs, ys, ws = skd.make_regression(5000, 8, **kw)
    assert X.shape == Xs.shape and y.shape == ys.shape and w.shape == ws.shape
    assert np.count_nonzero(w) == np.count_nonzero(ws) == 3
    assert np.all((w >= 0) & (w <= 100))
    resid = y - X @ w - 2.0  # the noise the model added
    assert abs(resid.std() - 0.5) < 5 * 0.5 / np.sqrt(2 * 5000)
    assert abs(resid.mean()) < 5 * 0.5 / np.sqrt(5000)
    np.testing.assert_allclose(X.std(axis=0), 1.0, atol=5 / np.sqrt(2 * 5000))
    residual_s = ys - Xs @ ws - 2.0
    assert abs(residual_s.std() - resid.std()) < 10 * 0.5 / np.sqrt(2 * 5000)
    _, y2 = make_regression(10, 4, n_targets=3, random_state=0)
    assert y2.shape == (10, 3)


# ---- spirals -----------------------------------------------------------------------------------
def test_spirals_geometry_and_balance() -> None:
    X, y = make_spirals(300, n_arms=3, turns=1.5, shuffle=False)
    assert np.bincount(y).tolist() == [100, 100, 100]
    r = np.hypot(X[:, 0], X[:, 1])
    expected_r = np.tile(np.arange(1, 101) / 100, 3)
    np.testing.assert_allclose(r, expected_r, atol=1e-12)
    angle = np.arctan2(X[:, 1], X[:, 0])
    expected = 2 * np.pi * (y / 3 + 1.5 * expected_r)
    np.testing.assert_allclose(np.cos(angle - expected), 1.0, atol=1e-9)
    _, y4 = make_spirals(10, n_arms=4, random_state=0)
    assert np.bincount(y4).tolist() == [3, 3, 2, 2]


# ---- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: make_xor(0), "make_xor: n_samples must be an int >= 1; got 0"),
        (lambda: make_moons(0), "make_moons: n_samples must be an int >= 1; got 0"),
        (lambda: make_circles(-3), "n_samples must be an int >= 1; got -3"),
        (lambda: make_spirals(2.5), r"n_samples must be an int >= 1; got 2\.5"),
        (lambda: make_blobs(0), "n_samples must be an int >= 1"),
        (lambda: make_regression(0), "n_samples must be an int >= 1"),
        (lambda: make_moons(10, noise=-0.1), r"noise must be a finite float >= 0.*got -0\.1"),
        (lambda: make_circles(10, noise=np.nan), "noise must be a finite float >= 0"),
        (lambda: make_xor(10, noise=-1.0), "noise must be a finite float >= 0"),
        (lambda: make_spirals(10, noise=-1.0), "noise must be a finite float >= 0"),
        (lambda: make_regression(10, noise=-1.0), "noise must be a finite float >= 0"),
        (lambda: make_spirals(10, n_arms=2.5), r"n_arms must be a whole number.*got 2\.5"),
        (lambda: make_spirals(10, n_arms=0), "n_arms must be a whole number"),
        (lambda: make_spirals(10, turns=0), "turns must be a finite float > 0"),
        (lambda: make_logic_gate("IMPLIES"), "gate must be one of"),
        (lambda: make_logic_gate("AND", 0), "make_logic_gate: n_samples must be an int >= 1"),
        (lambda: make_circles(10, factor=1.0), r"factor must be a float in \[0, 1\)"),
        (lambda: make_blobs(10, centers=[[0, 0, 0]]), r"centers must be finite, of shape"),
        (
            lambda: make_blobs(10, cluster_std=-1.0),
            "cluster_std must be one float >= 0 or one per center",
        ),
        (lambda: make_blobs([3, 3], centers=3), "n_samples gives 2 counts for 3 centers"),
        (lambda: make_regression(10, 3, n_informative=-1), "n_informative must be an int >= 0"),
    ],
)
def test_bad_input(call, match) -> None:
    with pytest.raises(ValueError, match=match):
        call()


def test_bad_input_draws_nothing_from_the_generator() -> None:
    rng = np.random.default_rng(5)
    state = rng.bit_generator.state
    with pytest.raises(ValueError, match="cluster_std"):
        make_blobs(10, centers=2, cluster_std=[1.0, -1.0], random_state=rng)
    with pytest.raises(ValueError, match="noise"):
        make_moons(10, noise=-1.0, random_state=rng)
    assert rng.bit_generator.state == state
