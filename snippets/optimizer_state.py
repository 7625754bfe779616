"""What an optimizer remembers between steps: optimizer.state, state_dict(), checkpoints."""

# --8<-- [start:imports]
import torch
# --8<-- [end:imports]

# --8<-- [start:what_each_keeps] setup: imports
def state_after_one_step(optimizer_class, **options):
    p = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    optimizer = optimizer_class([p], lr=0.1, **options)
    p.grad = torch.tensor([0.5, -1.0])
    optimizer.step()
    return optimizer.state.get(p)  # None: no entry for p


for name, optimizer_class, options in [
    ("SGD", torch.optim.SGD, {}),
    ("SGD momentum=0.9", torch.optim.SGD, {"momentum": 0.9}),
    ("Adam", torch.optim.Adam, {}),
    ("Adam amsgrad=True", torch.optim.Adam, {"amsgrad": True}),
]:
    state = state_after_one_step(optimizer_class, **options)
    print(f"{name:18}", None if state is None else list(state))

state = state_after_one_step(torch.optim.Adam)  # betas=(0.9, 0.999)
print(state["exp_avg"], state["exp_avg_sq"])
print(state["step"], state["step"].dtype, state["step"].device)
# --8<-- [end:what_each_keeps]

assert state_after_one_step(torch.optim.SGD) is None  # no entry at all, not momentum_buffer=None
assert list(state_after_one_step(torch.optim.AdamW)) == ["step", "exp_avg", "exp_avg_sq"]
assert torch.allclose(state["exp_avg"], 0.1 * torch.tensor([0.5, -1.0]))
assert torch.allclose(state["exp_avg_sq"], 0.001 * torch.tensor([0.5, -1.0]) ** 2)
assert state["step"].dtype == torch.float32 and state["step"].dim() == 0

# --8<-- [start:when_state_appears] setup: imports
p = torch.nn.Parameter(torch.tensor(1.0))
q = torch.nn.Parameter(torch.tensor(1.0))
optimizer = torch.optim.Adam([p, q], lr=0.1)
print("before any step:", dict(optimizer.state))
adagrad = torch.optim.Adagrad([p, q])  # the exception: state from the constructor on
print("Adagrad before any step:", len(adagrad.state), list(adagrad.state.get(p)))

for step in range(3):
    p.grad = torch.tensor(1.0)
    q.grad = torch.tensor(1.0) if step == 2 else None  # q has a gradient only at the last step
    optimizer.step()

print("p:", optimizer.state[p]["step"], " q:", optimizer.state[q]["step"])
# --8<-- [end:when_state_appears]

assert optimizer.state[p]["step"].item() == 3 and optimizer.state[q]["step"].item() == 1

OPTIMIZER_CLASSES = [
    c for c in vars(torch.optim).values()
    if isinstance(c, type) and issubclass(c, torch.optim.Optimizer) and c is not torch.optim.Optimizer
]


def one_step(optimizer_class):  # every optimizer in torch.optim, default options, one step
    p = torch.nn.Parameter(torch.ones(3, 3))  # 2-D: Muon accepts nothing else
    optimizer = optimizer_class([p], lr=0.1)
    empty_before = len(optimizer.state) == 0
    grad = torch.full((3, 3), 0.5)
    p.grad = grad.to_sparse() if optimizer_class is torch.optim.SparseAdam else grad
    optimizer.step(lambda: torch.tensor(1.0))  # LBFGS needs a closure
    return empty_before, optimizer


# "A new optimizer has no state", Adagrad apart
assert {c.__name__ for c in OPTIMIZER_CLASSES if not one_step(c)[0]} == {"Adagrad"}
assert len(OPTIMIZER_CLASSES) >= 14

# "step" has the default floating-point dtype (_get_scalar_dtype in torch/optim/optimizer.py)
torch.set_default_dtype(torch.float64)
assert state_after_one_step(torch.optim.Adam)["step"].dtype == torch.float64
torch.set_default_dtype(torch.float32)

# --8<-- [start:defaultdict] setup: imports
p = torch.nn.Parameter(torch.tensor(1.0))
optimizer = torch.optim.SGD([p], lr=0.1, momentum=0.9)
print(type(optimizer.state).__name__, len(optimizer.state))
print(p in optimizer.state, optimizer.state.get(p))
print(optimizer.state[p], len(optimizer.state), optimizer.state_dict()["state"])
# --8<-- [end:defaultdict]

# --8<-- [start:recreate] setup: imports
def moves(recreate_after):
    p = torch.nn.Parameter(torch.tensor(0.0))
    optimizer = torch.optim.SGD([p], lr=0.1, momentum=0.9)
    moved = []
    for step in range(6):
        if step == recreate_after:
            optimizer = torch.optim.SGD([p], lr=0.1, momentum=0.9)  # fresh state
        before = p.item()
        p.grad = torch.tensor(1.0)  # the same gradient at every step
        optimizer.step()
        moved.append(round(before - p.item(), 4))
    return moved


print("kept:      ", moves(recreate_after=None))
print("recreated: ", moves(recreate_after=3))
# --8<-- [end:recreate]

assert moves(None)[:3] == moves(3)[:3] and moves(3)[3:] == moves(3)[:3]

# --8<-- [start:layout] setup: imports
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Linear(2, 1))
optimizer = torch.optim.Adam(
    [
        {"params": model[0].named_parameters(prefix="0")},
        {"params": model[1].named_parameters(prefix="1"), "lr": 0.01},
    ],
    lr=0.1,
)
model[0](torch.ones(1, 2)).sum().backward()  # only the first layer gets gradients
optimizer.step()

saved = optimizer.state_dict()
print(list(saved))
print({index: list(state) for index, state in saved["state"].items()})
print([group["params"] for group in saved["param_groups"]])
print(saved["param_groups"][1])
# --8<-- [end:layout]

assert list(saved["state"]) == [0, 1]
assert [g["params"] for g in saved["param_groups"]] == [[0, 1], [2, 3]]

# --8<-- [start:live_references] setup: imports
import copy

p = torch.nn.Parameter(torch.tensor(1.0))
optimizer = torch.optim.SGD([p], lr=0.1, momentum=0.9)
p.grad = torch.tensor(1.0)
optimizer.step()

saved = optimizer.state_dict()
snapshot = copy.deepcopy(optimizer.state_dict())
print(saved["state"][0]["momentum_buffer"] is optimizer.state[p]["momentum_buffer"])
optimizer.step()  # the second step updates the buffer in place: 1 -> 1.9
print(saved["state"][0]["momentum_buffer"], snapshot["state"][0]["momentum_buffer"])

other = torch.optim.SGD([p], lr=0.1, momentum=0.9)
other.load_state_dict(optimizer.state_dict())
print(other.state[p]["momentum_buffer"] is optimizer.state[p]["momentum_buffer"])
# --8<-- [end:live_references]

# --8<-- [start:training] setup: imports
def make_model():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))


def train(model, optimizer, steps):
    for _ in range(steps):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(inputs), targets)
        loss.backward()
        optimizer.step()


torch.manual_seed(1)
inputs, targets = torch.randn(16, 3), torch.randn(16, 1)
# --8<-- [end:training]

# --8<-- [start:resume] setup: training
import os
import tempfile

uninterrupted = make_model()
train(uninterrupted, torch.optim.Adam(uninterrupted.parameters(), lr=0.01), steps=6)

model = make_model()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
train(model, optimizer, steps=3)
with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "checkpoint.pt")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, path)

    resumed = make_model()  # a new process would start from here
    resumed_optimizer = torch.optim.Adam(resumed.parameters(), lr=0.01)
    checkpoint = torch.load(path)
    resumed.load_state_dict(checkpoint["model"])
    resumed_optimizer.load_state_dict(checkpoint["optimizer"])
    train(resumed, resumed_optimizer, steps=3)

    model_only = make_model()
    model_only.load_state_dict(checkpoint["model"])
    train(model_only, torch.optim.Adam(model_only.parameters(), lr=0.01), steps=3)

pairs = list(zip(uninterrupted.parameters(), resumed.parameters(), model_only.parameters()))
print("model + optimizer:", all(torch.equal(a, b) for a, b, _ in pairs))
print("model only:       ", all(torch.equal(a, c) for a, _, c in pairs))
print(f"largest difference: {max((a - c).abs().max().item() for a, _, c in pairs):.4f}")
# --8<-- [end:resume]

assert all(torch.equal(a, b) for a, b, _ in pairs)
assert not any(torch.equal(a, c) for a, _, c in pairs)

# --8<-- [start:weights_only] setup: imports
import os
import tempfile

p = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
optimizer = torch.optim.Adam([p], lr=0.1)
with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "optimizer.pt")
    torch.save(optimizer.state_dict(), path)
    print(list(torch.load(path)))  # weights_only=True by default

    torch.save(optimizer, path)  # the whole object, pickled
    try:
        torch.load(path)
    except Exception as error:
        message = str(error)
        print(type(error).__name__)
        print(message[message.index("In PyTorch 2.6") :].split(". ")[0])
        print(message[message.index("Unsupported global") :].split(". ")[0])
    print(type(torch.load(path, weights_only=False)).__name__)
# --8<-- [end:weights_only]

# "The same holds for the state dict of every optimizer in torch.optim": one step each, default options
with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "optimizer.pt")
    for optimizer_class in OPTIMIZER_CLASSES:
        torch.save(one_step(optimizer_class)[1].state_dict(), path)
        torch.load(path)  # weights_only=True

# --8<-- [start:after_move] setup: imports
model = torch.nn.Linear(2, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
model(torch.ones(1, 2)).sum().backward()
optimizer.step()
weight = model.weight

model.double()
print(model.weight is weight, optimizer.state[weight]["momentum_buffer"].dtype)
optimizer.load_state_dict(optimizer.state_dict())  # casts the state to the parameters
print(optimizer.state[weight]["momentum_buffer"].dtype)
# --8<-- [end:after_move]

# --8<-- [start:conversion_flags] setup: imports
def keeps_parameter(convert):  # is the model's weight still the optimizer's?
    model = torch.nn.Linear(2, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    convert(model)
    return model.weight is optimizer.param_groups[0]["params"][0]


def row(setting):
    double = keeps_parameter(lambda model: model.double())
    meta = keeps_parameter(lambda model: model.to("meta"))
    print(f"{setting:10} {double!s:10} {meta}")


print("           .double()  .to('meta')")
row("default")
torch.__future__.set_overwrite_module_params_on_conversion(True)
row("overwrite")
torch.__future__.set_overwrite_module_params_on_conversion(False)
torch.__future__.set_swap_module_params_on_conversion(True)
row("swap")
torch.__future__.set_swap_module_params_on_conversion(False)  # back to the default
# --8<-- [end:conversion_flags]

assert not torch.__future__.get_overwrite_module_params_on_conversion()
assert not torch.__future__.get_swap_module_params_on_conversion()

# --8<-- [start:load_casts] setup: imports
def saved_state(**options):  # Adam's state for a float64 parameter, after one step
    p = torch.nn.Parameter(torch.tensor([1.0, 2.0], dtype=torch.float64))
    optimizer = torch.optim.Adam([p], lr=0.1, **options)
    p.grad = torch.tensor([0.5, -1.0], dtype=torch.float64)
    optimizer.step()
    return optimizer.state_dict()


def loaded(saved, param):
    optimizer = torch.optim.Adam([param], lr=0.1)
    optimizer.load_state_dict(saved)
    return {key: (value.dtype, value.device.type) for key, value in optimizer.state[param].items()}


saved = saved_state()
print("saved:        ", {k: (v.dtype, v.device.type) for k, v in saved["state"][0].items()})
print("into float32: ", loaded(saved, torch.nn.Parameter(torch.zeros(2))))
print("into meta:    ", loaded(saved, torch.nn.Parameter(torch.zeros(2, device="meta"))))
print("fused, meta:  ", loaded(saved_state(fused=True), torch.nn.Parameter(torch.zeros(2, device="meta"))))
# --8<-- [end:load_casts]

# --8<-- [start:hyperparameters] setup: imports
p = torch.nn.Parameter(torch.tensor(1.0))
saving = torch.optim.Adam([p], lr=0.01)

resumed = torch.optim.Adam([p], lr=0.001, betas=(0.8, 0.9))  # new values, then a checkpoint
resumed.load_state_dict(saving.state_dict())
group = resumed.param_groups[0]
print(group["lr"], group["betas"], resumed.defaults["lr"])

group["lr"] = 0.001  # to change a value when resuming, set it after loading
print(resumed.param_groups[0]["lr"])
# --8<-- [end:hyperparameters]
