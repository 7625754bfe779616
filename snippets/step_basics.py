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
address, version = w.data_ptr(), w._version
optimizer.step()
print(w.data_ptr() == address, w is optimizer.param_groups[0]["params"][0])
print(w.is_leaf, w.grad_fn, w.requires_grad)
print(version, w._version)  # the version counter: every in-place write adds 1
# --8<-- [end:in_place]

assert w.is_leaf and w.grad_fn is None and w.data_ptr() == address
assert (version, w._version) == (1, 2)

# --8<-- [start:no_grad] setup: after_one_step
print(torch.is_grad_enabled())
try:
    w -= 0.1 * w.grad
except RuntimeError as error:
    print(error)

with torch.no_grad():
    w -= 0.1 * w.grad
print(w.is_leaf, w.grad_fn)
# --8<-- [end:no_grad]

assert w.is_leaf and w.grad_fn is None

# --8<-- [start:every_optimizer] setup: imports
print("recording before:", torch.is_grad_enabled())
start = torch.tensor([1.0, -2.0])
for name in ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "LBFGS"):
    w = torch.nn.Parameter(start.clone())
    address = w.data_ptr()
    optimizer = getattr(torch.optim, name)([w])

    def closure():
        optimizer.zero_grad()
        loss = (w**2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)  # LBFGS needs the closure; the others accept it
    moved, in_place = not torch.equal(w.detach(), start), w.data_ptr() == address
    print(f"{name:8} moved: {moved}, in place: {in_place}, leaf: {w.is_leaf}, grad_fn: {w.grad_fn}")
print("recording after:", torch.is_grad_enabled())
# --8<-- [end:every_optimizer]

assert w.is_leaf and w.grad_fn is None and moved and in_place

# --8<-- [start:differentiable] setup: imports
w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))  # an ordinary leaf parameter
optimizer = torch.optim.SGD([w], lr=0.1, differentiable=True)
(w**2).sum().backward()
try:
    optimizer.step()
except RuntimeError as error:
    print(error)

v = torch.tensor([1.0, -2.0])  # a leaf that does not require grad
v.grad = torch.tensor([2.0, -4.0])
torch.optim.SGD([v], lr=0.1, differentiable=True).step()
print(v.is_leaf, v.requires_grad, v)

w0 = torch.nn.Parameter(torch.tensor([1.0, -2.0]))  # the leaf
lr = torch.tensor(0.1, requires_grad=True)
w = w0.clone()  # a non-leaf tensor: the output of an operation on w0
optimizer = torch.optim.SGD([w], lr=lr, differentiable=True)
w.grad = 2 * w0  # the gradient of (w**2).sum() at this point, as part of the graph
optimizer.step()
print(w.is_leaf, w.grad_fn is not None, w.detach())
(w**2).sum().backward()  # the loss after the step, differentiated through step()
print(lr.grad, w0.grad)
# --8<-- [end:differentiable]

assert v.is_leaf and not v.requires_grad and torch.allclose(v, torch.tensor([0.8, -1.6]))
# loss after the step: 5 (1 - 2 lr)^2, so d/dlr = -20 (1 - 2 lr) = -16 at lr = 0.1;
# w = (1 - 2 lr) w0, so d/dw0 = 2 (1 - 2 lr)^2 w0 = 1.28 w0
assert abs(lr.grad.item() - (-20 * (1 - 2 * 0.1))) < 1e-5
assert torch.allclose(w0.grad, 1.28 * torch.tensor([1.0, -2.0]))

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

assert torch.equal(a, b)

# --8<-- [start:foreach_fused] setup: imports
from torch.optim.optimizer import _default_to_fused_or_foreach, _foreach_supported_types
from torch.utils._foreach_utils import _get_foreach_kernels_supported_devices

p = torch.nn.Parameter(torch.tensor([0.5, -1.5, 3.0]))  # on the CPU
optimizer = torch.optim.SGD([p], lr=0.1)
print({name: optimizer.defaults[name] for name in ("foreach", "fused")})
# What SGD's step() does when both are None:
fused, foreach = _default_to_fused_or_foreach([p], differentiable=False, use_fused=False)
print(f"on the {p.device.type}: fused={fused}, foreach={foreach}")
print({device: device in _get_foreach_kernels_supported_devices() for device in ("cpu", "cuda", "xpu")})
print([t.__name__ for t in _foreach_supported_types])  # compared with type(p) exactly: a subclass is not in it

results = {}
for options in ({}, {"foreach": True}, {"fused": True}):
    q = torch.nn.Parameter(p.detach().clone())
    optimizer = torch.optim.SGD([q], lr=0.1, momentum=0.9, weight_decay=0.01, **options)
    for g in ([0.5, -1.0, 2.0], [0.1, 0.2, -0.3], [1.0, 1.0, 1.0]):
        q.grad = torch.tensor(g)
        optimizer.step()
    results[str(options)] = q.detach()
loop = results["{}"]
print(torch.equal(results["{'foreach': True}"], loop), torch.allclose(results["{'fused': True}"], loop, rtol=0, atol=1e-6))
# --8<-- [end:foreach_fused]

assert (fused, foreach) == (False, False)
assert [t.__name__ for t in _foreach_supported_types] == ["Tensor", "Parameter", "DTensor"]
assert torch.equal(results["{'foreach': True}"], loop)

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
