"""The numbers behind every figure, computed by torch.optim in float64 at build time.

Nothing here is typed in: each function runs PyTorch and returns what it computed. Run
`python figures/data.py` to compute them all and check the facts the captions state.
"""

from dataclasses import dataclass
from typing import Callable

import torch
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

DTYPE = torch.float64


@dataclass(frozen=True)
class Surface:
    """A 2-D loss f(θ) for θ = (x, y), and the window the figures show it in."""

    loss: Callable  # takes theta (a tensor whose first axis is x, y) and returns f
    python: str  # the same loss, as the stepper's equivalent Python shows it
    formula: str  # the same loss, as captions and text alternatives write it (tests/test_figures.py reads it)
    start: tuple[float, float]
    box: tuple[float, float, float, float]  # x0, x1, y0, y1
    levels: tuple[float, ...]  # the contour lines' loss values
    minimum: tuple[float, float]
    lr: float  # the stepper's default learning rate on this surface


# Curvature 1 along x and 10 along y: a step size that suits y is slow along x.
QUADRATIC = Surface(
    loss=lambda t: 0.5 * (t[0] ** 2 + 10 * t[1] ** 2),
    python="0.5 * (theta[0] ** 2 + 10 * theta[1] ** 2)",
    formula="(x² + 10y²) / 2",
    start=(-4.5, 1.5), box=(-5.0, 5.0, -2.5, 2.5),
    levels=(0.25, 1.0, 2.5, 5.0, 10.0, 17.5, 27.5), minimum=(0.0, 0.0), lr=0.12,
)
# The banana-shaped valley y = x²; its minimum (1, 1) lies at the valley's flat end.
ROSENBROCK = Surface(
    loss=lambda t: (1 - t[0]) ** 2 + 100 * (t[1] - t[0] ** 2) ** 2,
    python="(1 - theta[0]) ** 2 + 100 * (theta[1] - theta[0] ** 2) ** 2",
    formula="(1 − x)² + 100(y − x²)²",
    start=(-1.5, 2.0), box=(-2.0, 2.0, -1.0, 3.0),
    levels=(3.0, 10.0, 30.0, 100.0, 300.0, 1000.0), minimum=(1.0, 1.0), lr=0.001,
)
SURFACES = {"quadratic": QUADRATIC, "rosenbrock": ROSENBROCK}


def grid(surface: Surface, columns: int = 101, rows: int = 61):
    """f on a regular grid over the surface's window, evaluated by torch: (xs, ys, values[row][column])."""
    x0, x1, y0, y1 = surface.box
    xs = torch.linspace(x0, x1, columns, dtype=DTYPE)
    ys = torch.linspace(y0, y1, rows, dtype=DTYPE)
    y, x = torch.meshgrid(ys, xs, indexing="ij")
    return xs.tolist(), ys.tolist(), surface.loss(torch.stack([x, y])).tolist()


def sgd_path(surface: Surface, steps: int, **options) -> list[tuple[float, float]]:
    """θ before the first step and after each step of the ordinary loop with torch.optim.SGD."""
    theta = torch.tensor(surface.start, dtype=DTYPE, requires_grad=True)
    optimizer = torch.optim.SGD([theta], **options)
    path = [surface.start]
    for _ in range(steps):
        optimizer.zero_grad()
        surface.loss(theta).backward()
        optimizer.step()
        path.append(tuple(theta.tolist()))
    return path


# The SGD formula page: plain SGD, momentum and Nesterov from the same start, same lr.
PATH_STEPS = 25
PATH_OPTIONS = {
    "sgd": {"lr": 0.12},
    "momentum": {"lr": 0.12, "momentum": 0.7},
    "nesterov": {"lr": 0.12, "momentum": 0.7, "nesterov": True},
}


def sgd_paths() -> dict[str, list[tuple[float, float]]]:
    return {name: sgd_path(QUADRATIC, PATH_STEPS, **options) for name, options in PATH_OPTIONS.items()}


# The worked example's problem (its page's snippet, the same numbers): a line w x + b fitted
# to (1, 2) and (2, 4) by plain SGD with lr 0.1 from w = b = 0. Its page works out the first
# WORKED_TABLE_STEPS steps by hand, in a table.
WORKED_XS, WORKED_YS, WORKED_LR, WORKED_STEPS, WORKED_TABLE_STEPS = (1.0, 2.0), (2.0, 4.0), 0.1, 30, 3


def worked_example() -> dict[str, list[float]]:
    """w_t, b_t and the loss at (w_t, b_t) for t = 0 .. WORKED_STEPS, from nn.Linear and SGD."""
    model = torch.nn.Linear(1, 1, dtype=DTYPE)
    torch.nn.init.zeros_(model.weight)
    torch.nn.init.zeros_(model.bias)
    optimizer = torch.optim.SGD(model.parameters(), lr=WORKED_LR)
    x = torch.tensor(WORKED_XS, dtype=DTYPE).unsqueeze(1)
    y = torch.tensor(WORKED_YS, dtype=DTYPE).unsqueeze(1)
    run = {"w": [], "b": [], "loss": []}
    for t in range(WORKED_STEPS + 1):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        run["w"].append(model.weight.item())
        run["b"].append(model.bias.item())
        run["loss"].append(loss.item())
        if t < WORKED_STEPS:
            loss.backward()
            optimizer.step()
    return run


# zero_grad() and the loop mistakes: the loss 3w (gradient 3), plain SGD, lr 0.1, w from 1.
LOOP_ITERATIONS, LOOP_LR = 6, 0.1


def loop(order: str, iterations: int = LOOP_ITERATIONS) -> dict[str, list[float]]:
    """w before the loop and after each iteration, and w.grad when step() ran (None as nan),
    for one order of the calls: "right", "no_zero_grad" or "zero_grad_between"."""
    w = torch.tensor(1.0, dtype=DTYPE, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=LOOP_LR)
    run = {"w": [w.item()], "grad": []}
    for _ in range(iterations):
        if order == "right":
            optimizer.zero_grad()
        (3 * w).backward()
        if order == "zero_grad_between":
            optimizer.zero_grad()
        run["grad"].append(float("nan") if w.grad is None else w.grad.item())
        optimizer.step()
        run["w"].append(w.item())
    return run


# The warmup page: LinearLR, then CosineAnnealingLR from the milestone on, in SequentialLR (the
# schedule of its snippet, snippets/warmup_cosine.py), and a checkpoint taken after
# WARMUP_RESUME_AT steps, resumed right and in two wrong ways.
WARMUP_LR, WARMUP_START_FACTOR, WARMUP_ITERS, WARMUP_T_MAX = 1.0, 0.25, 3, 4
WARMUP_MILESTONE, WARMUP_STEPS, WARMUP_RESUME_AT = 3, 8, 2


def warmup_then_cosine(optimizer):
    schedulers = torch.optim.lr_scheduler
    warmup = schedulers.LinearLR(optimizer, start_factor=WARMUP_START_FACTOR, total_iters=WARMUP_ITERS)
    cosine = schedulers.CosineAnnealingLR(optimizer, T_max=WARMUP_T_MAX)
    return schedulers.SequentialLR(optimizer, [warmup, cosine], milestones=[WARMUP_MILESTONE])


def warmup_optimizer():
    """SGD with momentum on one parameter whose gradient is 1: the learning rates do not depend
    on the gradients, and the optimizer has state for its state_dict() to carry."""
    w = torch.nn.Parameter(torch.tensor(1.0, dtype=DTYPE))
    w.grad = torch.ones((), dtype=DTYPE)
    return torch.optim.SGD([w], lr=WARMUP_LR, momentum=0.9)


def warmup_steps(optimizer, scheduler, steps: int) -> list[float]:
    """The learning rate each optimizer.step() uses, with scheduler.step() after it."""
    used = []
    for _ in range(steps):
        used.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return used


def warmup_schedule() -> dict[str, list]:
    """The learning rate of every step, and whether CosineAnnealingLR had started (its
    last_epoch, which SequentialLR keeps at -1 until the milestone, at 0 or more)."""
    optimizer = warmup_optimizer()
    scheduler = warmup_then_cosine(optimizer)
    cosine = scheduler._schedulers[1]
    run = {"lr": [], "cosine": []}
    for _ in range(WARMUP_STEPS):
        run["lr"].append(optimizer.param_groups[0]["lr"])
        run["cosine"].append(cosine.last_epoch >= 0)
        optimizer.step()
        scheduler.step()
    return run


def warmup_resumes() -> dict[str, list[float]]:
    """The learning rate of every step after the checkpoint: "uninterrupted" (every step, which
    a right resume repeats), "not_loaded" (scheduler built before the optimizer was loaded, and
    never loaded itself) and "built_after" (scheduler built after the optimizer was loaded, then
    loaded)."""
    optimizer = warmup_optimizer()
    uninterrupted = warmup_steps(optimizer, warmup_then_cosine(optimizer), WARMUP_STEPS)
    optimizer = warmup_optimizer()
    scheduler = warmup_then_cosine(optimizer)
    warmup_steps(optimizer, scheduler, WARMUP_RESUME_AT)
    saved = {"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}
    rest = WARMUP_STEPS - WARMUP_RESUME_AT

    optimizer = warmup_optimizer()
    scheduler = warmup_then_cosine(optimizer)
    optimizer.load_state_dict(saved["optimizer"])
    not_loaded = warmup_steps(optimizer, scheduler, rest)

    optimizer = warmup_optimizer()
    optimizer.load_state_dict(saved["optimizer"])
    scheduler = warmup_then_cosine(optimizer)
    scheduler.load_state_dict(saved["scheduler"])
    built_after = warmup_steps(optimizer, scheduler, rest)

    optimizer = warmup_optimizer()
    scheduler = warmup_then_cosine(optimizer)
    optimizer.load_state_dict(saved["optimizer"])
    scheduler.load_state_dict(saved["scheduler"])
    assert warmup_steps(optimizer, scheduler, rest) == uninterrupted[WARMUP_RESUME_AT:]  # the right way
    return {"uninterrupted": uninterrupted, "not_loaded": not_loaded, "built_after": built_after}



# The averaged-weights page: SGD on the 1-D quadratic w²/2 with a noisy gradient (w + noise, the
# noise drawn from a seeded generator), its exponential moving average and, from AVERAGE_SWA_START
# on, its stochastic weight average, both kept by torch.optim.swa_utils.AveragedModel.
AVERAGE_STEPS, AVERAGE_LR, AVERAGE_NOISE, AVERAGE_W0, AVERAGE_SEED = 100, 0.2, 1.0, 3.0, 2
AVERAGE_DECAY, AVERAGE_SWA_START = 0.9, 40
AVERAGE_LOSS = "w²/2"  # as the texts write it; the loss below is 0.5 * w ** 2 + noise * w


def averaged_paths() -> dict[str, list[float]]:
    """w before the first step and after each step ("w"); the EMA after each step from the first
    ("ema"); the SWA after each step past AVERAGE_SWA_START ("swa"). AveragedModel updated after
    every optimizer.step(), as the page does."""
    generator = torch.Generator().manual_seed(AVERAGE_SEED)
    model = torch.nn.Module()
    model.w = torch.nn.Parameter(torch.tensor(AVERAGE_W0, dtype=DTYPE))
    optimizer = torch.optim.SGD(model.parameters(), lr=AVERAGE_LR)
    ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(AVERAGE_DECAY))
    swa = AveragedModel(model)
    run = {"w": [AVERAGE_W0], "ema": [], "swa": []}
    for step in range(1, AVERAGE_STEPS + 1):
        noise = AVERAGE_NOISE * torch.randn((), generator=generator, dtype=DTYPE)
        optimizer.zero_grad()
        (0.5 * model.w ** 2 + noise * model.w).backward()  # gradient: w + noise
        optimizer.step()
        ema.update_parameters(model)
        run["w"].append(model.w.item())
        run["ema"].append(ema.module.w.item())
        if step > AVERAGE_SWA_START:
            swa.update_parameters(model)
            run["swa"].append(swa.module.w.item())
    return run


if __name__ == "__main__":
    paths = sgd_paths()
    assert {len(path) for path in paths.values()} == {PATH_STEPS + 1}
    # The picture the caption describes: momentum and Nesterov end nearer the minimum.
    distance = {name: sum(v * v for v in path[-1]) ** 0.5 for name, path in paths.items()}
    assert distance["nesterov"] < distance["momentum"] < distance["sgd"], distance
    farthest = {name: max(x for x, _ in path) for name, path in paths.items()}  # past the minimum at x = 0
    assert farthest["sgd"] < 0 < farthest["nesterov"] < farthest["momentum"], farthest
    run = worked_example()
    assert run["loss"][0] == 10.0 and round(run["w"][1], 4) == 1.0 and round(run["b"][1], 4) == 0.6
    assert round(run["loss"][WORKED_TABLE_STEPS], 4) == 0.0835 and max(run["b"]) == run["b"][4]
    assert loop("no_zero_grad")["grad"] == [3.0 * k for k in range(1, LOOP_ITERATIONS + 1)]
    assert loop("right")["grad"] == [3.0] * LOOP_ITERATIONS
    assert loop("zero_grad_between")["w"] == [1.0] * (LOOP_ITERATIONS + 1)
    xs, ys, values = grid(ROSENBROCK)
    assert len(values) == len(ys) and len(values[0]) == len(xs)
    schedule = warmup_schedule()
    assert [round(lr, 4) for lr in schedule["lr"]] == [0.25, 0.5, 0.75, 1.0, 0.8536, 0.5, 0.1464, 0.0]
    assert schedule["cosine"] == [step >= WARMUP_MILESTONE for step in range(WARMUP_STEPS)]
    resumes = warmup_resumes()
    assert max(resumes["not_loaded"]) > WARMUP_LR  # above the peak: the warm-up climbs on from the loaded lr
    assert resumes["built_after"][1:] == resumes["uninterrupted"][WARMUP_RESUME_AT + 1:]  # repaired at the milestone
    averaged = averaged_paths()
    assert len(averaged["w"]) == AVERAGE_STEPS + 1 and len(averaged["swa"]) == AVERAGE_STEPS - AVERAGE_SWA_START
    assert averaged["ema"][0] == averaged["w"][1]  # the first update_parameters() copies
    tail = slice(AVERAGE_SWA_START + 1, None)  # the steps the SWA averages
    spread = {name: max(values[tail]) - min(values[tail]) for name, values in
              (("w", averaged["w"]), ("ema", averaged["ema"][AVERAGE_SWA_START:]))}
    assert spread["ema"] < spread["w"] / 2, spread  # the EMA is the smoother path
    assert abs(averaged["swa"][-1]) < 0.1  # the SWA ends near the minimum at 0
    print("figure data: all checks passed")
