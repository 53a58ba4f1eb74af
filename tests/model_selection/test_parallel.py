"""The task runner: order, failures, batching, seeds."""

from __future__ import annotations

import numpy as np
import pytest

from nabla.model_selection import _parallel
from nabla.model_selection._parallel import (
    TaskFailure,
    draw_indices,
    map_tasks,
    seed_sequence,
    set_random_states,
)


def _square_or_fail(x: int, offset: int) -> int:
    if x == 3:
        raise ValueError("three is not allowed")
    return x * x + offset


@pytest.mark.parametrize("n_jobs", [None, 1, 2])
@pytest.mark.parametrize("threshold", [0.0, 1e9])
def test_results_in_order_with_failures_in_place(monkeypatch, n_jobs, threshold) -> None:
    monkeypatch.setattr(_parallel, "MIN_PARALLEL_SECONDS", threshold)
    out = map_tasks(_square_or_fail, list(range(7)), args=(1,), n_jobs=n_jobs)
    assert [r for r in out if not isinstance(r, TaskFailure)] == [1, 2, 5, 17, 26, 37]
    failure = out[3]
    assert isinstance(failure, TaskFailure) and failure.index == 3
    assert failure.describe() == "task 3: ValueError: three is not allowed"


def test_small_work_stays_in_process(monkeypatch) -> None:
    # with the default threshold, microsecond tasks are not shipped to workers: the Parallel
    # class is never reached
    import joblib

    def refuse(*args, **kwargs):
        raise AssertionError("Parallel should not be used for tiny work")

    monkeypatch.setattr(joblib, "Parallel", refuse)
    assert map_tasks(_square_or_fail, [0, 1, 2], args=(0,), n_jobs=2) == [0, 1, 4]


def test_empty() -> None:
    assert map_tasks(_square_or_fail, [], args=(0,), n_jobs=2) == []


def test_seed_sequence_accepts_the_usual_seeds() -> None:
    a = seed_sequence(3, "who").spawn(2)
    b = seed_sequence(3, "who").spawn(2)
    assert [c.generate_state(2).tolist() for c in a] == [c.generate_state(2).tolist() for c in b]
    g1, g2 = np.random.default_rng(0), np.random.default_rng(0)
    assert list(seed_sequence(g1, "who").entropy) == list(seed_sequence(g2, "who").entropy)
    assert seed_sequence(np.random.RandomState(0), "who").entropy is not None
    ss = np.random.SeedSequence(5)
    assert seed_sequence(ss, "who") is ss
    assert seed_sequence(None, "who").entropy != seed_sequence(None, "who").entropy


@pytest.mark.parametrize("bad", [-1, 1.5, "seed", True])
def test_bad_random_state(bad) -> None:
    with pytest.raises(ValueError, match=r"Thing: random_state must be a non-negative int"):
        seed_sequence(bad, "Thing")


def test_draw_indices() -> None:
    child = np.random.SeedSequence(1).spawn(1)[0]
    idx, _ = draw_indices(child, 10)
    np.testing.assert_array_equal(idx, np.random.default_rng(child).integers(0, 10, size=10))
    idx, _ = draw_indices(child, 10, 6, replace=False)
    assert len(set(idx.tolist())) == 6


def test_set_random_states_reaches_nested_parameters() -> None:
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pipe = make_pipeline(StandardScaler(), RandomForestRegressor(random_state=None))
    set_random_states(pipe, np.random.default_rng(0))
    assert isinstance(pipe.get_params()["randomforestregressor__random_state"], int)
    set_random_states(object(), np.random.default_rng(0))  # no get_params: left alone
