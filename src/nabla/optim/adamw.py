"""AdamW: Adam with weight decay decoupled from the gradient."""

from __future__ import annotations

from typing import Any

from nabla.optim.adam import Adam
from nabla.optim.optimizer import ParamsT


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter, 2019); PyTorch's ``AdamW``.

    Adam (see :class:`Adam` for the pseudocode) where the weight decay shrinks the
    parameters directly, :math:`\theta \leftarrow \theta(1 - \mathrm{lr}\,\lambda)`, before
    the moment updates, instead of entering the gradient (and so the moments) as
    :math:`g + \lambda\theta`. With an adaptive denominator the two are not equivalent:
    coupled decay is divided by :math:`\sqrt{\hat v}` like the gradient, decoupled decay is
    not. The default ``weight_decay`` is 1e-2, as in PyTorch.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Parameters or parameter groups.
    lr : float, default 1e-3
    betas : (float, float), default (0.9, 0.999)
    eps : float, default 1e-8
    weight_decay : float, default 1e-2
        Decoupled decay factor :math:`\lambda` (>= 0).
    amsgrad : bool, default False
    bias_correction : bool, default True
    maximize : bool, default False
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        bias_correction: bool = True,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            bias_correction=bias_correction,
            maximize=maximize,
            decoupled_weight_decay=True,
        )

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        # a loaded or added group is AdamW's whatever it says
        group["decoupled_weight_decay"] = True
