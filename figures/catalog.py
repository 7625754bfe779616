"""Every figure the pages can show, by name: its data (figures/data.py, computed by torch) and
its drawing, with every text in English and Chinese.

A page shows a figure with one line, ``<figure class="plot" data-plot="NAME" markdown="span">
caption</figure>``; hooks/torch_figures.py calls ``render(NAME, locale, uid)`` for it.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Callable

from figures import data
from figures.svg import WIDTH, Panel, legend, marker, number, svg

LOCALES = ("en", "zh")


def point(p) -> str:
    return f"({number(p[0])}, {number(p[1])})"


def rounded(value: float, digits: int = 4) -> str:
    return number(round(value, digits))


# ---------------------------------------------------------------------------------------------
# The SGD formula page: plain SGD, momentum and Nesterov on the ill-conditioned quadratic.

PATHS_TEXT = {
    "en": {
        "title": "Paths of plain SGD, momentum and Nesterov on an ill-conditioned quadratic",
        "desc": "Contour lines of f(x, y) = {formula}, minimum at {minimum}. From the start {start}, "
                "{steps} steps of torch.optim.SGD with lr {lr}: plain SGD ends at {sgd}, momentum {mu} at "
                "{momentum}, Nesterov momentum {mu} at {nesterov}.",
        "legend": ["plain SGD", "momentum {mu}", "Nesterov, momentum {mu}"],
    },
    "zh": {
        "title": "朴素 SGD、动量和 Nesterov 在病态二次函数上的路径",
        "desc": "f(x, y) = {formula} 的等高线，最小值在 {minimum}。从起点 {start} 出发，用 torch.optim.SGD、"
                "学习率 {lr} 走 {steps} 步：朴素 SGD 停在 {sgd}，动量 {mu} 停在 {momentum}，"
                "Nesterov 动量 {mu} 停在 {nesterov}。",
        "legend": ["朴素 SGD", "动量 {mu}", "Nesterov，动量 {mu}"],
    },
}


def contour_panel(surface: data.Surface, top: float) -> Panel:
    """A map of the surface's window, at equal scale in x and y when the window allows."""
    x0, x1, y0, y1 = surface.box
    left, width = 40, WIDTH - 52
    return Panel(surface.box, left, top, width, width * min((y1 - y0) / (x1 - x0), 0.5))


def contour_map(surface: data.Surface, panel: Panel) -> str:
    xs, ys, values = data.grid(surface)
    return (f'<g class="contours">{panel.contours(xs, ys, values, surface.levels)}</g>'
            f'<g class="minimum">{marker("diamond", panel.sx(surface.minimum[0]), panel.sy(surface.minimum[1]), 3.5)}</g>')


def draw_paths(paths, locale: str, uid: str) -> str:
    text = PATHS_TEXT[locale]
    options = data.PATH_OPTIONS
    mu = number(options["momentum"]["momentum"])
    keys = list(paths)
    labels = [label.format(mu=mu) for label in text["legend"]]
    key, key_height = legend(labels, 40, 4, WIDTH - 52)
    panel = contour_panel(data.QUADRATIC, key_height + 22)
    body = [key, contour_map(data.QUADRATIC, panel), panel.axes("x", "y")]
    body += [panel.line([p[0] for p in paths[k]], [p[1] for p in paths[k]], index) for index, k in enumerate(keys)]
    desc = text["desc"].format(formula=data.QUADRATIC.formula, minimum=point(data.QUADRATIC.minimum),
                               start=point(data.QUADRATIC.start), steps=data.PATH_STEPS,
                               lr=number(options["sgd"]["lr"]),
                               mu=mu, **{k: point([round(v, 3) for v in paths[k][-1]]) for k in keys})
    return svg(uid, panel.top + panel.height + 48, text["title"], desc, "".join(body))


def paths_facts(paths) -> dict[str, float]:
    options = data.PATH_OPTIONS
    return {"steps": len(paths["sgd"]) - 1, "lr": options["sgd"]["lr"], "momentum": options["momentum"]["momentum"]}


# ---------------------------------------------------------------------------------------------
# The worked example: loss, w and b after each step.

WORKED_TEXT = {
    "en": {
        "title": "Loss, w and b over the first {steps} steps of the worked example",
        "desc": "Computed by torch.optim.SGD with lr {lr} from w = {w0} and b = {b0}. The loss falls from {l0} to {l3} after {t} steps "
                "and {lend} after {steps}; w rises at every step, from {w0} to {wend}; b rises until step {peak} ({bpeak}), "
                "then falls, to {bend} after {steps} steps.",
        "loss": "loss at (w_t, b_t), log scale",
        "params": "w_t and b_t",
        "step": "step t",
    },
    "zh": {
        "title": "手算示例前 {steps} 步的损失、w 和 b",
        "desc": "由 torch.optim.SGD 计算，学习率 {lr}，从 w = {w0}、b = {b0} 出发。损失从 {l0} 降到 {t} 步后的 {l3}，{steps} 步后为 {lend}；"
                "w 每一步都在增大，从 {w0} 增大到 {wend}；b 先增大到第 {peak} 步的 {bpeak}，然后减小，{steps} 步后为 {bend}。",
        "loss": "(w_t, b_t) 处的损失（对数刻度）",
        "params": "w_t 和 b_t",
        "step": "步数 t",
    },
}


def draw_worked(run, locale: str, uid: str) -> str:
    text = WORKED_TEXT[locale]
    steps = list(range(len(run["loss"])))
    last = steps[-1]
    top = Panel((0, last, 0.01, 10.0), 44, 22, WIDTH - 58, 120, log_y=True)
    key, _ = legend(["w_t", "b_t"], 44, top.top + top.height + 40, WIDTH - 58)
    bottom = Panel((0, last, 0.0, 2.0), 44, top.top + top.height + 92, WIDTH - 58, 120)
    body = [top.axes(text["step"], text["loss"]), top.line(steps, run["loss"], 0),
            key, bottom.axes(text["step"], text["params"]),
            bottom.line(steps, run["w"], 0), bottom.line(steps, run["b"], 1)]
    peak = max(range(len(run["b"])), key=run["b"].__getitem__)
    t = data.WORKED_TABLE_STEPS
    desc = text["desc"].format(steps=last, lr=number(data.WORKED_LR), w0=rounded(run["w"][0]), b0=rounded(run["b"][0]),
                               l0=rounded(run["loss"][0]), t=t, l3=rounded(run["loss"][t]),
                               lend=rounded(run["loss"][-1]), wend=rounded(run["w"][-1]), peak=peak,
                               bpeak=rounded(run["b"][peak]), bend=rounded(run["b"][-1]))
    return svg(uid, bottom.top + bottom.height + 48, text["title"].format(steps=last), desc, "".join(body))


def worked_facts(run) -> dict[str, float]:
    b = run["b"]
    return {"steps": len(run["loss"]) - 1, "first step": 1, "steps in the page's table": data.WORKED_TABLE_STEPS,
            "step at which b is largest": max(range(len(b)), key=b.__getitem__)}


# ---------------------------------------------------------------------------------------------
# zero_grad(): the gradient step() uses, cleared or not; the loop mistakes: w per iteration.

ZERO_GRAD_TEXT = {
    "en": {
        "title": "w.grad that each step() uses, with and without zero_grad()",
        "desc": "The loss {g}w, whose gradient is {g}, trained by torch.optim.SGD for {n} iterations. Without zero_grad() "
                "the gradient step() uses grows by {g} at each iteration: {grown}. With zero_grad() at the top of the loop "
                "it is {g} every time.",
        "legend": ["without zero_grad()", "with zero_grad()"],
        "x": "iteration", "y": "w.grad at step()",
    },
    "zh": {
        "title": "每次 step() 用到的 w.grad：调用与不调用 zero_grad()",
        "desc": "损失为 {g}w（梯度恒为 {g}），用 torch.optim.SGD 训练 {n} 次迭代。不调用 zero_grad() 时，step() 用到的梯度每次迭代"
                "增加 {g}：{grown}。在循环开头调用 zero_grad() 时，每次都是 {g}。",
        "legend": ["不调用 zero_grad()", "调用 zero_grad()"],
        "x": "迭代次数", "y": "step() 时的 w.grad",
    },
}

LOOPS_TEXT = {
    "en": {
        "title": "w after each iteration: the right loop and two wrong ones",
        "desc": "The loss {g}w, plain torch.optim.SGD with lr {lr}, w = {w0} at the start, {n} iterations. The right loop "
                "moves w by {move} per iteration, to {right}. Without zero_grad() the steps grow, and w reaches {none}. With "
                "zero_grad() between backward() and step(), w stays at {between}.",
        "legend": ["right order", "no zero_grad()", "zero_grad() between backward() and step()"],
        "x": "iteration", "y": "w",
    },
    "zh": {
        "title": "每次迭代后的 w：正确的循环与两种错误写法",
        "desc": "损失为 {g}w，用学习率 {lr} 的朴素 torch.optim.SGD，w 从 {w0} 开始，迭代 {n} 次。正确的循环每次让 w 移动 {move}，"
                "最后为 {right}。不调用 zero_grad() 时步子越来越大，w 到了 {none}。把 zero_grad() 放在 backward() 和 "
                "step() 之间时，w 一直停在 {between}。",
        "legend": ["正确顺序", "不调用 zero_grad()", "zero_grad() 放在 backward() 和 step() 之间"],
        "x": "迭代次数", "y": "w",
    },
}


def zero_grad_runs():
    return {order: data.loop(order) for order in ("no_zero_grad", "right")}


def loop_runs():
    return {order: data.loop(order) for order in ("right", "no_zero_grad", "zero_grad_between")}


def zero_grad_facts(runs) -> dict[str, float]:
    grads = runs["no_zero_grad"]["grad"]
    return {"gradient": runs["right"]["grad"][0], "growth of the gradient per iteration": grads[1] - grads[0]}


def loop_facts(runs) -> dict[str, float]:
    w = runs["right"]["w"]
    return {"gradient": runs["right"]["grad"][0], "lr": data.LOOP_LR, "move per iteration": w[1] - w[0]}


def line_chart(series: list[tuple[list, list]], labels, text, y_box, uid, desc) -> str:
    key, key_height = legend(labels, 44, 4, WIDTH - 58)
    xs_all = [x for xs, _ in series for x in xs]
    panel = Panel((min(xs_all), max(xs_all), *y_box), 44, key_height + 24, WIDTH - 58, 190)
    body = [key, panel.axes(text["x"], text["y"], x_ticks=sorted(set(xs_all)))]
    body += [panel.line(xs, ys, index) for index, (xs, ys) in enumerate(series)]
    return svg(uid, panel.top + panel.height + 48, text["title"], desc, "".join(body))


def draw_zero_grad(runs, locale: str, uid: str) -> str:
    text = ZERO_GRAD_TEXT[locale]
    n = data.LOOP_ITERATIONS
    iterations = list(range(1, n + 1))
    grown = ", ".join(number(g) for g in runs["no_zero_grad"]["grad"])
    top = max(runs["no_zero_grad"]["grad"])
    return line_chart([(iterations, runs["no_zero_grad"]["grad"]), (iterations, runs["right"]["grad"])],
                      text["legend"], text, (0.0, top), uid,
                      text["desc"].format(n=n, grown=grown, g=number(runs["right"]["grad"][0])))


def draw_loops(runs, locale: str, uid: str) -> str:
    text = LOOPS_TEXT[locale]
    iterations = list(range(len(runs["right"]["w"])))
    values = [w for run in runs.values() for w in run["w"]]
    ends = {order: rounded(run["w"][-1]) for order, run in runs.items()}
    right = runs["right"]
    desc = text["desc"].format(n=iterations[-1], g=number(right["grad"][0]), lr=number(data.LOOP_LR),
                               w0=number(right["w"][0]), move=rounded(right["w"][1] - right["w"][0]),
                               right=ends["right"], none=ends["no_zero_grad"], between=ends["zero_grad_between"])
    return line_chart([(iterations, run["w"]) for run in runs.values()], text["legend"], text,
                      (min(values) - 0.5, max(values) + 0.5), uid, desc)


# ---------------------------------------------------------------------------------------------
# Warmup, then decay: the learning rate of every step from SequentialLR, and across a checkpoint.

WARMUP_TEXT = {
    "en": {
        "title": "Learning rate of each step: LinearLR, then CosineAnnealingLR, in SequentialLR",
        "desc": "Computed by torch.optim.lr_scheduler with lr {lr}. LinearLR (start_factor {sf}, total_iters {ti}) "
                "sets steps {w0} to {w1}: {wlrs}. At the milestone, step {m}, CosineAnnealingLR (T_max {tmax}) "
                "starts at its first value, then sets {clrs} up to step {last}.",
        "legend": ["LinearLR", "CosineAnnealingLR"],
        "x": "optimizer step", "y": "learning rate",
    },
    "zh": {
        "title": "每一步的学习率：SequentialLR 先用 LinearLR，再用 CosineAnnealingLR",
        "desc": "由 torch.optim.lr_scheduler 算出，优化器的学习率为 {lr}。LinearLR（start_factor 为 {sf}，total_iters 为 {ti}）"
                "设定第 {w0} 到第 {w1} 步的学习率：{wlrs}。到了切换点（第 {m} 步），CosineAnnealingLR（T_max 为 {tmax}）"
                "接手，从它的第一个值开始，第 {m} 到第 {last} 步依次为 {clrs}。",
        "legend": ["LinearLR", "CosineAnnealingLR"],
        "x": "优化器的更新步", "y": "学习率",
    },
}

WARMUP_RESUME_TEXT = {
    "en": {
        "title": "Learning rate of each step, resumed from a checkpoint in three ways",
        "desc": "The schedule of SequentialLR (LinearLR, then CosineAnnealingLR), checkpointed after {stop} steps. "
                "Uninterrupted, or resumed with the scheduler built first and all state dicts loaded: {right}. "
                "Scheduler built first but not loaded: from step {stop}, {not_loaded}. Scheduler built after the "
                "optimizer was loaded, then loaded: from step {stop}, {built_after}.",
        "legend": ["uninterrupted, or resumed right", "built first, not loaded", "built after, then loaded"],
        "x": "optimizer step", "y": "learning rate",
    },
    "zh": {
        "title": "每一步的学习率：用三种方式从检查点恢复",
        "desc": "SequentialLR（先 LinearLR，再 CosineAnnealingLR）的调度，训练 {stop} 步后保存检查点。不中断训练，"
                "或先创建学习率调度器、再加载全部状态字典时：{right}。先创建了学习率调度器，却没有加载它的状态：从第 "
                "{stop} 步起为 {not_loaded}。加载优化器之后才创建学习率调度器，再加载它的状态：从第 {stop} 步起为 "
                "{built_after}。",
        "legend": ["不中断，或正确恢复", "先创建、没有加载", "加载优化器之后才创建、再加载"],
        "x": "优化器的更新步", "y": "学习率",
    },
}


def listed(values, locale: str) -> str:
    return ("、" if locale == "zh" else ", ").join(rounded(v) for v in values)


def draw_warmup(run, locale: str, uid: str) -> str:
    text = WARMUP_TEXT[locale]
    steps = list(range(len(run["lr"])))
    warm = [t for t in steps if not run["cosine"][t]]
    cos = [t for t in steps if run["cosine"][t]]
    desc = text["desc"].format(lr=number(data.WARMUP_LR), sf=number(data.WARMUP_START_FACTOR),
                               ti=data.WARMUP_ITERS, w0=warm[0], w1=warm[-1], wlrs=listed((run["lr"][t] for t in warm), locale),
                               m=cos[0], tmax=data.WARMUP_T_MAX, clrs=listed((run["lr"][t] for t in cos), locale), last=cos[-1])
    series = [(warm, [run["lr"][t] for t in warm]), (cos, [run["lr"][t] for t in cos])]
    return line_chart(series, text["legend"], text, (0.0, max(run["lr"])), uid, desc)


def warmup_facts(run) -> dict[str, float]:
    steps = len(run["lr"])
    facts = {"steps": steps, "first step": 0, "last step": steps - 1, "lr": data.WARMUP_LR,
             "start_factor": data.WARMUP_START_FACTOR, "total_iters": data.WARMUP_ITERS, "T_max": data.WARMUP_T_MAX,
             "milestone": run["cosine"].index(True), "last warmup step": run["cosine"].index(True) - 1}
    facts.update({f"lr of step {t}": lr for t, lr in enumerate(run["lr"])})
    return facts


def draw_warmup_resume(runs, locale: str, uid: str) -> str:
    text = WARMUP_RESUME_TEXT[locale]
    stop = data.WARMUP_RESUME_AT
    right = runs["uninterrupted"]
    after = list(range(stop, len(right)))
    desc = text["desc"].format(stop=stop, right=listed(right, locale), not_loaded=listed(runs["not_loaded"], locale),
                               built_after=listed(runs["built_after"], locale))
    series = [(list(range(len(right))), right), (after, runs["not_loaded"]), (after, runs["built_after"])]
    top = math.ceil(2 * max(max(values) for _, values in series)) / 2  # a whole tick above the highest
    return line_chart(series, text["legend"], text, (0.0, top), uid, desc)


def warmup_resume_facts(runs) -> dict[str, float]:
    facts = {"steps": len(runs["uninterrupted"]), "steps before the checkpoint": data.WARMUP_RESUME_AT,
             "milestone": data.WARMUP_MILESTONE}
    for name in ("not_loaded", "built_after"):
        facts.update({f"{name}: lr of step {data.WARMUP_RESUME_AT + k}": lr for k, lr in enumerate(runs[name])})
    facts.update({f"lr of step {t}": lr for t, lr in enumerate(runs["uninterrupted"])})
    return facts


# ---------------------------------------------------------------------------------------------
# Averaged weights: the raw SGD path with a noisy gradient, its EMA and its SWA (AveragedModel).

AVERAGED_TEXT = {
    "en": {
        "title": "w after each step of SGD with a noisy gradient, with its EMA and its SWA",
        "desc": "Computed by torch.optim.SGD with lr {lr} on the loss {loss}, whose gradient w gets noise of standard "
                "deviation {noise} added (seeded), from w = {w0}, for {steps} steps; AveragedModel updated after every "
                "step. The raw w falls towards the minimum at {minimum}, then jitters between {low} and {high} from "
                "step {first} to step {steps}. The EMA (decay {decay}) starts at the w of the first step, {ema0}, lags behind "
                "on the way down, then stays between {ema_low} and {ema_high} over the same steps. The SWA averages "
                "the w of steps {first} to {steps} with equal weights and ends at {swa}.",
        "legend": ["w (raw)", "EMA, decay {decay}", "SWA from step {first}"],
        "x": "optimizer step", "y": "w",
    },
    "zh": {
        "title": "带噪声梯度的 SGD 每一步之后的 w，及其 EMA 和 SWA",
        "desc": "由 torch.optim.SGD 计算，学习率 {lr}，损失为 {loss}，它的梯度 w 加上标准差为 {noise} 的噪声（固定随机种子），"
                "从 w = {w0} 出发，走 {steps} 步；每一步之后都调用 AveragedModel 的更新。原始的 w 向最小值 {minimum} 下降，"
                "之后从第 {first} 步到第 {steps} 步在 {low} 与 {high} 之间抖动。EMA（衰减率 {decay}）从第一步的 w（{ema0}）"
                "开始，下降途中滞后于 w，之后在同样这些步里保持在 {ema_low} 与 {ema_high} 之间。SWA 对第 {first} "
                "步到第 {steps} 步的 w 等权平均，最后为 {swa}。",
        "legend": ["w（原始）", "EMA，衰减率 {decay}", "SWA，从第 {first} 步起"],
        "x": "优化器的更新步", "y": "w",
    },
}


def averaged_window(run):
    """The steps the SWA averages, and the raw and EMA values over them."""
    first = data.AVERAGE_SWA_START + 1
    return first, run["w"][first:], run["ema"][first - 1:]  # ema[k] is the EMA after step k + 1


def draw_averaged(run, locale: str, uid: str) -> str:
    text = AVERAGED_TEXT[locale]
    steps = len(run["w"]) - 1
    first, raw, ema = averaged_window(run)
    decay = number(data.AVERAGE_DECAY)
    labels = [label.format(decay=decay, first=first) for label in text["legend"]]
    key, key_height = legend(labels, 44, 4, WIDTH - 58)
    values = run["w"] + run["ema"] + run["swa"]
    panel = Panel((0, steps, math.floor(min(values)), math.ceil(max(values))), 44, key_height + 24, WIDTH - 58, 220)
    series = [(list(range(steps + 1)), run["w"]), (list(range(1, steps + 1)), run["ema"]),
              (list(range(first, steps + 1)), run["swa"])]
    body = [key, panel.axes(text["x"], text["y"])]
    body += [panel.line(xs, ys, index, markers=False) for index, (xs, ys) in enumerate(series)]
    desc = text["desc"].format(lr=number(data.AVERAGE_LR), noise=number(data.AVERAGE_NOISE), w0=number(data.AVERAGE_W0),
                               steps=steps, minimum=0, first=first, loss=data.AVERAGE_LOSS, low=rounded(min(raw), 2), high=rounded(max(raw), 2),
                               decay=decay, ema0=rounded(run["ema"][0], 2), ema_low=rounded(min(ema), 2),
                               ema_high=rounded(max(ema), 2), swa=rounded(run["swa"][-1], 3))
    return svg(uid, panel.top + panel.height + 48, text["title"], desc, "".join(body))


def averaged_facts(run) -> dict[str, float]:
    first, raw, ema = averaged_window(run)
    return {"steps": len(run["w"]) - 1, "lr": data.AVERAGE_LR, "noise": data.AVERAGE_NOISE, "w0": data.AVERAGE_W0,
            "decay": data.AVERAGE_DECAY, "last step before averaging": data.AVERAGE_SWA_START,
            "first averaged step": first, "minimum": 0, "raw low": min(raw), "raw high": max(raw),
            "EMA low": min(ema), "EMA high": max(ema), "SWA at the end": run["swa"][-1]}


# ---------------------------------------------------------------------------------------------
# The stepper: the contour map of each surface, made live by docs/assets/stepper.js.

STEPPER_TEXT = {
    "en": {
        "title": "Contour map for the SGD stepper",
        "desc": "Contour lines of the loss f(x, y) chosen below: the ill-conditioned quadratic {quadratic}, "
                "minimum {quadratic_minimum}, or the Rosenbrock function {rosenbrock}, minimum {rosenbrock_minimum}. "
                "θ = (x, y) starts at the marked point; the panel below moves it, and its path is drawn here.",
        "desc_compact": "Contour lines of the ill-conditioned quadratic f(x, y) = {quadratic}, minimum {quadratic_minimum}. "
                        "θ = (x, y) starts at the marked point; the panel below moves it, and its path is drawn here.",
        "actions": "Actions",
        "run": "Run", "steps": "steps", "n": "Number of steps to run",
        "reset": "Reset",
        "options": "Options of torch.optim.SGD",
        "surface": "Surface", "quadratic": "ill-conditioned quadratic", "rosenbrock": "Rosenbrock",
        "theta": "θ", "grad": "θ.grad", "buffer": "momentum buffer b", "direction": "step direction g",
        "none": "None", "absent": "none yet",
        "start": "the start", "never": "no step yet",
        "message": "θ is at the start and θ.grad is None. Press loss.backward() to compute the gradient.",
        "python": "Equivalent Python", "copy": "Copy the Python",
        "noscript": "The buttons need JavaScript; the map above shows the surface and the start.",
    },
    "zh": {
        "title": "SGD 单步演示的等高线图",
        "desc": "下方所选损失 f(x, y) 的等高线：病态二次函数 {quadratic}，最小值在 {quadratic_minimum}；或 Rosenbrock 函数 "
                "{rosenbrock}，最小值在 {rosenbrock_minimum}。θ = (x, y) 从标出的点出发，由下方的面板移动，路径画在这里。",
        "desc_compact": "病态二次函数 f(x, y) = {quadratic} 的等高线，最小值在 {quadratic_minimum}。θ = (x, y) 从标出的点出发，"
                        "由下方的面板移动，路径画在这里。",
        "actions": "操作",
        "run": "运行", "steps": "步", "n": "要运行的步数",
        "reset": "重置",
        "options": "torch.optim.SGD 的选项",
        "surface": "损失函数", "quadratic": "病态二次函数", "rosenbrock": "Rosenbrock 函数",
        "theta": "θ", "grad": "θ.grad", "buffer": "动量缓冲 b", "direction": "更新方向 g",
        "none": "None", "absent": "尚未创建",
        "start": "起点", "never": "尚未更新",
        "message": "θ 位于起点，θ.grad 为 None。按 loss.backward() 计算梯度。",
        "python": "等价的 Python 代码", "copy": "复制这段代码",
        "noscript": "这些按钮需要 JavaScript；上图显示了损失函数和起点。",
    },
}
# The inputs: name, kind, default. lr's default is the surface's own.
OPTIONS = [("lr", "number", None), ("momentum", "number", 0), ("dampening", "number", 0),
           ("weight_decay", "number", 0), ("nesterov", "checkbox", False), ("maximize", "checkbox", False)]
COMPACT_OPTIONS = ("lr", "momentum")


def js(value: float) -> str:
    """A number as JavaScript's String() writes it (for these values: no ".0" on whole numbers)."""
    return repr(int(value)) if float(value).is_integer() else repr(value)


def program(surface_name: str, lr: float) -> str:
    """The equivalent Python before any action (stepper.js writes the same, then adds to it)."""
    surface = data.SURFACES[surface_name]
    return (f"import torch\n\n\ndef f(theta):\n    return {surface.python}\n\n\n"
            f"theta = torch.tensor([{js(surface.start[0])}, {js(surface.start[1])}], dtype=torch.float64, "
            f"requires_grad=True)\noptimizer = torch.optim.SGD([theta], lr={js(lr)})\n")


def stepper_svg(locale: str, uid: str, surfaces: list[str]) -> str:
    text = STEPPER_TEXT[locale]
    panel = contour_panel(data.QUADRATIC, 10)
    area = f"{panel.left} {panel.top} {panel.width} {panel.height:.1f}"
    groups = []
    for index, name in enumerate(surfaces):
        surface = data.SURFACES[name]
        box = Panel(surface.box, panel.left, panel.top, panel.width, panel.height)
        start = marker("circle", box.sx(surface.start[0]), box.sy(surface.start[1]), 4)
        hidden = ' display="none"' if index else ""
        groups.append(f'<g class="surface" data-surface="{name}" data-box="{" ".join(map(repr, surface.box))}" '
                      f'data-start="{surface.start[0]!r} {surface.start[1]!r}" data-lr="{surface.lr!r}" '
                      f'data-python="{html.escape(surface.python)}"{hidden}>'
                      f'{contour_map(surface, box)}{box.axes("x", "y")}<g class="start">{start}</g></g>')
    clip = (f'<clipPath id="{uid}-clip"><rect x="{panel.left}" y="{panel.top}" width="{panel.width}" '
            f'height="{panel.height:.1f}"/></clipPath>')
    live = f'<g class="stepper-live series s0" clip-path="url(#{uid}-clip)"></g>'
    desc = (text["desc"] if len(surfaces) > 1 else text["desc_compact"]).format(
        **{name: surface.formula for name, surface in data.SURFACES.items()},
        **{f"{name}_minimum": point(surface.minimum) for name, surface in data.SURFACES.items()})
    return svg(uid, panel.top + panel.height + 48, text["title"], desc, clip + "".join(groups) + live, area=area)


def stepper_panel(locale: str, uid: str, compact: bool) -> str:
    """The controls, the state and the equivalent Python, as they are before any action.

    They are in the page from the start (disabled until stepper.js enables them), so nothing
    moves when the script loads."""
    t = STEPPER_TEXT[locale]
    start = data.QUADRATIC.start
    buttons = "".join(f'<button type="button" data-action="{action}" disabled><code>{label}</code></button>'
                      for action, label in (("backward", "loss.backward()"), ("step", "optimizer.step()"),
                                            ("zero_grad", "optimizer.zero_grad()")))
    run = (f'<span class="stepper-run"><button type="button" data-action="run" disabled>{t["run"]}</button> '
           f'<input type="number" name="n" value="10" min="1" max="1000" step="1" aria-label="{t["n"]}" '
           f'id="{uid}-n" disabled> <label for="{uid}-n">{t["steps"]}</label></span>')
    reset = f'<button type="button" data-action="reset" disabled>{t["reset"]}</button>'
    fields = []
    if not compact:
        fields.append(f'<label>{t["surface"]} <select name="surface" disabled>'
                      f'<option value="quadratic">{t["quadratic"]}</option>'
                      f'<option value="rosenbrock">{t["rosenbrock"]}</option></select></label>')
    for name, kind, default in OPTIONS:
        if compact and name not in COMPACT_OPTIONS:
            continue
        if kind == "checkbox":
            fields.append(f'<label><input type="checkbox" name="{name}" disabled> <code>{name}</code></label>')
        else:
            value = data.QUADRATIC.lr if default is None else default
            fields.append(f'<label><code>{name}</code> <input type="number" name="{name}" value="{value!r}" '
                          f'min="0" step="any" inputmode="decimal" disabled></label>')
    rows = "".join(f'<div data-row="{row}"><dt>{t[row]}</dt><dd><output data-value="{value}">{shown}</output> '
                   f'<span class="formula">{formula}</span></dd></div>'
                   for row, value, shown, formula in (
                       ("theta", f"[{js(start[0])},{js(start[1])}]", f"[{start[0]:.6g}, {start[1]:.6g}]", t["start"]),
                       ("grad", "null", t["none"], ""),
                       ("buffer", "null", t["absent"], ""),
                       ("direction", "null", t["never"], "")))
    code = html.escape(program("quadratic", data.QUADRATIC.lr))
    return (f'<div class="stepper-panel">'
            f'<div class="stepper-actions" role="group" aria-label="{t["actions"]}">{buttons}{run}{reset}</div>'
            f'<fieldset class="stepper-options"><legend>{t["options"]}</legend>{"".join(fields)}</fieldset>'
            f'<p class="stepper-message" role="status">{t["message"]}</p>'
            f'<dl class="stepper-state">{rows}</dl>'
            f'<details class="stepper-python"{"" if compact else " open"}><summary>{t["python"]}</summary>'
            # Not a <pre>: the site's guards hold every <pre> to be a fence of the page, run by the
            # doc tests; this program changes with every action and tests/test_stepper.py runs it.
            f'<div class="stepper-program" role="region" aria-label="{t["python"]}" tabindex="0"><code>{code}</code></div>'
            f'<button type="button" data-action="copy" disabled>{t["copy"]}</button></details>'
            f'<noscript><p>{t["noscript"]}</p></noscript></div>')


def draw_stepper(surfaces: list[str], locale: str, uid: str) -> str:
    """The full stepper offers both surfaces and every option; the compact one (the home page)
    the quadratic, lr and momentum."""
    return stepper_svg(locale, uid, surfaces) + stepper_panel(locale, uid, compact=len(surfaces) == 1)


# ---------------------------------------------------------------------------------------------


def no_facts(_) -> dict[str, float]:
    return {}


@dataclass(frozen=True)
class Figure:
    data: Callable[[], object]  # what torch computes for it
    draw: Callable[[object, str, str], str]  # (data, locale, uid) -> the figure's inner HTML
    # (data) -> the numbers a caption may state, by what they are: each number a page's caption
    # states must be one of them (tests/test_figures.py), besides a surface's formula.
    facts: Callable[[object], dict[str, float]] = no_facts
    stepper: bool = False


FIGURES = {
    "sgd-paths": Figure(data.sgd_paths, draw_paths, paths_facts),
    "worked-example": Figure(data.worked_example, draw_worked, worked_facts),
    "zero-grad": Figure(zero_grad_runs, draw_zero_grad, zero_grad_facts),
    "loop-mistakes": Figure(loop_runs, draw_loops, loop_facts),
    "warmup-cosine": Figure(data.warmup_schedule, draw_warmup, warmup_facts),
    "warmup-resume": Figure(data.warmup_resumes, draw_warmup_resume, warmup_resume_facts),
    "averaged-paths": Figure(data.averaged_paths, draw_averaged, averaged_facts),
    "stepper": Figure(lambda: ["quadratic", "rosenbrock"], draw_stepper, stepper=True),
    "stepper-compact": Figure(lambda: ["quadratic"], draw_stepper, stepper=True),
}


def render(name: str, locale: str, uid: str) -> str:
    figure = FIGURES[name]
    return figure.draw(figure.data(), locale, uid)
