"""Bookkeeping of parameters: several optimizers, group rules, unfreezing, foreach and fused."""

# --8<-- [start:imports]
import torch
# --8<-- [end:imports]

# --8<-- [start:two_optimizers] setup: imports
torch.manual_seed(0)
generator = torch.nn.Linear(2, 2)
discriminator = torch.nn.Linear(2, 1)
opt_g = torch.optim.SGD(generator.parameters(), lr=0.1)
opt_d = torch.optim.Adam(discriminator.parameters(), lr=0.01)
z = torch.randn(8, 2)
g_before = generator.weight.detach().clone()
d_before = discriminator.weight.detach().clone()

loss_d = discriminator(generator(z)).mean()  # backward() reaches both models
loss_d.backward()
opt_d.step()
print("after opt_d.step():      generator moved:", not torch.equal(generator.weight, g_before),
      " discriminator moved:", not torch.equal(discriminator.weight, d_before))
opt_d.zero_grad()
print("after opt_d.zero_grad(): generator grad is None:", generator.weight.grad is None,
      " discriminator grad is None:", discriminator.weight.grad is None)

opt_g.zero_grad()
discriminator(generator(z).detach()).mean().backward()  # detach(): stop at the fake samples
print("with detach():           generator grad is None:", generator.weight.grad is None)
# --8<-- [end:two_optimizers]

assert torch.equal(generator.weight.detach(), g_before)
assert not torch.equal(discriminator.weight.detach(), d_before)
assert generator.weight.grad is None

# --8<-- [start:two_groups] setup: imports
p = torch.nn.Parameter(torch.tensor(1.0))
try:
    torch.optim.SGD([{"params": [p]}, {"params": [p], "lr": 0.01}], lr=0.1)
except ValueError as error:
    print("constructor:    ", error)

optimizer = torch.optim.SGD([p], lr=0.1)
try:
    optimizer.add_param_group({"params": [p], "lr": 0.01})
except ValueError as error:
    print("add_param_group:", error)

other = torch.optim.SGD([p], lr=0.1)  # a second optimizer: nothing checks it against the first
p.grad = torch.tensor(2.0)
optimizer.step()
other.step()
print("two optimizers, one step each:", p.detach())
# --8<-- [end:two_groups]

assert abs(p.item() - 0.6) < 1e-6
assert len(optimizer.param_groups) == 1

# --8<-- [start:duplicates] setup: imports
import warnings

for options in ({}, {"momentum": 0.9}, {"momentum": 0.9, "foreach": True}):
    p = torch.nn.Parameter(torch.tensor(1.0))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        optimizer = torch.optim.SGD([p, p], lr=0.1, **options)
    if not options:
        print(caught[0].category.__name__ + ":", caught[0].message)
        print("tensors in the group:", len(optimizer.param_groups[0]["params"]))
    values = []
    for _ in range(2):
        p.grad = torch.tensor(2.0)
        optimizer.step()
        values.append(f"{p.item():.4f}")
    print(f"{str(options):35} p after step 1, 2:", ", ".join(values))
# --8<-- [end:duplicates]

assert len(caught) == 1 and issubclass(caught[0].category, UserWarning)
assert values == ["0.6000", "-0.5240"]

# --8<-- [start:generator] setup: imports
model = torch.nn.Linear(2, 1)
params = model.parameters()
print(type(params).__name__)
sgd = torch.optim.SGD(params, lr=0.1)  # uses the generator up
try:
    adam = torch.optim.Adam(params)
except ValueError as error:
    print(error)

params = list(model.parameters())  # a list can be read again and again
sgd, adam = torch.optim.SGD(params, lr=0.1), torch.optim.Adam(params)
print(len(sgd.param_groups[0]["params"]), len(adam.param_groups[0]["params"]))
# --8<-- [end:generator]

# --8<-- [start:unfreeze] setup: imports
torch.manual_seed(0)
backbone = torch.nn.Linear(4, 4)
head = torch.nn.Linear(4, 1)
backbone.requires_grad_(False)  # frozen at first: train the head only
optimizer = torch.optim.SGD(head.parameters(), lr=0.1, momentum=0.9)
x = torch.randn(8, 4)

for epoch in range(3):
    if epoch == 2:  # unfreeze: the backbone gets its own, smaller learning rate
        backbone.requires_grad_(True)
        optimizer.add_param_group({"params": backbone.parameters(), "lr": 0.01})
    before = backbone.weight.detach().clone()
    optimizer.zero_grad()
    head(backbone(x)).pow(2).mean().backward()
    optimizer.step()
    print(f"epoch {epoch}: groups {len(optimizer.param_groups)},",
          "backbone moved:", not torch.equal(backbone.weight, before))

new_group = optimizer.param_groups[1]
print({key: new_group[key] for key in ("lr", "momentum", "weight_decay")})
# --8<-- [end:unfreeze]

assert optimizer.param_groups[1]["momentum"] == 0.9 == optimizer.defaults["momentum"]
assert "momentum_buffer" in optimizer.state[backbone.weight]

# --8<-- [start:scheduler] setup: imports
for make in (lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5),
             lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, lambda epoch: 0.5 ** epoch)):
    head, backbone = torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.ones(2))
    optimizer = torch.optim.SGD([head], lr=0.1)
    scheduler = make(optimizer)
    name = type(scheduler).__name__
    for epoch in range(2):
        optimizer.step()
        scheduler.step()
    optimizer.add_param_group({"params": [backbone]})  # no lr given
    print(f"{name}, group added: {[group['lr'] for group in optimizer.param_groups]}")
    optimizer.step()
    try:
        scheduler.step()
        print(f"{name}, next epoch:  {[group['lr'] for group in optimizer.param_groups]}")
    except ValueError as error:
        print(f"{name}, next epoch:  ValueError: {error}")
# --8<-- [end:scheduler]

# --8<-- [start:frozen_momentum] setup: imports
def train(set_to_none):
    w = torch.nn.Parameter(torch.tensor(1.0))  # frozen after the first step
    b = torch.nn.Parameter(torch.tensor(1.0))  # trained all along
    optimizer = torch.optim.SGD([w, b], lr=0.1, momentum=0.9)
    values = []
    for step in range(4):
        if step == 1:
            w.requires_grad_(False)
        optimizer.zero_grad(set_to_none=set_to_none)
        (2 * w + 3 * b).backward()
        optimizer.step()
        values.append(f"{w.item():.4f}")
    return values, w.grad


for set_to_none in (False, True):
    values, grad = train(set_to_none)
    print(f"set_to_none={set_to_none!s:5}: w", " -> ".join(values), " w.grad:", grad)
# --8<-- [end:frozen_momentum]

assert train(False)[0] == ["0.8000", "0.6200", "0.4580", "0.3122"]
assert train(True)[0] == ["0.8000"] * 4

# --8<-- [start:many_params] setup: imports
torch.manual_seed(0)
model = torch.nn.Sequential(*[torch.nn.Linear(16, 16) for _ in range(50)])  # 100 small tensors
start = [p.detach().clone() for p in model.parameters()]
grads = [[torch.randn_like(p) for p in start] for _ in range(5)]  # 5 steps' gradients


def train_copy(**options):
    """Run 5 steps of SGD on a fresh copy of the model; return the copy and its optimizer."""
    params = [torch.nn.Parameter(p.clone()) for p in start]
    optimizer = torch.optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=1e-4, **options)
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = g.clone()
        optimizer.step()
    return params, optimizer
# --8<-- [end:many_params]

# --8<-- [start:implementations] setup: many_params
from torch.optim.optimizer import _default_to_fused_or_foreach

print("default on the cpu (fused, foreach):",
      _default_to_fused_or_foreach(list(model.parameters()), differentiable=False, use_fused=False))

loop, _ = train_copy()
for options in ({"foreach": True}, {"fused": True}):
    params, _ = train_copy(**options)
    same = all(torch.equal(p, q) for p, q in zip(params, loop))
    print(f"{str(options):17} bit-identical to the for-loop: {same}")
# --8<-- [end:implementations]

assert all(torch.equal(p, q) for p, q in zip(train_copy(foreach=True)[0], loop))
assert all(torch.equal(p, q) for p, q in zip(train_copy(fused=True)[0], loop))

# --8<-- [start:speed] setup: many_params
from torch.utils import benchmark

seconds = {}
for name, options in (("for-loop", {}), ("foreach", {"foreach": True}), ("fused", {"fused": True})):
    _, optimizer = train_copy(**options)  # gradients and momentum buffers are in place
    timer = benchmark.Timer("optimizer.step()", globals={"optimizer": optimizer})
    seconds[name] = timer.timeit(200).mean
print(f"for-loop time / foreach time: {seconds['for-loop'] / seconds['foreach']:.1f}")
print(f"for-loop time / fused time:   {seconds['for-loop'] / seconds['fused']:.1f}")
# --8<-- [end:speed]
