"""nabla.io against the files of the issue "Hold at the edges": every file nabla writes and
every valid safetensors file loads; anything else is refused with a ValueError naming the
file, before memory is spent on it; identical models give identical bytes.

Files are written here by the ``safetensors`` library itself (an independent writer) with
the nabla checksum computed from its definition, so the loader is tested on bytes it did
not produce.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import subprocess
import sys
import tempfile
import tracemalloc
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save as st_save

import nabla
from nabla import io, nn

ROOT = Path(__file__).resolve().parents[2]


def _small() -> nn.Sequential:
    return nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU(), nn.Linear(4, 2, rng=1))


def _arrays(model: nn.Module) -> dict[str, np.ndarray]:
    return {k: v.data.copy() for k, v in model.state_dict().items()}


def _header_length(path: Path) -> int:
    return int.from_bytes(path.read_bytes()[:8], "little")


def _nabla_file(
    path: Path, meta_json: str, arrays: dict[str, np.ndarray], kind: str = "model", **extra: str
) -> Path:
    """A nabla file written by the safetensors library, checksum from its definition:
    SHA-256 of the meta JSON, then per array (sorted by name) [name, dtype, shape] as JSON
    and the bytes."""
    h = hashlib.sha256(meta_json.encode())
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(json.dumps([name, a.dtype.str, list(a.shape)]).encode())
        h.update(a.tobytes())
    header = {
        "format": "nabla",
        "format_version": "1",
        "kind": kind,
        "nabla_version": "0.1.0",
        "meta": meta_json,
        "checksum": "sha256:" + h.hexdigest(),
        **extra,
    }
    path.write_bytes(st_save(arrays, metadata=header))
    return path


def _model_file(path: Path, spec: dict, arrays: dict[str, np.ndarray], metadata=None) -> Path:
    meta = {"model": spec, "metadata": {} if metadata is None else metadata}
    return _nabla_file(path, json.dumps(meta), arrays)


def _small_spec() -> dict:
    lin = {"class": "Linear", "config": {"in_features": 3, "out_features": 4}}
    out = {"class": "Linear", "config": {"in_features": 4, "out_features": 2}}
    return {"class": "Sequential", "children": [["0", lin], ["1", {"class": "ReLU"}], ["2", out]]}


def _same_weights(a: nn.Module, b: nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return list(sa) == list(sb) and all(np.array_equal(sa[k].data, sb[k].data) for k in sa)


@pytest.fixture(autouse=True, scope="module")
def _warm(tmp_path_factory) -> None:
    """Load once before any memory is measured: first-use imports are not the point."""
    folder = tmp_path_factory.mktemp("warm")
    io.load(io.save(_small(), folder / "m"))
    io.load_checkpoint(io.save_checkpoint(folder / "c", model=_small())).build_model()


@pytest.fixture
def no_fsync(monkeypatch):
    """fsync makes a save durable, not correct: skipped where thousands of saves run."""
    monkeypatch.setattr(os, "fsync", lambda fd: None)


@pytest.fixture
def fast_dir(tmp_path: Path):
    """A folder in memory (tmpfs) where there is one: renaming over a file on ext4 costs a
    millisecond, which thousands of saves would spend."""
    if not os.path.isdir("/dev/shm"):
        yield tmp_path
        return
    with tempfile.TemporaryDirectory(dir="/dev/shm") as d:
        yield Path(d)


# ---- 1: valid files refused as "a Python pickle" --------------------------------------------
def test_the_issue_repro_loads(tmp_path: Path) -> None:
    net = _small()
    path = io.save(net, tmp_path / "m.safetensors", metadata={"note": "x" * 73})
    data = path.read_bytes()
    assert data[0] == 0x80 and 2 <= data[1] <= 5  # the bytes a pickle starts with
    loaded, meta = io.load(path, with_metadata=True)
    assert _same_weights(net, loaded) and meta == {"note": "x" * 73}
    assert sorted(io.load_state_dict(path)) == ["0.bias", "0.weight", "2.bias", "2.weight"]


def test_a_checkpoint_with_a_critical_header_length_loads(tmp_path: Path, no_fsync) -> None:
    net = _small()
    for n in range(2000):
        ck = io.save_checkpoint(tmp_path / "c", model=net, extra={"note": "y" * n})
        if _header_length(ck) in (640, 896, 1152, 1408):
            break
    assert ck.read_bytes()[0] == 0x80
    assert _same_weights(net, io.load_checkpoint(ck).build_model())


def test_every_metadata_size_from_0_to_2000_loads_back(fast_dir: Path, no_fsync) -> None:
    net = _small()
    lengths = set()
    for size in range(2001):
        path = io.save(net, fast_dir / "m.safetensors", metadata={"note": "x" * size})
        lengths.add(_header_length(path))
        loaded, meta = io.load(path, with_metadata=True)
        assert meta["note"] == "x" * size
        assert _same_weights(net, loaded), size
    assert {896, 1152, 1408} <= lengths  # the sweep crossed the lengths that were refused


def _write_with_header_length(length: int, write) -> bool:
    """Call ``write(pad)`` (which writes a file and returns its header length) with the
    padding that makes the header ``length`` bytes; False if even no padding is too long."""
    base = write(0)
    for pad in range(max(0, length - base - 8), length):
        got = write(pad)
        if got >= length:
            return got == length
    return False


@pytest.mark.parametrize("length", [640, 896, 1152, 1408, 640 + 65536, 1408 + 3 * 65536])
def test_foreign_safetensors_files_with_a_critical_header_length(tmp_path: Path, length) -> None:
    w = np.arange(12, dtype=np.float32).reshape(3, 4)
    path = tmp_path / "foreign.safetensors"

    def plain(pad: int) -> int:
        path.write_bytes(st_save({"w": w}, metadata={"pad": "p" * pad}))
        return _header_length(path)

    assert _write_with_header_length(length, plain)
    assert path.read_bytes()[0] == 0x80
    np.testing.assert_array_equal(io.load_state_dict(path)["w"], w)
    # a nabla model file of that header length, written by the safetensors library
    net = _small()

    def model(pad: int) -> int:
        meta = json.dumps({"model": _small_spec(), "metadata": {"pad": "p" * pad}})
        return _header_length(_nabla_file(path, meta, _arrays(net)))

    if length > 640:  # the smallest such file has a longer header
        assert _write_with_header_length(length, model)
        assert _same_weights(net, io.load(path))


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
@pytest.mark.parametrize("obj", [{"w": [1, 2, 3]}, list(range(5000)), "x" * 70000, 0])
def test_pickles_are_still_refused(tmp_path: Path, protocol: int, obj) -> None:
    p = tmp_path / "model.pkl"
    content = pickle.dumps(obj, protocol=protocol)
    p.write_bytes(content)
    for reader in (io.load, io.load_checkpoint, io.load_state_dict):
        with pytest.raises(ValueError, match=r"'.*model.pkl' is a Python pickle; nabla never"):
            reader(p)
    assert p.read_bytes() == content


def test_legacy_torch_save_is_refused_as_a_pickle(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch", reason="makes a real torch.save file")
    p = tmp_path / "model.pt"
    torch.save({"w": torch.zeros(2)}, p, _use_new_zipfile_serialization=False)
    with pytest.raises(ValueError, match="is a Python pickle"):
        io.load(p)


# ---- 6: memory bombs --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "spec",
    [
        {"class": "Linear", "config": {"in_features": 12000, "out_features": 12000}},
        {"class": "Linear", "config": {"in_features": 10**9, "out_features": 10**9}},
        {
            "class": "Conv2d",
            "config": {"in_channels": 4096, "out_channels": 4096, "kernel_size": 64},
        },
        {"class": "Maxout", "config": {"in_features": 2, "out_features": 10**8, "pieces": 64}},
        {"class": "PReLU", "config": {"num_parameters": 10**9}},
        {"class": "BatchNorm1d", "config": {"num_features": 10**9}},
        {
            "class": "Sequential",
            "children": [
                ["0", {"class": "Linear", "config": {"in_features": 3, "out_features": 4}}],
                ["1", {"class": "Linear", "config": {"in_features": 4, "out_features": 10**9}}],
            ],
        },
    ],
)
def test_a_description_bigger_than_its_weights_is_refused_before_allocating(
    tmp_path: Path, spec
) -> None:
    path = _model_file(tmp_path / "bomb", spec, {"weight": np.zeros((2, 2), np.float32)})
    assert path.stat().st_size < 1000
    peak = _refused(io.load, path, r"load: '.*bomb' does not fit the model: ")
    assert peak < 1_000_000  # nothing of the described size (576 MB and more)


def test_a_registered_class_too_big_to_build_gives_a_value_error(tmp_path: Path) -> None:
    class Huge(nn.Module):
        def __init__(self, n: int) -> None:
            super().__init__()
            self.n = n
            self.lin = nn.Linear(n, n, rng=0)

    io.register_model("test_hostile_files.Huge", Huge, config=lambda m: {"n": m.n})
    path = io.save(Huge(2), tmp_path / "m")
    assert io.load(path).n == 2
    spec = {"class": "test_hostile_files.Huge", "config": {"n": 10**7}}  # 400 TB
    path = _model_file(tmp_path / "huge", spec, _arrays(Huge(2)))
    with pytest.raises(ValueError, match=r"'.*huge' has an invalid model description: .*memory"):
        io.load(path)


def test_a_checkpoint_describing_a_huge_model_is_refused_before_building(tmp_path: Path) -> None:
    ck = io.load_checkpoint(io.save_checkpoint(tmp_path / "c", model=_small()))
    spec = _small_spec()
    spec["children"][0][1]["config"] = {"in_features": 10**6, "out_features": 10**6}
    ck.model_spec = spec
    peak = _refused(
        lambda _: ck.build_model(),
        tmp_path,
        r"'.*c' does not fit the model: 0.weight has shape \(4, 3\), the model needs "
        r"\(1000000, 1000000\); 0.bias has shape",
    )
    assert peak < 1_000_000


def _refused(reader, path: Path, match: str) -> int:
    """The peak traced memory while ``reader(path)`` is refused with a matching ValueError."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=match):
            reader(path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _peak_while(fn) -> tuple[object, int]:
    tracemalloc.start()
    try:
        result = fn()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_load_peak_memory_is_about_the_size_of_the_weights(tmp_path: Path) -> None:
    net = nn.Sequential(nn.Linear(1000, 1000, rng=0), nn.Tanh(), nn.Linear(1000, 200, rng=1))
    weights = sum(v.data.nbytes for v in net.state_dict().values())  # 4.8 MB
    path = io.save(net, tmp_path / "m", metadata={"classes": list(range(100))})
    loaded, peak = _peak_while(lambda: io.load(path))
    assert _same_weights(net, loaded)
    assert peak < 1.25 * weights, (peak, weights)  # a copy of the file, or random init: 2x
    state, peak = _peak_while(lambda: io.load_state_dict(path))
    assert set(state) == set(net.state_dict()) and peak < 1.25 * weights
    ck = io.save_checkpoint(tmp_path / "c", model=net, epoch=1)
    checkpoint, peak = _peak_while(lambda: io.load_checkpoint(ck))
    assert checkpoint.epoch == 1 and peak < 1.25 * weights


@pytest.mark.parametrize("claimed", [2**40, 101 * 2**20, 2**64 - 1])
def test_the_header_length_is_checked_before_reading_it(tmp_path: Path, claimed: int) -> None:
    path = tmp_path / "big"
    with open(path, "wb") as f:  # a sparse 200 MiB file: no disk or memory used
        f.write(claimed.to_bytes(8, "little") + b"{")
        f.truncate(200 * 2**20)
    for reader in (io.load, io.load_state_dict, io.load_checkpoint):
        peak = _refused(reader, path, r"'.*big' is truncated or not a safetensors file")
        assert peak < 1_000_000


def test_data_the_header_does_not_account_for_is_refused_unread(tmp_path: Path) -> None:
    path = io.save(_small(), tmp_path / "m")
    with open(path, "r+b") as f:  # 300 MiB of (sparse) data after the arrays
        f.truncate(300 * 2**20)
    for reader in (io.load, io.load_state_dict, io.load_checkpoint):
        peak = _refused(reader, path, r"'.*m' is truncated or corrupted: its arrays take")
        assert peak < 1_000_000


# ---- 10: malformed files all end in ValueError ---------------------------------------------
def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [101, 1000, 5000, 100_000])
def test_deeply_nested_metadata_is_refused(tmp_path: Path, depth: int) -> None:
    meta = '{"model": ' + json.dumps(_small_spec()) + ', "metadata": {"x": ' + _nested(depth) + "}}"
    path = _nabla_file(tmp_path / "deep", meta, _arrays(_small()))
    with pytest.raises(ValueError, match=r"load: '.*deep' has invalid metadata: .*nested"):
        io.load(path)


@pytest.mark.parametrize("depth", [200, 1000, 100_000])
def test_a_deeply_nested_safetensors_header_is_refused(tmp_path: Path, depth: int) -> None:
    text = ('{"a": ' + _nested(depth) + "}").encode()
    path = tmp_path / "deep"
    path.write_bytes(len(text).to_bytes(8, "little") + text)
    for reader in (io.load, io.load_state_dict, io.load_checkpoint):
        with pytest.raises(ValueError, match=r"'.*deep' is (not a safetensors .*nested|corrupted)"):
            reader(path)


@pytest.mark.parametrize("depth", [40, 1000])
def test_deeply_nested_models_are_refused(tmp_path: Path, depth: int) -> None:
    node: dict = {"class": "ReLU"}
    for _ in range(depth):
        node = {"class": "Sequential", "children": [["0", node]]}
    meta = '{"metadata": {}, "model": ' + json.dumps(node) + "}" if depth < 300 else None
    if meta is None:  # json.dumps itself cannot write it: build the text
        meta = '{"metadata": {}, "model": ' + '{"class": "Sequential", "children": [["0", ' * depth
        meta += '{"class": "ReLU"}' + "]]}" * depth + "}"
    path = _nabla_file(tmp_path / "deep", meta, {})
    with pytest.raises(ValueError, match=r"'.*deep' has (an invalid model description|invalid)"):
        io.load(path)


@pytest.mark.parametrize(
    "value",
    [
        {"__tuple__": 5},
        {"__tuple__": {"a": 1}},
        {"__tuple__": [1], "extra": 2},
        {"__items__": 3},
        {"__items__": [[1]]},
        {"__items__": [[[1, 2], 3]]},
        {"__items__": [[{"a": 1}, 3]]},
        {"__items__": [[{"__tuple__": [[1]]}, 3]]},
        {"__items__": [[{"__array__": "/metadata/a"}, 3]]},
        {"__array__": 5},
        {"__array__": ["/metadata/a"]},
        {"__array__": "nope"},
        {"__array__": "/metadata/a", "scalar": "yes"},
        {"__array__": "/metadata/a", "scalar": True},
        {"__float__": 1.0},
        {"__float__": "1e5"},
        {"__weird__": 1},
        {"__tuple__": [], "__items__": []},
    ],
)
def test_malformed_metadata_is_refused(tmp_path: Path, value) -> None:
    arrays = {**_arrays(_small()), "/metadata/a": np.arange(3.0)}
    meta = json.dumps(
        {"model": _small_spec(), "metadata": {"a": {"__array__": "/metadata/a"}, "v": value}}
    )
    path = _nabla_file(tmp_path / "bad", meta, arrays)
    before = path.read_bytes()
    with pytest.raises(ValueError, match=r"load: '.*bad' has invalid metadata: "):
        io.load(path)
    extra = {"extra": {"v": value}}
    tree = {
        "epoch": 1, "model_spec": None, "model_state": {}, "optimizer_class": None,
        "optimizer_state": None, "scheduler_class": None, "scheduler_state": None,
        "history": {}, "rng_state": {}, **extra,
    }  # fmt: skip
    ck = _nabla_file(
        tmp_path / "ck", json.dumps(tree), {"/metadata/a": np.arange(3.0)}, "checkpoint"
    )
    with pytest.raises(ValueError, match=r"load_checkpoint: '.*ck' has invalid metadata: "):
        io.load_checkpoint(ck)
    assert path.read_bytes() == before


def _lin(**config) -> dict:
    return {"class": "Linear", "config": {"in_features": 3, "out_features": 4, **config}}


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ({"class": "Softmax", "config": {"dim": "__class__"}}, "Softmax: dim must be an int"),
        ({"class": "Softmax", "config": {"dim": 1.5}}, "dim must be an int"),
        ({"class": "LogSoftmax", "config": {"dim": True}}, "dim must be an int"),
        ({"class": "Flatten", "config": {"start_dim": 10**30}}, "start_dim must be an int"),
        ({"class": "Unflatten", "config": {"dim": 1, "unflattened_size": "ab"}}, "must be a list"),
        (_lin(in_features="3"), "in_features must be an int"),
        (_lin(in_features=3.0), "in_features must be an int"),
        (_lin(in_features=-1), "in_features must be an int in \\[0"),
        (_lin(bias="yes"), "bias must be true or false"),
        (_lin(dtype="object"), "dtype must be 'float16'"),
        (_lin(dtype="int64"), "dtype must be 'float16'"),
        (_lin(dtype=["float32"]), "dtype must be 'float16'"),
        (_lin(rng=3), "Linear takes no argument 'rng'"),
        (_lin(__class__=3), "Linear takes no argument '__class__'"),
        ({"class": "Linear", "config": {"in_features": 3}}, "needs the argument.*out_features"),
        (
            {
                "class": "Conv2d",
                "config": {"in_channels": 1, "out_channels": 1, "kernel_size": [3]},
            },
            "pair",
        ),
        ({"class": "Dropout", "config": {"p": "0.5"}}, "p must be a number"),
        ({"class": "Dropout", "config": {"p": 1.5}}, "cannot rebuild Dropout.*probability"),
        ({"class": "BatchNorm1d", "config": {"num_features": 2, "momentum": "x"}}, "momentum"),
        ({"class": "ReLU", "config": {"inplace": True}}, "ReLU takes no"),
        ({"class": "Sequential", "config": {"x": 1}}, "Sequential takes no config"),
        ({"class": "Linear", "children": []}, "built from a config, not from children"),
        ({"class": "ReLU", "children": [["x", _lin()]]}, "built from a config, not from children"),
        ({"class": "Linear", "config": [1, 2]}, "config of Linear must be an object"),
        ({"class": 3}, "must be an object with a 'class'"),
        ([1, 2], "must be an object with a 'class'"),
        ({"class": "os.system", "config": {}}, "'os.system' is not in nabla.io's registry"),
        ({"class": "ReLU", "extra": 1}, "unexpected keys"),
        (
            {"class": "Sequential", "children": [["_modules", {"class": "ReLU"}]]},
            "named '_modules'",
        ),
        ({"class": "Sequential", "children": [["forward", {"class": "ReLU"}]]}, "named 'forward'"),
        ({"class": "Sequential", "children": [["training", {"class": "ReLU"}]]}, "'training'"),
        ({"class": "Sequential", "children": [["__class__", {"class": "ReLU"}]]}, "'__class__'"),
        ({"class": "Sequential", "children": [["a.b", {"class": "ReLU"}]]}, "named 'a.b'"),
        ({"class": "Sequential", "children": [["", {"class": "ReLU"}]]}, "named ''"),
        ({"class": "Sequential", "children": [[3, {"class": "ReLU"}]]}, "must be \\[name, node\\]"),
        ({"class": "Sequential", "children": {"0": {"class": "ReLU"}}}, "must be \\[name, node\\]"),
        ({"class": "Sequential", "children": [["a", {"class": "ReLU"}]] * 2}, "two children"),
        ({"class": "LeNet5", "children": [["conv1", {"class": "ReLU"}]]}, "LeNet5 is made of"),
        ({"class": "MLP", "children": [["sizes", {"class": "ReLU"}]]}, "'sizes'|cannot be rebuilt"),
    ],
)
def test_invalid_descriptions_are_refused_at_load(tmp_path: Path, spec, match: str) -> None:
    path = _model_file(tmp_path / "bad", spec, {})
    before = path.read_bytes()
    with pytest.raises(
        ValueError, match=r"load: '.*bad' has an invalid model description: .*" + match
    ):
        io.load(path)
    assert path.read_bytes() == before


def test_too_many_modules_are_refused(tmp_path: Path) -> None:
    children = [[str(i), {"class": "ReLU"}] for i in range(100_001)]
    path = _model_file(tmp_path / "many", {"class": "Sequential", "children": children}, {})
    with pytest.raises(ValueError, match=r"at most 100,000 modules"):
        io.load(path)


def test_what_load_refuses_save_refuses_first(tmp_path: Path) -> None:
    net = nn.Sequential(OrderedDict(forward=nn.ReLU()))
    with pytest.raises(ValueError, match=r"cannot be saved so that it loads: .*named 'forward'"):
        io.save(net, tmp_path / "m")
    with pytest.raises(ValueError, match="start_dim must be an int"):
        io.save(nn.Flatten(start_dim=100), tmp_path / "m")
    deep: list = []
    for _ in range(150):
        deep = [deep]
    with pytest.raises(ValueError, match="nested more than 100 levels"):
        io.save(_small(), tmp_path / "m", metadata={"deep": deep})
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match=r"nested more than 100 levels .*refers to itself"):
        io.save_checkpoint(tmp_path / "m", model=_small(), extra={"loop": loop})
    assert list(tmp_path.iterdir()) == []
    # the deepest metadata that is accepted loads back
    ok: list = []
    for _ in range(95):
        ok = [ok]
    path = io.save(_small(), tmp_path / "m", metadata={"ok": ok})
    assert io.load(path, with_metadata=True)[1]["ok"] == ok


def test_a_model_loaded_from_a_valid_description_runs(tmp_path: Path) -> None:
    spec = {
        "class": "Sequential",
        "children": [
            ["0", _lin()],
            ["1", {"class": "Softmax", "config": {"dim": -1}}],
        ],
    }
    lin = nn.Linear(3, 4, rng=5)
    path = _model_file(tmp_path / "m", spec, {"0.weight": lin.weight.data, "0.bias": lin.bias.data})
    out = io.load(path)(nabla.tensor(np.ones((2, 3), np.float32))).data
    expected = np.exp(np.ones((2, 3)) @ lin.weight.data.T + lin.bias.data)
    np.testing.assert_allclose(out, expected / expected.sum(-1, keepdims=True), rtol=1e-6)


# ---- 16: byte-reproducible files ------------------------------------------------------------
_SAVE_IN_A_NEW_PROCESS = """
import sys
import numpy as np
from nabla import io, nn
net = nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU(), nn.Linear(4, 2, rng=1))
io.save(net, sys.argv[1], metadata={"b": 1, "a": {"y": np.arange(3), "x": (1, 2)}, 7: "seven"})
"""


def test_identical_models_give_identical_bytes(tmp_path: Path) -> None:
    meta_a = {"b": 1, "a": {"y": np.arange(3), "x": (1, 2)}, 7: "seven"}
    meta_b = {7: "seven", "a": {"x": (1, 2), "y": np.arange(3)}, "b": 1}  # inserted otherwise
    a = io.save(_small(), tmp_path / "a", metadata=meta_a).read_bytes()
    b = io.save(_small(), tmp_path / "b", metadata=meta_b).read_bytes()
    assert a == b
    subprocess.run(
        [sys.executable, "-c", _SAVE_IN_A_NEW_PROCESS, str(tmp_path / "c")],
        cwd=ROOT, check=True, timeout=120,
    )  # fmt: skip
    assert (tmp_path / "c").read_bytes() == a  # another process: another hash seed
    # the header is canonical JSON: sorted keys, no spaces, padded to 8 bytes
    n = int.from_bytes(a[:8], "little")
    header = json.loads(a[8 : 8 + n])
    canonical = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    assert a[8 : 8 + n].rstrip(b" ") == canonical and n % 8 == 0
    x = {"step": np.int64(3), "lr": [0.1, float("inf")], (1, "a"): None, "k": {2: 1, 1: 2}}
    y = {"k": {1: 2, 2: 1}, (1, "a"): None, "lr": [0.1, float("inf")], "step": np.int64(3)}
    ca = io.save_checkpoint(tmp_path / "ca", model=_small(), epoch=2, extra=x).read_bytes()
    cb = io.save_checkpoint(tmp_path / "cb", model=_small(), epoch=2, extra=y).read_bytes()
    assert ca == cb


@pytest.mark.parametrize("keep", [8, 9, 100, 600])
def test_a_truncated_file_with_a_critical_header_length_is_called_truncated(
    tmp_path: Path, keep: int
) -> None:
    path = io.save(_small(), tmp_path / "m", metadata={"note": "x" * 73})
    assert _header_length(path) == 896
    cut = tmp_path / "cut"
    cut.write_bytes(path.read_bytes()[:keep])
    with pytest.raises(ValueError, match=r"'.*cut' is truncated or not a safetensors file"):
        io.load(cut)


def test_a_foreign_file_with_a_dtype_numpy_lacks_is_refused_by_name(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch", reason="writes a bfloat16 safetensors file")
    st_torch = pytest.importorskip("safetensors.torch")
    path = tmp_path / "bf16.safetensors"
    st_torch.save_file({"w": torch.zeros(3, dtype=torch.bfloat16)}, str(path))
    with pytest.raises(
        ValueError, match=r"'.*bf16.safetensors' is corrupted or unsupported: 'w' has dtype 'BF16'"
    ):
        io.load_state_dict(path)


@pytest.mark.parametrize(
    "layer",
    [
        nn.Linear(3, 4, rng=0),
        nn.Linear(0, 2, bias=False, dtype=np.float64, rng=0),
        nn.Conv2d(2, 3, (3, 5), stride=2, padding=1, bias=False, rng=0),
        nn.Maxout(3, 2, pieces=3, rng=0),
        nn.PReLU(4, dtype=np.float64),
        nn.BatchNorm1d(3),
        nn.BatchNorm2d(3, affine=False),
        nn.BatchNorm2d(3, track_running_stats=False, dtype=np.float64),
        nn.models.and_gate(),
        nn.Dropout(0.2),
        nn.Flatten(),
        nn.Softmax(dim=1),
        nn.MaxPool2d(2),
    ],
    ids=repr,
)
def test_the_state_predicted_from_a_config_is_the_layers_own(layer: nn.Module) -> None:
    from nabla.io import _builtins, _registry, _schema

    node = _registry.describe(layer)
    predicted = _schema.layer_state(node["class"], node.get("config", {}))
    actual = {k: (v.data.shape, v.data.dtype) for k, v in layer.state_dict().items()}
    assert predicted == actual
    # every layer nabla registers with a config has a schema (so that load checks it)
    entries = {**_builtins.layer_entries(), **_builtins.zoo_entries()}
    configured = {name for name, (_, config, _) in entries.items() if config is not None}
    assert configured <= set(_schema.CONFIGS)
