"""Bad hyper-parameters are rejected at construction, with messages naming the value."""

from __future__ import annotations

import re

import numpy as np
import pytest

from nabla.nn.parameter import Parameter
from tests.optim.registry import OPTIMIZERS

INVALID = [
    pytest.param(spec, kwargs, exc, match, id=f"{spec.name}-{i}")
    for spec in OPTIMIZERS
    for i, (kwargs, exc, match) in enumerate(spec.invalid)
]


@pytest.mark.parametrize(("spec", "kwargs", "exc", "match"), INVALID)
def test_bad_hyper_parameter_rejected_at_construction(spec, kwargs, exc, match) -> None:
    p = Parameter(np.array([1.0, -2.0, 3.0]))
    p.grad = np.ones(3)
    with pytest.raises(exc, match=re.escape(f"{spec.name}: {match}")):
        spec.cls([p], **kwargs)
    assert p.data.tolist() == [1.0, -2.0, 3.0]
    assert p.grad.tolist() == [1.0, 1.0, 1.0]


GROUP_INVALID = [
    pytest.param(spec, kwargs, exc, match, id=f"{spec.name}-{i}")
    for spec in OPTIMIZERS
    if not spec.second_order
    for i, (kwargs, exc, match) in enumerate(spec.invalid)
    if not kwargs.get("nesterov")  # a group-level rule across two keys: checked below
]


@pytest.mark.parametrize(("spec", "kwargs", "exc", "match"), GROUP_INVALID)
def test_bad_group_rejected_and_optimizer_unchanged(spec, kwargs, exc, match) -> None:
    a, b = Parameter(np.ones(2)), Parameter(np.ones(3))
    opt = spec.cls([a])
    groups_before = [dict(g) for g in opt.param_groups]
    with pytest.raises(exc, match=re.escape(f"{spec.name}: {match}")):
        opt.add_param_group({"params": [b], **kwargs})
    assert opt.param_groups == groups_before


def test_nesterov_rule_also_checked_per_group() -> None:
    from nabla.optim import SGD

    opt = SGD([Parameter(np.ones(2))], lr=0.1)
    with pytest.raises(ValueError, match=r"SGD: nesterov=True requires momentum > 0"):
        opt.add_param_group({"params": [Parameter(np.ones(2))], "nesterov": True})
    assert len(opt.param_groups) == 1


@pytest.mark.parametrize("spec", [s for s in OPTIMIZERS if s.second_order], ids=lambda s: s.name)
def test_second_order_methods_take_one_group(spec) -> None:
    opt = spec.cls([Parameter(np.ones(2))])
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        opt.add_param_group({"params": [Parameter(np.ones(2))]})
    assert len(opt.param_groups) == 1
