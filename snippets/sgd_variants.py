"""Every term of torch.optim.SGD's update, checked against the formula on numbers."""

# --8<-- [start:helper]
import itertools
import math

# --8<-- [start:imports]
import torch
# --8<-- [end:imports]


def torch_sgd(grads, theta=1.0, **options):
    """Run torch.optim.SGD on one float64 scalar; return theta after each step."""
    p = torch.nn.Parameter(torch.tensor(theta, dtype=torch.float64))
    optimizer = torch.optim.SGD([p], **options)
    thetas = []
    for g in grads:
        p.grad = torch.tensor(g, dtype=torch.float64)
        optimizer.step()
        thetas.append(p.item())
    return thetas
# --8<-- [end:helper]


# --8<-- [start:defaults] setup: imports
import inspect

signature = inspect.signature(torch.optim.SGD)
print({name: p.default for name, p in signature.parameters.items() if p.default is not p.empty})
# --8<-- [end:defaults]

# --8<-- [start:implementation] setup: imports
from torch.optim.optimizer import _default_to_fused_or_foreach
from torch.utils._foreach_utils import _get_foreach_kernels_supported_devices

p = torch.nn.Parameter(torch.tensor([1.0, -2.0, 0.5]))  # on the CPU
# With foreach=None and fused=None, SGD asks this function, with use_fused=False:
fused, foreach = _default_to_fused_or_foreach([p], differentiable=False, use_fused=False)
print(f"{p.device.type}: fused={fused}, foreach={foreach}")
print("foreach kernels on:", _get_foreach_kernels_supported_devices())


class MyParameter(torch.nn.Parameter):  # a subclass, not a plain Parameter
    pass


# use_fused=True, which the CPU supports: only the type can say no
type_answers = {}
for param in (p, MyParameter(p.detach().clone())):
    type_answers[type(param).__name__], _ = _default_to_fused_or_foreach(
        [param], differentiable=False, use_fused=True)
print("use_fused=True on the cpu:", type_answers)
# --8<-- [end:implementation]

assert (fused, foreach) == (False, False)
assert "cpu" not in _get_foreach_kernels_supported_devices()
assert "cuda" in _get_foreach_kernels_supported_devices()
assert type_answers == {"Parameter": True, "MyParameter": False}

# --8<-- [start:implementation_choice] setup: imports
import collections

from torch.optim import sgd as sgd_module  # the module of torch.optim.SGD
from torch.overrides import TorchFunctionMode


class CountOps(TorchFunctionMode):
    """Count the in-place torch functions (add_, ...) called inside a `with` block."""

    def __init__(self):
        super().__init__()
        self.ops = collections.Counter()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name.endswith("_") and not name.endswith("__"):
            self.ops[name] += 1
        return func(*args, **(kwargs or {}))


answers = []  # what the helper answered, (fused, foreach), each time it was asked
real_helper = sgd_module._default_to_fused_or_foreach


def helper_that_logs(params, differentiable, use_fused=False):
    answers.append(real_helper(params, differentiable, use_fused))
    return answers[-1]


sgd_module._default_to_fused_or_foreach = helper_that_logs  # sgd() looks it up here


def new_group(**options):  # two float32 parameters and a float64 one, with gradients
    params = [torch.nn.Parameter(torch.ones(2, dtype=dtype))
              for dtype in (torch.float32, torch.float32, torch.float64)]
    for param in params:
        param.grad = torch.ones_like(param)
    return {"params": params, **options}


for groups in ([{}], [{"fused": False}], [{"foreach": True}], [{"fused": True}], [{}, {"fused": True}]):
    answers.clear()
    optimizer = torch.optim.SGD([new_group(**options) for options in groups], lr=0.1)
    with CountOps() as counter:
        optimizer.step()
    ops = ", ".join(f"{name} x{n}" for name, n in counter.ops.items())
    print(f"{' + '.join(map(str, groups)):22} helper: {str(answers):16} ops: {ops}")

sgd_module._default_to_fused_or_foreach = real_helper
# --8<-- [end:implementation_choice]

assert answers == [(False, False)] and counter.ops == {"add_": 3, "_fused_sgd_": 2}

# --8<-- [start:implementation_results] setup: imports
results = {}
for name, options in (("for-loop", {}), ("foreach", {"foreach": True}), ("fused", {"fused": True})):
    q = torch.nn.Parameter(torch.tensor([1.0, -2.0, 0.5]))
    optimizer = torch.optim.SGD([q], lr=0.1, momentum=0.9, weight_decay=0.01, **options)
    for g in ([0.5, -1.0, 2.0], [0.1, 0.2, -0.3], [1.0, 1.0, 1.0]):
        q.grad = torch.tensor(g)
        optimizer.step()
    results[name] = q.detach()
for name in ("foreach", "fused"):
    difference = (results[name] - results["for-loop"]).abs().max().item()
    print(f"{name:7} vs for-loop: largest difference {difference:.1e}")

# q gets its first gradient at the second step, when p already has a momentum buffer
late = {}
for name, options in (("for-loop", {}), ("foreach", {"foreach": True}), ("fused", {"fused": True})):
    p, q = torch.nn.Parameter(torch.tensor(1.0)), torch.nn.Parameter(torch.tensor(1.0))
    optimizer = torch.optim.SGD([p, q], lr=0.1, momentum=0.9, **options)
    p.grad = torch.tensor(2.0)
    optimizer.step()  # q.grad is None: q is skipped
    p.grad, q.grad = torch.tensor(2.0), torch.tensor(2.0)
    try:
        optimizer.step()
        late[name] = f"q {q.item():.4f}, buffer {optimizer.state[q]['momentum_buffer'].item()}"
    except TypeError as error:
        late[name] = f"TypeError: {error}"
    print(f"{name:8} late first gradient: {late[name]}")
# --8<-- [end:implementation_results]

assert torch.equal(results["foreach"], results["for-loop"])
assert torch.allclose(results["fused"], results["for-loop"], rtol=0, atol=1e-6)
assert late["for-loop"] == late["foreach"] == "q 0.8000, buffer 2.0"
assert late["fused"].startswith("TypeError")

# --8<-- [start:plain] setup: helper
# --8<-- [start:values]
theta, g, lr = 1.0, 2.0, 0.1
# --8<-- [end:values]
print(theta - lr * g, torch_sgd([g], theta, lr=lr))
# --8<-- [end:plain]

assert torch_sgd([g], theta, lr=lr) == [theta - lr * g]

# --8<-- [start:weight_decay] setup: helper, values
weight_decay = 0.5
by_formula = theta - lr * (g + weight_decay * theta)
print(by_formula, torch_sgd([g], theta, lr=lr, weight_decay=weight_decay))
# --8<-- [end:weight_decay]

# --8<-- [start:momentum] setup: imports
# --8<-- [start:param] setup: imports
p = torch.nn.Parameter(torch.tensor(1.0))
# --8<-- [end:param]
optimizer = torch.optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.5)
for t in (1, 2):
    p.grad = torch.tensor(2.0)
    optimizer.step()
    buffer = optimizer.state[p]["momentum_buffer"]
    print(f"t={t}  buffer {buffer.item():.4f}  theta {p.item():.4f}")
# --8<-- [end:momentum]

assert math.isclose(buffer.item(), 2.8, rel_tol=1e-6) and math.isclose(p.item(), 0.52, rel_tol=1e-6)

# --8<-- [start:buffer_exists] setup: param
no_momentum = torch.optim.SGD([p], lr=0.1)
p.grad = torch.tensor(2.0)
no_momentum.step()
print("momentum=0, after a step:", dict(no_momentum.state))

q = torch.nn.Parameter(torch.tensor(1.0))
optimizer = torch.optim.SGD([q], lr=0.1, momentum=0.9, dampening=0.5)
optimizer.step()  # q.grad is None: q is skipped
print("momentum=0.9, after a step that skipped q:", dict(optimizer.state))
q.grad = torch.tensor(2.0)
optimizer.step()  # q's first step with a gradient
print("after q's first step with a gradient, buffer", optimizer.state[q]["momentum_buffer"].item())
# --8<-- [end:buffer_exists]

assert len(no_momentum.state) == 0 and optimizer.state[q]["momentum_buffer"].item() == 2.0


# --8<-- [start:reference]
def sgd_by_formula(grads, theta, lr, momentum=0.0, dampening=0.0,
                   weight_decay=0.0, nesterov=False, maximize=False):
    thetas, b = [], None
    for g in grads:
        if maximize:
            g = -g
        if weight_decay != 0:
            g = g + weight_decay * theta
        if momentum != 0:
            b = g if b is None else momentum * b + (1 - dampening) * g
            g = g + momentum * b if nesterov else b
        theta = theta - lr * g
        thetas.append(theta)
    return thetas
# --8<-- [end:reference]


# --8<-- [start:grid] setup: helper, reference
grads = [2.0, -1.0, 0.5, 0.0, 3.0]
combinations = list(itertools.product([0.0, 0.9], [0.0, 0.5], [0.0, 0.1], [False, True], [False, True]))
refused, agreed = [], 0
for momentum, dampening, weight_decay, nesterov, maximize in combinations:
    options = dict(lr=0.1, momentum=momentum, dampening=dampening,
                   weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
    try:
        theirs = torch_sgd(grads, 1.0, **options)
    except ValueError:  # torch.optim.SGD refuses this combination
        refused.append(options)
        continue
    ours = sgd_by_formula(grads, 1.0, **options)
    assert all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(ours, theirs)), options
    agreed += 1
print(f"{len(combinations)} combinations: {len(refused)} refused by torch.optim.SGD, "
      f"{agreed} agree with the formula at each of {len(grads)} steps")
# --8<-- [end:grid]

assert (len(combinations), len(refused), agreed) == (32, 12, 20)
assert all(o["nesterov"] and (o["momentum"] == 0 or o["dampening"] != 0) for o in refused)

# --8<-- [start:nesterov_rule] setup: param
for momentum, dampening in ((0.0, 0.0), (0.9, 0.5)):
    try:
        torch.optim.SGD([p], lr=0.1, momentum=momentum, dampening=dampening, nesterov=True)
    except ValueError as error:
        print(f"momentum={momentum}, dampening={dampening}: {error}")
# --8<-- [end:nesterov_rule]

# --8<-- [start:maximize] setup: helper, reference
options = dict(lr=0.1, weight_decay=0.5, maximize=True)
print("torch.optim.SGD   ", torch_sgd([2.0], 1.0, **options))
print("negate, then decay", sgd_by_formula([2.0], 1.0, **options))
print("decay, then negate", [1.0 - 0.1 * -(2.0 + 0.5 * 1.0)])
# --8<-- [end:maximize]


# --8<-- [start:sutskever]
def pytorch_form(grads, lrs, mu, theta=1.0):
    b = None
    for g, lr in zip(grads, lrs):
        b = g if b is None else mu * b + g
        theta = theta - lr * b
    return theta


def sutskever_form(grads, lrs, mu, theta=1.0):
    v = 0.0
    for g, lr in zip(grads, lrs):
        v = mu * v + lr * g
        theta = theta - v
    return theta


# --8<-- [start:unit_grads]
grads, mu = [1.0, 1.0, 1.0, 1.0], 0.9
# --8<-- [end:unit_grads]
constant = [0.1] * 4
halving = [0.1, 0.05, 0.025, 0.0125]
print(f"constant lr: pytorch {pytorch_form(grads, constant, mu):.6f}  "
      f"sutskever {sutskever_form(grads, constant, mu):.6f}")
print(f"halving lr:  pytorch {pytorch_form(grads, halving, mu):.6f}  "
      f"sutskever {sutskever_form(grads, halving, mu):.6f}")
# --8<-- [end:sutskever]

# --8<-- [start:sutskever_torch] setup: imports, unit_grads
p = torch.nn.Parameter(torch.tensor(1.0, dtype=torch.float64))
optimizer = torch.optim.SGD([p], lr=0.1, momentum=0.9)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
for g in grads:
    p.grad = torch.tensor(g, dtype=torch.float64)
    optimizer.step()
    scheduler.step()
print(f"torch.optim.SGD + StepLR: {p.item():.6f}")
# --8<-- [end:sutskever_torch]

assert math.isclose(p.item(), pytorch_form(grads, halving, mu), rel_tol=1e-12)
assert not math.isclose(p.item(), sutskever_form(grads, halving, mu), rel_tol=1e-3)

# --8<-- [start:reference_beside_torch] setup: imports
from reference_optim import SGD as ReferenceSGD

options = dict(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01, maximize=True)
ours = torch.nn.Parameter(torch.tensor([1.0, -2.0, 0.5]))
theirs = torch.nn.Parameter(ours.detach().clone())
reference = ReferenceSGD([ours], **options)
optimizer = torch.optim.SGD([theirs], **options)
for g in ([0.5, -1.0, 2.0], [0.1, 0.2, -0.3], [1.0, 1.0, 1.0]):
    ours.grad, theirs.grad = torch.tensor(g), torch.tensor(g)
    reference.step()
    optimizer.step()
    print(ours.detach(), torch.equal(ours, theirs))
# --8<-- [end:reference_beside_torch]
