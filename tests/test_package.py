"""The package promises: a fast, NumPy-only core import, and lazy optional parts."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ["scipy", "sklearn", "torch", "matplotlib", "joblib", "safetensors", "tqdm", "dask"]


def _modules_after(code: str) -> set[str]:
    script = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_nabla_loads_numpy_only() -> None:
    loaded = _modules_after("import nabla")
    assert "numpy" in loaded
    assert not [m for m in HEAVY if m in loaded]


def test_core_needs_only_numpy() -> None:
    code = "import nabla.autograd, nabla.nn, nabla.nn.models, nabla.optim, nabla.optim.lr_scheduler"
    loaded = _modules_after(code)
    assert not [m for m in HEAVY if m in loaded]


def test_version_and_lazy_attribute_error() -> None:
    import pytest

    import nabla

    assert nabla.__version__
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        _ = nabla.nonexistent


def test_ships_py_typed_marker() -> None:
    # PEP 561: type checkers read nabla's annotations only when the package ships py.typed
    import pathlib
    import re

    import nabla

    assert (pathlib.Path(nabla.__file__).parent / "py.typed").is_file()
    pyproject = (pathlib.Path(__file__).resolve().parents[1] / "pyproject.toml").read_text()
    assert re.search(r'\[tool\.setuptools\.package-data\]\nnabla = \["py\.typed"\]', pyproject)
