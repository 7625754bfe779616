"""Averaged weights: AveragedModel for EMA and SWA, SWALR, update_bn, and how they sit beside step()."""

# --8<-- [start:imports]
import torch
from torch.optim.swa_utils import SWALR, AveragedModel, get_ema_multi_avg_fn, update_bn
# --8<-- [end:imports]


# --8<-- [start:ema] setup: imports
torch.manual_seed(0)
model = torch.nn.Linear(4, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
x, y = torch.randn(32, 4), torch.randn(32, 1)
decay = 0.75
ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(decay))


def flat(module):  # every parameter of a module, in one vector
    return torch.cat([p.detach().flatten() for p in module.parameters()])


print("step | n_averaged | model w[0] | ema w[0]  | decay form | lerp form")
print(f"   0 | {ema.n_averaged.item():10} | {model.weight[0, 0]:10.6f} | {ema.module.weight[0, 0]:9.6f} |")
for step in range(1, 5):
    optimizer.zero_grad()
    torch.nn.functional.mse_loss(model(x), y).backward()
    optimizer.step()
    ema.update_parameters(model)  # after step(): the optimizer knows nothing of ema
    # The formula by hand, in its two forms, from the model's parameters after each step.
    theta = flat(model)
    if step == 1:
        decay_form, lerp_form = theta.clone(), theta.clone()
    else:
        decay_form = decay * decay_form + (1 - decay) * theta
        lerp_form = lerp_form + (1 - decay) * (theta - lerp_form)
    averaged = flat(ema)
    print(f"{step:4} | {ema.n_averaged.item():10} | {model.weight[0, 0]:10.6f} | {ema.module.weight[0, 0]:9.6f} | "
          f"{str(torch.equal(averaged, decay_form)):10} | {torch.equal(averaged, lerp_form)}")
# float32 values of the same sign, read as integers, differ by their distance in ulps
print("largest |ema - decay form|:",
      (averaged.view(torch.int32) - decay_form.view(torch.int32)).abs().max().item(), "ulp")
# --8<-- [end:ema]

assert torch.equal(averaged, lerp_form) and ema.n_averaged.item() == 4


# --8<-- [start:buffers] setup: imports
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
decay = 0.75
params_only = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(decay))
with_buffers = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(decay), use_buffers=True)
by_hand = None
for step in range(3):
    optimizer.zero_grad()
    model(torch.randn(16, 4) + step).pow(2).mean().backward()  # training mode: updates running_mean
    optimizer.step()
    params_only.update_parameters(model)
    with_buffers.update_parameters(model)
    mean = model[1].running_mean.clone()
    by_hand = mean if by_hand is None else by_hand + (1 - decay) * (mean - by_hand)

for name, bn in [("model", model[1]), ("use_buffers=False", params_only.module[1]),
                 ("use_buffers=True", with_buffers.module[1])]:
    means = " ".join(f"{v:7.4f}" for v in bn.running_mean.tolist())
    print(f"{name:17} | running_mean {means} | num_batches_tracked {bn.num_batches_tracked.item()}")
print("use_buffers=True, the formula by hand, bit for bit:", torch.equal(with_buffers.module[1].running_mean, by_hand))
# --8<-- [end:buffers]

assert torch.equal(params_only.module[1].running_mean, model[1].running_mean)
assert with_buffers.module[1].num_batches_tracked.item() == 1  # 1, then 1.25 and 1.5, each truncated


# --8<-- [start:swalr] setup: imports
def learning_rates(steps, **options):
    """The learning rate each optimizer.step() uses, from 1.0, with SWALR stepped after it."""
    w = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([w], lr=1.0)
    scheduler = SWALR(optimizer, swa_lr=0.1, **options)
    used = []
    for _ in range(steps):
        used.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return " ".join(f"{lr:.4f}" for lr in used)


print("anneal_epochs=4, 'cos':   ", learning_rates(6, anneal_epochs=4))
print("anneal_epochs=4, 'linear':", learning_rates(6, anneal_epochs=4, anneal_strategy="linear"))
print("anneal_epochs=0:          ", learning_rates(6, anneal_epochs=0))
# --8<-- [end:swalr]


# --8<-- [start:swa_loop] setup: imports
torch.manual_seed(0)
model = torch.nn.Linear(4, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
x, y = torch.randn(64, 4), torch.randn(64, 1)
loader = [(x[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16)]
swa_model = AveragedModel(model)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10)
swa_start = 3
swa_scheduler = SWALR(optimizer, swa_lr=0.05, anneal_epochs=2)

snapshots, by_hand = [], None
for epoch in range(8):
    lr = optimizer.param_groups[0]["lr"]
    for inputs, targets in loader:
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(model(inputs), targets).backward()
        optimizer.step()
    if epoch > swa_start:
        swa_model.update_parameters(model)
        swa_scheduler.step()
        theta = torch.cat([p.detach().flatten() for p in model.parameters()])
        snapshots.append(theta)
        n = len(snapshots) - 1  # models averaged before this one
        by_hand = theta.clone() if n == 0 else by_hand + (theta - by_hand) / (n + 1)
    else:
        scheduler.step()
    print(f"epoch {epoch}: lr {lr:.4f} | n_averaged {swa_model.n_averaged.item()}")

averaged = torch.cat([p.detach().flatten() for p in swa_model.parameters()])
print("running mean by hand, bit for bit:", torch.equal(averaged, by_hand))
mean = torch.stack(snapshots).mean(0)
# float32 values of the same sign, read as integers, differ by their distance in ulps
print(f"largest |swa - mean of the {len(snapshots)} snapshots|:",
      (averaged.view(torch.int32) - mean.view(torch.int32)).abs().max().item(), "ulp")
# --8<-- [end:swa_loop]

assert torch.equal(averaged, by_hand) and swa_model.n_averaged.item() == len(snapshots) == 4


# --8<-- [start:update_bn] setup: imports
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
swa_model = AveragedModel(model)
data = torch.randn(64, 4) + 1
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(data, torch.zeros(64)), batch_size=16)
for inputs, _ in loader:
    optimizer.zero_grad()
    model(inputs).pow(2).mean().backward()
    optimizer.step()
    swa_model.update_parameters(model)

bn = swa_model.module[1]
print("running_mean before update_bn:", " ".join(f"{v:7.4f}" for v in bn.running_mean.tolist()))
update_bn(loader, swa_model)
print("running_mean after update_bn: ", " ".join(f"{v:7.4f}" for v in bn.running_mean.tolist()))
with torch.no_grad():
    features = swa_model.module[0](data)  # what the BatchNorm layer sees: the averaged Linear's output
print("mean over the loader's data:  ", " ".join(f"{v:7.4f}" for v in features.mean(0).tolist()))
print("the same to a relative 1e-6:", torch.allclose(bn.running_mean, features.mean(0), rtol=1e-6, atol=0))
print("momentum afterwards:", bn.momentum, "| n_averaged:", swa_model.n_averaged.item())
# --8<-- [end:update_bn]

assert torch.allclose(bn.running_mean, features.mean(0), rtol=1e-6, atol=0) and bn.momentum == 0.1


# --8<-- [start:separate] setup: imports
torch.manual_seed(0)
model = torch.nn.Linear(100, 100)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.999))

in_optimizer = [p for group in optimizer.param_groups for p in group["params"]]
print("ema's parameters in the optimizer:", any(p is q for p in ema.parameters() for q in in_optimizer))
print("storage shared with the model:", any(p.data_ptr() == q.data_ptr()
                                            for p in ema.parameters() for q in model.parameters()))
print("bytes of parameters: model", sum(p.nbytes for p in model.parameters()),
      "| ema", sum(p.nbytes for p in ema.parameters()))
print("ema's parameters require grad:", all(p.requires_grad for p in ema.parameters()))

# Tie the update to step() with a hook, if you prefer: it runs after every step().
optimizer.register_step_post_hook(lambda opt, args, kwargs: ema.update_parameters(model))
x = torch.randn(8, 100)
for _ in range(3):
    optimizer.zero_grad()
    model(x).pow(2).mean().backward()
    optimizer.step()
print("n_averaged after 3 steps:", ema.n_averaged.item())

print("ema.state_dict():", list(ema.state_dict()))
restored = AveragedModel(torch.nn.Linear(100, 100), multi_avg_fn=get_ema_multi_avg_fn(0.999))
restored.load_state_dict(ema.state_dict())
print("loaded into a new AveragedModel: n_averaged", restored.n_averaged.item(),
      "| same weights:", all(torch.equal(p, q) for p, q in zip(restored.parameters(), ema.parameters())))
plain = torch.nn.Linear(100, 100)
plain.load_state_dict(ema.module.state_dict())
with torch.no_grad():
    print("plain model, loaded, gives ema's outputs:", torch.equal(plain(x), ema(x)))
# --8<-- [end:separate]
