"""``Distribution``: the interface every family shares, and the checks they share.

Parameters become nabla tensors of one floating dtype (a tensor that already has it is
kept, so that gradients reach it); validation reads the arrays only, before anything is
stored, and names the parameter and the rule it breaks.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from nabla.autograd.engine import no_grad
from nabla.autograd.tensor import Tensor

Array = np.ndarray
RNG = int | np.random.Generator | None

LOG_2PI = math.log(2.0 * math.pi)


def get_rng(rng: RNG, who: str) -> np.random.Generator:
    """``rng`` as a Generator: None -> fresh entropy, an int -> a new seeded generator."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"{who}: rng must be None, an int seed or a numpy.random.Generator; "
        f"got {type(rng).__name__} {rng!r}"
    )


def sample_shape_of(sample_shape: Any, who: str) -> tuple[int, ...]:
    """``sample_shape`` (an int or a tuple of ints >= 0) as a tuple."""
    shape = (sample_shape,) if isinstance(sample_shape, numbers.Integral) else sample_shape
    if (
        not isinstance(shape, (tuple, list))
        or isinstance(sample_shape, bool)
        or not all(isinstance(n, numbers.Integral) and not isinstance(n, bool) for n in shape)
        or any(n < 0 for n in shape)
    ):
        raise ValueError(
            f"{who}.sample: sample_shape must be an int or a tuple of ints >= 0; "
            f"got {sample_shape!r}"
        )
    return tuple(int(n) for n in shape)


def _float_dtype(values: dict[str, Any]) -> np.dtype:
    kinds = []
    for v in values.values():
        arr = v.data if isinstance(v, Tensor) else v
        if isinstance(arr, (np.ndarray, np.generic)) and arr.dtype.kind == "f":
            kinds.append(arr.dtype)
    # Python numbers alone give float32, as torch.distributions and nabla.tensor do
    return np.result_type(*kinds) if kinds else np.dtype(np.float32)


def as_params(who: str, **values: Any) -> dict[str, Tensor]:
    """The parameters as tensors; arrays and numbers are converted to the common floating
    dtype, tensors are kept as given (``Distribution._param`` casts them when used, so that
    no graph node is made, and later freed by a backward, at construction)."""
    dt = _float_dtype(values)
    out: dict[str, Tensor] = {}
    for name, v in values.items():
        if isinstance(v, Tensor):
            out[name] = v
            continue
        try:
            arr = np.asarray(v)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{who}: {name} must be a number or an array; got {v!r} ({exc})"
            ) from None
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{who}: {name} must be numeric; got dtype {arr.dtype}")
        out[name] = Tensor(np.array(arr, dtype=dt))
    return out


def _preview(values: Array) -> str:
    flat = np.asarray(values).ravel()
    shown = ", ".join(f"{x:.6g}" for x in flat[:4])
    return f"[{shown}{', ...' if flat.size > 4 else ''}]"


def check_param(ok: Any, who: str, name: str, rule: str, data: Any) -> None:
    """Raise ``ValueError`` naming ``name`` and the offending values unless ``ok`` holds."""
    bad = ~np.asarray(ok, dtype=bool)
    if np.any(bad):
        offending = np.asarray(data)[bad] if np.ndim(data) and bad.shape == np.shape(data) else data
        raise ValueError(f"{who}: {name} must be {rule}; got {_preview(offending)}")


def check_finite(t: Tensor, who: str, name: str) -> None:
    check_param(np.isfinite(t.data), who, name, "finite (no NaN or inf)", t.data)


def broadcast_params(who: str, params: dict[str, Tensor], event_dims: int = 0) -> tuple[int, ...]:
    """The batch shape: the parameters' shapes (less ``event_dims`` trailing axes) broadcast."""
    shapes = {k: v.shape[: v.ndim - event_dims] for k, v in params.items()}
    try:
        return tuple(np.broadcast_shapes(*shapes.values()))
    except ValueError:
        listed = ", ".join(f"{k} {s}" for k, s in shapes.items())
        raise ValueError(f"{who}: parameter shapes do not broadcast: {listed}") from None


def expand(t: Tensor, shape: tuple[int, ...]) -> Tensor:
    """``t`` broadcast to ``shape`` (itself when it has that shape already)."""
    return t if t.shape == shape else t.broadcast_to(shape)


def probs_to_logits(probs: Tensor, binary: bool) -> Tensor:
    """log(p / (1 - p)) (``binary``) or log p, with p clipped to [eps, 1 - eps] first, as
    PyTorch does, so that a probability of exactly 0 or 1 gives a finite logit."""
    eps = float(np.finfo(probs.dtype).eps)
    p = probs.clip(eps, 1.0 - eps)
    return p.log() - (1.0 - p).log() if binary else p.log()


class Distribution:
    """Base class of the distributions, with ``torch.distributions``' interface.

    ``batch_shape`` is the shape of a batch of independent distributions with their own
    parameters, ``event_shape`` the shape of one draw (``()`` for scalars, ``(d,)`` for a
    d-dimensional Gaussian). ``sample(sample_shape)`` returns an array of shape
    ``sample_shape + batch_shape + event_shape``; ``log_prob(value)`` one log-density per
    event. Results are nabla tensors, differentiable in the parameters (``sample`` is not:
    the reparameterised ``rsample`` of the continuous families is).

    Parameters
    ----------
    batch_shape, event_shape : tuple of int
    validate_args : bool, default True
        Check the parameters at construction and the values given to ``log_prob``
        (``ValueError`` naming the parameter), as ``torch.distributions`` does by default.

    Examples
    --------
    >>> import numpy as np
    >>> from nabla.distributions import Normal
    >>> d = Normal(np.zeros(3), 1.0)  # a batch of three standard normals
    >>> d.batch_shape, d.event_shape, d.sample((5,), rng=0).shape
    ((3,), (), (5, 3))
    """

    has_rsample = False

    def __init__(
        self,
        batch_shape: tuple[int, ...] = (),
        event_shape: tuple[int, ...] = (),
        validate_args: bool = True,
    ) -> None:
        self.batch_shape = tuple(batch_shape)
        self.event_shape = tuple(event_shape)
        self.validate_args = bool(validate_args)

    # ---- the interface -----------------------------------------------------------------
    @property
    def mean(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not define mean")

    @property
    def variance(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not define variance")

    @property
    def stddev(self) -> Tensor:
        """The standard deviation, ``sqrt(variance)``."""
        return self.variance.sqrt()

    def log_prob(self, value: Any) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not define log_prob")

    def entropy(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not define entropy")

    def rsample(self, sample_shape: Any = (), rng: RNG = None) -> Tensor:
        raise NotImplementedError(
            f"{type(self).__name__} has no reparameterised sampler; use sample()"
        )

    def sample(self, sample_shape: Any = (), rng: RNG = None) -> Tensor:
        """Draws of shape ``sample_shape + batch_shape + event_shape`` (no gradient).

        ``rng``: an int seed or a ``numpy.random.Generator`` (None: fresh entropy).
        """
        with no_grad():
            return self.rsample(sample_shape, rng)

    # ---- helpers -----------------------------------------------------------------------
    def _store(self, params: dict[str, Tensor]) -> None:
        """Keep the parameters as given; the dtype is the common floating one."""
        self._raw = params
        self._dtype = _float_dtype(params)

    def _param(self, name: str, shape: tuple[int, ...] | None = None) -> Tensor:
        """A parameter in the common dtype, broadcast to ``shape`` (default: batch shape).

        Built anew on each use: a distribution can serve several ``backward`` calls.
        """
        t = self._raw[name]
        if t.data.dtype != self._dtype:
            t = t.astype(self._dtype)
        return expand(t, self.batch_shape if shape is None else shape)

    @property
    def dtype(self) -> np.dtype:
        """The floating dtype of the parameters (and of samples of continuous families)."""
        return self._dtype

    def _shape(self, sample_shape: Any) -> tuple[int, ...]:
        who = type(self).__name__
        return sample_shape_of(sample_shape, who) + self.batch_shape + self.event_shape

    def _value(self, value: Any) -> Tensor:
        """``value`` as a tensor of the parameters' dtype, checked against the shapes."""
        who = f"{type(self).__name__}.log_prob"
        v = as_params(who, value=value)["value"] if not isinstance(value, Tensor) else value
        if v.data.dtype.kind not in "biuf":
            raise TypeError(f"{who}: value must be numeric; got dtype {v.data.dtype}")
        if v.data.dtype != self._dtype:
            v = v.astype(self._dtype)
        k = len(self.event_shape)
        if k and v.shape[v.ndim - k :] != self.event_shape:
            raise ValueError(
                f"{who}: value must end with the event shape {self.event_shape}; "
                f"got shape {v.shape}"
            )
        try:
            np.broadcast_shapes(v.shape, self.batch_shape + self.event_shape)
        except ValueError:
            raise ValueError(
                f"{who}: value of shape {v.shape} does not broadcast with the batch shape "
                f"{self.batch_shape} (event shape {self.event_shape})"
            ) from None
        if self.validate_args and np.any(np.isnan(v.data)):
            raise ValueError(f"{who}: value contains NaN")
        return v

    def __repr__(self) -> str:
        parts = []
        for name, t in self._raw.items():
            parts.append(f"{name}: {t.data.item():.4g}" if t.size == 1 else f"{name}: {t.shape}")
        return f"{type(self).__name__}({', '.join(parts)})"

    _dtype: np.dtype = np.dtype(np.float32)
    _raw: dict[str, Tensor]
