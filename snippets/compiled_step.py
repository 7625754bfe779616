"""Compiling optimizer.step(): the numbers, the recompiles, a tensor learning rate, capturable."""

# --8<-- [start:imports]
import copy
import logging

import torch

# Silences one warning: Dynamo leaves out the profiler label that step() puts around itself.
logging.getLogger("torch._dynamo.variables.ctx_manager").setLevel(logging.ERROR)
# --8<-- [end:imports]


# --8<-- [start:eager_vs_compiled] setup: imports
torch.manual_seed(0)
x, y = torch.randn(8, 4), torch.randn(8, 1)
eager_model = torch.nn.Linear(4, 1)
compiled_model = copy.deepcopy(eager_model)  # the same start
eager_opt = torch.optim.SGD(eager_model.parameters(), lr=0.1, momentum=0.9)
compiled_opt = torch.optim.SGD(compiled_model.parameters(), lr=0.1, momentum=0.9)


@torch.compile
def compiled_step():
    compiled_opt.step()


for step in range(3):
    for model in (eager_model, compiled_model):
        model.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
    eager_opt.step()
    compiled_step()
    pairs = list(zip(eager_model.parameters(), compiled_model.parameters()))
    diff = max((a - b).abs().max().item() for a, b in pairs)
    # float32 values of the same sign, read as integers, differ by their distance in ulps
    ulps = max((a.view(torch.int32) - b.view(torch.int32)).abs().max().item() for a, b in pairs)
    print(f"step {step}: max |eager - compiled| = {diff:.1e} ({ulps} ulp)")
print("graphs compiled:", torch._dynamo.utils.counters["stats"]["unique_graphs"])
# --8<-- [end:eager_vs_compiled]


# --8<-- [start:graphs_per_step] setup: imports
def sgd(params, lr):
    return torch.optim.SGD(params, lr=lr, momentum=0.9)


def halve(opt):
    return torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)


def graphs_per_step(lr, steps=4, make_optimizer=sgd, make_scheduler=halve):
    torch.compiler.reset()  # no graphs left from earlier calls
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 1)
    opt = make_optimizer(model.parameters(), lr)
    scheduler = make_scheduler(opt)

    @torch.compile
    def step():
        opt.step()

    x = torch.randn(8, 4)
    # private: Dynamo's own statistics; "unique_graphs" counts the graphs compiled in this process
    stats = torch._dynamo.utils.counters["stats"]
    before, counts = stats["unique_graphs"], []
    for _ in range(steps):
        opt.zero_grad()
        model(x).pow(2).mean().backward()
        step()
        scheduler.step()
        counts.append(stats["unique_graphs"] - before)
    return counts, opt
# --8<-- [end:graphs_per_step]


# --8<-- [start:float_lr] setup: graphs_per_step
counts, opt = graphs_per_step(lr=0.1)
print("graphs after each step:", counts)
print("lr now:", opt.param_groups[0]["lr"])
# --8<-- [end:float_lr]

assert counts == [1, 2, 3, 4]


# --8<-- [start:tensor_lr] setup: graphs_per_step
lr = torch.tensor(0.1)
counts, opt = graphs_per_step(lr=lr)
print("graphs after each step:", counts)
print("lr now:", opt.param_groups[0]["lr"], "the same tensor:", opt.param_groups[0]["lr"] is lr)
# --8<-- [end:tensor_lr]

assert counts == [1, 2, 2, 2]


# --8<-- [start:cycle_momentum] setup: graphs_per_step
def adam(params, lr):
    return torch.optim.Adam(params, lr=lr)


def one_cycle(opt):  # cycle_momentum=True by default
    return torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=100)


counts, opt = graphs_per_step(torch.tensor(0.004), 4, adam, one_cycle)
print("graphs after each step:", counts)
print("lr now:", opt.param_groups[0]["lr"])
print("betas now:", tuple(round(beta, 4) for beta in opt.param_groups[0]["betas"]))
# private: the guard failures that caused the recompilations, "2/0: <guard> == <value>  # ..."
failures = [reason for reasons in torch._dynamo.utils.guard_failures.values() for reason in reasons]
print("failed guards:", sorted({reason.split(": ", 1)[1].split(" == ")[0] for reason in failures}))
# --8<-- [end:cycle_momentum]

assert counts == [1, 2, 3, 4]


# --8<-- [start:optimizer_names] setup: imports
optimizer_names = sorted(name for name, cls in vars(torch.optim).items()
                         if isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer)
                         and cls is not torch.optim.Optimizer)
# --8<-- [end:optimizer_names]


# --8<-- [start:which_optimizers] setup: optimizer_names
def one_step(name, **options):
    w = torch.nn.Parameter(torch.ones(2, 2))  # 2-D: Muon takes only matrices
    try:
        opt = getattr(torch.optim, name)([w], lr=torch.tensor(0.01), **options)
        w.grad = torch.ones(2, 2).to_sparse() if name == "SparseAdam" else torch.ones(2, 2)
        opt.step((lambda: w.sum()) if name == "LBFGS" else None)
        return "yes"
    except TypeError:
        return "(no foreach option)"
    except (ValueError, RuntimeError) as error:
        return f"{type(error).__name__}: {error}"


print(f"{'':10} | tensor lr | tensor lr, foreach=True")
for name in optimizer_names:
    print(f"{name:10} | {one_step(name):9} | {one_step(name, foreach=True)}")
# --8<-- [end:which_optimizers]


# --8<-- [start:scheduler_fill] setup: imports
w = torch.nn.Parameter(torch.tensor(1.0))
lr = torch.tensor(0.1)
opt = torch.optim.SGD([w], lr=lr)
scheduler = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
opt.step()
scheduler.step()
print("ExponentialLR:    ", opt.param_groups[0]["lr"], opt.param_groups[0]["lr"] is lr)
print("get_last_lr():    ", scheduler.get_last_lr(), scheduler.get_last_lr()[0] is lr)

lr = torch.tensor(0.1)
opt = torch.optim.SGD([w], lr=lr)
plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=0)
for validation_loss in [1.0, 1.0]:  # no improvement at the second call
    opt.step()
    plateau.step(validation_loss)
print("ReduceLROnPlateau:", opt.param_groups[0]["lr"], opt.param_groups[0]["lr"] is lr)
# --8<-- [end:scheduler_fill]


# --8<-- [start:capturable] setup: imports
w = torch.nn.Parameter(torch.ones(2))
w.grad = torch.ones(2)
opt = torch.optim.Adam([w], lr=0.1)
opt.step()
step = opt.state[w]["step"]
print("capturable=False: step", step, "on", step.device)

opt = torch.optim.Adam([w], lr=0.1, capturable=True)
try:
    opt.step()
except AssertionError as error:
    print("capturable=True on the CPU:", error)
# --8<-- [end:capturable]


# --8<-- [start:capturable_list] setup: optimizer_names
import inspect

takes = [name for name in optimizer_names
         if "capturable" in inspect.signature(getattr(torch.optim, name)).parameters]
print("take capturable:", ", ".join(takes))
print("do not:         ", ", ".join(name for name in optimizer_names if name not in takes))
# --8<-- [end:capturable_list]
