"""What optimizer.step() does to a parameter, shown on numbers."""

# --8<-- [start:before_after]
# --8<-- [start:imports]
import torch
# --8<-- [end:imports]

w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
optimizer = torch.optim.SGD([w], lr=0.1)

loss = (w**2).sum()
loss.backward()
print("grad  ", w.grad)
print("before", w.detach())
optimizer.step()
print("after ", w.detach())
# --8<-- [end:before_after]

assert torch.equal(w.detach(), torch.tensor([1.0, -2.0]) - 0.1 * torch.tensor([2.0, -4.0]))

# --8<-- [start:after_one_step] setup: imports
w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
optimizer = torch.optim.SGD([w], lr=0.1)
(w**2).sum().backward()
optimizer.step()
# --8<-- [end:after_one_step]

# --8<-- [start:in_place] setup: after_one_step
address = w.data_ptr()
optimizer.step()
print(w.data_ptr() == address, w is optimizer.param_groups[0]["params"][0])
print(w.is_leaf, w.grad_fn, w.requires_grad)
# --8<-- [end:in_place]

# --8<-- [start:no_grad] setup: after_one_step
try:
    w -= 0.1 * w.grad
except RuntimeError as error:
    print(error)

with torch.no_grad():
    w -= 0.1 * w.grad
print(w.is_leaf)
# --8<-- [end:no_grad]

# --8<-- [start:by_hand] setup: imports
def sgd_step_by_hand(optimizer):
    with torch.no_grad():
        for group in optimizer.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    p.add_(p.grad, alpha=-group["lr"])


a = torch.nn.Parameter(torch.tensor([0.5, -1.5, 3.0]))
b = torch.nn.Parameter(a.detach().clone())
a.grad = torch.tensor([0.25, 1.0, -2.0])
b.grad = a.grad.clone()
torch.optim.SGD([a], lr=0.3).step()
sgd_step_by_hand(torch.optim.SGD([b], lr=0.3))
print(torch.equal(a, b), a.detach())
# --8<-- [end:by_hand]

# --8<-- [start:none_grad] setup: imports
a = torch.nn.Parameter(torch.tensor(1.0))
b = torch.nn.Parameter(torch.tensor(1.0))
optimizer = torch.optim.SGD([a, b], lr=0.1, momentum=0.9, weight_decay=0.1)

(3 * a).backward()
print(a.grad, b.grad)
optimizer.step()
print(a.detach(), b.detach())
print(a in optimizer.state, b in optimizer.state)
# --8<-- [end:none_grad]

assert b.item() == 1.0 and abs(a.item() - (1 - 0.1 * (3 + 0.1 * 1))) < 1e-7

# --8<-- [start:closure] setup: imports
# --8<-- [start:closure_fn] setup: imports
w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
optimizer = torch.optim.SGD([w], lr=0.1)


def closure():
    optimizer.zero_grad()
    loss = (w**2).sum()
    loss.backward()
    return loss
# --8<-- [end:closure_fn]


print(optimizer.step(closure))
print(optimizer.step())
print(w.detach())
# --8<-- [end:closure]

# --8<-- [start:lbfgs] setup: closure_fn
lbfgs = torch.optim.LBFGS([w])
try:
    lbfgs.step()
except TypeError as error:
    print(error)
print(lbfgs.step(closure))
# --8<-- [end:lbfgs]
