"""zero_grad(): accumulation, set_to_none, and whose gradients it clears."""

# --8<-- [start:accumulate]
# --8<-- [start:imports]
import torch
# --8<-- [end:imports]

# --8<-- [start:parameter] setup: imports
w = torch.nn.Parameter(torch.tensor(1.0))
# --8<-- [end:parameter]
for call in range(3):
    (3 * w).backward()
    print(f"after backward() #{call + 1}: w.grad = {w.grad}")
# --8<-- [end:accumulate]

# --8<-- [start:parameter_with_grad] setup: parameter
(3 * w).backward()
# --8<-- [end:parameter_with_grad]

# --8<-- [start:set_to_none] setup: parameter_with_grad
optimizer = torch.optim.SGD([w], lr=0.1)
optimizer.zero_grad()
print(w.grad)

(3 * w).backward()
optimizer.zero_grad(set_to_none=False)
print(w.grad)
# --8<-- [end:set_to_none]

# --8<-- [start:none_skips] setup: imports
for set_to_none in (True, False):
    w = torch.nn.Parameter(torch.tensor(1.0))
    optimizer = torch.optim.SGD([w], lr=0.1, momentum=0.9, weight_decay=0.1)
    (3 * w).backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=set_to_none)
    before = w.item()
    optimizer.step()
    print(f"set_to_none={set_to_none}: step() after zero_grad moved w by {w.item() - before:+.4f}")
# --8<-- [end:none_skips]

# --8<-- [start:model_vs_optimizer] setup: imports
backbone = torch.nn.Linear(2, 2)
head = torch.nn.Linear(2, 1)
model = torch.nn.Sequential(backbone, head)
optimizer = torch.optim.SGD(head.parameters(), lr=0.1)

x = torch.ones(1, 2)
model(x).sum().backward()
optimizer.zero_grad()
print("optimizer.zero_grad():", backbone.weight.grad is None, head.weight.grad is None)
model.zero_grad()
print("model.zero_grad():    ", backbone.weight.grad is None, head.weight.grad is None)
# --8<-- [end:model_vs_optimizer]


# --8<-- [start:accumulation] setup: imports
def make_model():
    model = torch.nn.Linear(3, 1, dtype=torch.float64)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[0.1, -0.2, 0.3]]))
        model.bias.fill_(0.05)
    return model


inputs = torch.linspace(-1, 1, 24, dtype=torch.float64).reshape(8, 3)
targets = inputs.sum(dim=1, keepdim=True)
loss_fn = torch.nn.MSELoss()

big = make_model()
optimizer = torch.optim.SGD(big.parameters(), lr=0.1, momentum=0.9)
for step in range(3):
    optimizer.zero_grad()
    loss_fn(big(inputs), targets).backward()
    optimizer.step()

small = make_model()
optimizer = torch.optim.SGD(small.parameters(), lr=0.1, momentum=0.9)
n_micro = 4
for step in range(3):
    optimizer.zero_grad()
    for x, y in zip(inputs.chunk(n_micro), targets.chunk(n_micro)):
        loss = loss_fn(small(x), y) / n_micro
        loss.backward()
    optimizer.step()

print(torch.allclose(big.weight, small.weight, rtol=1e-12, atol=0))
print(torch.allclose(big.bias, small.bias, rtol=1e-12, atol=0))
# --8<-- [end:accumulation]
