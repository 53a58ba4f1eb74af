"""What the training diagnostics cost: a LeNet-5 epoch with the callbacks off and on.

One epoch of ``Trainer.fit`` (Adam, batch 64) on random 1x28x28 inputs, three ways, timed
interleaved in one process:

* ``off``: no callbacks (the trainer's only extra work is an empty loop over its callbacks
  after each backward pass, and no module has a hook);
* ``on``: ``GradientStats()`` and ``ActivationStats()`` recording every step (gradient
  norms and update-to-weight ratios of the 10 parameters; mean, standard deviation and
  dead fraction of the 4 ReLU calls);
* ``every 10``: the same, recording every 10th step.

Before timing, the weights after the epoch are checked to be identical with and without
the callbacks (they only observe). Printed: the median epoch time of each and the ratios
on / off (the issue's target: at most 1.10). The machine may be shared: rerun and compare
medians.
"""

from __future__ import annotations

import numpy as np

from harness import check_close, compare
from nabla import nn, optim
from nabla.train import ActivationStats, GradientStats, Trainer


def _epoch(X: np.ndarray, y: np.ndarray, callbacks: list, init: dict) -> Trainer:
    net = nn.models.LeNet5(rng=4)
    net.load_state_dict(init)
    trainer = Trainer(
        net,
        nn.CrossEntropyLoss(),
        optim.Adam(net.parameters(), lr=1e-3),
        callbacks=callbacks,
        progress=False,
        seed=0,
    )
    trainer.fit((X, y), epochs=1, batch_size=64)
    return trainer


def main(quick: bool = False) -> None:
    rng = np.random.default_rng(0)
    n, repeat = (256, 3) if quick else (1024, 7)
    X = rng.standard_normal((n, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, n)
    init = {k: v.data.copy() for k, v in nn.models.LeNet5(rng=4).state_dict().items()}

    def on(every: int = 1) -> list:
        return [GradientStats(every=every), ActivationStats(every=every)]

    plain = _epoch(X, y, [], init).weights()
    watched = _epoch(X, y, on(), init).weights()
    for name, w in plain.items():
        check_close(f"weights {name} (off vs on)", watched[name], w, rtol=0, atol=0)
    med = compare(
        f"LeNet-5 epoch ({n} samples, batch 64)",
        {
            "off": lambda: _epoch(X, y, [], init),
            "on": lambda: _epoch(X, y, on(), init),
            "every 10": lambda: _epoch(X, y, on(10), init),
        },
        repeat=repeat,
        unit="ms",
    )
    print(
        f"    ratio on/off = {med['on'] / med['off']:.3f}x (target <= 1.10), "
        f"every 10/off = {med['every 10'] / med['off']:.3f}x",
        flush=True,
    )


if __name__ == "__main__":
    main()
