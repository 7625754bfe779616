"""Which parameters optimizer.step() updates, and which it leaves alone."""

# --8<-- [start:setup]
# --8<-- [start:imports]
import torch
# --8<-- [end:imports]


def make_model():
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Linear(2, 1))
    with torch.no_grad():
        for p in model.parameters():
            p.fill_(0.5)
    return model


x = torch.tensor([[1.0, 2.0]])
# --8<-- [end:setup]

# --8<-- [start:param_groups] setup: setup
# --8<-- [start:model] setup: setup
model = make_model()
# --8<-- [end:model]
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

group = optimizer.param_groups[0]
print(len(optimizer.param_groups), len(group["params"]))
print({key: value for key, value in group.items() if key != "params"})
print(all(p is q for p, q in zip(group["params"], model.parameters())))
# --8<-- [end:param_groups]

# --8<-- [start:not_given] setup: setup
model = make_model()
optimizer = torch.optim.SGD(model[0].parameters(), lr=0.1)

model(x).sum().backward()
before = [p.detach().clone() for p in model.parameters()]
optimizer.step()

for (name, p), old in zip(model.named_parameters(), before):
    print(f"{name:8} grad is None: {p.grad is None!s:5}  changed: {not torch.equal(p, old)}")
# --8<-- [end:not_given]

assert torch.equal(model[1].weight.detach(), torch.full((1, 2), 0.5))

# --8<-- [start:frozen] setup: setup
# --8<-- [start:frozen_model] setup: setup
model = make_model()
model[0].weight.requires_grad_(False)
# --8<-- [end:frozen_model]
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

model(x).sum().backward()
optimizer.step()
print(model[0].weight.grad)
print(model[0].weight.detach())
# --8<-- [end:frozen]

# --8<-- [start:frozen_with_grad] setup: setup
model = make_model()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
model(x).sum().backward()  # the first layer's weight gets a gradient
model[0].weight.requires_grad_(False)  # frozen afterwards: its .grad is kept
optimizer.step()
print(model[0].weight.requires_grad, model[0].weight.grad is None)
print(model[0].weight.detach())
# --8<-- [end:frozen_with_grad]

assert not torch.equal(model[0].weight.detach(), torch.full((2, 2), 0.5))

# --8<-- [start:trainable_only] setup: frozen_model
trainable = [p for p in model.parameters() if p.requires_grad]
optimizer = torch.optim.SGD(trainable, lr=0.1)
print(len(trainable), "of", len(list(model.parameters())))
# --8<-- [end:trainable_only]

# --8<-- [start:none_vs_zeros] setup: imports
def one_step(grad):
    p = torch.nn.Parameter(torch.tensor(1.0))
    p.grad = grad
    torch.optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.1).step()
    return p.detach()


print("grad None  ->", one_step(None))
print("grad zeros ->", one_step(torch.tensor(0.0)))
# --8<-- [end:none_vs_zeros]

assert one_step(None).item() == 1.0
assert abs(one_step(torch.tensor(0.0)).item() - 0.99) < 1e-7

# --8<-- [start:groups] setup: setup
model = make_model()
optimizer = torch.optim.SGD(
    [
        {"params": model[0].parameters()},
        {"params": model[1].parameters(), "lr": 0.01},
    ],
    lr=0.1,
)
for p in model.parameters():
    p.grad = torch.ones_like(p)
optimizer.step()

print("optimizer.defaults:", optimizer.defaults)
print("lr of each group: ", [group["lr"] for group in optimizer.param_groups])
print(model[0].bias.detach(), model[1].bias.detach())
# --8<-- [end:groups]

# Unset keys of a group are copied from optimizer.defaults, which holds the constructor's
# arguments and SGD's defaults for the rest (lr=0.001 would be SGD's own default).
assert optimizer.defaults["lr"] == 0.1 and optimizer.defaults["momentum"] == 0
assert [group["lr"] for group in optimizer.param_groups] == [0.1, 0.01]
assert all(
    group[key] == optimizer.defaults[key]
    for group in optimizer.param_groups
    for key in optimizer.defaults
    if key != "lr"
)
assert torch.optim.SGD([torch.nn.Parameter(torch.tensor(1.0))]).defaults["lr"] == 0.001

# --8<-- [start:differentiable_group] setup: imports
p = torch.nn.Parameter(torch.tensor(1.0))
p.grad = torch.tensor(1.0)
optimizer = torch.optim.SGD([{"params": [p], "differentiable": True}], lr=0.1)
optimizer.step()  # still under torch.no_grad(): the group's value is not what counts
print(optimizer.defaults["differentiable"], optimizer.param_groups[0]["differentiable"], p.detach())

q = torch.nn.Parameter(torch.tensor(1.0))
q.grad = torch.tensor(1.0)
try:
    torch.optim.SGD([q], lr=0.1, differentiable=True).step()  # autograd on during step()
except RuntimeError as error:
    print(error)
# --8<-- [end:differentiable_group]

assert abs(p.item() - 0.9) < 1e-7  # the group with differentiable=True stepped normally
assert p.grad_fn is None  # the in-place update was not recorded by autograd
assert q.item() == 1.0  # the constructor's differentiable=True made step() fail

# --8<-- [start:state_keys] setup: setup
model = make_model()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
model(x).sum().backward()
optimizer.step()

key = next(iter(optimizer.state))
print(type(key).__name__, key is model[0].weight)
saved = optimizer.state_dict()
print(list(saved["state"]), saved["param_groups"][0]["params"])
# --8<-- [end:state_keys]

assert all(isinstance(k, torch.nn.Parameter) for k in optimizer.state)
assert list(saved["state"]) == [0, 1, 2, 3]

# --8<-- [start:named] setup: model
optimizer = torch.optim.SGD(model.named_parameters(), lr=0.1)
print(optimizer.state_dict()["param_groups"][0]["param_names"])
print(optimizer.state_dict()["param_groups"][0]["params"])
# --8<-- [end:named]

# --8<-- [start:load_by_position] setup: imports
a = torch.nn.Parameter(torch.tensor(1.0))
b = torch.nn.Parameter(torch.tensor(1.0))
saving = torch.optim.SGD([("a", a), ("b", b)], lr=0.1, momentum=0.9)
a.grad, b.grad = torch.tensor(1.0), torch.tensor(-1.0)
saving.step()

loading = torch.optim.SGD([("b", b), ("a", a)], lr=0.1, momentum=0.9)  # same tensors, other order
loading.load_state_dict(saving.state_dict())
print("a's buffer, saved: ", saving.state[a]["momentum_buffer"])
print("a's buffer, loaded:", loading.state[a]["momentum_buffer"])
print(loading.param_groups[0]["param_names"], loading.param_groups[0]["params"][0] is b)
# --8<-- [end:load_by_position]

assert loading.state[a]["momentum_buffer"].item() == -1.0

# --8<-- [start:set_rejected] setup: model
try:
    torch.optim.SGD([{"params": set(model.parameters())}], lr=0.1)
except TypeError as error:
    print(error)

unordered = torch.optim.SGD(set(model.parameters()), lr=0.1)
print(type(unordered.param_groups[0]["params"]).__name__)
# --8<-- [end:set_rejected]
