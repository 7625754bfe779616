"""zero_grad(): accumulation, set_to_none, and whose gradients it clears."""

# --8<-- [start:accumulate]
# --8<-- [start:imports]
import torch
# --8<-- [end:imports]

# --8<-- [start:parameter] setup: imports
w = torch.nn.Parameter(torch.tensor(1.0))
# --8<-- [end:parameter]
for call in range(3):
    (3 * w).backward()
    print(f"after backward() #{call + 1}: w.grad = {w.grad}")
# --8<-- [end:accumulate]

assert w.grad.item() == 9.0

# --8<-- [start:one_backward] setup: imports
w = torch.nn.Parameter(torch.tensor(1.0))
(2 * w + 3 * w).backward()  # w is used twice in one graph: one backward() call
print(f"w.grad = {w.grad}")
# --8<-- [end:one_backward]

assert w.grad.item() == 5.0

# --8<-- [start:parameter_with_grad] setup: parameter
(3 * w).backward()
# --8<-- [end:parameter_with_grad]

# --8<-- [start:set_to_none] setup: parameter_with_grad
import inspect

for zero_grad in (torch.optim.Optimizer.zero_grad, torch.nn.Module.zero_grad):
    print(zero_grad.__qualname__, inspect.signature(zero_grad).parameters["set_to_none"].default)

optimizer = torch.optim.SGD([w], lr=0.1)
old = w.grad
optimizer.zero_grad()
print(w.grad)
(3 * w).backward()
print(w.grad, w.grad is old)

old = w.grad
optimizer.zero_grad(set_to_none=False)
print(w.grad, w.grad is old)
(3 * w).backward()
print(w.grad, w.grad is old)
# --8<-- [end:set_to_none]

assert w.grad is old and w.grad.item() == 3.0

# --8<-- [start:none_skips] setup: imports
for set_to_none in (True, False):
    w = torch.nn.Parameter(torch.tensor(1.0))
    optimizer = torch.optim.SGD([w], lr=0.1, momentum=0.9, weight_decay=0.1)
    (3 * w).backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=set_to_none)
    before = w.item()
    optimizer.step()
    print(f"set_to_none={set_to_none}: step() after zero_grad moved w by {w.item() - before:+.4f}")
# --8<-- [end:none_skips]

# --8<-- [start:model_vs_optimizer] setup: imports
backbone = torch.nn.Linear(2, 2)
head = torch.nn.Linear(2, 1)
model = torch.nn.Sequential(backbone, head)
optimizer = torch.optim.SGD(head.parameters(), lr=0.1)

x = torch.ones(1, 2)
model(x).sum().backward()
first = backbone.bias.grad.clone()
optimizer.zero_grad()
print("optimizer.zero_grad():", backbone.bias.grad is None, head.bias.grad is None)
model(x).sum().backward()
print("after a second backward(), backbone grad doubled:", torch.equal(backbone.bias.grad, 2 * first))
model.zero_grad()
print("model.zero_grad():    ", backbone.bias.grad is None, head.bias.grad is None)

other = torch.nn.Linear(2, 1)  # a second model, and one optimizer for both
both = torch.optim.SGD([*model.parameters(), *other.parameters()], lr=0.1)
(model(x) + other(x)).sum().backward()
both.zero_grad()
print("two models, one optimizer:", all(p.grad is None for p in [*model.parameters(), *other.parameters()]))
# --8<-- [end:model_vs_optimizer]

assert all(p.grad is None for p in [*model.parameters(), *other.parameters()])


# --8<-- [start:accumulation] setup: imports
def make_model():
    model = torch.nn.Linear(3, 1, dtype=torch.float64)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[0.1, -0.2, 0.3]]))
        model.bias.fill_(0.05)
    return model


inputs = torch.linspace(-1, 1, 24, dtype=torch.float64).reshape(8, 3)
targets = inputs.sum(dim=1, keepdim=True)
mse = torch.nn.functional.mse_loss


def train(sizes, micro_batch_loss):
    """Three SGD steps with momentum; each step accumulates over micro-batches of these sizes."""
    model = make_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for step in range(3):
        optimizer.zero_grad()
        for x, y in zip(inputs.split(sizes), targets.split(sizes)):
            micro_batch_loss(model(x), y).backward()
        optimizer.step()
    return torch.cat([model.weight.detach().flatten(), model.bias.detach()])


full = train([8], lambda out, y: mse(out, y))  # one batch of 8, mean loss
runs = {
    "4 x 2, mean / 4": train([2, 2, 2, 2], lambda out, y: mse(out, y) / 4),
    "3 + 5, sum / 8": train([3, 5], lambda out, y: mse(out, y, reduction="sum") / 8),
    "3 + 5, mean * n / 8": train([3, 5], lambda out, y: mse(out, y) * len(y) / 8),
    "3 + 5, mean / 2": train([3, 5], lambda out, y: mse(out, y) / 2),
}
for name, params in runs.items():
    print(f"{name}: {torch.allclose(params, full, rtol=1e-12, atol=0)}")
print(f"3 + 5, mean / 2 is off by up to {(runs['3 + 5, mean / 2'] - full).abs().max():.3f}")
# --8<-- [end:accumulation]

assert torch.allclose(runs["4 x 2, mean / 4"], full, rtol=1e-12, atol=0)
assert torch.allclose(runs["3 + 5, sum / 8"], full, rtol=1e-12, atol=0)
assert torch.allclose(runs["3 + 5, mean * n / 8"], full, rtol=1e-12, atol=0)
assert not torch.allclose(runs["3 + 5, mean / 2"], full, rtol=1e-3, atol=0)

# --8<-- [start:accumulation_outputs] setup: imports
torch.manual_seed(0)
model = torch.nn.Linear(3, 2, dtype=torch.float64)  # two outputs per sample
inputs = torch.randn(8, 3, dtype=torch.float64)
targets = torch.randn(8, 2, dtype=torch.float64)
mse = torch.nn.functional.mse_loss

mse(model(inputs), targets).backward()  # the mean over 8 x 2 = 16 elements
full = model.weight.grad.clone()
ratios = {}
for name, micro_batch_loss in {
    "sum / 8": lambda out, y: mse(out, y, reduction="sum") / 8,
    "sum / 16": lambda out, y: mse(out, y, reduction="sum") / 16,
    "mean * n / 8": lambda out, y: mse(out, y) * len(y) / 8,
}.items():
    model.zero_grad()
    for x, y in zip(inputs.split([3, 5]), targets.split([3, 5])):
        micro_batch_loss(model(x), y).backward()
    ratios[name] = (model.weight.grad / full).flatten().round(decimals=6).unique().tolist()
    print(f"3 + 5, {name}: {ratios[name]} x the full-batch gradient")
# --8<-- [end:accumulation_outputs]

assert ratios == {"sum / 8": [2.0], "sum / 16": [1.0], "mean * n / 8": [1.0]}

# --8<-- [start:batch_norm] setup: imports
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 1)).double()
inputs = torch.randn(8, 3, dtype=torch.float64)
targets = torch.randn(8, 1, dtype=torch.float64)
mse = torch.nn.functional.mse_loss

mse(model(inputs), targets).backward()
full = model[0].weight.grad.clone()
model.zero_grad()
for x, y in zip(inputs.split([4, 4]), targets.split([4, 4])):
    (mse(model(x), y) / 2).backward()
print(torch.allclose(model[0].weight.grad, full))
# --8<-- [end:batch_norm]


assert not torch.allclose(model[0].weight.grad, full, rtol=1e-3)
