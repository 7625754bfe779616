"""Between backward() and step(): editing .grad, gradient clipping, and mixed precision."""

# --8<-- [start:imports]
import torch
# --8<-- [end:imports]

# --8<-- [start:edit_grad] setup: imports
def step_after(edit):
    p = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    optimizer = torch.optim.SGD([p], lr=0.1)
    (p**2).sum().backward()  # p.grad = 2p = [2, 4]
    edit(p)
    optimizer.step()
    return p.detach()


def leave_it(p):
    pass


def halve(p):
    p.grad.mul_(0.5)  # in place: [1, 2]


def zero_first(p):
    p.grad[0] = 0.0  # [0, 4]


def replace(p):
    p.grad = torch.tensor([5.0, 5.0])  # a new tensor


for edit in (leave_it, halve, zero_first, replace):
    print(f"{edit.__name__:10}", step_after(edit))
# --8<-- [end:edit_grad]

assert torch.allclose(step_after(leave_it), torch.tensor([0.8, 1.6]))
assert torch.allclose(step_after(halve), torch.tensor([0.9, 1.8]))
assert torch.allclose(step_after(zero_first), torch.tensor([1.0, 1.6]))
assert torch.allclose(step_after(replace), torch.tensor([0.5, 1.5]))

# --8<-- [start:wrong_grad] setup: imports
p = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
wrong_grads = (
    torch.tensor(0.0),  # shape [] instead of [2]
    torch.tensor([0.0, 0.0], dtype=torch.float64),  # float64 instead of float32
    torch.zeros(2, device="meta"),  # another device ("meta" stands in for "cuda")
)
for wrong in wrong_grads:
    try:
        p.grad = wrong
    except RuntimeError as error:
        print(str(error).split(". ")[0])
print(p.grad, p.grad_dtype)
# --8<-- [end:wrong_grad]

assert p.grad is None

# --8<-- [start:clip_norm] setup: imports
p = torch.nn.Parameter(torch.zeros(2))
p.grad = torch.tensor([3.0, 4.0])
total = torch.nn.utils.clip_grad_norm_([p], max_norm=1.0)
print(total, p.grad, p.grad.tolist())

p.grad = torch.tensor([3.0, 4.0])  # norm 5: exactly max_norm
torch.nn.utils.clip_grad_norm_([p], max_norm=5.0)
print(p.grad.tolist())
# --8<-- [end:clip_norm]

assert total.item() == 5.0
# Without the 1e-6 the coefficient would be 1/5 and the result exactly float32(0.6), float32(0.8):
assert (torch.tensor([3.0, 4.0]) * (1.0 / torch.tensor(5.0))).tolist() == torch.tensor([0.6, 0.8]).tolist()
assert p.grad.tolist() != [3.0, 4.0]  # the 1e-6 shrinks a gradient whose norm equals max_norm
p.grad = torch.tensor([3.0, 4.0])
torch.nn.utils.clip_grad_norm_([p], max_norm=10.0)
assert p.grad.tolist() == [3.0, 4.0]  # below max_norm: coefficient clamped to 1, unchanged

# --8<-- [start:clip_total] setup: imports
a = torch.nn.Parameter(torch.zeros(1))
b = torch.nn.Parameter(torch.zeros(1))
a.grad, b.grad = torch.tensor([3.0]), torch.tensor([4.0])
print("together:", torch.nn.utils.clip_grad_norm_([a, b], max_norm=1.0), a.grad, b.grad)

a.grad, b.grad = torch.tensor([3.0]), torch.tensor([4.0])
for p in (a, b):
    torch.nn.utils.clip_grad_norm_([p], max_norm=1.0)
print("one by one:", a.grad, b.grad)
# --8<-- [end:clip_total]

assert torch.allclose(a.grad, torch.tensor([1.0])) and torch.allclose(b.grad, torch.tensor([1.0]))

# --8<-- [start:clip_options] setup: imports
p = torch.nn.Parameter(torch.zeros(2))
for norm_type in (2.0, 1.0, float("inf")):
    p.grad = torch.tensor([3.0, 4.0])
    total = torch.nn.utils.clip_grad_norm_([p], max_norm=1.0, norm_type=norm_type)
    print(norm_type, total, p.grad)

p.grad = torch.tensor([3.0, float("inf")])
print(torch.nn.utils.clip_grad_norm_([p], max_norm=1.0), p.grad)

p.grad = torch.tensor([3.0, float("inf")])
try:
    torch.nn.utils.clip_grad_norm_([p], max_norm=1.0, error_if_nonfinite=True)
except RuntimeError as error:
    print(str(error).split(", so")[0], p.grad)

p.grad = torch.tensor([3.0, 4.0])
torch.nn.utils.clip_grad_norm_([p], max_norm=1.0, foreach=False)  # a loop, not the foreach kernels
print("foreach=False", p.grad)
# --8<-- [end:clip_options]

reference = torch.nn.Parameter(torch.zeros(2))
reference.grad = torch.tensor([3.0, 4.0])
torch.nn.utils.clip_grad_norm_([reference], max_norm=1.0)  # foreach=None
assert torch.equal(p.grad, reference.grad)  # the foreach=False line shows the same values as the first
# foreach=True, False and None (the default) give bit-identical results on gradients of several shapes:
torch.manual_seed(0)
shapes = [(1000,), (37, 53), (5,)]
grads = [torch.randn(shape) * 10 for shape in shapes]
clipped = {}
for foreach in (None, False, True):
    params = [torch.nn.Parameter(torch.zeros(shape)) for shape in shapes]
    for param, grad in zip(params, grads):
        param.grad = grad.clone()
    norm = torch.nn.utils.clip_grad_norm_(params, max_norm=1.0, foreach=foreach)
    clipped[foreach] = [norm] + [param.grad for param in params]
assert all(torch.equal(a, b) for a, b in zip(clipped[None], clipped[False]))
assert all(torch.equal(a, b) for a, b in zip(clipped[None], clipped[True]))

# --8<-- [start:clip_value] setup: imports
p = torch.nn.Parameter(torch.zeros(3))
p.grad = torch.tensor([-3.0, 0.5, 4.0])
print(torch.nn.utils.clip_grad_value_([p], clip_value=1.0), p.grad)
# --8<-- [end:clip_value]

# --8<-- [start:autocast] setup: imports
torch.manual_seed(0)
model = torch.nn.Linear(2, 1)
x = torch.tensor([[1.0, 2.0]])
y = torch.tensor([[1.0]], dtype=torch.bfloat16)  # so both inputs of mse_loss are bfloat16

with torch.autocast("cpu", dtype=torch.bfloat16):
    output = model(x)
    loss = torch.nn.functional.mse_loss(output, y)
loss.backward()

print("output:", output.dtype)
print("loss:  ", loss.dtype)
print("weight:", model.weight.dtype)
print("grad:  ", model.weight.grad.dtype)
# --8<-- [end:autocast]

assert output.dtype == torch.bfloat16 and model.weight.grad.dtype == torch.float32
with torch.autocast("cpu", dtype=torch.bfloat16):  # mse_loss runs in float32 even on bfloat16 inputs
    both_bf16 = torch.nn.functional.mse_loss(output.detach(), y)
assert both_bf16.dtype == torch.float32

# --8<-- [start:why_scale] setup: imports
for dtype in (torch.float16, torch.bfloat16, torch.float32):
    info = torch.finfo(dtype)
    print(f"{str(dtype):15} max {info.max:.5g}  smallest normal {info.tiny:.4g}")

g = torch.tensor(1e-8)  # a small gradient
print(g.to(torch.float16), (g * 65536).to(torch.float16), g.to(torch.bfloat16))
# --8<-- [end:why_scale]

assert torch.finfo(torch.float16).max == 65504

# --8<-- [start:scaler_basics] setup: imports
p = torch.nn.Parameter(torch.tensor(1.0))
optimizer = torch.optim.SGD([p], lr=0.1)
scaler = torch.amp.GradScaler("cpu")

loss = 2 * p  # d(loss)/dp = 2
scaler.scale(loss).backward()
print("scale:", scaler.get_scale(), " scaled grad:", p.grad)
scaler.unscale_(optimizer)
print("after unscale_:", p.grad)
scaler.step(optimizer)  # would unscale here if unscale_ had not been called
scaler.update()
print("p:", p.detach(), " scale:", scaler.get_scale(), " growth_interval:", scaler.get_growth_interval())
# --8<-- [end:scaler_basics]

assert abs(p.item() - 0.8) < 1e-7  # 1 - 0.1 * 2: the step used the true gradient
assert scaler.get_backoff_factor() == 0.5 and scaler.get_growth_factor() == 2.0  # the defaults

# --8<-- [start:fp16_toy] setup: imports
def make_model():
    model = torch.nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        model.weight.fill_(1.0)
    return model


x = torch.tensor([[1.0]])
y = torch.tensor([[0.0]])  # loss (w x - y)^2 = w^2, gradient 2w = 2 at w = 1
# --8<-- [end:fp16_toy]

# --8<-- [start:scaler_skip] setup: fp16_toy
model = make_model()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
scaler = torch.amp.GradScaler("cpu", growth_interval=2)  # default: 2000

for i in range(7):
    optimizer.zero_grad()
    with torch.autocast("cpu", dtype=torch.float16):
        loss = torch.nn.functional.mse_loss(model(x), y)
    scale = scaler.get_scale()
    scaler.scale(loss).backward()
    scaled_grad = model.weight.grad.item()
    scaler.step(optimizer)
    scaler.update()
    print(f"scale {scale:7}  scaled grad {scaled_grad:7}  w {model.weight.item():.4f}  next scale {scaler.get_scale()}")
# --8<-- [end:scaler_skip]

# --8<-- [start:scheduler_warning] setup: fp16_toy
import warnings

model = make_model()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
scaler = torch.amp.GradScaler("cpu")

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    for i in range(3):
        optimizer.zero_grad()
        with torch.autocast("cpu", dtype=torch.float16):
            loss = torch.nn.functional.mse_loss(model(x), y)
        scaler.scale(loss).backward()
        lr = optimizer.param_groups[0]["lr"]
        scaler.step(optimizer)
        scaler.update()
        scheduler.step()  # after scaler.step(optimizer): the right order
        print(f"lr {lr:<7} w {model.weight.item():.4f}  _opt_called: {getattr(optimizer, '_opt_called', False)}")

for warning in caught:
    print(str(warning.message).split(". ")[0])
# --8<-- [end:scheduler_warning]

assert len(caught) == 1

# --8<-- [start:scheduler_fused] setup: fp16_toy
import warnings

model = make_model()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, fused=True)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
scaler = torch.amp.GradScaler("cpu")

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    optimizer.zero_grad()
    with torch.autocast("cpu", dtype=torch.float16):
        loss = torch.nn.functional.mse_loss(model(x), y)
    scaler.scale(loss).backward()  # inf, as in the first line above
    scaler.step(optimizer)
    scaler.update()
    scheduler.step()

print(f"w {model.weight.item():.4f}  next scale {scaler.get_scale()}  _opt_called: {optimizer._opt_called}")
print("warnings:", len(caught))
# --8<-- [end:scheduler_fused]

assert model.weight.item() == 1.0 and not caught
# On a step that is not skipped, the fused kernel unscales the gradient itself (2048 -> 2) and updates with it:
model = make_model()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, fused=True)
scaler = torch.amp.GradScaler("cpu", init_scale=1024.0)
with torch.autocast("cpu", dtype=torch.float16):
    loss = torch.nn.functional.mse_loss(model(x), y)
scaler.scale(loss).backward()
assert model.weight.grad.item() == 2048.0
scaler.step(optimizer)
assert model.weight.grad.item() == 2.0 and abs(model.weight.item() - 0.98) < 1e-7

# --8<-- [start:fused_unscale] setup: fp16_toy
def fused_step(call_unscale_first):
    model = make_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, fused=True)
    scaler = torch.amp.GradScaler("cpu", init_scale=1024.0)
    seen = {}
    plain_step = optimizer.step

    def step(*args, **kwargs):  # records what GradScaler handed the fused kernel
        seen["grad_scale"] = getattr(optimizer, "grad_scale", None)
        seen["grad"] = model.weight.grad.item()
        return plain_step(*args, **kwargs)

    optimizer.step = step
    with torch.autocast("cpu", dtype=torch.float16):
        loss = torch.nn.functional.mse_loss(model(x), y)
    scaler.scale(loss).backward()
    if call_unscale_first:
        scaler.unscale_(optimizer)
    scaler.step(optimizer)
    print(f"unscale_ first: {call_unscale_first!s:5}  grad at step() {seen['grad']:6}"
          f"  grad_scale {seen['grad_scale']}  w {model.weight.item():.4f}")


fused_step(call_unscale_first=False)
fused_step(call_unscale_first=True)
# --8<-- [end:fused_unscale]

# --8<-- [start:full_loop] setup: imports
torch.manual_seed(0)
x = torch.randn(64, 3) * 0.5
y = x @ torch.tensor([[0.2], [-0.1], [0.3]])
model = torch.nn.Linear(3, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
scaler = torch.amp.GradScaler("cpu")

for epoch in range(4):
    for xb, yb in zip(x.split(16), y.split(16)):
        optimizer.zero_grad()
        with torch.autocast("cpu", dtype=torch.float16):
            loss = torch.nn.functional.mse_loss(model(xb), yb)
        scaler.scale(loss).backward()  # outside autocast
        scaler.unscale_(optimizer)  # true gradients from here on
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.1)
        scaler.step(optimizer)  # skipped if a gradient is inf or nan
        scaler.update()
    scheduler.step()  # once per epoch, after the epoch's last step
    print(f"epoch {epoch}  loss {loss.item():.4f}  norm {norm.item():.4f}  scale {scaler.get_scale()}")
# --8<-- [end:full_loop]
