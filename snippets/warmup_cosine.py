"""Warmup, then decay: LinearLR then CosineAnnealingLR in SequentialLR, step by step, at the
milestone, across a checkpoint, as a LambdaLR, and counted in optimizer steps."""

# --8<-- [start:imports]
import inspect
import io
import math
import textwrap
import warnings

import torch
# --8<-- [end:imports]

LinearLR = torch.optim.lr_scheduler.LinearLR
CosineAnnealingLR = torch.optim.lr_scheduler.CosineAnnealingLR
SequentialLR = torch.optim.lr_scheduler.SequentialLR


# --8<-- [start:table] setup: imports
w = torch.nn.Parameter(torch.tensor(1.0))
optimizer = torch.optim.SGD([w], lr=1.0)
warmup = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.25, total_iters=3)
cosine = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=4)
scheduler = torch.optim.lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[3])

print("step | get_last_lr() | warmup.last_epoch | cosine.last_epoch")
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    for step in range(8):
        optimizer.zero_grad()
        (3 * w).backward()
        lr = scheduler.get_last_lr()[0]  # the lr this step uses
        print(f"{step:4} | {lr:13.4f} | {warmup.last_epoch:17} | {cosine.last_epoch:17}")
        optimizer.step()
        scheduler.step()
print("warnings:", len(caught))
# --8<-- [end:table]


def lrs_of(make_scheduler, steps=8, lr=1.0):
    """The learning rate each of `steps` optimizer steps uses."""
    w = torch.nn.Parameter(torch.tensor(1.0))
    optimizer = torch.optim.SGD([w], lr=lr)
    scheduler = make_scheduler(optimizer)
    used = []
    for _ in range(steps):
        used.append(optimizer.param_groups[0]["lr"])
        assert scheduler.get_last_lr() == [used[-1]]
        optimizer.step()
        scheduler.step()
    return used


def page_schedule(optimizer, milestone=3):
    return SequentialLR(optimizer, [LinearLR(optimizer, start_factor=0.25, total_iters=3),
                                    CosineAnnealingLR(optimizer, T_max=4)], milestones=[milestone])


# The values the page states, recomputed (the brief's verified example).
assert [round(v, 4) for v in lrs_of(page_schedule)] == [0.25, 0.5, 0.75, 1.0, 0.8536, 0.5, 0.1464, 0.0]


# --8<-- [start:formulas] setup: imports
lr, start_factor, total_iters, T_max, milestone = 1.0, 0.25, 3, 4, 3


def warmup_cosine_lr(t):
    """The learning rate of step t, by the formula of each phase."""
    if t < milestone:
        return lr * (start_factor + (1 - start_factor) * min(t, total_iters) / total_iters)
    return 0.5 * lr * (1 + math.cos(math.pi * (t - milestone) / T_max))


w = torch.nn.Parameter(torch.tensor(1.0))
optimizer = torch.optim.SGD([w], lr=lr)
scheduler = torch.optim.lr_scheduler.SequentialLR(optimizer, [
    torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=start_factor, total_iters=total_iters),
    torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=T_max),
], milestones=[milestone])
torch_lrs = []
for t in range(8):
    torch_lrs.append(scheduler.get_last_lr()[0])
    optimizer.step()
    scheduler.step()
print("formula:", [round(warmup_cosine_lr(t), 4) for t in range(8)])
print("equal to torch's, bit for bit:", [warmup_cosine_lr(t) for t in range(8)] == torch_lrs)
# --8<-- [end:formulas]


# --8<-- [start:construction] setup: imports
w = torch.nn.Parameter(torch.tensor(1.0))
optimizer = torch.optim.SGD([w], lr=1.0)
warmup = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.25, total_iters=3)
print("after LinearLR:          lr", optimizer.param_groups[0]["lr"], "| warmup", warmup.last_epoch)
cosine = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=4)
print("after CosineAnnealingLR: lr", optimizer.param_groups[0]["lr"], "| warmup", warmup.last_epoch,
      "cosine", cosine.last_epoch, "| cosine.base_lrs", cosine.base_lrs)
scheduler = torch.optim.lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[3])
print("after SequentialLR:      lr", optimizer.param_groups[0]["lr"], "| warmup", warmup.last_epoch,
      "cosine", cosine.last_epoch, "| sequential", scheduler.last_epoch)
# --8<-- [end:construction]


# --8<-- [start:step_source] setup: imports
methods = [torch.optim.lr_scheduler.SequentialLR.step, torch.optim.lr_scheduler.LRScheduler._update_lr]
print("\n\n".join(textwrap.dedent(inspect.getsource(method)).rstrip() for method in methods))
public_step = textwrap.dedent(inspect.getsource(torch.optim.lr_scheduler.LRScheduler.step)).splitlines()
print("", "# LRScheduler.step(), its first and last lines:", public_step[0], "    ...", *public_step[-4:], sep="\n")

# The same move on a CosineAnnealingLR, privately and through the public step(epoch):
w = torch.nn.Parameter(torch.tensor(1.0))
optimizer = torch.optim.SGD([w], lr=1.0)
cosine = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=4)
optimizer.step()  # first, as a training loop does: step() checks the order too
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    cosine._update_lr(0)
    print("\ncosine._update_lr(0): warnings", len(caught))
    cosine.step(0)
    print("cosine.step(0):       warnings", len(caught))
print(str(caught[0].message).split(". ")[0])
# --8<-- [end:step_source]


# --8<-- [start:milestones] setup: imports
def lrs_used(milestone, steps=9):
    w = torch.nn.Parameter(torch.tensor(1.0))
    optimizer = torch.optim.SGD([w], lr=1.0)
    warmup = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.25, total_iters=3)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=4)
    scheduler = torch.optim.lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[milestone])
    used = []
    for step in range(steps):
        used.append(f"{optimizer.param_groups[0]['lr']:.4f}")
        optimizer.step()
        scheduler.step()
    return " ".join(used)


print("step:           ", " ".join(f"{step:6}" for step in range(9)))
for milestone in (2, 3, 4, 0):
    print(f"milestones=[{milestone}]: ", lrs_used(milestone))
# --8<-- [end:milestones]

# At a milestone the next scheduler starts from its closed form at position 0, from
# initial_lr: a learning rate changed before the milestone is dropped there.
w = torch.nn.Parameter(torch.tensor(1.0))
optimizer = torch.optim.SGD([w], lr=1.0)
scheduler = page_schedule(optimizer)
for step in range(3):
    if step == 2:
        optimizer.param_groups[0]["lr"] = 5.0
    optimizer.step()
    scheduler.step()
assert optimizer.param_groups[0]["lr"] == 1.0
# What the page says of the source: the active scheduler's position, and the closed forms.
assert CosineAnnealingLR._get_closed_form_lr and LinearLR._get_closed_form_lr
assert not hasattr(torch.optim.lr_scheduler.LambdaLR, "_get_closed_form_lr")


# --8<-- [start:training] setup: imports
def warmup_then_cosine(optimizer):
    warmup = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.25, total_iters=3)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=4)
    return torch.optim.lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[3])


def new_model_and_optimizer():
    torch.manual_seed(0)  # the same initial weights every time
    model = torch.nn.Linear(2, 1)
    return model, torch.optim.SGD(model.parameters(), lr=1.0, momentum=0.9)


x = torch.tensor([[0.25, 0.5], [0.75, -0.25], [0.125, 0.125]])
y = torch.tensor([[1.0], [0.0], [2.0]])


def train(model, optimizer, scheduler, steps):
    """Trains for `steps` steps; returns the learning rate each optimizer.step() used."""
    used = []
    for _ in range(steps):
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        used.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return used


def show(lrs, skip=0):
    """Learning rates in columns, one per step, the first `skip` columns left blank."""
    return " " * 7 * skip + " ".join(f"{lr:.4f}" for lr in lrs)


def checkpoint_after(steps):
    """A checkpoint, written to a file and read back, after `steps` steps of training."""
    model, optimizer = new_model_and_optimizer()
    scheduler = warmup_then_cosine(optimizer)
    train(model, optimizer, scheduler, steps)
    file = io.BytesIO()  # a file on disk works the same way
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict()}, file)
    file.seek(0)
    return torch.load(file)  # weights_only=True, the default: plain numbers and tensors load
# --8<-- [end:training]


# --8<-- [start:resume] setup: training
model, optimizer = new_model_and_optimizer()
uninterrupted = train(model, optimizer, warmup_then_cosine(optimizer), 8)
final_weights = [p.detach().clone() for p in model.parameters()]
print("uninterrupted:  ", show(uninterrupted))

for stop in (2, 5):  # mid-warmup, mid-decay
    checkpoint = checkpoint_after(stop)
    if stop == 2:
        print("the scheduler's state dict:", sorted(checkpoint["scheduler"]))
    model, optimizer = new_model_and_optimizer()  # fresh objects, as in a new process
    scheduler = warmup_then_cosine(optimizer)  # built before anything is loaded
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    scheduler.load_state_dict(checkpoint["scheduler"])
    resumed = train(model, optimizer, scheduler, 8 - stop)
    same_weights = all(torch.equal(p, q) for p, q in zip(model.parameters(), final_weights))
    print(f"resumed at {stop}:   ", show(resumed, skip=stop))
    print("  same lrs:", resumed == uninterrupted[stop:], "same weights:", same_weights)
# --8<-- [end:resume]

assert resumed == uninterrupted[5:] and same_weights


# --8<-- [start:resume_mistakes] setup: training
def resume(checkpoint, build_scheduler_first, load_scheduler):
    model, optimizer = new_model_and_optimizer()
    if build_scheduler_first:
        scheduler = warmup_then_cosine(optimizer)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    if not build_scheduler_first:
        scheduler = warmup_then_cosine(optimizer)
    if load_scheduler:
        scheduler.load_state_dict(checkpoint["scheduler"])
    return model, optimizer, scheduler


print("step:                     ", " ".join(f"{step:6}" for step in range(8)))
model, optimizer = new_model_and_optimizer()
print("uninterrupted:            ", show(train(model, optimizer, warmup_then_cosine(optimizer), 8)))
for name, first, load in [("built first, not loaded:  ", True, False),
                          ("built after, not loaded:  ", False, False),
                          ("built after, then loaded: ", False, True)]:
    for stop in (2, 5):
        resumed = train(*resume(checkpoint_after(stop), first, load), 8 - stop)
        print(name if stop == 2 else " " * len(name), show(resumed, skip=stop))
# --8<-- [end:resume_mistakes]


# --8<-- [start:lambda_lr] setup: imports
def sequential(optimizer):
    warmup = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.25, total_iters=3)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=4)
    return torch.optim.lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[3])


def one_liner(optimizer):
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda t: 0.25 + 0.75 * t / 3 if t < 3
                                             else 0.5 * (1 + math.cos(math.pi * (t - 3) / 4)))


def lrs_used(make_scheduler, steps=8):
    w = torch.nn.Parameter(torch.tensor(1.0))
    optimizer = torch.optim.SGD([w], lr=1.0)
    scheduler = make_scheduler(optimizer)
    used = []
    for step in range(steps):
        used.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return used


print("SequentialLR:", [round(lr, 4) for lr in lrs_used(sequential)])
print("LambdaLR:    ", [round(lr, 4) for lr in lrs_used(one_liner)])
print("bit for bit: ", lrs_used(sequential) == lrs_used(one_liner))
# --8<-- [end:lambda_lr]


# --8<-- [start:lambda_long] setup: imports
lr, start_factor, warmup_steps, total_steps = 3e-4, 0.01, 100, 1000


def sequential(optimizer):
    warmup = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=start_factor, total_iters=warmup_steps)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps - warmup_steps)
    return torch.optim.lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[warmup_steps])


def factor(t):
    if t < warmup_steps:
        return start_factor + (1 - start_factor) * t / warmup_steps
    return 0.5 * (1 + math.cos(math.pi * (t - warmup_steps) / (total_steps - warmup_steps)))


def lrs_used(make_scheduler):
    w = torch.nn.Parameter(torch.tensor(1.0))
    optimizer = torch.optim.SGD([w], lr=lr)
    scheduler = make_scheduler(optimizer)
    used = []
    for step in range(total_steps):
        used.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return used


a = lrs_used(sequential)
b = lrs_used(lambda optimizer: torch.optim.lr_scheduler.LambdaLR(optimizer, factor))
differ = [t for t in range(total_steps) if a[t] != b[t]]
print(f"steps that differ: {len(differ)} of {total_steps}, the first: {differ[:4]}")
print(f"largest difference: {max(abs(a[t] - b[t]) / math.ulp(b[t]) for t in differ):.0f} ulp,",
      f"relative {max(abs(a[t] - b[t]) / b[t] for t in differ):.1e}")
print("LambdaLR equals the formula:", b == [lr * factor(t) for t in range(total_steps)])
try:
    torch.optim.lr_scheduler.LinearLR(torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))]), start_factor=0)
except ValueError as error:
    print("LinearLR(start_factor=0):", error)
# --8<-- [end:lambda_long]


# --8<-- [start:per_batch] setup: imports
epochs, batches_per_epoch, accumulation = 2, 6, 2
optimizer_steps = epochs * batches_per_epoch // accumulation  # 6
warmup_steps = 2


def lrs_used(step_scheduler_every_batch):
    torch.manual_seed(0)
    model = torch.nn.Linear(2, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    scheduler = torch.optim.lr_scheduler.SequentialLR(optimizer, [
        torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.25, total_iters=warmup_steps),
        torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=optimizer_steps - warmup_steps),
    ], milestones=[warmup_steps])
    used = []
    for epoch in range(epochs):
        for batch in range(batches_per_epoch):
            x = torch.randn(4, 2)
            (model(x).pow(2).mean() / accumulation).backward()
            if step_scheduler_every_batch:
                scheduler.step()  # wrong: counts micro-batches
            if (batch + 1) % accumulation == 0:
                used.append(f"{optimizer.param_groups[0]['lr']:.4f}")
                optimizer.step()
                optimizer.zero_grad()
                if not step_scheduler_every_batch:
                    scheduler.step()  # right: once per optimizer.step()
    return " ".join(used)


for every_batch in (False, True):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        used = lrs_used(every_batch)
    print("per micro-batch:   " if every_batch else "per optimizer step:", used, "| warnings:", len(caught))
print(str(caught[0].message).split(". ")[0])
# --8<-- [end:per_batch]
