"""Using the reference optimizers like torch.optim; what they leave out; AMSGrad's maximum."""

# --8<-- [start:import]
import torch

from reference_optim import SGD

w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
optimizer = SGD([w], lr=0.1)
(w**2).sum().backward()
optimizer.step()
print(w.detach())
# --8<-- [end:import]

assert torch.equal(w.detach(), torch.tensor([0.8, -1.6]))

# --8<-- [start:arguments]
import inspect

import torch

import reference_optim

for name in ("SGD", "Adam", "AdamW", "Muon"):
    theirs = inspect.signature(getattr(torch.optim, name)).parameters
    ours = inspect.signature(getattr(reference_optim, name)).parameters
    same = all(a in theirs and ours[a].default == theirs[a].default for a in ours)
    print(f"{name}: takes {list(ours)}")
    print(f"  all of them torch.optim.{name}'s, with the same defaults: {same}")
    print(f"  not taken: {[a for a in theirs if a not in ours]}")
print("step() arguments:", list(inspect.signature(torch.optim.SGD.step).parameters),
      "vs", list(inspect.signature(reference_optim.SGD.step).parameters))
methods = [a for a in dir(torch.optim.Optimizer) if not a.startswith("_")
           and inspect.isfunction(getattr(torch.optim.Optimizer, a))]
print("torch.optim.Optimizer methods it lacks:", [a for a in methods if not hasattr(reference_optim.Optimizer, a)])
# --8<-- [end:arguments]

missing = {name: [a for a in inspect.signature(getattr(torch.optim, name)).parameters
                  if a not in inspect.signature(getattr(reference_optim, name)).parameters]
           for name in ("SGD", "Adam", "AdamW", "Muon")}
assert missing == {
    "SGD": ["foreach", "differentiable", "fused"],
    "Adam": ["foreach", "capturable", "differentiable", "fused", "decoupled_weight_decay"],
    "AdamW": ["foreach", "capturable", "differentiable", "fused"],
    "Muon": [],
}
assert "closure" in inspect.signature(torch.optim.SGD.step).parameters
assert "closure" not in inspect.signature(reference_optim.SGD.step).parameters
assert not hasattr(reference_optim.Optimizer, "state_dict")


# --8<-- [start:behaviour]
import torch

import reference_optim


def attempt(action):
    """"works" if the action runs, else the exception it raises."""
    try:
        action()
        return "works"
    except Exception as error:
        return f"{type(error).__name__}: {error}"


for module in (torch.optim, reference_optim):
    model = torch.nn.Linear(2, 1)
    model(torch.ones(2)).sum().backward()
    adam = module.Adam(model.parameters())
    adam.step()
    retained = model.bias * 2  # not a leaf ...
    retained.retain_grad()  # ... but it keeps its .grad
    print(module.__name__)
    print("  state['step']:", repr(adam.state[model.bias]["step"]))
    print("  StepLR(adam):", attempt(lambda: torch.optim.lr_scheduler.StepLR(adam, step_size=1)))
    print("  SGD(model.named_parameters()).step():",
          attempt(lambda: module.SGD(model.named_parameters(), lr=0.1).step()))
    print("  a number, not a tensor:", attempt(lambda: module.SGD([1.0])))
    print("  one parameter in two groups:",
          attempt(lambda: module.SGD([{"params": [model.bias]}, {"params": [model.bias]}])))
    print("  a tensor that is not a leaf:", attempt(lambda: module.SGD([model.bias * 2])))
    print("  a non-leaf after retain_grad():", attempt(lambda: module.SGD([retained])))
# --8<-- [end:behaviour]

for module, step_type in ((torch.optim, torch.Tensor), (reference_optim, int)):
    model = torch.nn.Linear(2, 1)
    model(torch.ones(2)).sum().backward()
    adam = module.Adam(model.parameters())
    adam.step()
    assert type(adam.state[model.bias]["step"]) is step_type
    scheduler_error = attempt(lambda: torch.optim.lr_scheduler.StepLR(adam, step_size=1))
    assert (scheduler_error == "works") == (module is torch.optim)

# The checks on params: torch.optim makes them, the reference does not (the page's list).
bias = torch.nn.Linear(2, 1).bias
non_leaf = bias * 2
assert attempt(lambda: torch.optim.SGD([1.0])).startswith(
    "TypeError: optimizer can only optimize Tensors")
assert attempt(lambda: reference_optim.SGD([1.0])) == "works"
assert attempt(lambda: torch.optim.SGD([non_leaf])) == "ValueError: can't optimize a non-leaf Tensor"
assert attempt(lambda: torch.optim.SGD([non_leaf], differentiable=True)) == "works"
non_leaf.retain_grad()
assert attempt(lambda: torch.optim.SGD([non_leaf])) == "works"
# A set as a group's params is refused by both; a set passed as params becomes a list in both.
for module in (torch.optim, reference_optim):
    assert attempt(lambda: module.SGD([{"params": {bias}}])).startswith("TypeError: ")
    assert type(module.SGD({bias}).param_groups[0]["params"]) is list
