"""Three SGD steps on a one-feature linear model, by hand and with torch."""

import inspect  # for a check below; not shown on the page

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
hand_final_loss = loss_and_grads(w, b)[0]  # at w_3, b_3
# --8<-- [end:by_hand]

# --8<-- [start:first_step] setup: by_hand
print("residuals at w = b = 0:", [0.0 * x + 0.0 - y for x, y in zip(xs, ys)])
print("loss {:.4f}, dL/dw {:.4f}, dL/db {:.4f}".format(*loss_and_grads(0.0, 0.0)))
print("w_1 {:.4f}, b_1 {:.4f}".format(*by_hand[0][4:]))
# --8<-- [end:first_step]


# --8<-- [start:with_torch] setup: imports, data
def train_with_torch(dtype, steps=3):
    model = torch.nn.Linear(1, 1, dtype=dtype)
    torch.nn.init.zeros_(model.weight)
    torch.nn.init.zeros_(model.bias)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    x = torch.tensor(xs, dtype=dtype).unsqueeze(1)
    y = torch.tensor(ys, dtype=dtype).unsqueeze(1)

    rows = []
    for t in range(1, steps + 1):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        dw, db = model.weight.grad.item(), model.bias.grad.item()
        optimizer.step()
        rows.append((t, loss.item(), dw, db, model.weight.item(), model.bias.item()))
    final_loss = torch.nn.functional.mse_loss(model(x), y).item()  # after the last step
    return rows, final_loss


with_torch, torch_final_loss = train_with_torch(torch.float64)
# --8<-- [end:with_torch]

# --8<-- [start:table] setup: imports, by_hand, with_torch
print(" t |    loss |  dL/dw |  dL/db |     w_t |     b_t")
for hand, ours in zip(by_hand, with_torch):
    assert all(math.isclose(h, o, rel_tol=1e-12, abs_tol=1e-15) for h, o in zip(hand, ours))
    t, loss, dw, db, w, b = ours
    print(f"{t:2d} | {loss:7.4f} | {dw:6.2f} | {db:6.2f} | {w:7.4f} | {b:7.4f}")
assert math.isclose(hand_final_loss, torch_final_loss, rel_tol=1e-12)
print(f"loss at w_3, b_3: {torch_final_loss:.4f}")
# --8<-- [end:table]

# The update the page writes out is torch.optim.SGD with every option but lr at its default,
# and F.mse_loss with its default reduction is the mean squared error L.
sgd_defaults = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr).defaults
assert (sgd_defaults["momentum"], sgd_defaults["dampening"], sgd_defaults["weight_decay"]) == (0, 0, 0)
assert sgd_defaults["nesterov"] is False and sgd_defaults["maximize"] is False
assert inspect.signature(torch.nn.functional.mse_loss).parameters["reduction"].default == "mean"

# The facts the page reads off the table.
losses = [row[1] for row in with_torch]
assert round(losses[0], 4) == 10.0 and round(losses[2], 2) == 0.17  # 0.17 after two steps
assert round(torch_final_loss, 4) == 0.0835  # after the third
assert all(row[3] < 0 for row in with_torch)  # dL/db < 0 in every row: b rises
assert with_torch[0][5] < with_torch[1][5] < with_torch[2][5]

# --8<-- [start:long_run] setup: by_hand
ws, bs = [0.0], [0.0]  # w_t and b_t for t = 0, 1, ..., 1000
for t in range(1000):
    _, dw, db = loss_and_grads(ws[-1], bs[-1])
    ws.append(ws[-1] - lr * dw)
    bs.append(bs[-1] - lr * db)

print(" steps |      w |      b |     loss")
for t in (3, 4, 10, 100, 1000):
    print(f"{t:6d} | {ws[t]:6.4f} | {bs[t]:6.4f} | {loss_and_grads(ws[t], bs[t])[0]:.3g}")
t_peak = bs.index(max(bs))
print("w rises at every step:", all(ws[t] < ws[t + 1] for t in range(1000)))
print(f"largest w: {max(ws):.7f}")
print(f"b rises until step {t_peak} ({bs[t_peak]:.4f}), then falls at every step:",
      all(bs[t] > bs[t + 1] for t in range(t_peak, 1000)))
print(f"smallest b, steps 1 to 1000: {min(bs[1:]):.1e}")
# --8<-- [end:long_run]

assert t_peak == 4
assert all(bs[t] < bs[t + 1] for t in range(t_peak))  # b rises for the first 4 steps
assert all(b > 0 for b in bs[1:])  # b never crosses its target 0
assert all(w < 2 for w in ws)  # w never crosses its target 2


# --8<-- [start:float32] setup: imports, by_hand, with_torch
def largest_relative_difference(rows):
    return max(
        abs(theirs - ours) / abs(ours)
        for hand_row, torch_row in zip(by_hand, rows)
        for ours, theirs in zip(hand_row[1:], torch_row[1:])
    )


rows32, _ = train_with_torch(torch.float32)
print(f"float64: largest relative difference {largest_relative_difference(with_torch):.1e}")
print(f"float32: largest relative difference {largest_relative_difference(rows32):.1e}")
# --8<-- [end:float32]

assert largest_relative_difference(with_torch) < 1e-12 < 1e-9 < largest_relative_difference(rows32)
