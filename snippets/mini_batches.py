"""Mini-batches: where the "stochastic" in stochastic gradient descent comes from."""

# --8<-- [start:data]
import torch
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(1)
inputs = torch.randn(8, 2)  # 8 samples, 2 features each
targets = inputs @ torch.tensor([2.0, -1.0]) + 0.5 + 0.1 * torch.randn(8)
dataset = TensorDataset(torch.arange(8), inputs, targets)  # each item: (index, x, y)
mse = torch.nn.functional.mse_loss


def make_model():
    model = torch.nn.Linear(2, 1)
    torch.nn.init.zeros_(model.weight)
    torch.nn.init.zeros_(model.bias)
    return model


def gradient(model, x, y):
    """The gradient of the mean squared error on (x, y), all parameters in one tensor."""
    model.zero_grad()
    mse(model(x).squeeze(1), y).backward()
    return torch.cat([p.grad.flatten() for p in model.parameters()])
# --8<-- [end:data]

# --8<-- [start:shuffle] setup: data
loader = DataLoader(dataset, batch_size=2, shuffle=True, generator=torch.Generator().manual_seed(0))
for epoch in range(2):
    print(f"epoch {epoch}:", [index.tolist() for index, x, y in loader])

again = DataLoader(dataset, batch_size=2, shuffle=True, generator=torch.Generator().manual_seed(0))
print("epoch 0, same seed:", [index.tolist() for index, x, y in again])
# --8<-- [end:shuffle]

# --8<-- [start:batch_gradients] setup: data
model = make_model()
full = gradient(model, inputs, targets)
print("full batch:    ", full)

loader = DataLoader(dataset, batch_size=2, shuffle=True, generator=torch.Generator().manual_seed(0))
batch_gradients = []
for index, x, y in loader:
    batch_gradients.append(gradient(model, x, y))
    print(f"batch {index.tolist()}:", batch_gradients[-1])

average = torch.stack(batch_gradients).mean(dim=0)
print("their average: ", average)
print("equal:", torch.equal(average, full), " allclose:", torch.allclose(average, full))
print(f"largest difference: {(average - full).abs().max():.1e}")
# --8<-- [end:batch_gradients]

assert not torch.equal(average, full) and torch.allclose(average, full, rtol=1e-6, atol=0)
assert all(not torch.allclose(g, full, rtol=0.1) for g in batch_gradients)

# --8<-- [start:epoch_loop] setup: data
# --8<-- [start:train] setup: data
def train(batch_size, seed=0, epochs=3, optimizer_class=torch.optim.SGD, reduction="mean", **options):
    model = make_model()
    optimizer = optimizer_class(model.parameters(), **options)
    generator = torch.Generator().manual_seed(seed)
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=generator)
    for epoch in range(epochs):
        for index, x, y in loader:
            optimizer.zero_grad()
            loss = mse(model(x).squeeze(1), y, reduction=reduction)
            loss.backward()
            optimizer.step()
    return torch.cat([p.detach().flatten() for p in model.parameters()])
# --8<-- [end:train]


for batch_size in (8, 2, 1):
    steps = len(DataLoader(dataset, batch_size=batch_size))
    runs = [train(batch_size, seed=seed, lr=0.1) for seed in range(10)]
    spread = max((run - runs[0]).abs().max() for run in runs)
    print(f"batch size {batch_size}, steps per epoch: {steps}, seed 0: {runs[0]}")
    print(f"  largest difference from seed 0 over seeds 1 to 9: {spread:.1e}")
print("batch size 2, seed 0 twice, same:", torch.equal(train(2, seed=0, lr=0.1), train(2, seed=0, lr=0.1)))
# --8<-- [end:epoch_loop]

assert spread > 0.01
assert 0 < max((train(8, seed=s, lr=0.1) - train(8, lr=0.1)).abs().max() for s in range(10)) < 1e-6

# --8<-- [start:reduction] setup: train
B = 4  # batch size: reduction="mean" runs with lr 0.2, reduction="sum" with lr 0.2 / B = 0.05
SGD, Adam = torch.optim.SGD, torch.optim.Adam
cases = [  # name, optimizer, options of both runs, what the sum run changes besides lr
    ("SGD", SGD, {}, {}),
    ("SGD, momentum", SGD, {"momentum": 0.9}, {}),
    ("SGD, momentum, dampening", SGD, {"momentum": 0.9, "dampening": 0.5}, {}),
    ("SGD, nesterov", SGD, {"momentum": 0.9, "nesterov": True}, {}),
    ("SGD, weight_decay 0.1", SGD, {"weight_decay": 0.1}, {}),
    ("  same, weight_decay 0.4 for sum", SGD, {"weight_decay": 0.1}, {"weight_decay": 0.4}),
    ("Adam", Adam, {}, {}),
    ("  same, lr 0.2 for sum too", Adam, {}, {"lr": 0.2}),
    ("  same, and eps 0 for both", Adam, {"eps": 0.0}, {"lr": 0.2}),
]
for name, optimizer_class, options, sum_changes in cases:
    mean = train(B, optimizer_class=optimizer_class, reduction="mean", **options, lr=0.2)
    summed = train(B, optimizer_class=optimizer_class, reduction="sum", **{**options, "lr": 0.05, **sum_changes})
    print(f"{name}: same {torch.equal(mean, summed)}, largest difference {(mean - summed).abs().max():.1e}")
# --8<-- [end:reduction]

runs = {
    name: (
        train(B, optimizer_class=cls, reduction="mean", **options, lr=0.2),
        train(B, optimizer_class=cls, reduction="sum", **{**options, "lr": 0.05, **sum_changes}),
    )
    for name, cls, options, sum_changes in cases
}
assert [name for name, run in runs.items() if not torch.equal(*run)] == ["SGD, weight_decay 0.1", "Adam", "  same, lr 0.2 for sum too"]
assert not torch.allclose(*runs["SGD, weight_decay 0.1"], rtol=1e-3) and not torch.allclose(*runs["Adam"], rtol=0.1)
# Adam with the same lr for both differs only at rounding level (eps).
assert torch.allclose(*runs["  same, lr 0.2 for sum too"], rtol=1e-6, atol=1e-7)
# B = 4 is a power of two, so scaling by B is exact. With B = 3 (6 samples, two batches) the
# mean and sum runs agree only to rounding.
full_dataset, dataset = dataset, TensorDataset(*dataset[:6])
mean3 = train(3, reduction="mean", lr=0.15, momentum=0.9)
sum3 = train(3, reduction="sum", lr=0.05, momentum=0.9)
assert not torch.equal(mean3, sum3) and torch.allclose(mean3, sum3, rtol=1e-5, atol=1e-6)
dataset = full_dataset

# --8<-- [start:uneven] setup: data
model = make_model()
for drop_last in (False, True):
    loader = DataLoader(dataset, batch_size=3, shuffle=True, drop_last=drop_last, generator=torch.Generator().manual_seed(0))
    print(f"drop_last={drop_last}: {len(loader)} batches")
    for index, x, y in loader:
        losses = mse(model(x).squeeze(1), y, reduction="none")  # one loss per sample
        losses.retain_grad()
        losses.mean().backward()  # the mean that reduction="mean" takes
        print(f"  samples {index.tolist()}: weights {[round(w, 4) for w in losses.grad.tolist()]}")
print("drop_last=True, next epoch:", [index.tolist() for index, x, y in loader])
# --8<-- [end:uneven]

assert torch.allclose(losses.grad, torch.full((3,), 1 / 3))
out = model(inputs).squeeze(1)
assert torch.equal(mse(out, targets, reduction="none").mean(), mse(out, targets))
assert len(DataLoader(dataset, batch_size=3)) == 3 and len(DataLoader(dataset, batch_size=3, drop_last=True)) == 2

# --8<-- [start:accumulation] setup: data
model = make_model()
loader = DataLoader(dataset, batch_size=3, shuffle=True, generator=torch.Generator().manual_seed(0))
N = 2  # micro-batches per step
for i, (index, x, y) in enumerate(loader):
    losses = mse(model(x).squeeze(1), y, reduction="none")
    losses.retain_grad()
    (losses.mean() / N).backward()
    print(f"samples {index.tolist()}: weights {[round(w, 4) for w in losses.grad.tolist()]}")
    if (i + 1) % N == 0 or i + 1 == len(loader):
        print("  step")  # optimizer.step(); optimizer.zero_grad()
# --8<-- [end:accumulation]

assert losses.grad.tolist() == [0.25, 0.25]  # the short last step: weights add up to 0.5
# The full step: six weights of 1/6, which add up to 1.
model = make_model()
loader = DataLoader(dataset, batch_size=3, shuffle=True, generator=torch.Generator().manual_seed(0))
weights = []
for index, x, y in loader:
    losses = mse(model(x).squeeze(1), y, reduction="none")
    losses.retain_grad()
    (losses.mean() / N).backward()
    weights.append(losses.grad)
assert torch.allclose(torch.cat(weights[:2]), torch.full((6,), 1 / 6)) and abs(torch.cat(weights[:2]).sum() - 1) < 1e-6
# The average of equal batch gradients matches the full gradient bit for bit for some shuffles.
model = make_model()
full = gradient(model, inputs, targets)
matches = []
for seed in range(10):
    loader = DataLoader(dataset, batch_size=2, shuffle=True, generator=torch.Generator().manual_seed(seed))
    matches.append(torch.equal(torch.stack([gradient(model, x, y) for _, x, y in loader]).mean(dim=0), full))
assert any(matches) and not all(matches)
