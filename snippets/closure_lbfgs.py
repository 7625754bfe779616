"""step(closure): what the closure must do, what step() returns, and LBFGS."""

import inspect

# --8<-- [start:data]
# --8<-- [start:imports]
import torch
# --8<-- [end:imports]

# Fit y = a * x + b to five points: least squares, unknowns w = (a, b).
x = torch.tensor([0.0, 1.0, 2.0, 3.0, 4.0])
y = torch.tensor([1.0, 2.9, 5.2, 7.1, 8.8])
X = torch.stack([x, torch.ones(5)], dim=1)  # columns: x and 1
# --8<-- [end:data]

# --8<-- [start:least_squares] setup: data
w = torch.nn.Parameter(torch.zeros(2))
optimizer = torch.optim.LBFGS([w])
losses = []  # the loss of every call of the closure


def closure():
    optimizer.zero_grad()
    loss = ((X @ w - y) ** 2).mean()
    loss.backward()
    losses.append(round(loss.item(), 4))
    return loss


optimizer.step(closure)  # one call of step()
print("LBFGS:", w.detach())
print("closure calls:", len(losses), losses)
print("state:", {key: optimizer.state[w][key] for key in ("func_evals", "n_iter")})
exact = torch.linalg.lstsq(X, y.unsqueeze(1)).solution.squeeze(1)
print("exact:", exact, "largest difference below 1e-6:", (w - exact).abs().max().item() < 1e-6)
# --8<-- [end:least_squares]

assert len(losses) == optimizer.state[w]["func_evals"] == optimizer.state[w]["n_iter"] == 5
assert torch.allclose(exact, torch.tensor([1.98, 1.04]))  # by hand: slope 19.8 / 10, 5 - 2 * 1.98
assert (w - exact).abs().max() < 1e-5

# --8<-- [start:broken] setup: data
def fit(zero_grad=True, backward=True, return_loss=True):
    w = torch.nn.Parameter(torch.zeros(2))
    optimizer = torch.optim.LBFGS([w])
    calls = []

    def closure():
        calls.append(1)
        if zero_grad:
            optimizer.zero_grad()
        loss = ((X @ w - y) ** 2).mean()
        if backward:
            loss.backward()
        return loss if return_loss else None

    try:
        optimizer.step(closure)
    except TypeError as error:
        print("   ", error)
    loss = ((X @ w - y) ** 2).mean().item()
    print(f"    calls: {len(calls)}, w: {w.detach()}, loss: {loss:.4g}, grad: {w.grad}")


print("no zero_grad():")
fit(zero_grad=False)
print("no backward():")
fit(backward=False)
print("no return:")
fit(return_loss=False)
# --8<-- [end:broken]

# --8<-- [start:enable_grad] setup: imports
w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
optimizer = torch.optim.SGD([w], lr=0.1)
recording = []  # torch.is_grad_enabled() at every call of the closure


def closure():
    recording.append(torch.is_grad_enabled())
    optimizer.zero_grad()
    loss = (w**2).sum()
    loss.backward()
    return loss


with torch.no_grad():
    optimizer.step(closure)
    try:
        closure()  # called directly, under no_grad
    except RuntimeError as error:
        print(error)
print(recording, w.detach())
# --8<-- [end:enable_grad]

assert recording == [True, False] and torch.allclose(w.detach(), torch.tensor([0.8, -1.6]))

# Every optimizer of torch.optim but LBFGS takes the closure as optional, calls it exactly once
# with recording on, and returns what it returned.
for name in ("ASGD", "Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "Muon",
             "NAdam", "RAdam", "RMSprop", "Rprop", "SGD"):
    w = torch.nn.Parameter(torch.ones(2, 2))
    optimizer = getattr(torch.optim, name)([w])
    recording = []
    seen = []

    def closure():
        recording.append(torch.is_grad_enabled())
        seen.append(torch.equal(w, torch.ones(2, 2)))  # not updated yet
        optimizer.zero_grad()
        loss = (w**2).sum()
        loss.backward()
        seen.append(loss)
        return loss

    with torch.no_grad():
        returned = optimizer.step(closure)
    assert recording == [True] and seen[0] is True and returned is seen[1], name
    assert not torch.equal(w, torch.ones(2, 2)), name

torch.manual_seed(0)
embedding = torch.nn.Embedding(3, 2, sparse=True)  # SparseAdam needs sparse gradients
optimizer = torch.optim.SparseAdam(embedding.parameters())
recording = []


weight = embedding.weight.detach().clone()
seen = []


def closure():
    recording.append(torch.is_grad_enabled())
    assert torch.equal(embedding.weight, weight)  # not updated yet
    optimizer.zero_grad()
    loss = embedding(torch.tensor([0, 2])).sum()
    loss.backward()
    seen.append(loss)
    return loss


with torch.no_grad():
    returned = optimizer.step(closure)
assert recording == [True] and returned is seen[0] and returned.grad_fn is not None

assert not torch.equal(embedding.weight, weight)

# Only LBFGS.step has no default for closure; every other step(closure=None).
for name in ("ASGD", "Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "Muon",
             "NAdam", "RAdam", "RMSprop", "Rprop", "SGD", "SparseAdam"):
    assert inspect.signature(getattr(torch.optim, name).step).parameters["closure"].default is None
assert inspect.signature(torch.optim.LBFGS.step).parameters["closure"].default is inspect.Parameter.empty

assert {
    name
    for name in dir(torch.optim)
    if isinstance(getattr(torch.optim, name), type)
    and issubclass(getattr(torch.optim, name), torch.optim.Optimizer)
    and getattr(torch.optim, name) is not torch.optim.Optimizer
} == {"ASGD", "Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "Muon", "NAdam",
      "RAdam", "RMSprop", "Rprop", "SGD", "SparseAdam", "LBFGS"}

# --8<-- [start:returns] setup: imports
make = {
    "SGD": lambda params: torch.optim.SGD(params, lr=0.1),
    "Adam": lambda params: torch.optim.Adam(params, lr=0.1),
    "LBFGS": lambda params: torch.optim.LBFGS(params),
}
for name, make_optimizer in make.items():
    w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    optimizer = make_optimizer([w])
    losses = []

    def closure():
        optimizer.zero_grad()
        loss = (w**2).sum()
        loss.backward()
        losses.append(loss)
        return loss

    returned = optimizer.step(closure)
    print(f"{name:5} returned {returned.item():.4g}, first call's loss: {returned is losses[0]},",
          f"calls: {len(losses)}, loss now: {(w**2).sum().item():.4g}")
print(torch.optim.SGD([w], lr=0.1).step())  # no closure
# --8<-- [end:returns]

assert returned is losses[0] and len(losses) == 3 and losses[-1].item() < 1e-12

# --8<-- [start:stopping] setup: data
def fit(**options):
    w = torch.nn.Parameter(torch.zeros(2))
    optimizer = torch.optim.LBFGS([w], **options)

    def closure():
        optimizer.zero_grad()
        loss = ((X @ w - y) ** 2).mean()
        loss.backward()
        return loss

    optimizer.step(closure)
    state = optimizer.state[w]
    print(f"{options!s:26} calls: {state['func_evals']}, iterations: {state['n_iter']},",
          f"w: {w.detach()}, max |grad|: {w.grad.abs().max().item():.2g}")


fit()
fit(max_iter=4)
fit(max_iter=2)
fit(tolerance_change=1e-2)
fit(tolerance_grad=100.0)
# --8<-- [end:stopping]

assert {name: p.default for name, p in inspect.signature(torch.optim.LBFGS).parameters.items()} == {
    "params": inspect.Parameter.empty, "lr": 1, "max_iter": 20, "max_eval": None, "tolerance_grad": 1e-07,
    "tolerance_change": 1e-09, "history_size": 100, "line_search_fn": None}
assert torch.optim.LBFGS([torch.nn.Parameter(torch.zeros(1))]).defaults["max_eval"] == 25


def count(max_iter):
    w = torch.nn.Parameter(torch.zeros(2))
    optimizer = torch.optim.LBFGS([w], max_iter=max_iter)

    def closure():
        optimizer.zero_grad()
        loss = ((X @ w - y) ** 2).mean()
        loss.backward()
        return loss

    optimizer.step(closure)
    return optimizer.defaults["max_eval"], optimizer.state[w]["func_evals"], optimizer.state[w]["n_iter"]


assert count(2) == (2, 2, 1) and count(3) == (3, 3, 2) and count(4) == (5, 4, 4)

# --8<-- [start:continue] setup: data
w = torch.nn.Parameter(torch.zeros(2))
optimizer = torch.optim.LBFGS([w], max_iter=2)  # max_eval = 2


def closure():
    optimizer.zero_grad()
    loss = ((X @ w - y) ** 2).mean()
    loss.backward()
    return loss


for _ in range(4):
    loss = optimizer.step(closure)  # the loss at the start of this step()
    state = optimizer.state[w]
    print(f"returned: {loss.item():.4g}, calls: {state['func_evals']}, iterations: {state['n_iter']},",
          f"w: {w.detach()}")
# --8<-- [end:continue]

assert state["func_evals"] == 8 and state["n_iter"] == 4
assert torch.allclose(w.detach(), torch.tensor([1.98, 1.04]), atol=1e-4)

# --8<-- [start:line_search] setup: imports
def minimize(line_search_fn, **options):
    w = torch.nn.Parameter(torch.tensor([3.0]))
    optimizer = torch.optim.LBFGS([w], max_iter=100, line_search_fn=line_search_fn, **options)
    losses = []

    def closure():
        optimizer.zero_grad()
        loss = torch.log(torch.cosh(w)).sum()  # smallest at w = 0
        loss.backward()
        losses.append(loss.item())
        return loss

    optimizer.step(closure)
    above = sum(loss > losses[0] for loss in losses)  # calls that found a higher loss than the start
    label = ", ".join([str(line_search_fn)] + [f"{k}={v}" for k, v in options.items()])
    print(f"{label:24} calls: {len(losses):2}, iterations: {optimizer.state[w]['n_iter']:2},",
          f"above the start: {above:2}, largest loss: {max(losses):.4g}")


minimize(None)
minimize("strong_wolfe")
minimize("strong_wolfe", max_eval=5)
try:
    minimize("wolfe")  # accepted by the constructor
except RuntimeError as error:
    print(error)
# --8<-- [end:line_search]

# --8<-- [start:history] setup: imports
d = torch.logspace(0, 3, 20)  # curvatures from 1 to 1000


def minimize(history_size):
    w = torch.nn.Parameter(torch.ones(20))
    optimizer = torch.optim.LBFGS([w], max_iter=100, history_size=history_size)

    def closure():
        optimizer.zero_grad()
        loss = 0.5 * (d * w**2).sum()  # smallest at w = 0
        loss.backward()
        return loss

    optimizer.step(closure)
    state = optimizer.state[w]
    pairs = list(zip(state["old_stps"], state["old_dirs"]))  # (step, change of gradient)
    print(f"history_size={history_size:<3} iterations: {state['n_iter']:3}, pairs kept: {len(pairs):2},",
          f"elements kept: {sum(s.numel() + y.numel() for s, y in pairs):4}, loss: {closure().item():.2g}")


for history_size in (100, 10, 1):
    minimize(history_size)
# --8<-- [end:history]

# the pairs are separate tensors (y = flat_grad - prev_flat_grad, s = d * t), not views
w = torch.nn.Parameter(torch.ones(20))
optimizer = torch.optim.LBFGS([w], max_iter=5)


def closure():
    optimizer.zero_grad()
    loss = 0.5 * (d * w**2).sum()
    loss.backward()
    return loss


optimizer.step(closure)
pointers = {t.data_ptr() for t in optimizer.state[w]["old_dirs"] + optimizer.state[w]["old_stps"]}
assert len(pointers) == 2 * len(optimizer.state[w]["old_dirs"]) > 0

# Besides the pairs, the state keeps two more vectors of that size: the last direction d and the
# previous gradient prev_flat_grad (ro, al and H_diag hold scalars).
w = torch.nn.Parameter(torch.ones(20))
optimizer = torch.optim.LBFGS([w], max_iter=100)
optimizer.step(closure)
state = optimizer.state[w]
assert len(state["old_dirs"]) == len(state["old_stps"]) == 52
vectors = [v for v in state.values() if torch.is_tensor(v) and v.dim() > 0]
vectors += [v for key in ("old_dirs", "old_stps") for v in state[key]]
assert all(v.numel() == 20 for v in vectors) and len(vectors) == 2 * 52 + 2
assert all(v.dim() == 0 for key in ("ro", "al") for v in state[key] if v is not None)

# --8<-- [start:limits] setup: imports
w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
b = torch.nn.Parameter(torch.tensor(3.0))  # not used by the loss: its grad stays None
optimizer = torch.optim.LBFGS([w, b])


def closure():
    optimizer.zero_grad()
    loss = (w**2).sum()
    loss.backward()
    return loss


try:
    optimizer.step()
except TypeError as error:
    print(error)
optimizer.step(closure)
print(w.detach(), b.detach(), b.grad)

try:
    torch.optim.LBFGS([{"params": [w]}, {"params": [b]}])
except ValueError as error:
    print(error)
optimizer.add_param_group({"params": [torch.nn.Parameter(torch.tensor(0.0))]})
try:
    optimizer.step(closure)
except AssertionError as error:
    print(error)
# --8<-- [end:limits]

assert b.item() == 3.0 and b.grad is None and w.detach().abs().max() < 1e-6

# --8<-- [start:none_grad_moves] setup: imports
w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
b = torch.nn.Parameter(torch.tensor(3.0))
optimizer = torch.optim.LBFGS([w, b])
calls = []


def closure():
    calls.append(1)
    optimizer.zero_grad()
    loss = (w**2).sum()
    if len(calls) == 1:
        loss = loss + b**2  # b takes part in the first call only
    loss.backward()
    print(f"call {len(calls)}: b = {b.item():.4f}, b.grad = {b.grad}")
    return loss


optimizer.step(closure)
print(f"after step(): b = {b.item():.4f}")
# --8<-- [end:none_grad_moves]

assert b.grad is None and abs(b.item() - 3.0) > 0.9
