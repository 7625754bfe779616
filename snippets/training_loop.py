"""The training loop: zero_grad -> forward -> loss -> backward -> step."""

# --8<-- [start:loop]
import torch

x = torch.tensor([[1.0], [2.0], [3.0], [4.0]])
y = 2 * x + 1

model = torch.nn.Linear(1, 1)
torch.nn.init.zeros_(model.weight)
torch.nn.init.zeros_(model.bias)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
loss_fn = torch.nn.MSELoss()

for epoch in range(500):
    optimizer.zero_grad()  # (1)!
    prediction = model(x)  # (2)!
    loss = loss_fn(prediction, y)  # (3)!
    loss.backward()  # (4)!
    optimizer.step()  # (5)!

print(f"weight {model.weight.item():.3f}, bias {model.bias.item():.3f}")
# --8<-- [end:loop]

assert loss.item() < 1e-6
assert abs(model.weight.item() - 2) < 1e-3 and abs(model.bias.item() - 1) < 1e-3
# "learns the line y = 2x + 1 (to three decimals)": both round to the line's coefficients
assert f"{model.weight.item():.3f}" == "2.000" and f"{model.bias.item():.3f}" == "1.000"
