"""Learning-rate schedulers: what they write into param_groups, and when."""

import math

# --8<-- [start:imports]
import warnings

import torch
# --8<-- [end:imports]


# --8<-- [start:order_warning] setup: imports
def warnings_in_wrong_order(make_scheduler, *step_args, action="always"):
    w = torch.nn.Parameter(torch.tensor(1.0))
    optimizer = torch.optim.SGD([w], lr=0.1)
    scheduler = make_scheduler(optimizer)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter(action)  # "default": what a script shows
        for epoch in range(3):
            optimizer.zero_grad()
            (3 * w).backward()
            scheduler.step(*step_args)  # the wrong place: before optimizer.step()
            optimizer.step()
    return [str(warning.message) for warning in caught]


step_lr = warnings_in_wrong_order(lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=1))
print("StepLR:", len(step_lr), "warning in 3 epochs:")
print(step_lr[0])
plateau = warnings_in_wrong_order(torch.optim.lr_scheduler.ReduceLROnPlateau, 1.0)
restarts = warnings_in_wrong_order(
    lambda opt: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2)
)
print("ReduceLROnPlateau:", len(plateau), "CosineAnnealingWarmRestarts:", len(restarts))


def chained(opt):
    StepLR, ExponentialLR = torch.optim.lr_scheduler.StepLR, torch.optim.lr_scheduler.ExponentialLR
    return torch.optim.lr_scheduler.ChainedScheduler([StepLR(opt, step_size=1), ExponentialLR(opt, gamma=0.9)])


recorded = warnings_in_wrong_order(chained)
shown = warnings_in_wrong_order(chained, action="default")
print("ChainedScheduler of two:", len(recorded), "recorded,", len(shown), "shown by the default filter")
# --8<-- [end:order_warning]

assert len(step_lr) == 1 and plateau == [] and restarts == []
assert len(recorded) == 2 and len(set(recorded)) == 1 and len(shown) == 1


# --8<-- [start:param_groups] setup: imports
w = torch.nn.Parameter(torch.tensor(1.0))
b = torch.nn.Parameter(torch.tensor(1.0))
optimizer = torch.optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.01}], lr=0.1)
print(["initial_lr" in group for group in optimizer.param_groups])

scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
print([(group["lr"], group["initial_lr"]) for group in optimizer.param_groups])
for epoch in range(2):
    optimizer.zero_grad()
    (w + b).backward()
    optimizer.step()
    scheduler.step()
    print([group["lr"] for group in optimizer.param_groups], scheduler.get_last_lr())
# --8<-- [end:param_groups]

assert scheduler.base_lrs == [0.1, 0.01]


# --8<-- [start:construction] setup: imports
w = torch.nn.Parameter(torch.tensor(1.0))
optimizer = torch.optim.SGD([w], lr=0.1)
print(optimizer.param_groups[0]["lr"])
scheduler = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.25, total_iters=4)
print(optimizer.param_groups[0]["lr"], scheduler.last_epoch, scheduler.base_lrs)

fresh = torch.optim.SGD([w], lr=0.1)
try:
    torch.optim.lr_scheduler.LinearLR(fresh, start_factor=0.25, last_epoch=3)
except KeyError as error:
    print(error.args[0].splitlines()[0])

other = torch.optim.SGD([w], lr=0.1)
plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(other)
print(other.param_groups[0]["lr"], plateau.last_epoch, "initial_lr" in other.param_groups[0])
# --8<-- [end:construction]

# A group that already has initial_lr keeps it (setdefault): a second scheduler reads the
# first one's initial_lr, not the lr the first one wrote.
first = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.25, total_iters=4)
second = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1)
assert optimizer.param_groups[0]["lr"] == 0.025 * 0.25 and second.base_lrs == [0.1]


# --8<-- [start:table] setup: imports
def print_table(make_scheduler, epochs=6):
    w = torch.nn.Parameter(torch.tensor(1.0))
    optimizer = torch.optim.SGD([w], lr=0.1)
    scheduler = make_scheduler(optimizer)
    print(f"after construction: get_last_lr() = {scheduler.get_last_lr()[0]:.4f}")
    print("epoch | lr used by step() | get_last_lr() after scheduler.step()")
    for epoch in range(epochs):
        optimizer.zero_grad()
        (3 * w).backward()
        used = optimizer.param_groups[0]["lr"]
        optimizer.step()
        scheduler.step()
        print(f"{epoch:5} | {used:17.4f} | {scheduler.get_last_lr()[0]:.4f}")
# --8<-- [end:table]


# --8<-- [start:table_step_lr] setup: table
print_table(lambda optimizer: torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5))
# --8<-- [end:table_step_lr]

# --8<-- [start:table_cosine] setup: table
print_table(lambda optimizer: torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=4))
# --8<-- [end:table_cosine]

# The recursive values that step() computes match the closed form on the page, past T_max too.
w = torch.nn.Parameter(torch.tensor(1.0))
optimizer = torch.optim.SGD([w], lr=0.1)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=4)
for k in range(10):
    closed_form = 0.5 * 0.1 * (1 + math.cos(k * math.pi / 4))
    assert abs(optimizer.param_groups[0]["lr"] - closed_form) < 1e-12, k
    optimizer.step()
    scheduler.step()


# --8<-- [start:get_lr] setup: imports
w = torch.nn.Parameter(torch.tensor(1.0))
optimizer = torch.optim.SGD([w], lr=0.1)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
(3 * w).backward()
optimizer.step()
scheduler.step()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    print(scheduler.get_last_lr(), scheduler.get_lr(), optimizer.param_groups[0]["lr"])
print(caught[0].message)

try:
    torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, verbose=True)
except TypeError as error:
    print(error)
# --8<-- [end:get_lr]


# --8<-- [start:one_cycle] setup: imports
w = torch.nn.Parameter(torch.tensor(1.0))
optimizer = torch.optim.SGD([w], lr=0.1)  # momentum=0, SGD's default
scheduler = torch.optim.lr_scheduler.OneCycleLR(
    optimizer, max_lr=0.1, epochs=2, steps_per_epoch=5
)
group = optimizer.param_groups[0]
print(f"lr {group['lr']:.4f}, momentum {group['momentum']}")
try:
    for epoch in range(3):  # one epoch more than OneCycleLR was told
        for batch in range(5):
            optimizer.zero_grad()
            (3 * w).backward()
            optimizer.step()
            scheduler.step()
except ValueError as error:
    print(f"epoch {epoch}, batch {batch}: {error}")
# --8<-- [end:one_cycle]

assert "momentum_buffer" in optimizer.state[w]  # SGD did step with momentum
optimizer = torch.optim.SGD([w], lr=0.1)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=10)
momentums = []
for batch in range(9):  # momentum at positions 1 to 9
    optimizer.step()
    scheduler.step()
    momentums.append(round(optimizer.param_groups[0]["momentum"], 4))
assert min(momentums) == 0.85 and momentums[-1] == 0.95
adam = torch.optim.Adam([w], lr=0.1)
torch.optim.lr_scheduler.OneCycleLR(adam, max_lr=0.1, total_steps=10)
assert adam.param_groups[0]["betas"] == (0.95, 0.999)


# --8<-- [start:step_arguments] setup: imports
w = torch.nn.Parameter(torch.tensor(1.0))
optimizer = torch.optim.SGD([w], lr=0.1)
plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=1)
rates = []
for validation_loss in [1.0, 0.9, 0.9, 0.9, 0.9]:
    optimizer.step()
    plateau.step(validation_loss)
    rates.append(optimizer.param_groups[0]["lr"])
print("ReduceLROnPlateau:          ", rates)

optimizer = torch.optim.SGD([w], lr=0.1)
restarts = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(optimizer, T_0=1)
rates = []
for epoch in range(2):
    for i in range(5):
        optimizer.step()
        restarts.step(epoch + i / 5)
        rates.append(round(optimizer.param_groups[0]["lr"], 4))
print("CosineAnnealingWarmRestarts:", rates)
# --8<-- [end:step_arguments]

assert rates[:5] == rates[5:] and rates[0] == 0.1 and rates[1] < 0.1


# --8<-- [start:by_hand] setup: imports
# --8<-- [start:by_hand_helper] setup: imports
def lrs_used(scheduler_class, write=None, epochs=6, **options):
    w = torch.nn.Parameter(torch.tensor(1.0))
    optimizer = torch.optim.SGD([w], lr=0.1)
    scheduler = scheduler_class(optimizer, **options)
    used = []
    for epoch in range(epochs):
        if epoch == 2 and write is not None:
            optimizer.param_groups[0]["lr"] = write  # by hand
        optimizer.zero_grad()
        (3 * w).backward()
        used.append(round(optimizer.param_groups[0]["lr"], 4))
        optimizer.step()
        scheduler.step()
    return used
# --8<-- [end:by_hand_helper]


step_lr = dict(scheduler_class=torch.optim.lr_scheduler.StepLR, step_size=1, gamma=0.5)
lambda_lr = dict(scheduler_class=torch.optim.lr_scheduler.LambdaLR, lr_lambda=lambda epoch: 0.5**epoch)
cosine = dict(scheduler_class=torch.optim.lr_scheduler.CosineAnnealingLR, T_max=5)
print("StepLR, LambdaLR:     ", lrs_used(**step_lr), lrs_used(**lambda_lr) == lrs_used(**step_lr))
print("StepLR, 0.5 by hand:  ", lrs_used(**step_lr, write=0.5))
print("LambdaLR, 0.5 by hand:", lrs_used(**lambda_lr, write=0.5))
print("CosineAnnealingLR:    ", lrs_used(**cosine))
print("Cosine, 0.5 by hand:  ", lrs_used(**cosine, write=0.5))
# --8<-- [end:by_hand]


# --8<-- [start:by_hand_others] setup: by_hand_helper
S = torch.optim.lr_scheduler
options = {
    S.MultiplicativeLR: dict(lr_lambda=lambda epoch: 0.9),
    S.MultiStepLR: dict(milestones=[3]),
    S.ConstantLR: dict(total_iters=4),
    S.LinearLR: dict(total_iters=4),
    S.ExponentialLR: dict(gamma=0.9),
    S.PolynomialLR: dict(total_iters=4),
    S.CyclicLR: dict(base_lr=0.01, max_lr=0.1, step_size_up=3, cycle_momentum=False),
    S.CosineAnnealingWarmRestarts: dict(T_0=4),
    S.OneCycleLR: dict(max_lr=0.1, total_steps=6, cycle_momentum=False),
}
print("epoch 3 after writing 0.5 in epoch 2 | without the write")
for scheduler_class, kwargs in options.items():
    written = lrs_used(scheduler_class, write=0.5, **kwargs)[3]
    print(f"{scheduler_class.__name__:27} {written:.4f} | {lrs_used(scheduler_class, **kwargs)[3]:.4f}")
# --8<-- [end:by_hand_others]

from_current_lr = {S.MultiplicativeLR, S.MultiStepLR, S.ConstantLR, S.LinearLR, S.ExponentialLR,
                   S.PolynomialLR}
for scheduler_class, kwargs in options.items():
    carried = lrs_used(scheduler_class, write=0.5, **kwargs)[3] != lrs_used(scheduler_class, **kwargs)[3]
    assert carried == (scheduler_class in from_current_lr), scheduler_class
with_closed_form = {name for name, cls in vars(S).items()
                    if isinstance(cls, type) and hasattr(cls, "_get_closed_form_lr")}
assert with_closed_form == {"StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR",
                            "PolynomialLR", "CosineAnnealingLR"}


# The next optimizer.step() uses the value written by hand.
w = torch.nn.Parameter(torch.tensor(1.0))
optimizer = torch.optim.SGD([w], lr=0.1)
optimizer.param_groups[0]["lr"] = 0.5
w.grad = torch.tensor(3.0)
optimizer.step()
assert w.item() == -0.5
# OneCycleLR, like LambdaLR, goes back to its own schedule after a write by hand.
one_cycle = dict(scheduler_class=torch.optim.lr_scheduler.OneCycleLR, max_lr=0.1,
                 total_steps=6, cycle_momentum=False)
assert lrs_used(**one_cycle, write=0.5)[3:] == lrs_used(**one_cycle)[3:]
assert lrs_used(**lambda_lr, write=0.5)[3:] == lrs_used(**lambda_lr)[3:]
assert lrs_used(**cosine, write=0.5)[-1] == 0.0

# ReduceLROnPlateau, when it reduces, multiplies the current lr (a write by hand carries on).
w = torch.nn.Parameter(torch.tensor(1.0))
optimizer = torch.optim.SGD([w], lr=0.1)
plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=0)
plateau.step(1.0)
optimizer.param_groups[0]["lr"] = 0.5
plateau.step(1.0)
assert optimizer.param_groups[0]["lr"] == 0.25
# step(epoch) is deprecated (it warns) and uses the closed form: StepLR forgets the write.
w = torch.nn.Parameter(torch.tensor(1.0))
optimizer = torch.optim.SGD([w], lr=0.1)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
optimizer.param_groups[0]["lr"] = 0.5
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    scheduler.step(1)
assert optimizer.param_groups[0]["lr"] == 0.05
assert any("deprecated" in str(warning.message) for warning in caught)


# --8<-- [start:sequential] setup: imports
def lrs_used(make_schedulers, epochs=8):
    w = torch.nn.Parameter(torch.tensor(1.0))
    optimizer = torch.optim.SGD([w], lr=0.1)
    schedulers = make_schedulers(optimizer)
    used = []
    for epoch in range(epochs):
        optimizer.zero_grad()
        (3 * w).backward()
        used.append(round(optimizer.param_groups[0]["lr"], 4))
        optimizer.step()
        for scheduler in schedulers:
            scheduler.step()
    return used


def warmup_then_cosine(optimizer):
    warmup = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.25, total_iters=3)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=4)
    return [torch.optim.lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[3])]


def both_stepped(optimizer):
    warmup = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.25, total_iters=3)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=7)
    return [warmup, cosine]


print("SequentialLR: ", lrs_used(warmup_then_cosine))
print("both stepped: ", lrs_used(both_stepped))
# --8<-- [end:sequential]


def chained(optimizer):
    return [torch.optim.lr_scheduler.ChainedScheduler(both_stepped(optimizer))]


assert lrs_used(chained) == lrs_used(both_stepped)

# At its milestone SequentialLR starts the next scheduler with the closed form at position 0
# (_update_lr(0)), from initial_lr: a learning rate written by hand before it is dropped.
w = torch.nn.Parameter(torch.tensor(1.0))
optimizer = torch.optim.SGD([w], lr=0.1)
(sequential,) = warmup_then_cosine(optimizer)
for epoch in range(3):
    if epoch == 2:
        optimizer.param_groups[0]["lr"] = 0.5
    optimizer.step()
    sequential.step()
assert optimizer.param_groups[0]["lr"] == 0.1


# --8<-- [start:checkpoint] setup: imports
# --8<-- [start:checkpoint_saved] setup: imports
def make_optimizer():
    w = torch.nn.Parameter(torch.tensor(1.0))
    w.grad = torch.tensor(3.0)
    return torch.optim.SGD([w], lr=0.1)


def warmup(optimizer):
    return torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.5, total_iters=4)


def next_lrs(optimizer, scheduler):
    used = []
    for epoch in range(3):
        used.append(round(optimizer.param_groups[0]["lr"], 4))
        optimizer.step()
        scheduler.step()
    return used


optimizer = make_optimizer()
scheduler = warmup(optimizer)
for epoch in range(2):
    optimizer.step()
    scheduler.step()
checkpoint = {"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}
# --8<-- [end:checkpoint_saved]
print(checkpoint["scheduler"])
group = checkpoint["optimizer"]["param_groups"][0]
print("lr", group["lr"], "initial_lr", group["initial_lr"])
print("not interrupted:", next_lrs(optimizer, scheduler))
# --8<-- [end:checkpoint]


# --8<-- [start:restore] setup: checkpoint_saved
optimizer = make_optimizer()
scheduler = warmup(optimizer)
optimizer.load_state_dict(checkpoint["optimizer"])
scheduler.load_state_dict(checkpoint["scheduler"])
print("scheduler built, then both loaded:     ", next_lrs(optimizer, scheduler))

optimizer = make_optimizer()
optimizer.load_state_dict(checkpoint["optimizer"])
scheduler = warmup(optimizer)  # multiplies the loaded lr by start_factor
scheduler.load_state_dict(checkpoint["scheduler"])
print("scheduler built after optimizer loaded:", next_lrs(optimizer, scheduler))

optimizer = make_optimizer()
scheduler = warmup(optimizer)
scheduler.load_state_dict(checkpoint["scheduler"])
print("scheduler loaded, optimizer not:       ", next_lrs(optimizer, scheduler))
# --8<-- [end:restore]
