"""
Learning-rate schedules
=======================

A schedule changes the learning rate during training: step decay, exponential decay,
cosine annealing, cosine with warm restarts (used for snapshot ensembles) and the
one-cycle policy. We step each scheduler for 100 epochs and plot the rate it sets.
"""

# %%
import matplotlib.pyplot as plt

import nabla
from nabla import optim
from nabla.optim import lr_scheduler as S

schedules = {
    "StepLR(30, 0.5)": lambda o: S.StepLR(o, step_size=30, gamma=0.5),
    "ExponentialLR(0.97)": lambda o: S.ExponentialLR(o, gamma=0.97),
    "CosineAnnealingLR(100)": lambda o: S.CosineAnnealingLR(o, T_max=100),
    "CosineAnnealingWarmRestarts(25)": lambda o: S.CosineAnnealingWarmRestarts(o, T_0=25),
    "OneCycleLR": lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=100),
}
fig, ax = plt.subplots()
for name, make in schedules.items():
    w = nabla.tensor([0.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    schedule = make(opt)
    rates = []
    for _epoch in range(100):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        schedule.step()
    ax.plot(rates, label=name)
print("final rates computed for", len(schedules), "schedules")
ax.set(xlabel="epoch", ylabel="learning rate")
ax.legend(fontsize=8)
plt.show()
