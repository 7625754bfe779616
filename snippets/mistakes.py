"""Common training-loop mistakes: each one's wrong outcome, asserted, next to the fix."""

import contextlib
import io

# --8<-- [start:no_zero_grad]
# --8<-- [start:imports]
import copy
import warnings

import torch
# --8<-- [end:imports]


# --8<-- [start:loss_of] setup: imports
def loss_of(w):
    return 3 * w.sum()
# --8<-- [end:loss_of]


w = torch.nn.Parameter(torch.tensor(1.0))
optimizer = torch.optim.SGD([w], lr=0.1)
for step in range(3):
    before = w.item()
    loss_of(w).backward()
    optimizer.step()
    print(f"grad {w.grad.item():.1f}  step {w.item() - before:+.1f}  w {w.item():.1f}")
# --8<-- [end:no_zero_grad]

assert w.grad.item() == 9.0 and abs(w.item() - (-0.8)) < 1e-6

# --8<-- [start:no_zero_grad_fix] setup: loss_of
w = torch.nn.Parameter(torch.tensor(1.0))
optimizer = torch.optim.SGD([w], lr=0.1)
for step in range(3):
    before = w.item()
    optimizer.zero_grad()
    loss_of(w).backward()
    optimizer.step()
    print(f"grad {w.grad.item():.1f}  step {w.item() - before:+.1f}  w {w.item():.1f}")
# --8<-- [end:no_zero_grad_fix]

assert abs(w.item() - 0.1) < 1e-6

# --8<-- [start:zero_between] setup: loss_of
w = torch.nn.Parameter(torch.tensor(1.0))
optimizer = torch.optim.SGD([w], lr=0.1)
for step in range(3):
    loss = loss_of(w)
    loss.backward()
    optimizer.zero_grad()
    optimizer.step()
print(w.grad, w.detach())
# --8<-- [end:zero_between]

assert w.grad is None and w.item() == 1.0 and not optimizer.state

# --8<-- [start:zero_between_zeros] setup: loss_of
for options in ({}, {"momentum": 0.9}, {"weight_decay": 0.1}, {"momentum": 0.9, "weight_decay": 0.1}):
    w = torch.nn.Parameter(torch.tensor(1.0))
    optimizer = torch.optim.SGD([w], lr=0.1, **options)
    after_each_step = []
    for step in range(3):
        loss_of(w).backward()
        optimizer.zero_grad(set_to_none=False)
        optimizer.step()
        after_each_step.append(round(w.item(), 4))
    print(options, after_each_step, optimizer.state[w].get("momentum_buffer"))
# --8<-- [end:zero_between_zeros]

# With both, the buffer carries weight decay's pull: the parameter ends lower than with weight decay alone.
assert w.item() < 0.99**3 - 0.02 and optimizer.state[w]["momentum_buffer"].item() > 0

# Momentum alone: the first buffer is a copy of the zero gradient, and stays zero.
for options, expected in (
    ({}, 1.0),
    ({"momentum": 0.9}, 1.0),
    ({"weight_decay": 0.1}, 0.99**3),
):
    w = torch.nn.Parameter(torch.tensor(1.0))
    optimizer = torch.optim.SGD([w], lr=0.1, **options)
    for step in range(3):
        loss_of(w).backward()
        optimizer.zero_grad(set_to_none=False)
        optimizer.step()
    assert abs(w.item() - expected) < 1e-6, (options, w.item())
    if "momentum" in options:
        assert optimizer.state[w]["momentum_buffer"].item() == 0.0

# --8<-- [start:step_before_backward] setup: loss_of
w = torch.nn.Parameter(torch.tensor(1.0))
optimizer = torch.optim.SGD([w], lr=0.1)
for step in range(3):
    optimizer.zero_grad()
    loss = loss_of(w)
    optimizer.step()
    loss.backward()
print(w.grad, w.detach())
# --8<-- [end:step_before_backward]

assert w.item() == 1.0 and not optimizer.state


# --8<-- [start:step_finds_gradients] setup: imports
def layer():
    layer = torch.nn.Linear(1, 1, bias=False)
    torch.nn.init.ones_(layer.weight)
    return layer


def step_before_backward(model, inputs):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for step in range(3):
        loss = model(inputs).sum()
        optimizer.step()
        optimizer.zero_grad()
        try:
            loss.backward()
        except RuntimeError as error:
            print(f"  iteration {step + 1}: RuntimeError: {str(error).split('. ')[0]}")
            return
        print(f"  iteration {step + 1}: weights {[round(p.item(), 4) for p in model.parameters()]}")


data = torch.tensor([[3.0]])
print("one layer, input without grad (the loss 3w):")
step_before_backward(layer(), data)
print("one layer, input with requires_grad=True:")
step_before_backward(layer(), data.clone().requires_grad_())
print("two layers:")
step_before_backward(torch.nn.Sequential(layer(), layer()), data)
# --8<-- [end:step_finds_gradients]


def printed(*args):
    with contextlib.redirect_stdout(io.StringIO()) as out:
        step_before_backward(*args)
    return out.getvalue()


assert printed(layer(), data).endswith("iteration 3: weights [0.4]\n")
for model, inputs in (
    (layer(), data.clone().requires_grad_()),
    (torch.nn.Sequential(layer(), layer()), data),
):
    assert "iteration 2: RuntimeError: one of the variables needed for gradient computation has been modified by an inplace operation" in printed(model, inputs)


# nn.Linear saves its weight for backward only when its input requires grad (to compute that
# input's gradient); the weight's own gradient needs the input, not the weight.
def saves_weight(linear, inputs):
    saved = []
    with torch.autograd.graph.saved_tensors_hooks(lambda t: saved.append(t) or t, lambda t: t):
        linear(inputs)
    storage = linear.weight.untyped_storage().data_ptr()
    return any(t.untyped_storage().data_ptr() == storage for t in saved)


assert not saves_weight(layer(), data)
assert saves_weight(layer(), data.clone().requires_grad_())

# With zero_grad(set_to_none=False) at the top, step() adds a zero gradient in place, which
# still counts as modifying the weight: the two-layer model fails the same way.
model = torch.nn.Sequential(layer(), layer())
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
try:
    for step in range(3):
        optimizer.zero_grad(set_to_none=False)
        loss = model(data).sum()
        optimizer.step()
        loss.backward()
    raise AssertionError("expected a RuntimeError")
except RuntimeError as error:
    assert "modified by an inplace operation" in str(error)

# --8<-- [start:right_order] setup: loss_of
w = torch.nn.Parameter(torch.tensor(1.0))
optimizer = torch.optim.SGD([w], lr=0.1)
for step in range(3):
    optimizer.zero_grad()
    loss = loss_of(w)
    loss.backward()
    optimizer.step()
print(w.grad, w.detach())
# --8<-- [end:right_order]

# --8<-- [start:other_model] setup: imports
# --8<-- [start:optimizer_of_replaced_model] setup: imports
model = torch.nn.Linear(2, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
model = copy.deepcopy(model)
# --8<-- [end:optimizer_of_replaced_model]

before = model.weight.detach().clone()
optimizer.zero_grad()
model(torch.ones(1, 2)).sum().backward()
optimizer.step()
print(torch.equal(model.weight, before), model.weight.grad)
# --8<-- [end:other_model]

assert torch.equal(model.weight, before)


# --8<-- [start:other_model_check] setup: optimizer_of_replaced_model
# --8<-- [start:holds_model] setup: imports
def holds_model(optimizer, model):
    held = {id(p) for group in optimizer.param_groups for p in group["params"]}
    return all(id(p) in held for p in model.parameters())
# --8<-- [end:holds_model]


print(holds_model(optimizer, model))
# --8<-- [end:other_model_check]

assert not holds_model(optimizer, model)

# --8<-- [start:what_replaces] setup: holds_model
from torch.nn.utils.parametrizations import weight_norm


def load_assign(model):
    model.load_state_dict(torch.nn.Linear(2, 1).state_dict(), assign=True)
    return model


def load_copy(model):
    model.load_state_dict(torch.nn.Linear(2, 1).state_dict())
    return model


changes = {
    "torch.nn.Linear(2, 1)": lambda model: torch.nn.Linear(2, 1),
    "copy.deepcopy(model)": copy.deepcopy,
    "model.load_state_dict(sd, assign=True)": load_assign,
    "weight_norm(model)": weight_norm,
    "model.load_state_dict(sd)": load_copy,
    "model.double()": torch.nn.Linear.double,
    "model.to(torch.float64)": lambda model: model.to(torch.float64),
}
for name, change in changes.items():
    model = torch.nn.Linear(2, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    model = change(model)
    print(f"{name:40} {holds_model(optimizer, model)}")
# --8<-- [end:what_replaces]

assert holds_model(optimizer, model)

# --8<-- [start:double_keeps_parameters] setup: imports
model = torch.nn.Linear(2, 1)
weight = model.weight
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
model(torch.ones(1, 2)).sum().backward()
optimizer.step()  # creates the momentum buffers, in float32

model.double()
print(model.weight is weight, model.weight.dtype)

before = model.weight.detach().clone()
optimizer.zero_grad()
model(torch.ones(1, 2, dtype=torch.float64)).sum().backward()
optimizer.step()
print(model.weight.detach() - before)
print(optimizer.state[weight]["momentum_buffer"].dtype)
# --8<-- [end:double_keeps_parameters]

assert model.weight is weight and model.weight.dtype == torch.float64
assert not torch.equal(model.weight.detach(), before)
assert optimizer.state[weight]["momentum_buffer"].dtype == torch.float32


# --8<-- [start:scheduler_order] setup: loss_of
def learning_rates_used(scheduler_first):
    w = torch.nn.Parameter(torch.tensor(1.0))
    optimizer = torch.optim.SGD([w], lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    used = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for epoch in range(3):
            optimizer.zero_grad()
            loss_of(w).backward()
            if scheduler_first:
                scheduler.step()
            used.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            if not scheduler_first:
                scheduler.step()
    return used, [str(warning.message).split(". ")[0] for warning in caught]


print(learning_rates_used(scheduler_first=True))
print(learning_rates_used(scheduler_first=False))
# --8<-- [end:scheduler_order]

assert learning_rates_used(scheduler_first=False) == ([0.1, 0.05, 0.025], [])


# --8<-- [start:scheduler_unit] setup: loss_of
def learning_rates(make_scheduler, per_batch, epochs=2, batches_per_epoch=5):
    w = torch.nn.Parameter(torch.tensor(1.0))
    optimizer = torch.optim.SGD([w], lr=0.1)
    scheduler = make_scheduler(optimizer)
    used = []
    for epoch in range(epochs):
        for batch in range(batches_per_epoch):
            optimizer.zero_grad()
            loss_of(w).backward()
            used.append(round(optimizer.param_groups[0]["lr"], 4))
            optimizer.step()
            if per_batch:
                scheduler.step()
        if not per_batch:
            scheduler.step()
    return used


def halve_each_step(optimizer):
    return torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)


def one_cycle(optimizer):
    return torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=0.1, epochs=2, steps_per_epoch=5, cycle_momentum=False
    )


print("StepLR, per epoch:   ", learning_rates(halve_each_step, per_batch=False))
print("StepLR, per batch:   ", learning_rates(halve_each_step, per_batch=True))
print("OneCycleLR, per batch:", learning_rates(one_cycle, per_batch=True))
print("OneCycleLR, per epoch:", learning_rates(one_cycle, per_batch=False))
# --8<-- [end:scheduler_unit]

assert learning_rates(halve_each_step, per_batch=False) == [0.1] * 5 + [0.05] * 5
assert learning_rates(halve_each_step, per_batch=True)[:3] == [0.1, 0.05, 0.025]
assert max(learning_rates(one_cycle, per_batch=True)) == 0.1
assert max(learning_rates(one_cycle, per_batch=False)) < 0.1
