"""Muon: one step with numbers, Newton-Schulz, adjust_lr_fn, 2-D only, paired with AdamW; Adafactor."""

# --8<-- [start:imports]
import math

import torch


def rows(t):
    """A matrix on one line, four decimals: [[1.0000, 2.0000], [0.5000, -1.0000]]."""
    return "[" + ", ".join("[" + ", ".join(f"{x:.4f}" for x in row) + "]" for row in t.tolist()) + "]"


def same_bits(a, b):
    """The same dtype, values and signs: the same bits (torch.equal alone takes -0.0 for 0.0)."""
    return a.dtype == b.dtype and torch.equal(a, b) and torch.equal(a.signbit(), b.signbit())
# --8<-- [end:imports]


# --8<-- [start:one_step] setup: imports
w = torch.nn.Parameter(torch.tensor([[1.0, 2.0], [0.5, -1.0], [3.0, 0.0]]))  # 3 rows, 2 columns
g = torch.tensor([[0.6, 0.2], [0.3, -0.1], [0.4, 1.2]])
before = w.detach().clone()
opt = torch.optim.Muon([w], lr=0.1)  # weight_decay=0.1, momentum=0.95, nesterov=True
w.grad = g.clone()
opt.step()
buffer = opt.state[w]["momentum_buffer"]
print("g:                    ", rows(g))
print("momentum_buffer:      ", rows(buffer))
print("momentum_buffer / g:  ", rows(buffer / g))
update = torch.lerp(g, buffer, 0.95)  # Nesterov: (1 - mu) g + mu B
print("update (Nesterov):    ", rows(update))
print("parameter after:      ", rows(w.detach()))
# --8<-- [end:one_step]

assert torch.allclose(buffer, 0.05 * g) and torch.allclose(update, 0.05 * 1.95 * g)


# --8<-- [start:orthogonalize] setup: one_step
from reference_optim import newton_schulz

O = newton_schulz(update)  # 5 Newton-Schulz iterations, default coefficients
print("O:", rows(O), O.dtype)
lr_adjusted = 0.1 * math.sqrt(max(1, 3 / 2))  # adjust_lr_fn=None: lr * sqrt(max(1, rows / cols))
expected = (before * (1 - 0.1 * 0.1)).add(O, alpha=-lr_adjusted)  # decay, then the step
print("torch's step is before * (1 - lr * wd) - lr' * O, to the bit:", same_bits(w.detach(), expected))
print("singular values of the update:", rows(torch.linalg.svdvals(update)[None]))
print("singular values of O:         ", rows(torch.linalg.svdvals(O.float())[None]))
print("O^T O:", rows(O.float().T @ O.float()))
U, S, Vh = torch.linalg.svd(update, full_matrices=False)
print("U V^T:", rows(U @ Vh))
print(f"largest |O - U V^T|: {(O.float() - U @ Vh).abs().max():.4f}")
# --8<-- [end:orthogonalize]

assert same_bits(w.detach(), expected)


# --8<-- [start:iterations] setup: imports
from reference_optim import newton_schulz

m = torch.tensor([[1.0, 0.0], [0.0, 0.01], [0.0, 0.0]])  # singular values 1 and 0.01
print("k  default (3.4445, -4.775, 2.0315)  (2, -1.5, 0.5)")
for k in range(9):
    fast = torch.linalg.svdvals(newton_schulz(m, ns_steps=k).float())
    slow = torch.linalg.svdvals(newton_schulz(m, ns_steps=k, ns_coefficients=(2, -1.5, 0.5)).float())
    print(f"{k}  {fast[0]:.4f}  {fast[1]:.4f}                    {slow[0]:.4f}  {slow[1]:.4f}")
# --8<-- [end:iterations]


# --8<-- [start:adjust_lr] setup: imports
torch.manual_seed(0)
print("shape       adjust_lr_fn      lr factor  RMS of the step / lr")
for shape in [(3, 2), (2, 3), (256, 64), (64, 256)]:
    grad = torch.randn(shape)
    for adjust_lr_fn in (None, "match_rms_adamw"):
        w = torch.nn.Parameter(torch.zeros(shape))
        w.grad = grad.clone()
        torch.optim.Muon([w], lr=0.01, weight_decay=0.0, adjust_lr_fn=adjust_lr_fn).step()
        n_rows, n_cols = shape
        if adjust_lr_fn is None:  # the same as "original"
            factor = math.sqrt(max(1, n_rows / n_cols))
        else:
            factor = 0.2 * math.sqrt(max(n_rows, n_cols))
        rms = w.detach().pow(2).mean().sqrt().item() / 0.01  # w started at 0: w is the step
        print(f"{str(shape):11} {str(adjust_lr_fn):17} {factor:.4f}     {rms:.4f}")
try:
    torch.optim.Muon([torch.nn.Parameter(torch.zeros(2, 2))], adjust_lr_fn="sqrt")
except ValueError as e:
    print("ValueError:", e)
# --8<-- [end:adjust_lr]

# The factors printed are the ones torch applied: each step is exactly -lr * factor * O.
from reference_optim import newton_schulz

torch.manual_seed(0)
for shape in [(3, 2), (2, 3), (256, 64), (64, 256)]:
    grad = torch.randn(shape)
    for adjust_lr_fn, factor in ((None, math.sqrt(max(1, shape[0] / shape[1]))),
                                 ("match_rms_adamw", 0.2 * math.sqrt(max(shape)))):
        w = torch.nn.Parameter(torch.zeros(shape))
        w.grad = grad.clone()
        torch.optim.Muon([w], lr=0.01, weight_decay=0.0, adjust_lr_fn=adjust_lr_fn).step()
        nesterov = torch.lerp(grad, torch.lerp(torch.zeros(shape), grad, 0.05), 0.95)  # step 1
        assert same_bits(w.detach(), torch.zeros(shape).add(newton_schulz(nesterov), alpha=-0.01 * factor))


# --8<-- [start:same_bits] setup: imports
import reference_optim

torch.manual_seed(0)
shapes = [(3, 2), (4, 4), (1, 5)]
ours = [torch.nn.Parameter(torch.randn(s)) for s in shapes]
theirs = [torch.nn.Parameter(p.detach().clone()) for p in ours]
reference = reference_optim.Muon(ours, lr=0.02, adjust_lr_fn="match_rms_adamw")
optimizer = torch.optim.Muon(theirs, lr=0.02, adjust_lr_fn="match_rms_adamw")
for step in range(5):
    for a, b in zip(ours, theirs):
        a.grad = torch.randn(a.shape)
        b.grad = a.grad.clone()
    reference.step()
    optimizer.step()
same = [same_bits(a, b) for a, b in zip(ours, theirs)]
buffers = [same_bits(reference.state[a]["momentum_buffer"], optimizer.state[b]["momentum_buffer"])
           for a, b in zip(ours, theirs)]
print("after 5 steps, the same bits: parameters", same, "momentum buffers", buffers)
# --8<-- [end:same_bits]

assert all(same) and all(buffers)


# --8<-- [start:rounding] setup: one_step
from torch.optim._muon import _zeropower_via_newtonschulz  # private: PyTorch's own iteration

from reference_optim import newton_schulz


def separate_products(x, a=3.4445, b=-4.775, c=2.0315, steps=5, eps=1e-7):
    """The same iteration, written with separate products and sums."""
    X = x.bfloat16().T  # x has more rows than columns
    X = X / X.norm().clamp(min=eps)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X.T


theirs = _zeropower_via_newtonschulz(update, (3.4445, -4.775, 2.0315), 5, 1e-7)
print("reference newton_schulz, the same bits:", same_bits(newton_schulz(update), theirs))
difference = (separate_products(update).float() - theirs.float()).abs().max()
print(f"separate products and sums, largest difference: {difference:.4f}")
# --8<-- [end:rounding]


# --8<-- [start:two_d_only] setup: imports
def error(action):
    try:
        action()
        return "no error"
    except ValueError as e:
        return f"ValueError: {e}"


model = torch.nn.Linear(2, 3)
print("bias:       ", error(lambda: torch.optim.Muon([model.bias])))
conv = torch.nn.Conv2d(3, 8, kernel_size=3)
print("conv weight:", error(lambda: torch.optim.Muon([conv.weight])))
opt = torch.optim.Muon([model.weight])
opt.add_param_group({"params": [model.bias]})  # not checked here ...
model(torch.ones(2)).sum().backward()
weight_before = model.weight.detach().clone()
print("bias added with add_param_group(), at step():", error(opt.step))  # ... but here
print("weight (first group) changed by that step all the same:", not torch.equal(model.weight, weight_before))
# --8<-- [end:two_d_only]


# --8<-- [start:with_adamw] setup: imports
class TinyLM(torch.nn.Module):
    def __init__(self, vocab=16, width=8):
        super().__init__()
        self.embed = torch.nn.Embedding(vocab, width)
        self.mlp = torch.nn.Sequential(torch.nn.Linear(width, 4 * width), torch.nn.ReLU(),
                                       torch.nn.Linear(4 * width, width))
        self.norm = torch.nn.LayerNorm(width)
        self.head = torch.nn.Linear(width, vocab)

    def forward(self, tokens):
        return self.head(self.norm(self.mlp(self.embed(tokens))))


torch.manual_seed(0)
model = TinyLM()
hidden, rest = [], []
for name, p in model.named_parameters():
    is_hidden_matrix = p.ndim == 2 and not name.startswith(("embed.", "head."))
    (hidden if is_hidden_matrix else rest).append((name, p))
print("Muon: ", [name for name, _ in hidden])
print("AdamW:", [name for name, _ in rest])
print("every parameter in exactly one:", sorted(n for n, _ in hidden + rest) == sorted(dict(model.named_parameters())))
muon = torch.optim.Muon([p for _, p in hidden], lr=0.02)
adamw = torch.optim.AdamW([p for _, p in rest], lr=3e-3)
optimizers = [muon, adamw]

tokens = torch.randint(0, 16, (32,))
targets = (tokens + 1) % 16  # learn "the next token"
for step in range(60):
    for opt in optimizers:
        opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(tokens), targets)
    loss.backward()
    for opt in optimizers:
        opt.step()
    if step % 20 == 0 or step == 59:
        print(f"step {step:2d}: loss {loss.item():.2f}")  # 2 decimals: the 4th depends on the thread count
# --8<-- [end:with_adamw]

held = [p for opt in optimizers for group in opt.param_groups for p in group["params"]]
assert len(held) == len({id(p) for p in held}) == len(list(model.parameters()))


# --8<-- [start:adafactor] setup: imports
weight = torch.nn.Parameter(torch.randn(256, 64))
bias = torch.nn.Parameter(torch.randn(64))
for cls in (torch.optim.Adafactor, torch.optim.AdamW):
    opt = cls([weight, bias])
    weight.grad, bias.grad = torch.randn(256, 64), torch.randn(64)
    opt.step()
    for name, p in (("weight", weight), ("bias", bias)):
        state = opt.state[p]
        shapes = {k: tuple(v.shape) for k, v in state.items() if k != "step"}
        numbers = sum(v.numel() for k, v in state.items() if k != "step")
        print(f"{cls.__name__:9} {name:6} {shapes}  {numbers} numbers")
# --8<-- [end:adafactor]
