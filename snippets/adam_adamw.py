"""Adam and AdamW as torch.optim computes them: bias correction, AMSGrad, maximize, weight decay."""

# --8<-- [start:imports]
import math

import torch
# --8<-- [end:imports]

# --8<-- [start:defaults] setup: imports
import inspect

adam = inspect.signature(torch.optim.Adam).parameters
adamw = inspect.signature(torch.optim.AdamW).parameters
print(f"{'argument':24}{'Adam':14}AdamW")
for name in adam:
    if name != "params":
        in_adamw = adamw[name].default if name in adamw else "(no such argument)"
        print(f"{name:24}{adam[name].default!s:14}{in_adamw}")
# --8<-- [end:defaults]

assert adam["weight_decay"].default == 0 and adamw["weight_decay"].default == 0.01
assert [n for n in adam if n not in adamw] == ["decoupled_weight_decay"]
assert [n for n in adamw if n not in adam] == []

# --8<-- [start:bias_correction] setup: imports
lr, beta1, beta2, eps, g = 0.1, 0.9, 0.999, 1e-8, 2.0
p = torch.nn.Parameter(torch.tensor(0.0, dtype=torch.float64))
optimizer = torch.optim.Adam([p], lr=lr)  # default betas and eps

m = v = 0.0
print("t  m_t       v_t       m_hat     v_hat     update     torch      m_t/(sqrt(v_t)+eps)")
for t in range(1, 4):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    update = -lr * m_hat / (math.sqrt(v_hat) + eps)
    before = p.item()
    p.grad = torch.tensor(g, dtype=torch.float64)
    optimizer.step()
    print(f"{t}  {m:.6f}  {v:.6f}  {m_hat:.6f}  {v_hat:.6f}  {update:.6f}  {p.item() - before:.6f}"
          f"  {m / (math.sqrt(v) + eps):.6f}")
# --8<-- [end:bias_correction]

assert math.isclose(optimizer.state[p]["exp_avg"].item(), m, rel_tol=1e-12)
assert math.isclose(optimizer.state[p]["exp_avg_sq"].item(), v, rel_tol=1e-12)
assert math.isclose(p.item(), -0.3, rel_tol=1e-7)

# --8<-- [start:first_step] setup: imports
lr, beta1, beta2, eps = 0.1, 0.9, 0.999, 1e-8
print("g        torch.optim.Adam  eps after sqrt(v_hat)  eps after sqrt(v_t)")
for g in (1e-3, 1.0, 1e3):
    p = torch.nn.Parameter(torch.tensor(0.0, dtype=torch.float64))
    p.grad = torch.tensor(g, dtype=torch.float64)
    torch.optim.Adam([p], lr=lr).step()
    m, v = (1 - beta1) * g, (1 - beta2) * g**2  # m_1 and v_1, from zeros
    pytorch_form = -lr / (1 - beta1) * m / (math.sqrt(v) / math.sqrt(1 - beta2) + eps)
    eps_hat_form = -lr * math.sqrt(1 - beta2) / (1 - beta1) * m / (math.sqrt(v) + eps)
    print(f"{g:<8g} {p.item():.12f}   {pytorch_form:.12f}        {eps_hat_form:.12f}")
# --8<-- [end:first_step]
    assert math.isclose(p.item(), pytorch_form, rel_tol=1e-12)  # torch adds eps after sqrt(v_hat)
    assert abs(p.item() + lr) < 1e-5 * lr  # about lr, whatever the scale of g
    assert not math.isclose(p.item(), eps_hat_form, rel_tol=1e-12)
    if g == 1e-3:  # how far each form falls short of lr, as the page quotes it
        assert f"{lr + p.item():.1e}" == "1.0e-06" and f"{lr + eps_hat_form:.1e}" == "3.2e-05"
assert f"{1 / math.sqrt(1 - beta2):.1f}" == "31.6"

# --8<-- [start:amsgrad] setup: imports
import reference_optim

lr, beta1, beta2, eps = 0.1, 0.9, 0.999, 1e-8
p = torch.nn.Parameter(torch.tensor(0.0, dtype=torch.float64))
adam = torch.optim.Adam([p], lr=lr, amsgrad=True)
q = torch.nn.Parameter(torch.tensor(0.0, dtype=torch.float64))
reference = reference_optim.Adam([q], lr=lr, amsgrad=True)

m = v = max_v = max_v_hat = theta_max_v = theta_max_v_hat = 0.0
print("t  g      denom(max v)  denom(max v_hat)  torch.optim.Adam  theta(max v)  theta(max v_hat)")
for t, g in enumerate([1.0, 0.5, 0.25, 0.125], start=1):  # a shrinking gradient
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    max_v = max(max_v, v)  # the running maximum of the raw v ...
    denom_max_v = math.sqrt(max_v) / math.sqrt(1 - beta2**t) + eps  # ... over this step's correction
    max_v_hat = max(max_v_hat, v / (1 - beta2**t))  # the running maximum of v_hat
    denom_max_v_hat = math.sqrt(max_v_hat) + eps
    theta_max_v -= lr / (1 - beta1**t) * m / denom_max_v
    theta_max_v_hat -= lr / (1 - beta1**t) * m / denom_max_v_hat
    p.grad = torch.tensor(g, dtype=torch.float64)
    adam.step()
    q.grad = torch.tensor(g, dtype=torch.float64)
    reference.step()
    print(f"{t}  {g:<5}  {denom_max_v:12.6f}  {denom_max_v_hat:16.6f}  {p.item():16.6f}"
          f"  {theta_max_v:12.6f}  {theta_max_v_hat:16.6f}")
print(f"state['max_exp_avg_sq'] {adam.state[p]['max_exp_avg_sq'].item():.12f}"
      f"  max v {max_v:.12f}  max v_hat {max_v_hat:.12f}")
print("reference_optim.Adam, same bits as torch.optim.Adam:", torch.equal(p, q))
# --8<-- [end:amsgrad]

assert abs(p.item() - theta_max_v) < 1e-12
assert torch.equal(reference.state[q]["max_exp_avg_sq"], adam.state[p]["max_exp_avg_sq"])
assert abs(p.item() - theta_max_v_hat) > 0.05
assert abs(adam.state[p]["max_exp_avg_sq"].item() - max_v) < 1e-15
assert denom_max_v < 0.6 and denom_max_v_hat > 0.99

# --8<-- [start:maximize] setup: imports
lr, beta1, beta2, eps, wd = 0.1, 0.9, 0.999, 1e-8, 0.1
grads = [0.5, -0.2, 0.1]


def run(cls, grads, **options):
    p = torch.nn.Parameter(torch.tensor(1.0, dtype=torch.float64))
    optimizer = cls([p], lr=lr, **options)
    for g in grads:
        p.grad = torch.tensor(g, dtype=torch.float64)
        optimizer.step()
    return p.item()


def decay_then_negate(grads):  # the other order, written out: not what PyTorch does
    theta, m, v = 1.0, 0.0, 0.0
    for t, g in enumerate(grads, start=1):
        g = -(g + wd * theta)
        m, v = beta1 * m + (1 - beta1) * g, beta2 * v + (1 - beta2) * g**2
        theta -= lr * m / (1 - beta1**t) / (math.sqrt(v / (1 - beta2**t)) + eps)
    return theta


Adam, AdamW = torch.optim.Adam, torch.optim.AdamW
print(f"Adam, maximize=True           {run(Adam, grads, weight_decay=wd, maximize=True):.10f}")
print(f"Adam, gradients negated       {run(Adam, [-g for g in grads], weight_decay=wd):.10f}")
print(f"decay first, then negate      {decay_then_negate(grads):.10f}")
print(f"AdamW, maximize=True, g = 0   {run(AdamW, [0.0], weight_decay=wd, maximize=True):.10f}")
# --8<-- [end:maximize]

assert run(Adam, grads, weight_decay=wd, maximize=True) == run(Adam, [-g for g in grads], weight_decay=wd)
assert abs(decay_then_negate(grads) - run(Adam, grads, weight_decay=wd, maximize=True)) > 1e-3
assert math.isclose(run(AdamW, [0.0], weight_decay=wd, maximize=True), 1 - lr * wd)

# --8<-- [start:weight_decay] setup: imports
thetas = {}
for name, cls, wd in (("no decay", torch.optim.Adam, 0.0),
                      ("Adam L2", torch.optim.Adam, 0.01),
                      ("AdamW", torch.optim.AdamW, 0.01)):
    a = torch.nn.Parameter(torch.tensor(1.0, dtype=torch.float64))  # gradient 0 at every step
    b = torch.nn.Parameter(torch.tensor(1.0, dtype=torch.float64))  # gradient 1 at every step
    optimizer = cls([a, b], lr=0.1, weight_decay=wd)
    thetas[name] = []
    for t in range(5):
        a.grad, b.grad = torch.zeros_like(a), torch.ones_like(b)
        optimizer.step()
        thetas[name].append((a.item(), b.item()))

print("t" + "".join(f"{label + name:>13}" for label in ("a: ", "b: ") for name in thetas))
for t in range(5):
    print(f"{t + 1}" + "".join(f"{thetas[name][t][i]:13.6f}" for i in (0, 1) for name in thetas))
# --8<-- [end:weight_decay]

assert all(a == 1.0 for a, _ in thetas["no decay"])
assert all(math.isclose(a, 0.999 ** (t + 1)) for t, (a, _) in enumerate(thetas["AdamW"]))
assert thetas["Adam L2"][4][0] < 0.51  # about lr per step, although weight_decay is 0.01
assert abs(thetas["Adam L2"][4][1] - thetas["no decay"][4][1]) < 1e-4

# --8<-- [start:adamw_is_adam] setup: imports
print("issubclass(AdamW, Adam):", issubclass(torch.optim.AdamW, torch.optim.Adam))
torch.manual_seed(0)
start = torch.randn(3, 4)
grads = [torch.randn(3, 4) for _ in range(10)]

results = []
for cls, options in ((torch.optim.AdamW, {}), (torch.optim.Adam, {"decoupled_weight_decay": True})):
    p = torch.nn.Parameter(start.clone())
    optimizer = cls([p], lr=0.1, weight_decay=0.1, amsgrad=True, **options)
    for g in grads:
        p.grad = g.clone()
        optimizer.step()
    results.append(p.detach())
    print(f"{cls.__name__:5} {options}: decoupled_weight_decay in its group:",
          optimizer.param_groups[0]["decoupled_weight_decay"])
print("same bits after 10 steps:", torch.equal(results[0], results[1]))
# --8<-- [end:adamw_is_adam]

assert torch.equal(results[0], results[1])


def implementation(cls, **options):  # AMSGrad, maximize and weight decay all on
    p = torch.nn.Parameter(start.clone())
    optimizer = cls([p], lr=0.1, weight_decay=0.1, amsgrad=True, maximize=True, **options)
    for g in grads:
        p.grad = g.clone()
        optimizer.step()
    return p.detach()


for cls in (torch.optim.Adam, torch.optim.AdamW):  # on the CPU: same formula in every implementation
    assert torch.equal(implementation(cls, foreach=True), implementation(cls))
    assert torch.allclose(implementation(cls, fused=True), implementation(cls), rtol=0, atol=1e-6)

# --8<-- [start:state] setup: imports
p = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
optimizer = torch.optim.Adam([p], lr=0.1, amsgrad=True)
p.grad = torch.tensor([1.0, -2.0])
optimizer.step()
for key, value in optimizer.state[p].items():
    print(f"{key:15} {value!r}")
print("dtype of step:", optimizer.state[p]["step"].dtype)

torch.set_default_dtype(torch.float64)  # the dtype of step follows the default dtype
q = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
q.grad = torch.tensor([1.0, -2.0])
other = torch.optim.Adam([q], lr=0.1)
other.step()
torch.set_default_dtype(torch.float32)
print("dtype of step, default dtype float64:", other.state[q]["step"].dtype)
# --8<-- [end:state]

assert optimizer.state[p]["step"].dtype == torch.float32 and optimizer.state[p]["step"].item() == 1.0
torch.set_default_dtype(torch.float64)  # with fused=True, step is float32 whatever the default dtype
q = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
q.grad = torch.tensor([1.0, -2.0])
fused = torch.optim.Adam([q], lr=0.1, fused=True)
fused.step()
torch.set_default_dtype(torch.float32)
assert fused.state[q]["step"].dtype == torch.float32

# --8<-- [start:no_decay] setup: imports
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.LayerNorm(8), torch.nn.Linear(8, 2))

decay = [(name, p) for name, p in model.named_parameters() if p.ndim >= 2]
no_decay = [(name, p) for name, p in model.named_parameters() if p.ndim < 2]
optimizer = torch.optim.AdamW(
    [
        {"params": [p for _, p in decay], "weight_decay": 0.1},
        {"params": [p for _, p in no_decay], "weight_decay": 0.0},
    ],
    lr=0.1,
)
for group, named in zip(optimizer.param_groups, (decay, no_decay)):
    print(f"weight_decay={group['weight_decay']}: {[name for name, _ in named]}")

before = {name: p.detach().clone() for name, p in model.named_parameters()}
for p in model.parameters():
    p.grad = torch.zeros_like(p)  # no gradient signal: only weight decay can move a parameter
optimizer.step()
for name, p in model.named_parameters():
    if torch.equal(p, before[name]):
        print(f"{name:9} unchanged")
    else:
        print(f"{name:9} multiplied by {(p.norm() / before[name].norm()).item():.6f}")
# --8<-- [end:no_decay]

assert all(torch.equal(p, before[name]) for name, p in no_decay)
assert all(torch.allclose(p, before[name] * 0.99) for name, p in decay)
assert torch.nn.LayerNorm([4, 5]).weight.ndim == 2  # a LayerNorm over two dimensions: a decayed "matrix"
