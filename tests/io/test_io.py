"""nabla.io: models and checkpoints round-trip; bad files are refused; writes are atomic."""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
from pathlib import Path

import numpy as np
import pytest

import nabla
from nabla import io, nn, optim
from nabla.io import _format


def _net(seed: int = 0, dtype=np.float32) -> nn.Sequential:
    g = np.random.default_rng(seed)
    return nn.Sequential(
        nn.Conv2d(1, 3, 3, padding=1, dtype=dtype, rng=g),
        nn.BatchNorm2d(3, dtype=dtype),
        nn.LeakyReLU(0.2),
        nn.MaxPool2d(2),
        nn.Dropout(0.3),
        nn.Flatten(),
        nn.Linear(12, 5, dtype=dtype, rng=g),
        nn.Tanh(),
        nn.Linear(5, 2, bias=False, dtype=dtype, rng=g),
    )


def _x(dtype=np.float32) -> nabla.Tensor:
    return nabla.tensor(np.random.default_rng(1).normal(size=(4, 1, 4, 4)).astype(dtype))


def _same_weights(a: nn.Module, b: nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return list(sa) == list(sb) and all(
        np.array_equal(sa[k].data, sb[k].data) and sa[k].data.dtype == sb[k].data.dtype for k in sa
    )


def _no_temp_files(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


# ---- models --------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_model_round_trip(tmp_path: Path, dtype) -> None:
    net = _net(dtype=dtype)
    net.train()
    net(_x(dtype))  # moves BatchNorm's running statistics away from their initial values
    path = io.save(net, tmp_path / "m.safetensors", metadata={"mean": np.arange(3.0), "k": 3})
    loaded, meta = io.load(path, with_metadata=True)
    assert _same_weights(net, loaded)
    assert repr(loaded) == repr(net)
    assert not loaded.training
    net.eval()
    np.testing.assert_array_equal(net(_x(dtype)).data, loaded(_x(dtype)).data)
    np.testing.assert_array_equal(meta["mean"], np.arange(3.0))
    assert meta["k"] == 3
    assert _no_temp_files(tmp_path)


@pytest.mark.parametrize(
    "make",
    [
        lambda: nn.models.MLP([4, 6, 3], dropout=0.2, rng=0),
        lambda: nn.models.LeNet5(input_size=20, activation="tanh", pooling="avg", rng=0),
        lambda: nn.models.vgg("A", input_size=32, width=0.0625, hidden=8, batch_norm=True, rng=0),
        lambda: nn.models.Autoencoder([6, 4, 2], rng=0),
        lambda: nn.models.XORNet(),
    ],
)
def test_model_zoo_round_trip(tmp_path: Path, make) -> None:
    net = make()
    loaded = io.load(io.save(net, tmp_path / "z"))
    assert type(loaded) is type(net) and _same_weights(net, loaded)
    assert getattr(loaded, "sizes", None) == getattr(net, "sizes", None)
    shape = {
        "MLP": (3, 4),
        "LeNet5": (2, 1, 20, 20),
        "ConvNet": (2, 3, 32, 32),
        "Autoencoder": (3, 6),
        "XORNet": (4, 2),
    }[type(net).__name__]
    dtype = next(iter(net.parameters())).data.dtype
    x = nabla.tensor(np.random.default_rng(0).random(shape).astype(dtype))
    net.eval()
    np.testing.assert_array_equal(net(x).data, loaded(x).data)


def test_model_file_is_a_plain_state_dict_for_torch(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is the interoperability oracle")
    st_torch = pytest.importorskip("safetensors.torch")
    net = nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU(), nn.Linear(4, 2, rng=1))
    path = io.save(net, tmp_path / "m.safetensors")
    ref = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    ref.load_state_dict(st_torch.load_file(str(path)))
    x = np.random.default_rng(0).random((5, 3)).astype(np.float32)
    with torch.no_grad():
        expected = ref(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(net(nabla.tensor(x)).data, expected, rtol=1e-6, atol=1e-6)


def test_state_dict_files(tmp_path: Path) -> None:
    from safetensors.numpy import save_file

    net = _net()
    sd = {k: v.data for k, v in net.state_dict().items()}
    loaded = io.load_state_dict(io.save_state_dict(sd, tmp_path / "sd"))
    assert list(loaded) == list(sd) or sorted(loaded) == sorted(sd)
    for k in sd:
        np.testing.assert_array_equal(loaded[k], sd[k])
    plain = tmp_path / "plain.safetensors"  # written by another safetensors user
    save_file({"w": np.ones((2, 2), np.float32)}, str(plain))
    np.testing.assert_array_equal(io.load_state_dict(plain)["w"], np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"was not written by nabla.io"):
        io.load(plain)
    assert sorted(io.load_state_dict(io.save(net, tmp_path / "m"))) == sorted(sd)


def test_unregistered_class_is_refused_before_writing(tmp_path: Path) -> None:
    class Mine(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lin = nn.Linear(2, 2, rng=0)

    target = tmp_path / "m"
    with pytest.raises(TypeError, match=r"cannot describe a .*Mine.*register_model"):
        io.save(Mine(), target)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(TypeError, match=r"must be a nabla.nn.Module"):
        io.save(object(), target)


def test_register_model_with_config(tmp_path: Path) -> None:
    class Scaled(nn.Module):
        def __init__(self, n: int, factor: float) -> None:
            super().__init__()
            self.n, self.factor = n, factor
            self.lin = nn.Linear(n, n, rng=0)

        def forward(self, x):
            return self.lin(x) * self.factor

    io.register_model("test_io.Scaled", Scaled, config=lambda m: {"n": m.n, "factor": m.factor})
    net = Scaled(3, 2.5)
    net.lin.weight.data[...] = 0.25
    loaded = io.load(io.save(net, tmp_path / "s"))
    assert isinstance(loaded, Scaled) and loaded.factor == 2.5
    assert _same_weights(net, loaded)
    assert "test_io.Scaled" in io.registered()
    with pytest.raises(ValueError, match="already taken"):
        io.register_model("test_io.Scaled", nn.Linear)
    with pytest.raises(TypeError, match="Module subclass"):
        io.register_model("x", int)


def test_a_file_naming_an_unknown_class_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil"
    spec = {"model": {"class": "os.system", "config": {"command": "echo hi"}}, "metadata": {}}
    _format.write_file(path, "model", spec, {}, "test")
    with pytest.raises(ValueError, match=r"'os.system' is not in nabla.io's registry"):
        io.load(path)
    bad_cfg = {"model": {"class": "Linear", "config": {"in_features": -1, "out_features": 2}}}
    _format.write_file(path, "model", bad_cfg, {}, "test")
    with pytest.raises(ValueError, match=r"invalid model description.*cannot rebuild Linear"):
        io.load(path)


def test_weights_that_do_not_fit_the_description(tmp_path: Path) -> None:
    path = tmp_path / "m"
    spec = {"model": {"class": "Linear", "config": {"in_features": 2, "out_features": 2}}}
    _format.write_file(path, "model", spec, {"weight": np.zeros((3, 3), np.float32)}, "test")
    with pytest.raises(ValueError, match="does not fit the model"):
        io.load(path)


# ---- checkpoints ---------------------------------------------------------------------------
def _trained(seed: int = 0):
    net = nn.Sequential(nn.Linear(3, 4, rng=seed), nn.ReLU(), nn.Linear(4, 2, rng=seed + 1))
    opt = optim.Adam(net.parameters(), lr=0.01)
    sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)
    x = nabla.tensor(np.random.default_rng(seed).random((8, 3)).astype(np.float32))
    for _ in range(3):
        opt.zero_grad()
        (net(x) ** 2).mean().backward()
        opt.step()
        sched.step()
    return net, opt, sched, x


def test_checkpoint_round_trip_and_restore(tmp_path: Path) -> None:
    net, opt, sched, x = _trained()
    rng = np.random.default_rng(5)
    rng.random(3)
    path = io.save_checkpoint(
        tmp_path / "c",
        model=net,
        optimizer=opt,
        scheduler=sched,
        epoch=3,
        history={"loss": [1.0, float("nan"), float("inf")], "epoch": [1, 2, 3]},
        rng_state={"r": rng.bit_generator.state},
        extra={"note": "x", "arr": np.arange(2), "tuple": (1, 2), 3: "int key"},
    )
    ck = io.load_checkpoint(path)
    assert ck.epoch == 3 and ck.optimizer_class == "Adam"
    assert ck.history["loss"][0] == 1.0 and np.isnan(ck.history["loss"][1])
    assert ck.history["loss"][2] == float("inf")
    assert ck.extra["tuple"] == (1, 2) and ck.extra[3] == "int key"
    np.testing.assert_array_equal(ck.extra["arr"], [0, 1])
    fresh = np.random.default_rng(0)
    fresh.bit_generator.state = ck.rng_state["r"]
    np.testing.assert_array_equal(fresh.random(4), rng.random(4))
    # restore into fresh objects; training on must then match the original exactly
    net2, opt2, sched2, _ = _trained(seed=7)
    ck.restore(net2, opt2, sched2)
    assert _same_weights(net, net2)
    assert _same_weights(net, ck.build_model())
    assert sched2.last_epoch == sched.last_epoch
    for o in (opt, opt2):
        o.zero_grad()
    for n, o, s in ((net, opt, sched), (net2, opt2, sched2)):
        (n(x) ** 2).mean().backward()
        o.step()
        s.step()
    assert _same_weights(net, net2)


def test_restore_is_all_or_nothing(tmp_path: Path) -> None:
    net, opt, _sched, _ = _trained()
    ck = io.load_checkpoint(io.save_checkpoint(tmp_path / "c", model=net, optimizer=opt))
    other, other_opt, _, _ = _trained(seed=3)
    before = {k: v.data.copy() for k, v in other.state_dict().items()}
    sgd = optim.SGD(other.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="holds a Adam optimizer state, not a SGD"):
        ck.restore(other, sgd)
    small = nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU(), nn.Linear(4, 3, rng=1))
    with pytest.raises(ValueError, match="does not fit"):
        ck.restore(small)
    with pytest.raises(ValueError, match="holds no scheduler state"):
        ck.restore(other, other_opt, optim.lr_scheduler.StepLR(other_opt, 2))
    stateless = dataclasses.replace(ck, optimizer_state=None)  # names Adam, holds no state
    with pytest.raises(ValueError, match=r"optimizer_state.*holds none; restore without"):
        stateless.restore(other, other_opt)
    assert all(np.array_equal(before[k], v.data) for k, v in other.state_dict().items())


def test_checkpoint_of_a_custom_module(tmp_path: Path) -> None:
    class Custom(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lin = nn.Linear(2, 2, rng=0)

    ck = io.load_checkpoint(io.save_checkpoint(tmp_path / "c", model=Custom(), epoch=1))
    assert ck.model_spec is None
    target = Custom()
    target.lin.weight.data[...] = 9
    ck.restore(target)
    np.testing.assert_array_equal(target.lin.weight.data, Custom().lin.weight.data)
    with pytest.raises(ValueError, match="holds no architecture"):
        ck.build_model()


def test_save_checkpoint_bad_arguments(tmp_path: Path) -> None:
    net, *_ = _trained()
    with pytest.raises(ValueError, match="epoch must be an integer >= 0, got -1"):
        io.save_checkpoint(tmp_path / "c", model=net, epoch=-1)
    with pytest.raises(TypeError, match="cannot store a object at '/extra/x'"):
        io.save_checkpoint(tmp_path / "c", model=net, extra={"x": object()})
    assert list(tmp_path.iterdir()) == []


# ---- refusing bad files --------------------------------------------------------------------
def _good_model_file(tmp_path: Path) -> Path:
    return io.save(_net(), tmp_path / "good.safetensors")


@pytest.mark.parametrize("reader", [io.load, io.load_checkpoint, io.load_state_dict])
def test_missing_directory_empty(tmp_path: Path, reader) -> None:
    with pytest.raises(FileNotFoundError, match=r"no such file: '.*nope'"):
        reader(tmp_path / "nope")
    with pytest.raises(IsADirectoryError, match="is a directory"):
        reader(tmp_path)
    (tmp_path / "empty").write_bytes(b"")
    with pytest.raises(ValueError, match=r"'.*empty' is empty"):
        reader(tmp_path / "empty")


@pytest.mark.parametrize("keep", [3, 8, 20, 200, -1])
def test_truncated_files(tmp_path: Path, keep: int) -> None:
    good = _good_model_file(tmp_path)
    data = good.read_bytes()
    cut = tmp_path / "cut"
    cut.write_bytes(data[:keep])
    with pytest.raises(ValueError, match=r"'.*cut' is (truncated|not a safetensors file)"):
        io.load(cut)
    assert cut.read_bytes() == data[:keep]  # a failed load leaves the file as it was
    with pytest.raises(ValueError, match=r"'.*cut' is (truncated|not a safetensors file)"):
        io.load_state_dict(cut)
    assert cut.read_bytes() == data[:keep]
    ckpt = io.save_checkpoint(tmp_path / "ck", model=_net(), epoch=2)
    ck_data = ckpt.read_bytes()
    cut.write_bytes(ck_data[:keep])
    with pytest.raises(ValueError, match=r"'.*cut' is (truncated|not a safetensors)"):
        io.load_checkpoint(cut)
    assert cut.read_bytes() == ck_data[:keep]
    assert ckpt.read_bytes() == ck_data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ck", "cut", "good.safetensors"]


def test_corrupted_data_fails_the_checksum(tmp_path: Path) -> None:
    good = _good_model_file(tmp_path)
    data = bytearray(good.read_bytes())
    data[-5] ^= 0x40  # one bit of one weight
    bad = tmp_path / "bad"
    bad.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"'.*bad' is corrupted: its checksum does not match"):
        io.load(bad)


def test_tampered_metadata_fails_the_checksum(tmp_path: Path) -> None:
    good = _good_model_file(tmp_path)
    data = good.read_bytes()
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + n])
    meta = json.loads(header["__metadata__"]["meta"])
    meta["model"]["children"][4][1]["config"]["p"] = 0.9
    header["__metadata__"]["meta"] = json.dumps(meta)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    bad = tmp_path / "bad"
    bad.write_bytes(len(text).to_bytes(8, "little") + text + data[8 + n :])
    with pytest.raises(ValueError, match="checksum does not match"):
        io.load(bad)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (pickle.dumps({"weight": [1, 2, 3]}), "is a Python pickle; nabla never unpickles"),
        (b"PK\x03\x04" + b"\x00" * 40, "zip archive"),
        (b"\x93NUMPY" + b"\x00" * 40, "NumPy .npy file"),
        (b"hello, this is a text file, not a model at all", "not a safetensors file"),
        ((20).to_bytes(8, "little") + b"[1, 2, 3]           ", "header is not an object"),
    ],
)
def test_other_formats_are_refused(tmp_path: Path, content: bytes, match: str) -> None:
    p = tmp_path / "other.bin"
    p.write_bytes(content)
    for reader in (io.load, io.load_checkpoint, io.load_state_dict):
        with pytest.raises(ValueError, match=match):
            reader(p)
    assert p.read_bytes() == content


def test_torch_save_file_is_refused(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch", reason="makes a real torch.save file")
    p = tmp_path / "model.pt"
    torch.save({"w": torch.zeros(2)}, p)
    with pytest.raises(ValueError, match=r"zip archive .* contains a pickle"):
        io.load(p)


def test_wrong_kind_and_newer_version(tmp_path: Path) -> None:
    ck = io.save_checkpoint(tmp_path / "ck", model=_net(), epoch=1)
    with pytest.raises(ValueError, match="holds a 'checkpoint', not a 'model'"):
        io.load(ck)
    with pytest.raises(ValueError, match="holds a 'model', not a 'checkpoint'"):
        io.load_checkpoint(_good_model_file(tmp_path))
    from safetensors.numpy import save

    meta = {"format": "nabla", "format_version": "99", "kind": "model", "meta": "{}"}
    (tmp_path / "new").write_bytes(save({}, metadata=meta))
    with pytest.raises(ValueError, match="format version 99; this nabla reads versions up to 1"):
        io.load(tmp_path / "new")


# ---- atomic writes -------------------------------------------------------------------------
def test_interrupted_save_keeps_the_previous_file(tmp_path: Path, monkeypatch) -> None:
    target = _good_model_file(tmp_path)
    before = target.read_bytes()

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(
        OSError, match=r"writing '.*good.safetensors' failed .*No space left.*unchanged"
    ):
        io.save(_net(seed=5), target)
    assert target.read_bytes() == before
    assert _no_temp_files(tmp_path)


class _DiskFullAfter:
    """A binary file object that writes ``limit`` bytes of a write, then fails like a full disk."""

    def __init__(self, real, limit: int, written: list[int]) -> None:
        self.real, self.limit, self.written = real, limit, written

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.real.close()

    def fileno(self) -> int:
        return self.real.fileno()

    def flush(self) -> None:
        self.real.flush()

    def write(self, data) -> int:
        self.real.write(bytes(data)[: self.limit])
        self.real.flush()
        self.written.append(os.fstat(self.real.fileno()).st_size)  # really on disk
        raise OSError(28, "No space left on device")


@pytest.mark.parametrize("limit", [0, 7, 100])
@pytest.mark.parametrize("what", ["model", "state_dict", "checkpoint"])
def test_disk_full_partway_through_the_write(tmp_path: Path, monkeypatch, what, limit) -> None:
    savers = {
        "model": lambda seed: io.save(_net(seed), tmp_path / "f"),
        "state_dict": lambda seed: io.save_state_dict(
            {k: v.data for k, v in _net(seed).state_dict().items()}, tmp_path / "f"
        ),
        "checkpoint": lambda seed: io.save_checkpoint(tmp_path / "f", model=_net(seed), epoch=1),
    }
    target = savers[what](0)
    before = target.read_bytes()
    written: list[int] = []
    real_fdopen = os.fdopen
    monkeypatch.setattr(
        os, "fdopen", lambda fd, *a, **k: _DiskFullAfter(real_fdopen(fd, *a, **k), limit, written)
    )
    with pytest.raises(OSError, match=r"writing '.*f' failed \(No space left on device\)"):
        savers[what](5)
    monkeypatch.undo()
    assert written == [limit]  # the temporary file did receive part of the new content
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]  # no temporary file left
    savers[what](5)  # and the next save, with room on the disk, goes through
    assert target.read_bytes() != before


def test_ctrl_c_mid_write_keeps_the_previous_file(tmp_path: Path, monkeypatch) -> None:
    target = io.save_checkpoint(tmp_path / "ck", model=_net(), epoch=1)
    before = target.read_bytes()

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        io.save_checkpoint(target, model=_net(seed=3), epoch=2)
    assert target.read_bytes() == before
    assert _no_temp_files(tmp_path)
    monkeypatch.undo()
    assert io.load_checkpoint(target).epoch == 1


def test_unwritable_destinations(tmp_path: Path, monkeypatch) -> None:
    net = _net()
    with pytest.raises(FileNotFoundError, match=r"the folder '.*missing' does not exist"):
        io.save(net, tmp_path / "missing" / "m")
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError, match=r"'.*file' is not a folder"):
        io.save(net, tmp_path / "file" / "m")
    with pytest.raises(IsADirectoryError, match="is a directory; give the path of a file"):
        io.save(net, tmp_path)
    import tempfile

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(
        PermissionError, match=r"cannot write into the folder '.*': Permission denied"
    ):
        io.save(net, tmp_path / "m")
    assert not (tmp_path / "m").exists()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores modes")
def test_read_only_folder(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(PermissionError, match="cannot write into the folder"):
            io.save(_net(), ro / "m")
        with pytest.raises(PermissionError, match="cannot write into the output folder"):
            io.check_output_dir(ro, "test")
    finally:
        ro.chmod(0o700)


def test_file_mode_follows_umask(tmp_path: Path) -> None:
    path = _good_model_file(tmp_path)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_check_output_dir(tmp_path: Path) -> None:
    d = io.check_output_dir(tmp_path / "a" / "b", "test")
    assert d.is_dir() and list(d.iterdir()) == []
    (tmp_path / "f").write_text("x")
    with pytest.raises(NotADirectoryError, match=r"output folder '.*f' exists and is not a folder"):
        io.check_output_dir(tmp_path / "f", "test")
    with pytest.raises(NotADirectoryError, match="cannot create the output folder"):
        io.check_output_dir(tmp_path / "f" / "sub", "test")
