"""The step inside backward(): one optimizer per parameter, stepped by a hook."""

# --8<-- [start:imports]
import io

import torch


def make_model():
    """The same small model, with the same start, at every call."""
    torch.manual_seed(0)
    layers = [torch.nn.Linear(8, 64), torch.nn.Tanh()]
    for _ in range(3):
        layers += [torch.nn.Linear(64, 64), torch.nn.Tanh()]
    return torch.nn.Sequential(*layers, torch.nn.Linear(64, 1))


def loss_of(model, batch):
    """The model's loss on a batch of 16 samples, the same batch for every model."""
    generator = torch.Generator().manual_seed(batch)
    x, y = torch.randn(16, 8, generator=generator), torch.randn(16, 1, generator=generator)
    return torch.nn.functional.mse_loss(model(x), y)


def compare(model, other):
    """'bit-exact', or the largest difference between the two models' parameters."""
    pairs = list(zip(model.parameters(), other.parameters()))
    if all(torch.equal(a, b) for a, b in pairs):
        return "bit-exact"
    return f"max |diff| {max((a - b).abs().max().item() for a, b in pairs):.1e}"


def grad_bytes(model):
    """The bytes of the model's .grad tensors alive now."""
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    return sum(g.numel() * g.element_size() for g in grads)
# --8<-- [end:imports]


# --8<-- [start:hook_api] setup: imports
w = torch.nn.Parameter(torch.tensor(1.0))


def show(p):
    print(f"hook: p is w: {p is w} | p.grad: {p.grad.item()}", end=" | ")
    print("grad mode:", torch.is_grad_enabled())


handle = w.register_post_accumulate_grad_hook(show)
(2 * w + 3 * w).backward()  # two uses of w, one call of the hook, after both are summed
handle.remove()
(2 * w).backward()  # no hook any more: the gradient only accumulates
print("after remove():", type(handle).__name__, "| w.grad:", w.grad.item())
try:
    (2 * w).register_post_accumulate_grad_hook(show)
except RuntimeError as error:
    print("on a non-leaf tensor:", error)
# --8<-- [end:hook_api]


# --8<-- [start:loop] setup: imports
# --8<-- [start:step_in_backward] setup: imports
def step_in_backward(model, **options):
    """One Adam per parameter, stepped by a hook once that parameter's gradient is complete."""
    params = list(model.parameters())
    optimizers = {p: torch.optim.Adam([p], foreach=False, **options) for p in params}

    def hook(p):
        optimizers[p].step()
        optimizers[p].zero_grad()  # set_to_none=True: p.grad becomes None, its memory is freed

    for p in params:
        p.register_post_accumulate_grad_hook(hook)
    return optimizers
# --8<-- [end:step_in_backward]


ordinary = make_model()
opt = torch.optim.Adam(ordinary.parameters(), lr=1e-2, foreach=False)
fused = make_model()
optimizers = step_in_backward(fused, lr=1e-2)
for step in range(3):
    opt.zero_grad()
    loss_of(ordinary, step).backward()
    opt.step()

    loss_of(fused, step).backward()  # the whole training step: the hooks did the rest
    grads = {"None" if p.grad is None else "set" for p in fused.parameters()}
    print(f"step {step}: {compare(fused, ordinary)} | .grad after backward(): {grads}")
print("optimizers:", len(optimizers), "| parameters:", len(list(fused.parameters())))
# --8<-- [end:loop]

assert compare(fused, ordinary) == "bit-exact"


# --8<-- [start:memory] setup: step_in_backward
from torch.multiprocessing.reductions import StorageWeakRef  # a weak reference to a tensor's memory


class Watch:
    """Every gradient that loss.backward() computes, from the moment a node computes it, and
    which of them are still allocated in each parameter's hook, then after backward().

    Build it before step_in_backward(): a tensor's hooks run in the order of registration."""

    def __init__(self, model, loss):
        self.nbytes = {}  # each gradient's memory, as a weak reference: its size
        self.of_parameters = set()  # the memory that became a parameter's .grad
        self.samples, self.order = [], []  # the memory allocated at each sample; the hooks run
        nodes = [loss.grad_fn]
        for node in nodes:  # the graph but its AccumulateGrad nodes (which have no next ones)
            node.register_hook(self.computed)
            nodes += [n for n, _ in node.next_functions
                      if n is not None and n.next_functions and n not in nodes]
        for name, p in model.named_parameters():
            p.register_post_accumulate_grad_hook(lambda p, name=name: self.sample(name, p.grad))

    def computed(self, grads, _):  # a node's post hook: the gradients the node computed
        for grad in grads:
            if grad is not None:
                memory = grad.untyped_storage()
                self.nbytes.setdefault(StorageWeakRef(memory), memory.nbytes())

    def sample(self, name=None, grad=None):
        if grad is not None:  # in a parameter's hook, grad is its .grad
            self.order.append(name)
            self.of_parameters.add(StorageWeakRef(grad.untyped_storage()))
        self.samples.append([memory for memory in self.nbytes if not memory.expired()])

    def allocated(self, of_parameters=True):
        """The bytes allocated at each sample: of the parameters' gradients, or of the others."""
        return [sum(self.nbytes[m] for m in sample if (m in self.of_parameters) == of_parameters)
                for sample in self.samples]


def state_bytes(optimizers):
    tensors = [t for o in optimizers for state in o.state.values() for t in state.values()]
    return sum(t.numel() * t.element_size() for t in tensors)


ordinary = make_model()
opt = torch.optim.Adam(ordinary.parameters(), lr=1e-2, foreach=False)
loss = loss_of(ordinary, 0)
watch = Watch(ordinary, loss)
loss.backward()
watch.sample()  # after backward(), before step()
opt.step()

fused = make_model()
loss = loss_of(fused, 0)
watch_fused = Watch(fused, loss)
optimizers = step_in_backward(fused, lr=1e-2)
loss.backward()
watch_fused.sample()

sizes = [p.numel() * p.element_size() for p in fused.parameters()]
print("parameters:", sum(sizes), "bytes in", len(sizes), "tensors; the largest:", max(sizes))
print("hooks, in the order they ran:", ", ".join(watch_fused.order[:4]), "...")
print("parameters' gradient bytes allocated in each hook, then after backward():")
print("  ordinary:   ", watch.allocated())
print("  in backward:", watch_fused.allocated())
peak, peak_fused = max(watch.allocated()), max(watch_fused.allocated())
saved = peak - peak_fused
print(f"peak: {peak} vs {peak_fused} bytes ({peak / peak_fused:.1f}x less), saved {saved}")
others = max(watch.allocated(False)), max(watch_fused.allocated(False))
print("the other gradients (the activations'), peak:", others[0], "vs", others[1], "bytes")
print("Adam state bytes:", state_bytes([opt]), "vs", state_bytes(optimizers.values()))
# --8<-- [end:memory]

layers = [m.weight.nbytes + m.bias.nbytes for m in fused if isinstance(m, torch.nn.Linear)]
assert peak == sum(sizes) and peak_fused == max(layers) and others[0] == others[1]
assert watch.of_parameters <= set(watch.nbytes)  # every .grad is memory a node computed


# --8<-- [start:accumulation] setup: step_in_backward
# Ordinary accumulation: two micro-batches, the loss of each divided by 2, one step.
ordinary = make_model()
opt = torch.optim.Adam(ordinary.parameters(), lr=1e-2, foreach=False)
for batch in (0, 1):
    (loss_of(ordinary, batch) / 2).backward()
opt.step()

# The hook as written steps after every backward().
naive = make_model()
optimizers = step_in_backward(naive, lr=1e-2)
for batch in (0, 1):
    (loss_of(naive, batch) / 2).backward()
steps = optimizers[next(naive.parameters())].state_dict()["state"][0]["step"].item()
print(f"step in every backward(): Adam steps {steps:.0f}, {compare(naive, ordinary)}")

# Step only in the last micro-batch's backward(); until then the gradients accumulate in .grad.
fixed = make_model()
optimizers = {p: torch.optim.Adam([p], lr=1e-2, foreach=False) for p in fixed.parameters()}
last_micro_batch = False


def hook(p):
    if last_micro_batch:
        optimizers[p].step()
        optimizers[p].zero_grad()


for p in fixed.parameters():
    p.register_post_accumulate_grad_hook(hook)
for batch in (0, 1):
    last_micro_batch = batch == 1
    (loss_of(fixed, batch) / 2).backward()
    print(f"last micro-batch only: .grad bytes after micro-batch {batch}: {grad_bytes(fixed)}")
print("last micro-batch only:", compare(fixed, ordinary))
# --8<-- [end:accumulation]

assert compare(fixed, ordinary) == "bit-exact"


# --8<-- [start:clipping] setup: imports
max_norm = 0.1
start = make_model()


def update_norm(model):
    """The norm of the whole update the step made, all parameters together."""
    pairs = zip(model.parameters(), start.parameters())
    return torch.linalg.vector_norm(torch.cat([(p - p0).flatten() for p, p0 in pairs]))


# Ordinary: clip the gradients by their total norm, then step (SGD: lr times the gradient).
ordinary = make_model()
opt = torch.optim.SGD(ordinary.parameters(), lr=0.1)
loss_of(ordinary, 0).backward()
total = torch.nn.utils.clip_grad_norm_(ordinary.parameters(), max_norm)
opt.step()
print(f"total norm of all gradients: {total:.4f} > max_norm {max_norm}")
print(f"clip all gradients together: update norm {update_norm(ordinary):.4f}")


def step_in_backward_with(model, before_step):
    """One step in backward(), with before_step(p) run on each gradient first."""
    optimizers = {p: torch.optim.SGD([p], lr=0.1) for p in model.parameters()}

    def hook(p):
        before_step(p)
        optimizers[p].step()
        optimizers[p].zero_grad()

    handles = [p.register_post_accumulate_grad_hook(hook) for p in model.parameters()]
    loss_of(model, 0).backward()
    for handle in handles:
        handle.remove()


# In the hook, each parameter sees its own gradient only: clipping it alone is another method.
each = make_model()
step_in_backward_with(each, lambda p: torch.nn.utils.clip_grad_norm_(p, max_norm))
print(f"clip each gradient alone: update norm {update_norm(each):.4f}, {compare(each, ordinary)}")

# Two passes: the first computes every gradient's norm and drops the gradient,
# the second clips with the total of those norms, then steps.
two_passes = make_model()
norms = {}


def record_norm(p):
    norms[p] = torch.linalg.vector_norm(p.grad)
    p.grad = None


handles = [p.register_post_accumulate_grad_hook(record_norm) for p in two_passes.parameters()]
loss_of(two_passes, 0).backward()
for handle in handles:
    handle.remove()
total_first = torch.nn.utils.get_total_norm([norms[p] for p in two_passes.parameters()])
step_in_backward_with(
    two_passes, lambda p: torch.nn.utils.clip_grads_with_norm_(p, max_norm, total_first))
print(f"two passes: update norm {update_norm(two_passes):.4f}, {compare(two_passes, ordinary)}")
# --8<-- [end:clipping]

assert compare(two_passes, ordinary) == "bit-exact" and compare(each, ordinary) != "bit-exact"


# --8<-- [start:schedulers] setup: step_in_backward
ordinary = make_model()
opt = torch.optim.Adam(ordinary.parameters(), lr=1e-2, foreach=False)
scheduler = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)

fused = make_model()
optimizers = step_in_backward(fused, lr=1e-2)
schedulers = [torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.5) for o in optimizers.values()]
for step in range(3):
    opt.zero_grad()
    loss_of(ordinary, step).backward()
    opt.step()
    scheduler.step()

    loss_of(fused, step).backward()
    for s in schedulers:  # after backward(), when every optimizer has stepped
        s.step()
    lrs = sorted({s.get_last_lr()[0] for s in schedulers})
    print(f"step {step}: lr of the {len(schedulers)} optimizers: {lrs}", end=" | ")
    print("one optimizer:", scheduler.get_last_lr())
print("parameters:", compare(fused, ordinary))
# --8<-- [end:schedulers]

assert compare(fused, ordinary) == "bit-exact"


# --8<-- [start:checkpoint] setup: step_in_backward
def build(model):
    optimizers = step_in_backward(model, lr=1e-2)
    ExponentialLR = torch.optim.lr_scheduler.ExponentialLR
    schedulers = {p: ExponentialLR(opt, gamma=0.5) for p, opt in optimizers.items()}
    return optimizers, schedulers


def train(model, schedulers, steps):
    for step in steps:
        loss_of(model, step).backward()
        for s in schedulers.values():
            s.step()


model = make_model()
optimizers, schedulers = build(model)
train(model, schedulers, [0, 1])
# Every optimizer calls its one parameter 0: key their state dicts by the parameter's name.
checkpoint = {
    "model": model.state_dict(),
    "optimizers": {name: optimizers[p].state_dict() for name, p in model.named_parameters()},
    "schedulers": {name: schedulers[p].state_dict() for name, p in model.named_parameters()},
}
file = io.BytesIO()  # a file on disk in real training
torch.save(checkpoint, file)
print("saved optimizers:", list(checkpoint["optimizers"])[:3], "...")
print("the state of '0.weight':", list(checkpoint["optimizers"]["0.weight"]["state"]))
train(model, schedulers, [2])  # the run that was never interrupted

file.seek(0)
checkpoint = torch.load(file)
resumed = make_model()
resumed.load_state_dict(checkpoint["model"])
resumed_optimizers, resumed_schedulers = build(resumed)
for name, p in resumed.named_parameters():
    resumed_optimizers[p].load_state_dict(checkpoint["optimizers"][name])
    resumed_schedulers[p].load_state_dict(checkpoint["schedulers"][name])
train(resumed, resumed_schedulers, [2])
print("step 2 after resuming:", compare(resumed, model))
# --8<-- [end:checkpoint]

assert compare(resumed, model) == "bit-exact"
