"""The examples in the docstrings of nabla.nn run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "nabla.nn",
    "nabla.nn.module",
    "nabla.nn.container",
    "nabla.nn.init",
    "nabla.nn.loss",
    "nabla.nn.models",
    "nabla.nn.layers.linear",
    "nabla.nn.layers.conv",
    "nabla.nn.layers.pooling",
    "nabla.nn.layers.normalization",
    "nabla.nn.layers.dropout",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
