"""nabla.distributions is part of the light core: importing it loads no heavy package."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ["scipy", "sklearn", "torch", "matplotlib", "joblib", "safetensors", "tqdm", "dask"]


def test_distributions_import_numpy_only() -> None:
    code = (
        "import sys, json, nabla.distributions, nabla.nn.summary\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert "nabla.distributions" in loaded and "numpy" in loaded
    assert not [m for m in HEAVY if m in loaded]
