"""Common training-loop mistakes: each one's wrong outcome, asserted, next to the fix."""

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
    loss_of(w).backward()
    optimizer.step()
    print(f"grad {w.grad.item():.1f}  w {w.item():.1f}")
# --8<-- [end:no_zero_grad]

assert w.grad.item() == 9.0

# --8<-- [start:no_zero_grad_fix] setup: loss_of
w = torch.nn.Parameter(torch.tensor(1.0))
optimizer = torch.optim.SGD([w], lr=0.1)
for step in range(3):
    optimizer.zero_grad()
    loss_of(w).backward()
    optimizer.step()
    print(f"grad {w.grad.item():.1f}  w {w.item():.1f}")
# --8<-- [end:no_zero_grad_fix]

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

assert w.grad is None and w.item() == 1.0

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

assert w.item() == 1.0

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

# --8<-- [start:other_model_check] setup: optimizer_of_replaced_model
optimized = {id(p) for group in optimizer.param_groups for p in group["params"]}
print(all(id(p) in optimized for p in model.parameters()))
# --8<-- [end:other_model_check]


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
