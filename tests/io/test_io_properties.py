"""Loading any bytes ends in a model or a ValueError, within bounded memory and time.

Properties (hypothesis), over random bytes and over valid model and checkpoint files that
are damaged: bits flipped, truncated, the length field changed, header entries replaced
by random JSON, and the nabla metadata edited (deeply nested values, malformed markers,
random configs and child names) with a checksum that matches, so the edit reaches the
decoder and the model builder. Each reader either succeeds (a benign edit) or raises
``ValueError``; any other exception is a failure. A model that loads must run on the
input it was saved for, or raise ``ValueError``.

The properties run in a subprocess limited by ``RLIMIT_AS`` (a memory bomb fails the test
instead of the machine) and a timeout (a hang fails it). Examples are derandomised (the
same cases on every run).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MEMORY = 2 * 2**30  # bytes of address space for the subprocess
TIMEOUT = 120.0  # seconds; a passing run takes a few
EXAMPLES = 150  # per property


# ---- the subprocess -----------------------------------------------------------------------------
def _valid_files(folder: Path) -> dict[str, bytes]:
    import numpy as np

    from nabla import io, nn

    g = np.random.default_rng(0)
    net = nn.Sequential(
        nn.Conv2d(1, 2, 3, padding=1, rng=g),
        nn.BatchNorm2d(2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.2),
        nn.Linear(8, 3, rng=g),
        nn.LogSoftmax(dim=1),
    )
    meta = {"classes": ("a", "b"), "mean": np.arange(2.0), 3: float("nan"), "step": np.int64(2)}
    model = io.save(net, folder / "model", metadata=meta)
    ck = io.save_checkpoint(folder / "ck", model=net, epoch=2, history={"loss": [1.0, 0.5]})
    return {"model": model.read_bytes(), "checkpoint": ck.read_bytes()}


def _split(data: bytes) -> tuple[dict, bytes]:
    n = int.from_bytes(data[:8], "little")
    return json.loads(data[8 : 8 + n]), data[8 + n :]


def _join(header: dict, body: bytes) -> bytes:
    text = json.dumps(header).encode()
    return len(text).to_bytes(8, "little") + text + body


def _resign(header: dict, body: bytes, meta_json: str) -> bytes:
    """The file with ``meta_json`` as its metadata and a matching checksum (computed here
    from the definition: SHA-256 of the meta, then per array its [name, dtype, shape] and
    bytes)."""
    dtypes = {"F32": "<f4", "F64": "<f8", "I64": "<i8"}  # the types the valid files hold
    h = hashlib.sha256(meta_json.encode())
    for name in sorted(k for k in header if k != "__metadata__"):
        e = header[name]
        h.update(json.dumps([name, dtypes[e["dtype"]], e["shape"]]).encode())
        b, end = e["data_offsets"]
        h.update(body[b:end])
    header = {**header, "__metadata__": {**header["__metadata__"], "meta": meta_json}}
    header["__metadata__"]["checksum"] = "sha256:" + h.hexdigest()
    return _join(header, body)


def _json_values():
    from hypothesis import strategies as st

    leaves = (
        st.none()
        | st.booleans()
        | st.integers(-(2**70), 2**70)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.sampled_from(["__tuple__", "__items__", "__array__", "__float__", "_modules"])
        | st.sampled_from(["forward", "Linear", "ReLU", "float32", "nan", "/metadata/mean"])
        | st.text(max_size=8)
    )
    keys = st.sampled_from(
        ["__tuple__", "__items__", "__array__", "__float__", "scalar", "class", "config",
         "children", "dim", "in_features", "p", "kernel_size", "dtype", "0", "x"]
    )  # fmt: skip
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
        max_leaves=12,
    )


def _paths(tree, prefix=()):
    """Every path to a node of a JSON tree."""
    yield prefix
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            yield from _paths(v, (*prefix, i))


def _replaced(tree, path, value):
    if not path:
        return value
    tree = tree.copy()
    tree[path[0]] = _replaced(tree[path[0]], path[1:], value)
    return tree


def _run_properties(folder: Path, examples: int) -> None:
    import numpy as np
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    import nabla
    from nabla import io

    files = _valid_files(folder)
    readers = {"model": io.load, "checkpoint": io.load_checkpoint, "state": io.load_state_dict}
    x = nabla.tensor(np.random.default_rng(1).random((2, 1, 4, 4)).astype(np.float32))
    path = folder / "case"
    config = settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )

    def outcome(data: bytes, *, must_fail: bool = False) -> None:
        path.write_bytes(data)
        for name, reader in readers.items():
            try:
                result = reader(path)
            except ValueError:
                continue
            except Exception as exc:
                raise AssertionError(f"{name} reader raised {type(exc).__name__}: {exc}") from exc
            assert not must_fail, f"the {name} reader accepted a damaged file"
            if name == "model":
                try:
                    result(x)
                except ValueError:
                    pass
                except Exception as exc:
                    raise AssertionError(
                        f"a loaded model raised {type(exc).__name__} in forward: {exc}"
                    ) from exc

    @config
    @given(st.binary(max_size=3000))
    def random_bytes(data: bytes) -> None:
        outcome(data, must_fail=True)

    @config
    @given(st.integers(0, 5000), st.binary(max_size=3000))
    def a_plausible_length_then_random_bytes(n: int, rest: bytes) -> None:
        outcome(n.to_bytes(8, "little") + b"{" + rest, must_fail=True)

    @config
    @given(st.sampled_from(sorted(files)), st.lists(st.integers(0, 2**40), min_size=1, max_size=8))
    def bit_flips(which: str, positions: list[int]) -> None:
        data = bytearray(files[which])
        for pos in positions:
            data[pos % len(data)] ^= 1 << (pos // len(data)) % 8
        outcome(bytes(data))

    @config
    @given(st.sampled_from(sorted(files)), st.integers(0, 2**40))
    def truncation(which: str, cut: int) -> None:
        data = files[which]
        outcome(data[: cut % len(data)], must_fail=True)

    @config
    @given(st.sampled_from(sorted(files)), st.integers(0, 2**64 - 1))
    def length_field(which: str, n: int) -> None:
        data = files[which]
        if n != int.from_bytes(data[:8], "little"):
            outcome(n.to_bytes(8, "little") + data[8:], must_fail=True)

    @config
    @given(st.sampled_from(sorted(files)), st.data())
    def header_edits(which: str, data) -> None:
        header, body = _split(files[which])
        where = data.draw(st.sampled_from(list(_paths(header))[1:]))
        edited = _replaced(header, where, data.draw(_json_values()))
        outcome(_join(edited, body))

    @config
    @given(st.sampled_from(sorted(files)), st.data())
    def metadata_edits(which: str, data) -> None:
        header, body = _split(files[which])
        meta = json.loads(header["__metadata__"]["meta"])
        where = data.draw(st.sampled_from(list(_paths(meta))))
        edited = _replaced(meta, where, data.draw(_json_values()))
        outcome(_resign(header, body, json.dumps(edited)))

    @config
    @given(st.sampled_from(sorted(files)), st.integers(1, 20_000), st.sampled_from("[{"))
    def deep_metadata(which: str, depth: int, bracket: str) -> None:
        header, body = _split(files[which])
        meta = json.loads(header["__metadata__"]["meta"])
        deep = '{"a": ' * depth + "1" + "}" * depth if bracket == "{" else "[" * depth + "]" * depth
        key = "metadata" if "metadata" in meta else "extra"
        text = json.dumps({**meta, key: "DEEP"}).replace('"DEEP"', deep)
        path.write_bytes(_resign(header, body, text))
        for reader in readers.values():
            try:
                reader(path)
            except ValueError:
                continue
            assert depth <= 101, f"metadata nested {depth} deep was accepted"

    for prop in (
        random_bytes,
        a_plausible_length_then_random_bytes,
        bit_flips,
        truncation,
        length_field,
        header_edits,
        metadata_edits,
        deep_metadata,
    ):
        print(prop.__name__, file=sys.stderr, flush=True)
        prop()


def _main(folder: str, examples: int) -> None:
    """Subprocess entry point: limit the address space, then run every property."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    _run_properties(Path(folder), examples)
    print("ok", flush=True)


# ---- the test ----------------------------------------------------------------------------------
def test_loading_any_bytes_ends_in_a_model_or_a_value_error(tmp_path: Path) -> None:
    pytest.importorskip("resource", reason="RLIMIT_AS bounds the subprocess's memory")
    code = f"from tests.io.test_io_properties import _main; _main({str(tmp_path)!r}, {EXAMPLES})"
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        pytest.fail(f"loading hung for {TIMEOUT:.0f} s; last property started:\n{err[-2000:]}")
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-6000:]
