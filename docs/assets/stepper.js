// The SGD stepper: press loss.backward(), optimizer.step() and optimizer.zero_grad() on a 2-D
// loss, and see θ, θ.grad and the momentum buffer change exactly as torch.optim.SGD changes them.
// It makes live a figure that hooks/torch_figures.py writes into the page (figures/catalog.py): the
// contour map, and a panel whose controls wait, disabled, for this script.
// tests/test_stepper.py runs the model below in Chromium and compares it with PyTorch.
(() => {
  "use strict";

  // ---- The model: torch.optim.SGD's step (torch/optim/sgd.py, _single_tensor_sgd) on float64.
  // Each gradient is written with the operations autograd performs, in its order, so that the
  // numbers are PyTorch's to the last bit.
  const SURFACES = {
    // f = 0.5 * (theta[0] ** 2 + 10 * theta[1] ** 2)
    quadratic: ([x, y]) => [0.5 * (2 * x), 0.5 * 10 * (2 * y)],
    // f = (1 - theta[0]) ** 2 + 100 * (theta[1] - theta[0] ** 2) ** 2
    rosenbrock: ([x, y]) => {
      const outer = 100 * (2 * (y - x * x));  // d f / d (theta[1] - theta[0] ** 2)
      return [-(2 * (1 - x)) + -outer * (2 * x), outer];
    },
  };

  const newState = (start) => ({ theta: [start[0], start[1]], grad: null, buffer: null });

  // PyTorch's CPU kernels compute x.add(y, alpha=a) as one fused multiply-add, x + a·y with a
  // single rounding; JavaScript has no fma, so this one is exact arithmetic on BigInts, rounded
  // once to the nearest double (ties to even).
  const bits = new DataView(new ArrayBuffer(8));
  function parts(x) {  // x = m · 2^e exactly, m a BigInt
    bits.setFloat64(0, x);
    const high = bits.getUint32(0), exponent = (high >>> 20) & 0x7ff;
    let m = (BigInt(high & 0xfffff) << 32n) | BigInt(bits.getUint32(4));
    if (exponent) m |= 1n << 52n;
    return [high >>> 31 ? -m : m, (exponent || 1) - 1075];
  }
  function fma(a, b, c) {  // a · b + c
    if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c) || a === 0 || b === 0) return a * b + c;
    const [ma, ea] = parts(a), [mb, eb] = parts(b), [mc, ec] = parts(c);
    const e = Math.min(ea + eb, ec);
    const sum = ((ma * mb) << BigInt(ea + eb - e)) + (mc << BigInt(ec - e));
    if (sum === 0n) return a * b + c;  // an exact zero: its sign as the separate operations give it
    const size = sum < 0n ? -sum : sum;
    // Keep 53 significant bits (fewer below the normal range), rounding the rest to nearest, ties to even.
    const drop = Math.max(size.toString(2).length - 53, -1074 - e, 0);
    let kept = size >> BigInt(drop);
    if (drop > 0) {
      const rest = size - (kept << BigInt(drop)), half = 1n << BigInt(drop - 1);
      if (rest > half || (rest === half && (kept & 1n))) kept += 1n;
    }
    const exponent = e + drop;  // scale in two halves: neither may overflow or underflow alone
    const value = Number(kept) * 2 ** Math.trunc(exponent / 2) * 2 ** (exponent - Math.trunc(exponent / 2));
    return sum < 0n ? -value : value;
  }

  // loss.backward(): autograd adds the new gradient to .grad (or creates .grad if it is None).
  function backward(state, surface) {
    const g = SURFACES[surface](state.theta);
    state.grad = state.grad === null ? g : [state.grad[0] + g[0], state.grad[1] + g[1]];
  }

  // optimizer.zero_grad(), whose default set_to_none=True makes .grad None.
  function zeroGrad(state) {
    state.grad = null;
  }

  // optimizer.step(): returns null when it skips θ (its .grad is None), else the direction g
  // and whether the momentum buffer was created by this step.
  function step(state, o) {
    if (state.grad === null) return null;
    let g = o.maximize ? state.grad.map((v) => -v) : state.grad.slice();
    if (o.weight_decay !== 0) g = g.map((v, i) => fma(o.weight_decay, state.theta[i], v));  // grad.add(param, alpha=weight_decay)
    let created = false;
    if (o.momentum !== 0) {
      if (state.buffer === null) {
        state.buffer = g.slice();  // the first buffer is a copy of g: no dampening
        created = true;
      } else {  // buf.mul_(momentum).add_(grad, alpha=1 - dampening)
        state.buffer = state.buffer.map((b, i) => fma(1 - o.dampening, g[i], b * o.momentum));
      }
      // grad.add(buf, alpha=momentum), or the buffer itself
      g = o.nesterov ? g.map((v, i) => fma(o.momentum, state.buffer[i], v)) : state.buffer.slice();
    }
    state.theta = state.theta.map((t, i) => fma(-o.lr, g[i], t));  // param.add_(grad, alpha=-lr)
    return { direction: g, created };
  }

  // What torch.optim.SGD(...) raises for these options (its own message), or null.
  function problem(o) {
    if (o.lr < 0) return { key: "lr", torch: `Invalid learning rate: ${o.lr}` };
    if (o.momentum < 0) return { key: "momentum", torch: `Invalid momentum value: ${o.momentum}` };
    if (o.weight_decay < 0) return { key: "weight_decay", torch: `Invalid weight_decay value: ${o.weight_decay}` };
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      return { key: "nesterov", torch: "Nesterov momentum requires a momentum and zero dampening" };
    }
    return null;
  }

  window.sgdStepper = { SURFACES, newState, backward, zeroGrad, step, problem, fma };

  // ---- The panel.
  const WORDS = {
    en: {
      none: "None", absent: "none yet", never: "no step yet", start: "the start", overflow: "overflow",
      copy: "b ← g (a copy)",
      start_message: "θ is at the start and θ.grad is None. Press loss.backward() to compute the gradient.",
      backward: "loss.backward() computed ∇f(θ) and stored it in θ.grad.",
      accumulated: (n) => `loss.backward() again, without zero_grad(): the new gradient was added to θ.grad, which now holds the sum of ${n} gradients.`,
      zero: "optimizer.zero_grad() set θ.grad to None (set_to_none=True, the default).",
      skipped: "optimizer.step() changed nothing: θ.grad is None, so step() skips θ, and its momentum buffer too. Press loss.backward() first.",
      stepped: "optimizer.step() moved θ by −γ g, and left θ.grad as it was.",
      created: "The momentum buffer starts as a copy of g, without dampening.",
      summed: (n) => `θ.grad held the sum of ${n} gradients.`,
      run: (k) => `Ran ${k} iterations of optimizer.zero_grad(), loss.backward(), optimizer.step().`,
      diverged: (k, lr) => `Diverged after ${k} steps: |θ| passed 10⁶, so lr = ${lr} is too large for this loss (PyTorch would go on, to inf and then nan). Press Reset, and lower lr.`,
      raises: (torch, hint) => `torch.optim.SGD raises ValueError: ${torch}. ${hint}`,
      hint: {
        lr: "lr must be 0 or more.", momentum: "momentum must be 0 or more.",
        weight_decay: "weight_decay must be 0 or more.",
        nesterov: "Nesterov needs a momentum above 0 and a dampening of 0.",
      },
      not_number: (name) => `${name} is not a number.`,
      bad_n: "The number of steps must be a whole number from 1 to 1000.",
      changed: "Options changed: the next action uses them.",
      copied: "The Python is on the clipboard.",
    },
    zh: {
      none: "None", absent: "尚未创建", never: "尚未更新", start: "起点", overflow: "溢出",
      copy: "b ← g（拷贝）",
      start_message: "θ 位于起点，θ.grad 为 None。按 loss.backward() 计算梯度。",
      backward: "loss.backward() 计算了 ∇f(θ)，存入 θ.grad。",
      accumulated: (n) => `没有调用 zero_grad() 就再次调用 loss.backward()：新梯度加到了 θ.grad 上，现在它是 ${n} 个梯度之和。`,
      zero: "optimizer.zero_grad() 把 θ.grad 设为 None（默认 set_to_none=True）。",
      skipped: "optimizer.step() 什么也没有改变：θ.grad 为 None，step() 跳过 θ，动量缓冲也不变。请先按 loss.backward()。",
      stepped: "optimizer.step() 把 θ 移动了 −γ g，θ.grad 保持不变。",
      created: "动量缓冲的初值是 g 的拷贝，不施加阻尼。",
      summed: (n) => `θ.grad 中是 ${n} 个梯度之和。`,
      run: (k) => `运行了 ${k} 次迭代：optimizer.zero_grad()、loss.backward()、optimizer.step()。`,
      diverged: (k, lr) => `发散了：${k} 步后 |θ| 超过 10⁶，学习率 lr = ${lr} 对这个损失函数太大（PyTorch 会继续算下去，直到 inf，然后是 nan）。请按重置，并调小 lr。`,
      raises: (torch, hint) => `torch.optim.SGD 会抛出 ValueError（“${torch}”）。${hint}`,
      hint: {
        lr: "lr 不能小于 0。", momentum: "momentum 不能小于 0。", weight_decay: "weight_decay 不能小于 0。",
        nesterov: "Nesterov 要求 momentum 大于 0，且 dampening 为 0。",
      },
      not_number: (name) => `${name} 不是一个数。`,
      bad_n: "步数必须是 1 到 1000 之间的整数。",
      changed: "选项已更改，下一个操作会使用新选项。",
      copied: "这段 Python 代码已复制到剪贴板。",
    },
  };
  const DEFAULTS = { lr: 0.001, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false, maximize: false };
  const LIMIT = 1e6;  // |θ| beyond this counts as diverged: the path has long left the map
  const SVG = "http://www.w3.org/2000/svg";

  function mount(figure) {
    const lang = document.documentElement.lang.startsWith("zh") ? "zh" : "en";
    const words = WORDS[lang];
    const plain = new Intl.NumberFormat(lang, { maximumSignificantDigits: 6, useGrouping: false });
    const scientific = new Intl.NumberFormat(lang, { notation: "scientific", maximumSignificantDigits: 5 });
    const svg = figure.querySelector("svg");
    const area = svg.dataset.area.split(" ").map(Number);
    const live = svg.querySelector(".stepper-live");
    const panel = figure.querySelector(".stepper-panel");
    const field = (name) => panel.querySelector(`[name="${name}"]`);
    const message = panel.querySelector(".stepper-message");
    const code = panel.querySelector(".stepper-python code");

    let surface, box, start, python, state, path, steps, since, entries, constructed, recorded, diverged;

    const number = (v) => {
      if (!Number.isFinite(v)) return words.overflow;
      const size = Math.abs(v);
      return size !== 0 && (size < 1e-4 || size >= 1e6) ? scientific.format(v) : plain.format(v);
    };
    const vector = (v) => `[${number(v[0])}, ${number(v[1])}]`;

    function options() {  // the inputs' values; an input the compact panel lacks keeps its default
      const o = { ...DEFAULTS };
      for (const name of Object.keys(DEFAULTS)) {
        const input = field(name);
        if (!input) continue;
        o[name] = input.type === "checkbox" ? input.checked : input.value.trim() === "" ? NaN : Number(input.value);
      }
      return o;
    }

    // Options PyTorch refuses (said in the reader's language), or null.
    function refusal(o) {
      const missing = Object.keys(o).find((name) => typeof o[name] === "number" && !Number.isFinite(o[name]));
      if (missing) return words.not_number(missing);
      const found = problem(o);
      return found ? words.raises(found.torch, words.hint[found.key]) : null;
    }

    // ---- The equivalent Python: the constructor, then one entry per action (repeats folded).
    const py = (v) => (typeof v === "boolean" ? (v ? "True" : "False") : String(v));
    function constructor(o) {
      const given = Object.keys(DEFAULTS).filter((k) => k === "lr" || o[k] !== DEFAULTS[k]);
      return `optimizer = torch.optim.SGD([theta], ${given.map((k) => `${k}=${py(o[k])}`).join(", ")})`;
    }
    function record(lines, count = 1) {
      const o = options();
      if (entries.length === 0) constructed = recorded = o;  // nothing done yet: the constructor takes them
      for (const k of Object.keys(DEFAULTS)) {
        if (o[k] !== recorded[k]) entries.push({ lines: [`optimizer.param_groups[0]["${k}"] = ${py(o[k])}`], count: 1 });
      }
      recorded = o;
      const last = entries[entries.length - 1];
      if (last && last.lines.join() === lines.join() && !last.lines[0].startsWith("optimizer.param_groups")) {
        last.count += count;
      } else {
        entries.push({ lines, count });
      }
    }
    function program() {
      const head = ["import torch", "", "", "def f(theta):", `    return ${python}`, "", "",
        `theta = torch.tensor([${py(start[0])}, ${py(start[1])}], dtype=torch.float64, requires_grad=True)`,
        constructor(constructed)];
      const body = entries.flatMap(({ lines, count }) =>
        count === 1 ? lines : [`for _ in range(${count}):`, ...lines.map((line) => `    ${line}`)]);
      return [...head, ...body].join("\n") + "\n";
    }

    // ---- The readout: each quantity, and the formula line that last produced it.
    const rows = {};
    for (const row of ["theta", "grad", "buffer", "direction"]) {
      const element = panel.querySelector(`[data-row="${row}"]`);
      rows[row] = { output: element.querySelector("output"), formula: element.querySelector(".formula") };
    }
    function show(row, value, text, formula) {
      rows[row].output.dataset.value = JSON.stringify(value);  // exact, for the tests
      rows[row].output.textContent = text;
      if (formula !== undefined) rows[row].formula.textContent = formula;
    }
    function showState(formulas = {}) {
      show("theta", state.theta, vector(state.theta), formulas.theta);
      show("grad", state.grad, state.grad ? vector(state.grad) : words.none, formulas.grad);
      show("buffer", state.buffer, state.buffer ? vector(state.buffer) : words.absent, formulas.buffer);
    }

    // ---- The map: θ's path since the start, and where it is now.
    const toSvg = ([x, y]) => [area[0] + ((x - box[0]) / (box[1] - box[0])) * area[2],
      area[1] + ((box[3] - y) / (box[3] - box[2])) * area[3]];
    function draw() {
      live.replaceChildren();
      const drawn = [];
      for (const p of path) {  // up to the first point too far out to draw
        if (!(Math.abs(p[0]) <= LIMIT && Math.abs(p[1]) <= LIMIT)) break;
        drawn.push(toSvg(p));
      }
      const line = document.createElementNS(SVG, "polyline");
      line.setAttribute("points", drawn.map(([x, y]) => `${x.toFixed(2)},${y.toFixed(2)}`).join(" "));
      const dot = document.createElementNS(SVG, "circle");
      const [x, y] = drawn[drawn.length - 1];
      dot.setAttribute("cx", x.toFixed(2));
      dot.setAttribute("cy", y.toFixed(2));
      dot.setAttribute("r", "4.5");
      dot.setAttribute("class", "stepper-now");
      live.append(line, dot);
    }

    function reset() {
      const group = svg.querySelector(`.surface[data-surface="${surface}"]`);
      box = group.dataset.box.split(" ").map(Number);
      start = group.dataset.start.split(" ").map(Number);
      python = group.dataset.python;
      state = newState(start);
      path = [start.slice()];
      steps = 0;
      since = 0;  // backward() calls since .grad was last None
      entries = [];
      constructed = recorded = options();
      diverged = false;
      showState({ theta: words.start, grad: "", buffer: "" });
      show("direction", null, words.never, "");
      message.textContent = words.start_message;
      code.textContent = program();
      draw();
    }

    function doStep(o) {
      const result = step(state, o);
      if (result === null) return null;
      path.push(state.theta.slice());
      steps += 1;
      const values = [...state.theta, ...state.grad, ...(state.buffer || [])];
      diverged = values.some((v) => !Number.isFinite(v)) || state.theta.some((v) => Math.abs(v) > LIMIT);
      return result;
    }

    function stepFormulas(o, result) {
      const direction = [o.maximize ? "g = −θ.grad" : "g = θ.grad"];
      if (o.weight_decay !== 0) direction.push("g ← g + λ θ");
      if (o.momentum !== 0) direction.push(o.nesterov ? "g ← g + μ b" : "g ← b");
      show("direction", result.direction, vector(result.direction), direction.join("; "));
      return {
        theta: "θ ← θ − γ g",
        buffer: o.momentum === 0 ? undefined : result.created ? words.copy : "b ← μ b + (1 − τ) g",
      };
    }

    const actions = {
      backward(o) {
        backward(state, surface);
        since += 1;
        record(["f(theta).backward()"]);
        showState({ grad: since === 1 ? "θ.grad = ∇f(θ)" : "θ.grad ← θ.grad + ∇f(θ)" });
        return since === 1 ? words.backward : words.accumulated(since);
      },
      zero_grad() {
        zeroGrad(state);
        since = 0;
        record(["optimizer.zero_grad()"]);
        showState({ grad: "θ.grad ← None" });
        return words.zero;
      },
      step(o) {
        record(["optimizer.step()"]);
        const summed = since;
        const result = doStep(o);
        if (result === null) return words.skipped;
        showState(stepFormulas(o, result));
        const parts = [words.stepped];
        if (result.created) parts.push(words.created);
        if (summed > 1) parts.push(words.summed(summed));
        return diverged ? words.diverged(steps, o.lr) : parts.join(" ");
      },
      run(o) {
        const n = Number(field("n").value);
        if (!Number.isInteger(n) || n < 1 || n > 1000) return words.bad_n;
        let done = 0;
        let result = null;
        while (done < n && !diverged) {
          zeroGrad(state);
          backward(state, surface);
          result = doStep(o);
          done += 1;
        }
        since = 1;
        record(["optimizer.zero_grad()", "f(theta).backward()", "optimizer.step()"], done);
        showState({ ...stepFormulas(o, result), grad: "θ.grad = ∇f(θ)" });
        return diverged ? words.diverged(steps, o.lr) : words.run(done);
      },
    };

    function act(name) {
      if (name === "reset") return reset();
      if (name === "copy") {
        navigator.clipboard.writeText(code.textContent).then(() => { message.textContent = words.copied; });
        return;
      }
      const o = options();
      // zero_grad() is always allowed; a diverged run only lets it and Reset go on.
      const refused = refusal(o) || (diverged && name !== "zero_grad" ? words.diverged(steps, o.lr) : null);
      if (refused) {
        message.textContent = refused;
        return;
      }
      message.textContent = actions[name](o);
      code.textContent = program();
      code.parentElement.scrollTop = code.parentElement.scrollHeight;  // the latest action in view
      draw();
    }

    panel.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-action]");
      if (button) act(button.dataset.action);
    });
    panel.querySelector(".stepper-options").addEventListener("change", (event) => {
      if (event.target.name === "surface") {
        surface = event.target.value;
        for (const group of svg.querySelectorAll(".surface")) {
          group.setAttribute("display", group.dataset.surface === surface ? "inline" : "none");
        }
        field("lr").value = svg.querySelector(`.surface[data-surface="${surface}"]`).dataset.lr;
        reset();
        return;
      }
      message.textContent = refusal(options()) || words.changed;
    });

    surface = field("surface") ? field("surface").value : "quadratic";
    reset();
    for (const control of panel.querySelectorAll("button, input, select")) control.disabled = false;
  }

  // Mounting draws the figure, a long task on a slow phone: each figure waits until the
  // reader scrolls near it, so that none runs while the page loads.
  function init() {
    const near = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        near.unobserve(entry.target);
        mount(entry.target);
      }
    }, { rootMargin: "200px" });
    document.querySelectorAll("figure[data-stepper]").forEach((figure) => near.observe(figure));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
