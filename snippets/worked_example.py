"""Three SGD steps on a one-feature linear model, by hand and with torch."""

# --8<-- [start:setup]
# --8<-- [start:imports]
import math

import torch
# --8<-- [end:imports]

# --8<-- [start:data]
xs = [1.0, 2.0]
ys = [2.0, 4.0]
lr = 0.1
# --8<-- [end:data]
# --8<-- [end:setup]


# --8<-- [start:by_hand] setup: data
def loss_and_grads(w, b):
    residuals = [w * x + b - y for x, y in zip(xs, ys)]
    n = len(xs)
    loss = sum(r * r for r in residuals) / n
    dw = sum(2 * r * x for r, x in zip(residuals, xs)) / n
    db = sum(2 * r for r in residuals) / n
    return loss, dw, db


w, b = 0.0, 0.0
by_hand = []
for t in range(1, 4):
    loss, dw, db = loss_and_grads(w, b)
    w, b = w - lr * dw, b - lr * db
    by_hand.append((t, loss, dw, db, w, b))
# --8<-- [end:by_hand]

# --8<-- [start:first_step] setup: by_hand
print("residuals at w = b = 0:", [0.0 * x + 0.0 - y for x, y in zip(xs, ys)])
print("loss {:.4f}, dL/dw {:.4f}, dL/db {:.4f}".format(*loss_and_grads(0.0, 0.0)))
print("w_1 {:.4f}, b_1 {:.4f}".format(*by_hand[0][4:]))
# --8<-- [end:first_step]

# --8<-- [start:with_torch] setup: imports, data
model = torch.nn.Linear(1, 1, dtype=torch.float64)
torch.nn.init.zeros_(model.weight)
torch.nn.init.zeros_(model.bias)
optimizer = torch.optim.SGD(model.parameters(), lr=lr)
x = torch.tensor(xs, dtype=torch.float64).unsqueeze(1)
y = torch.tensor(ys, dtype=torch.float64).unsqueeze(1)

with_torch = []
for t in range(1, 4):
    optimizer.zero_grad()
    loss = torch.nn.functional.mse_loss(model(x), y)
    loss.backward()
    dw, db = model.weight.grad.item(), model.bias.grad.item()
    optimizer.step()
    with_torch.append((t, loss.item(), dw, db, model.weight.item(), model.bias.item()))
# --8<-- [end:with_torch]

# --8<-- [start:table] setup: imports, by_hand, with_torch
print(" t |    loss |  dL/dw |  dL/db |     w_t |     b_t")
for hand, ours in zip(by_hand, with_torch):
    assert all(math.isclose(h, o, rel_tol=1e-12, abs_tol=1e-15) for h, o in zip(hand, ours))
    t, loss, dw, db, w, b = ours
    print(f"{t:2d} | {loss:7.4f} | {dw:6.2f} | {db:6.2f} | {w:7.4f} | {b:7.4f}")
# --8<-- [end:table]

# --8<-- [start:long_run] setup: by_hand
w, b = 0.0, 0.0
for t in range(1000):
    loss, dw, db = loss_and_grads(w, b)
    w, b = w - lr * dw, b - lr * db
print(f"after 1000 steps: w {w:.4f}, b {b:.4f}, loss {loss:.1e}")
# --8<-- [end:long_run]
