"""``Optimizer``: parameter groups, per-parameter state, ``zero_grad``, ``step``, state dicts.

The interface is PyTorch's (``torch.optim.Optimizer``): an optimiser holds ``param_groups``
(a list of dicts, each with its ``"params"`` and its own hyper-parameters) and ``state``
(a dict from parameter to that parameter's buffers). Subclasses declare their defaults,
validate a group in ``_check_group`` and write the update of one parameter in ``_update``,
as in-place array arithmetic on ``param.data`` with ``param.grad``.

Performance: the update should cost little next to ``backward``. Each update rule is an
elementwise kernel of ``out=`` ufunc calls into work arrays kept between steps (no
temporaries), run by ``blockwise`` over cache-sized blocks of large parameters. We do not
copy all parameters into one flat buffer and re-point each ``p.data`` at a view of it:
``backward`` allocates fresh gradient arrays every step, so a flat update would first
copy every gradient (one extra pass), and a module or user that rebinds ``p.data`` would
silently detach the parameter from the buffer; the per-parameter cost it would save is a
few microseconds per parameter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import numpy as np

from nabla.autograd.tensor import Tensor
from nabla.optim._util import Closure, call_closure

Array = np.ndarray
ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]


def _copy_state_value(value: Any) -> Any:
    """A deep copy of arrays (and lists, tuples, dicts of them); other values as they are."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [_copy_state_value(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_copy_state_value(v) for v in value)
    if isinstance(value, dict):
        return {k: _copy_state_value(v) for k, v in value.items()}
    return value


def _cast_state_value(value: Any, dtype: np.dtype) -> Any:
    """Like ``_copy_state_value`` but floating arrays take the parameter's dtype.

    Array-likes (a PyTorch state dict's tensors) become arrays, 0-d ones Python scalars.
    """
    if not isinstance(value, (np.ndarray, list, tuple, dict)) and hasattr(value, "__array__"):
        value = np.asarray(value)
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return value.item()
        return value.astype(dtype) if value.dtype.kind == "f" else value.copy()
    if isinstance(value, list):
        return [_cast_state_value(v, dtype) for v in value]
    if isinstance(value, tuple):
        return tuple(_cast_state_value(v, dtype) for v in value)
    return _copy_state_value(value)


class Optimizer:
    """Base class of the optimisers: parameter groups, state and the step protocol.

    Parameters
    ----------
    params : iterable of Tensor, of (name, Tensor) pairs, or of dicts
        The parameters to optimise, or parameter groups: dicts with a ``"params"`` entry
        and any hyper-parameters that override ``defaults`` for that group.
    defaults : dict
        The default hyper-parameters of every group.

    Attributes
    ----------
    param_groups : list of dict
        Each group's ``"params"`` (a list of tensors) and hyper-parameters; schedulers
        change ``group["lr"]`` here.
    state : dict
        Per-parameter buffers (``state[p]`` is a dict), created on the first step.
    defaults : dict
        The hyper-parameters a new group starts from.

    Notes
    -----
    ``step`` reads ``p.grad`` and updates ``p.data`` in place for every parameter that has
    a gradient (parameters whose ``grad`` is None are skipped, as in PyTorch). Arrays are
    never replaced, so other references to ``p.data`` stay valid.
    """

    #: names of per-parameter state arrays shaped like their parameter (checked on load)
    _shaped_state: tuple[str, ...] = ()

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        who = type(self).__name__
        self._check_group(dict(defaults))
        if isinstance(params, Tensor):
            raise TypeError(
                f"{who}: params must be an iterable of Tensors or of dicts, got a single "
                f"Tensor; pass [tensor] or model.parameters()."
            )
        if isinstance(params, (set, frozenset)):
            raise TypeError(
                f"{who}: params must be an ordered collection (list, tuple, generator), got a "
                f"set, whose order changes between runs; pass a list."
            )
        try:
            items = list(params)
        except TypeError:
            raise TypeError(
                f"{who}: params must be an iterable of Tensors or of dicts, got "
                f"{type(params).__name__}"
            ) from None
        if not items:
            raise ValueError(f"{who}: got an empty parameter list")
        groups: list[dict[str, Any]] = (
            items if isinstance(items[0], dict) else [{"params": items}]  # type: ignore[assignment]
        )
        self.defaults = dict(defaults)
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        self._scratch_buffers: dict[Tensor, list[Array]] = {}
        for group in groups:
            self.add_param_group(group)

    # ---- subclasses -------------------------------------------------------------------------
    def _check_group(self, group: dict[str, Any]) -> None:
        """Raise if a hyper-parameter of ``group`` is invalid (subclasses override)."""

    def _update(
        self, param: Tensor, grad: Array, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        """Update ``param.data`` in place from its gradient ``grad`` (first-order methods)."""
        raise NotImplementedError(f"{type(self).__name__} does not define _update")

    # ---- groups -----------------------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyper-parameters.

        Missing hyper-parameters are taken from ``defaults``. Useful when fine-tuning: frozen
        layers can be made trainable and added as training goes on. The group is checked
        completely before it is added; on error the optimiser is unchanged.
        """
        who = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"{who}: a parameter group must be a dict, got {type(param_group)}")
        if "params" not in param_group:
            raise ValueError(f"{who}: a parameter group must have a 'params' entry")
        raw = param_group["params"]
        if isinstance(raw, Tensor):
            raw = [raw]
        elif isinstance(raw, (set, frozenset)):
            raise TypeError(
                f"{who}: a group's params must be an ordered collection, got a set; pass a list."
            )
        raw = list(raw)
        names = [r[0] for r in raw if isinstance(r, tuple)]
        tensors = [r[1] if isinstance(r, tuple) else r for r in raw]
        if names and len(names) != len(tensors):
            raise ValueError(f"{who}: either every parameter has a name or none has")
        for i, t in enumerate(tensors):
            if not isinstance(t, Tensor):
                raise TypeError(
                    f"{who}: can only optimise Tensors, but parameter {i} of the group is a "
                    f"{type(t).__name__}"
                )
            if not t.is_leaf:
                raise ValueError(
                    f"{who}: can't optimise a non-leaf Tensor (parameter {i} of the group was "
                    f"computed by {t.grad_fn!r}); optimise the leaf it was computed from"
                )
            if t.data.dtype.kind != "f":
                raise TypeError(
                    f"{who}: can only optimise floating-point tensors, parameter {i} of the "
                    f"group has dtype {t.data.dtype}"
                )
        if len({id(t) for t in tensors}) != len(tensors):
            raise ValueError(f"{who}: a parameter group contains the same parameter twice")
        taken = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(t) in taken for t in tensors):
            raise ValueError(f"{who}: some parameters appear in more than one parameter group")
        group = {k: v for k, v in param_group.items() if k != "params"}
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self._check_group(group)
        group["params"] = tensors
        if names:
            group["param_names"] = names
        self.param_groups.append(group)

    # ---- the step protocol ------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of every parameter.

        Parameters
        ----------
        set_to_none : bool, default True
            Set ``p.grad = None`` (cheapest; the next ``backward`` allocates). With False,
            fill the existing gradient arrays with zeros instead.
        """
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none:
                    p.grad = None
                elif p.grad is not None:
                    p.grad.fill(0)

    def step(self, closure: Closure | None = None) -> Any:
        """Update every parameter that has a gradient; return ``closure()``'s loss, if given.

        Parameters
        ----------
        closure : callable, optional
            Re-evaluates the model (zero the gradients, compute the loss, call
            ``backward``) and returns the loss; called once, before the update.
        """
        loss = None if closure is None else call_closure(closure)
        for group in self.param_groups:
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                if isinstance(grad, Tensor):  # a .grad from backward(create_graph=True)
                    grad = grad.data
                if grad.shape != p.data.shape:
                    raise RuntimeError(
                        f"{type(self).__name__}.step: a parameter of shape {p.data.shape} has a "
                        f"gradient of shape {grad.shape}; they must be equal"
                    )
                self._update(p, grad, self.state[p], group)
        return loss

    def _scratch(self, param: Tensor, count: int) -> list[Array]:
        """``count`` work arrays shaped like ``param.data``, kept between steps (not state)."""
        bufs = self._scratch_buffers.get(param)
        data = param.data
        if bufs is None or bufs[0].shape != data.shape or bufs[0].dtype != data.dtype:
            bufs = []
            self._scratch_buffers[param] = bufs
        while len(bufs) < count:
            bufs.append(np.empty_like(data))
        return bufs

    # ---- state dicts ------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The optimiser's state as a dict of copies, in PyTorch's layout.

        Returns
        -------
        dict
            ``"state"``: ``{index: {name: value}}`` for every parameter with state, where
            ``index`` counts parameters across groups in order; ``"param_groups"``: the
            groups' hyper-parameters with ``"params"`` replaced by those indices. Arrays are
            copies, so the result is a snapshot that later steps do not change.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: _copy_state_value(v) for k, v in group.items() if k != "params"}
            packed["params"] = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                packed["params"].append(index[id(p)])
            groups.append(packed)
        state = {
            index[id(p)]: {k: _copy_state_value(v) for k, v in s.items()}
            for p, s in self.state.items()
            if s and id(p) in index
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state from ``state_dict()`` (of an optimiser of the same parameters).

        Everything is checked before anything changes: the number of groups and of
        parameters per group, the shapes of the saved buffers, and the hyper-parameters.
        Floating-point buffers are copied and cast to their parameter's dtype.
        """
        who = type(self).__name__
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= state_dict.keys():
            raise ValueError(
                f"{who}.load_state_dict: expected a dict with 'state' and 'param_groups' (from "
                f"state_dict()), got {type(state_dict).__name__}"
            )
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{who}.load_state_dict: the state dict has {len(saved_groups)} parameter "
                f"groups but this optimiser has {len(self.param_groups)}"
            )
        id_map: dict[Any, Tensor] = {}
        new_groups = []
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"{who}.load_state_dict: group {i} of the state dict has "
                    f"{len(saved['params'])} parameters but this optimiser's has "
                    f"{len(group['params'])}"
                )
            id_map.update(zip(saved["params"], group["params"]))
            # hyper-parameters the saved group lacks (e.g. from PyTorch) keep their values
            new = {k: v for k, v in group.items() if k != "params"}
            new.update({k: _copy_state_value(v) for k, v in saved.items() if k != "params"})
            self._check_group(new)
            new["params"] = group["params"]
            new_groups.append(new)
        new_state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for key, values in state_dict["state"].items():
            if key not in id_map:
                raise ValueError(
                    f"{who}.load_state_dict: the state dict has state for parameter {key!r}, "
                    f"which none of its groups lists"
                )
            p = id_map[key]
            for name in self._shaped_state:
                v = values.get(name)
                if isinstance(v, np.ndarray) and v.shape != p.data.shape:
                    raise ValueError(
                        f"{who}.load_state_dict: state {name!r} of parameter {key!r} has shape "
                        f"{v.shape} but the parameter has shape {p.data.shape}"
                    )
            new_state[p] = {k: _cast_state_value(v, p.data.dtype) for k, v in values.items()}
        self.param_groups = new_groups
        self.state = new_state

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(k for k in group if k not in ("params", "param_names")):
                lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)
