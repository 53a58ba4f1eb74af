"""Devices, as PyTorch names them: nabla computes with NumPy, on the CPU only.

``nabla.device("cpu")``, ``device=`` on the factories, ``x.to("cpu")`` and ``x.cpu()`` are
accepted and change nothing, so that PyTorch code that names its device runs unchanged.
Any other device (``"cuda"``, ``"mps"``, ...) is a ``RuntimeError`` that says so, raised
where the device is named. ``nabla.cuda.is_available()`` and
``nabla.accelerator.is_available()`` are False, so the usual
``"cuda" if torch.cuda.is_available() else "cpu"`` picks the CPU.

>>> import nabla
>>> nabla.device("cpu")
device(type='cpu')
>>> nabla.cuda.is_available()
False
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any


class device:  # PyTorch's name
    """A device name; only ``"cpu"`` (or ``"cpu:0"``, ``device("cpu", 0)``) exists.

    Raises
    ------
    RuntimeError
        For any other device: nabla runs on the CPU only.
    TypeError
        When ``type`` is not a string or a device.
    """

    __slots__ = ("index", "type")
    type: str
    index: int | None

    def __init__(self, type: Any, index: int | None = None) -> None:
        spec: Any = type
        if isinstance(spec, device):
            spec, index = spec.type, spec.index if index is None else index
        if not isinstance(spec, str):
            raise TypeError(
                f"device: expected a device name such as 'cpu', got {spec.__class__.__name__} "
                f"{spec!r}"
            )
        name, _, idx = spec.partition(":")
        if name != "cpu":
            raise RuntimeError(
                f"nabla runs on the CPU only (NumPy), so device {spec!r} is not available; "
                f"use 'cpu', or leave the device out."
            )
        if idx:
            if not idx.isdigit():
                raise RuntimeError(f"device: invalid device string {spec!r}")
            index = int(idx)
        if index not in (None, 0):
            raise RuntimeError(f"nabla has a single CPU device (index 0), not index {index}")
        self.type = "cpu"
        self.index = index

    def __repr__(self) -> str:
        extra = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{extra})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def check_device(dev: Any, who: str) -> None:
    """Accept None, ``"cpu"`` or a cpu ``device``; raise ``RuntimeError`` for any other."""
    if dev is not None and not isinstance(dev, device):
        try:
            device(dev)
        except (RuntimeError, TypeError) as exc:
            raise type(exc)(f"{who}: {exc}") from None


def set_default_device(dev: Any) -> None:
    """PyTorch's ``set_default_device``: the CPU (or None) is accepted and changes nothing."""
    check_device(dev, "set_default_device")


def get_default_device() -> device:
    return CPU


def _false(*args: Any, **kwargs: Any) -> bool:
    return False


def _zero(*args: Any, **kwargs: Any) -> int:
    return 0


def _nothing(*args: Any, **kwargs: Any) -> None:
    return None


#: ``nabla.cuda``: no CUDA device (``is_available()`` is False); seeding it does nothing.
cuda = SimpleNamespace(
    is_available=_false,
    device_count=_zero,
    manual_seed=_nothing,
    manual_seed_all=_nothing,
)

#: ``nabla.accelerator``: no accelerator (``current_accelerator()`` is None, as PyTorch's).
accelerator = SimpleNamespace(
    is_available=_false,
    device_count=_zero,
    current_accelerator=_nothing,
)
