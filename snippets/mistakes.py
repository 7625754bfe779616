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
# --8<-- [start:layer] setup: imports
def layer():
    layer = torch.nn.Linear(1, 1, bias=False)
    torch.nn.init.ones_(layer.weight)
    return layer
# --8<-- [end:layer]


def conv_layer():
    conv = torch.nn.Conv2d(1, 1, kernel_size=1, bias=False)
    torch.nn.init.ones_(conv.weight)
    return conv


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
print("one Linear layer, input without grad (the loss 3w):")
step_before_backward(layer(), data)
print("one 1x1 Conv2d layer, input without grad (the loss 3w too):")
step_before_backward(conv_layer(), data.view(1, 1, 1, 1))
print("one LayerNorm layer, input without grad:")
step_before_backward(torch.nn.LayerNorm(1), data)
print("one BatchNorm1d layer, input without grad (a batch of two):")
step_before_backward(torch.nn.BatchNorm1d(1), torch.tensor([[3.0], [1.0]]))
print("one Linear layer, input with requires_grad=True:")
step_before_backward(layer(), data.clone().requires_grad_())
print("two Linear layers:")
step_before_backward(torch.nn.Sequential(layer(), layer()), data)
# --8<-- [end:step_finds_gradients]


def printed(*args):
    with contextlib.redirect_stdout(io.StringIO()) as out:
        step_before_backward(*args)
    return out.getvalue()


assert printed(layer(), data).endswith("iteration 3: weights [0.4]\n")
for model, inputs in (
    (conv_layer(), data.view(1, 1, 1, 1)),
    (torch.nn.LayerNorm(1), data),
    (torch.nn.BatchNorm1d(1), torch.tensor([[3.0], [1.0]])),
    (layer(), data.clone().requires_grad_()),
    (torch.nn.Sequential(layer(), layer()), data),
):
    assert "iteration 2: RuntimeError: one of the variables needed for gradient computation has been modified by an inplace operation" in printed(model, inputs)


# A first layer fed plain data: nn.Linear (with or without bias, 2-D or 3-D input) and
# nn.Embedding save no weight, so the mistake stays silent; nn.Conv2d, nn.LayerNorm and
# nn.BatchNorm1d save their weight whatever the input, and fail at iteration 2.
torch.manual_seed(0)
for model, inputs, fails in (
    (torch.nn.Linear(4, 2), torch.randn(3, 4), False),
    (torch.nn.Linear(4, 2, bias=False), torch.randn(3, 4), False),
    (torch.nn.Linear(4, 2), torch.randn(2, 3, 4), False),
    (torch.nn.Embedding(5, 3), torch.tensor([1, 2, 3]), False),
    (torch.nn.Conv2d(1, 1, 3), torch.randn(1, 1, 5, 5), True),
    (torch.nn.LayerNorm(4), torch.randn(3, 4), True),
    (torch.nn.BatchNorm1d(4), torch.randn(3, 4), True),
):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    failed_at = None
    for step in range(3):
        loss = model(inputs).sum()
        optimizer.step()
        optimizer.zero_grad()
        try:
            loss.backward()
        except RuntimeError as error:
            assert "modified by an inplace operation" in str(error)
            failed_at = step + 1
            break
    assert failed_at == (2 if fails else None), model


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
assert saves_weight(conv_layer(), data.view(1, 1, 1, 1))
assert saves_weight(torch.nn.LayerNorm(4), torch.randn(3, 4))
assert saves_weight(torch.nn.BatchNorm1d(4), torch.randn(3, 4))
assert not saves_weight(torch.nn.Embedding(5, 3), torch.tensor([1, 2, 3]))

# --8<-- [start:zero_first_set_to_none] setup: layer
def grads(model):
    return [None if p.grad is None else p.grad.item() for p in model.parameters()]


for set_to_none in (True, False):
    print(f"zero_grad(set_to_none={set_to_none}) first, step() before backward():")
    model = torch.nn.Sequential(layer(), layer())
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for step in range(3):
        optimizer.zero_grad(set_to_none=set_to_none)
        loss = model(torch.tensor([[3.0]])).sum()
        found = grads(model)
        optimizer.step()
        try:
            loss.backward()
        except RuntimeError as error:
            print(f"  iteration {step + 1}: step() found {found}, RuntimeError: {str(error).split('. ')[0]}")
            break
        print(f"  iteration {step + 1}: step() found {found}, weights {[p.item() for p in model.parameters()]}")
# --8<-- [end:zero_first_set_to_none]

# With zero_grad(set_to_none=False) at the top, step() adds a zero gradient in place, which
# still counts as modifying the weight: the two-layer model fails at iteration 2.
assert step == 1 and found == [0.0, 0.0] and all(p.item() == 1.0 for p in model.parameters())
model = torch.nn.Sequential(layer(), layer())
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(3):
    optimizer.zero_grad()
    loss = model(data).sum()
    optimizer.step()
    loss.backward()
assert not optimizer.state and all(p.item() == 1.0 for p in model.parameters())

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

held_weight = optimizer.param_groups[0]["params"][0]  # the weight the optimizer holds
before = model.weight.detach().clone()
optimizer.zero_grad()
model(torch.ones(1, 2)).sum().backward()
optimizer.step()
print("model's weight:    ", model.weight.grad, torch.equal(model.weight, before))
print("optimizer's weight:", held_weight.grad, torch.equal(held_weight, before))
# --8<-- [end:other_model]

assert held_weight is not model.weight and held_weight.grad is None
assert torch.equal(model.weight, before) and torch.equal(held_weight, before)
assert all(p.grad is None for p in optimizer.param_groups[0]["params"]) and not optimizer.state


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
    assert holds_model(optimizer, model) == name.startswith(("model.load_state_dict(sd)", "model.double", "model.to"))

model = torch.nn.Linear(2, 1)
sd = torch.nn.Linear(2, 1).state_dict()
model.load_state_dict(sd, assign=True)
print(
    "assign=True:", type(sd["weight"]).__name__, "->", type(model.weight).__name__,
    "sharing its storage:", model.weight.data_ptr() == sd["weight"].data_ptr(),
)
# --8<-- [end:what_replaces]

assert type(model.weight) is torch.nn.Parameter and type(sd["weight"]) is torch.Tensor
assert model.weight.data_ptr() == sd["weight"].data_ptr()

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
