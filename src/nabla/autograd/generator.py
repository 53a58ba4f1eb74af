"""The default random generator (``nabla.manual_seed``) and PyTorch's ``Generator``.

Every random factory (``rand``, ``randn``, ``randint``, ``randperm``, ...), the weight
initialisation of ``nabla.nn`` and dropout draw from one default generator unless they are
given their own (``generator=`` / ``rng=``). ``manual_seed(s)`` resets it, so the same seed
gives the same numbers, as in PyTorch (the numbers themselves differ from PyTorch's: the
stream is NumPy's PCG64). At import the default generator is seeded from the operating
system's entropy (NumPy's habit; PyTorch starts from a fixed seed).

>>> import nabla
>>> _ = nabla.manual_seed(0); a = nabla.randn(3)
>>> _ = nabla.manual_seed(0); b = nabla.randn(3)
>>> bool((a == b).all())
True
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from nabla.autograd.device import check_device


def _fresh_seed() -> int:
    """A seed from the operating system's entropy (63 bits)."""
    return int.from_bytes(os.urandom(8), "little") >> 1


def _check_seed(seed: Any, who: str) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{who}: seed must be an int, got {type(seed).__name__} {seed!r}")
    if seed < 0:
        raise ValueError(f"{who}: seed must be non-negative, got {seed}")
    return int(seed)


class Generator:
    """A seedable random generator, as PyTorch's ``torch.Generator`` (NumPy's PCG64 inside).

    ``Generator().manual_seed(0)`` returns the generator, so it can be written inline:
    ``nabla.randn(3, generator=nabla.Generator().manual_seed(0))``. The NumPy generator is
    ``.rng``; nabla's ``rng=`` arguments take it.
    """

    def __init__(self, device: Any = "cpu") -> None:
        check_device(device, "Generator")
        self._seed = _fresh_seed()
        self._rng: np.random.Generator | None = None

    @property
    def rng(self) -> np.random.Generator:
        """The NumPy generator (made on first use: ``numpy.random`` loads only when needed,
        which keeps ``import nabla`` fast)."""
        if self._rng is None:
            self._rng = np.random.default_rng(self._seed)
        return self._rng

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from ``seed``; returns this generator."""
        self._seed = _check_seed(seed, "manual_seed")
        self._rng = None
        return self

    def seed(self) -> int:
        """Reseed from the operating system's entropy; returns the new seed."""
        self.manual_seed(_fresh_seed())
        return self._seed

    def initial_seed(self) -> int:
        """The seed the current stream started from."""
        return self._seed

    def __repr__(self) -> str:
        return f"nabla.Generator(initial_seed={self._seed})"


#: the generator used when no ``generator=`` / ``rng=`` is given
default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Reset the default generator to ``seed`` (a non-negative int); returns it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Reseed the default generator from entropy; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the default generator's current stream started from."""
    return default_generator.initial_seed()


def get_rng(generator: Any, who: str) -> np.random.Generator:
    """The NumPy generator to draw from: ``generator`` may be None (the default
    generator), a ``nabla.Generator``, a ``numpy.random.Generator`` or an int seed."""
    if generator is None:
        return default_generator.rng
    if isinstance(generator, Generator):
        return generator.rng
    if isinstance(generator, np.random.Generator):
        return generator
    if isinstance(generator, (int, np.integer)) and not isinstance(generator, bool):
        return np.random.default_rng(_check_seed(generator, who))
    raise TypeError(
        f"{who}: generator must be None, a nabla.Generator, a numpy.random.Generator or an "
        f"int seed, got {type(generator).__name__} {generator!r}"
    )
