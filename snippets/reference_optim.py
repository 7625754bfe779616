"""From-scratch reference implementations of `torch.optim.SGD`, `Adam`, `AdamW` and `Muon`.

Each update rule is written with plain tensor operations, one line per formula, with
variable names that follow the symbols on the formula pages:

| symbol | name here | PyTorch argument |
| --- | --- | --- |
| $\\theta$ | `theta` | the parameter |
| $g_t$ | `g` | the parameter's `.grad` |
| $\\gamma$ | `lr` | `lr` |
| $\\lambda$ | `weight_decay` | `weight_decay` |
| $\\mu$ | `momentum` | `momentum` |
| $\\tau$ | `dampening` | `dampening` |
| $b_t$ | `b` | `state["momentum_buffer"]` |
| $\\beta_1, \\beta_2$ | `beta1`, `beta2` | `betas` |
| $m_t, v_t$ | `m`, `v` | `state["exp_avg"]`, `state["exp_avg_sq"]` |
| $\\epsilon$ | `eps` | `eps` |
| $B_t$ | `b` | Muon's `state["momentum_buffer"]` |
| $O_t$ | `o` | Muon's orthogonalized update |

**What they cover.** Each constructor takes the arguments of its `torch.optim`
counterpart that change the update, under the same names and with the same defaults:
`params` (tensors, or parameter groups as dicts), `lr`, `momentum`, `dampening`,
`weight_decay`, `nesterov` and `maximize` for `SGD`; `params`, `lr`, `betas`, `eps`,
`weight_decay`, `amsgrad` and `maximize` for `Adam` and `AdamW`; all of `Muon`'s. They raise
the same exception types as `torch.optim` for a negative `lr`, `momentum`, `eps` or
`weight_decay`, a beta outside $[0, 1)$, Nesterov without momentum or with dampening, an
unknown `adjust_lr_fn` or a parameter that is not 2-D for `Muon` (with the same messages),
an empty parameter list, a lone tensor as `params`, and a `set` as a group's `params` (a
`set` passed directly as `params` is turned into a list, as `torch.optim` does). They have `param_groups`,
`add_param_group()`, `zero_grad(set_to_none=True)` and `step()`, which skips a parameter
whose `.grad` is `None`; `state[p]` holds the tensors that `torch.optim` keeps, under the
same keys (`momentum_buffer`, `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq`). The test suite
checks the parameters and that state against `torch.optim` after every step that does not
raise, on random shapes (2-D ones for `Muon`), options and parameter groups of dense
`float32` and `float64` tensors on the CPU.

**What they leave out:**

- the arguments that choose an implementation or a mode, `foreach`, `fused`,
  `capturable` and `differentiable` (the reference always runs the per-parameter loop),
  and Adam's `decoupled_weight_decay` (use `AdamW`);
- a learning rate held in a tensor (`lr=torch.tensor(0.01)`): `lr` is a Python number;
- `step(closure)`: `step()` takes no closure;
- `state_dict()`, `load_state_dict()` and the `register_*_hook` methods;
- `model.named_parameters()` as `params` (`step()` then raises `AttributeError`);
- some of the checks that `torch.optim` makes on `params`: that each is a tensor, that no
  parameter is in two groups, and that each is a leaf (or retains its gradient after
  `retain_grad()`);
- the state after a `step()` that raises (`Muon`'s, for a parameter with no columns under
  the default `adjust_lr_fn`): `torch.optim.Muon` creates the momentum buffers of a whole
  group before it updates any of its parameters, and updates a buffer in place before the
  division by zero; the reference creates and replaces them one parameter at a time, so after
  such a step the parameters agree and the buffers may not;
- `bfloat16` parameters under `Muon` with `nesterov=False`: `torch.optim.Muon` then passes
  its momentum buffer itself to `_zeropower_via_newtonschulz`, whose `.bfloat16()` returns
  that same tensor and whose `div_` divides it by its norm in place, so the buffer it keeps is
  normalized; the reference keeps the running average;
- PyTorch's types: Adam's `state["step"]` is a Python `int` where `torch.optim` keeps a
  tensor, and the classes do not derive from `torch.optim.Optimizer`, so a learning-rate
  scheduler rejects them with `TypeError`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import torch
from torch import Tensor

#: What an optimizer accepts as `params`: tensors, or parameter groups (dicts).
Params = Iterable[Tensor] | Iterable[dict[str, Any]]


def sgd_update(
    theta: Tensor,
    g: Tensor,
    b: Tensor | None,
    *,
    lr: float,
    momentum: float = 0.0,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
    nesterov: bool = False,
    maximize: bool = False,
) -> tuple[Tensor, Tensor | None]:
    """One step of `torch.optim.SGD` for one parameter.

    Args:
        theta: The parameter before the step, $\\theta_{t-1}$.
        g: Its gradient, $\\nabla f(\\theta_{t-1})$.
        b: The momentum buffer $b_{t-1}$, or `None` before the parameter's first step.
        lr: Learning rate $\\gamma$.
        momentum: Momentum factor $\\mu$.
        dampening: Dampening $\\tau$, applied from the second step on.
        weight_decay: L2 penalty $\\lambda$.
        nesterov: Use Nesterov momentum.
        maximize: Climb the objective instead of descending it.

    Returns:
        The new parameter $\\theta_t$ and the new buffer $b_t$ (`None` when $\\mu = 0$).

    The lines implement, in order:

    1. $g_t = -\\nabla f(\\theta_{t-1})$ if maximizing (before weight decay);
    2. $g_t \\leftarrow g_t + \\lambda \\theta_{t-1}$;
    3. $b_1 = g_1$, $b_t = \\mu b_{t-1} + (1 - \\tau) g_t$ for $t > 1$; then
       $g_t \\leftarrow g_t + \\mu b_t$ (Nesterov) or $g_t \\leftarrow b_t$;
    4. $\\theta_t = \\theta_{t-1} - \\gamma g_t$.

    `x.add(y, alpha=a)` is $x + a y$. It is used instead of `x + a * y` because PyTorch
    computes it that way (on CPU, with one rounding where the processor fuses the multiply
    and add), so the reference matches `torch.optim.SGD` to the last bit, not just closely.
    """
    if maximize:
        g = -g
    if weight_decay != 0:
        g = g.add(theta, alpha=weight_decay)
    if momentum != 0:
        b = g.clone() if b is None else b.mul(momentum).add(g, alpha=1 - dampening)
        g = g.add(b, alpha=momentum) if nesterov else b
    else:
        b = None
    theta = theta.add(g, alpha=-lr)
    return theta, b


def adam_update(
    theta: Tensor,
    g: Tensor,
    m: Tensor,
    v: Tensor,
    v_max: Tensor | None,
    t: int,
    *,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
    weight_decay: float = 0.0,
    amsgrad: bool = False,
    maximize: bool = False,
    decoupled_weight_decay: bool = False,
) -> tuple[Tensor, Tensor, Tensor, Tensor | None]:
    """One step of `torch.optim.Adam` (or, with decoupled weight decay, `AdamW`).

    Args:
        theta: The parameter before the step, $\\theta_{t-1}$.
        g: Its gradient, $\\nabla f(\\theta_{t-1})$.
        m: First moment $m_{t-1}$ (zeros before the first step).
        v: Second moment $v_{t-1}$ (zeros before the first step).
        v_max: With AMSGrad, the running maximum of the raw second moment,
            $\\max(v_1, \\dots, v_{t-1})$ (zeros before the first step); else `None`.
        t: This parameter's step number, starting at 1.
        lr: Learning rate $\\gamma$.
        beta1: Decay $\\beta_1$ of the first moment.
        beta2: Decay $\\beta_2$ of the second moment.
        eps: $\\epsilon$, added to the denominator.
        weight_decay: $\\lambda$: an L2 term in the gradient (Adam) or a direct decay of
            the weights (AdamW).
        amsgrad: Replace $v_t$ by the running maximum of the raw $v$ before the bias
            correction of this step divides it, so the denominator is
            $\\sqrt{\\max(v_1, \\dots, v_t)} / \\sqrt{1 - \\beta_2^t} + \\epsilon$. This is
            not the running maximum of $\\hat v$, and the two give different numbers.
        maximize: Climb the objective instead of descending it.
        decoupled_weight_decay: AdamW's weight decay.

    Returns:
        $\\theta_t$, $m_t$, $v_t$ and the new running maximum (`None` without AMSGrad).

    The lines implement, in order:

    1. $g_t = -\\nabla f(\\theta_{t-1})$ if maximizing;
    2. AdamW: $\\theta_{t-1} \\leftarrow \\theta_{t-1} (1 - \\gamma \\lambda)$;
       Adam: $g_t \\leftarrow g_t + \\lambda \\theta_{t-1}$;
    3. $m_t = \\beta_1 m_{t-1} + (1 - \\beta_1) g_t$, computed as the linear interpolation
       $m_{t-1} + (1 - \\beta_1)(g_t - m_{t-1})$ (`torch.lerp`, the same value);
    4. $v_t = \\beta_2 v_{t-1} + (1 - \\beta_2) g_t^2$;
    5. $\\hat m_t = m_t / (1 - \\beta_1^t)$ and $\\hat v_t = v_t / (1 - \\beta_2^t)$; with
       AMSGrad, $\\hat v_t = \\max(v_1, \\dots, v_t) / (1 - \\beta_2^t)$, the maximum of the
       raw $v$ divided by this step's correction;
    6. $\\theta_t = \\theta_{t-1} - \\gamma \\hat m_t / (\\sqrt{\\hat v_t} + \\epsilon)$.

    Steps 5 and 6 are computed in the order PyTorch uses, $\\gamma / (1 - \\beta_1^t)$ times
    $m_t / (\\sqrt{v_t} / \\sqrt{1 - \\beta_2^t} + \\epsilon)$, which is the same formula.
    `torch.addcmul(x, y, z, value=a)` is $x + a y z$ and `torch.addcdiv(x, y, z, value=a)`
    is $x + a y / z$: the operations PyTorch uses, so the rounding matches too.
    """
    if maximize:
        g = -g
    if weight_decay != 0:
        if decoupled_weight_decay:
            theta = theta * (1 - lr * weight_decay)
        else:
            g = g.add(theta, alpha=weight_decay)
    m = torch.lerp(m, g, 1 - beta1)
    v = torch.addcmul(v * beta2, g, g, value=1 - beta2)
    bias_correction1 = 1 - beta1**t
    bias_correction2 = 1 - beta2**t
    if amsgrad:
        v_max = torch.maximum(v_max, v)
        denom = v_max.sqrt() / bias_correction2**0.5 + eps
    else:
        denom = v.sqrt() / bias_correction2**0.5 + eps
    step_size = lr / bias_correction1
    theta = torch.addcdiv(theta, m, denom, value=-step_size)
    return theta, m, v, v_max


def newton_schulz(
    x: Tensor,
    *,
    ns_coefficients: tuple[float, float, float] = (3.4445, -4.775, 2.0315),
    ns_steps: int = 5,
    eps: float = 1e-7,
) -> Tensor:
    """Muon's orthogonalization: $k$ Newton–Schulz iterations on a matrix, in `bfloat16`.

    Args:
        x: The matrix $\\widetilde B_t$ to orthogonalize (2-D, any floating dtype).
        ns_coefficients: The coefficients $(a, b, c)$ of the iteration's polynomial.
        ns_steps: The number of iterations $k$ (less than 100, as PyTorch requires).
        eps: $\\varepsilon$: the norm is clamped to at least this before dividing by it.

    Returns:
        $O_t = \\mathrm{NS}^{(a,b,c)}_k(\\widetilde B_t; \\varepsilon)$, a `bfloat16` matrix
            of $x$'s shape.

    Raises:
        ValueError: For `ns_steps` of 100 or more, an `x` that is not 2-D, or coefficients
            that are not three, checked in that order, with the messages of PyTorch's
            `_zeropower_via_newtonschulz`.

    The lines implement, in order:

    1. $X_0 = \\widetilde B_t / \\max(\\lVert \\widetilde B_t \\rVert_F, \\varepsilon)$, in
       `bfloat16`, transposed first when $x$ has more rows than columns (so that
       $X X^\\top$ is the smaller of the two Gram matrices);
    2. for $j = 1, \\dots, k$: $A_j = X_{j-1} X_{j-1}^\\top$ and
       $X_j = a X_{j-1} + (b A_j + c A_j^2) X_{j-1}$;
    3. $O_t = X_k$, transposed back.

    If $\\widetilde B_t = U \\Sigma V^\\top$ (its singular value decomposition), each iteration,
    in exact arithmetic, keeps $U$ and $V$ and replaces every singular value $\\sigma$ by
    $a \\sigma + b \\sigma^3 + c \\sigma^5$. Dividing by the Frobenius norm puts every
    $\\sigma$ in $[0, 1]$; each iteration multiplies a small one by about $a$, and a zero one
    stays zero. So $O_t$ approximates $U V^\\top$, the orthogonal matrix nearest
    $\\widetilde B_t$, only roughly: the docstring of `_zeropower_via_newtonschulz` says that,
    with the default coefficients (chosen to maximize the slope at zero), the result is
    rather $U S' V^\\top$, the diagonal of $S'$ spread around 1.

    Everything runs in `bfloat16` whatever the dtype of $x$, as in PyTorch. Unlike PyTorch,
    it never writes into $x$: `_zeropower_via_newtonschulz` divides in place, which changes
    its input when that input is already `bfloat16` (`.bfloat16()` then returns it).
    `torch.addmm(m, x, y, beta=p, alpha=q)` is $p\\,m + q\\,x y$: $b A_j + c A_j^2$ and
    $a X_{j-1} + (\\dots) X_{j-1}$ are each one such call, as in PyTorch. Written with
    separate products and sums (`a * X + (b * A + c * A @ A) @ X`), the same polynomial
    rounds to `bfloat16` more often, and gives different bits.
    """
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if x.ndim != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = ns_coefficients
    tall = x.size(0) > x.size(1)
    X = x.bfloat16().T if tall else x.bfloat16()
    X = X / X.norm().clamp(min=eps)
    for _ in range(ns_steps):
        A = X @ X.T
        X = torch.addmm(X, torch.addmm(A, A, A, beta=b, alpha=c), X, beta=a)
    return X.T if tall else X


def muon_lr(lr: float, shape: tuple[int, ...], adjust_lr_fn: str | None = None) -> float:
    """The learning rate that `torch.optim.Muon` applies to $O_t$ for a parameter of this shape.

    Args:
        lr: Learning rate $\\gamma$.
        shape: The parameter's shape $(A, B)$: rows, columns.
        adjust_lr_fn: `None` or `"original"`: $\\gamma \\sqrt{\\max(1, A / B)}$;
            `"match_rms_adamw"`: $0.2\\, \\gamma \\sqrt{\\max(A, B)}$; any other value
            (only a parameter group can hold one: the constructor rejects it) leaves
            $\\gamma$ as it is, as PyTorch does.

    Returns:
        The adjusted learning rate, a Python float. It is computed as PyTorch does, the ratio
            first, then times `lr`; a parameter with no columns ($B = 0$) raises
            `ZeroDivisionError` under `"original"` (and `None`), as it does in PyTorch.
    """
    rows, cols = shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        return lr * math.sqrt(max(1, rows / cols))
    if adjust_lr_fn == "match_rms_adamw":
        return lr * (0.2 * math.sqrt(max(rows, cols)))
    return lr


def muon_update(
    theta: Tensor,
    g: Tensor,
    b: Tensor,
    *,
    lr: float,
    weight_decay: float = 0.1,
    momentum: float = 0.95,
    nesterov: bool = True,
    ns_coefficients: tuple[float, float, float] = (3.4445, -4.775, 2.0315),
    eps: float = 1e-7,
    ns_steps: int = 5,
    adjust_lr_fn: str | None = None,
) -> tuple[Tensor, Tensor]:
    """One step of `torch.optim.Muon` for one 2-D parameter.

    Args:
        theta: The parameter before the step, $\\theta_{t-1}$.
        g: Its gradient, $g_t = \\nabla f(\\theta_{t-1})$.
        b: The momentum buffer $B_{t-1}$ (zeros before the first step).
        lr: Learning rate $\\gamma$.
        weight_decay: Decoupled weight decay $\\lambda$.
        momentum: Momentum factor $\\mu$.
        nesterov: Orthogonalize the Nesterov combination of $g_t$ and $B_t$ instead of $B_t$.
        ns_coefficients: The coefficients $(a, b, c)$ of
            [`newton_schulz`][reference_optim.newton_schulz].
        eps: $\\varepsilon$ of [`newton_schulz`][reference_optim.newton_schulz].
        ns_steps: The number of Newton–Schulz iterations $k$.
        adjust_lr_fn: How the learning rate depends on the shape:
            [`muon_lr`][reference_optim.muon_lr].

    Returns:
        The new parameter $\\theta_t$ and the new buffer $B_t$.

    The lines implement, in order:

    1. $B_t = \\mu B_{t-1} + (1 - \\mu) g_t$, by `torch.lerp(b, g, 1 - momentum)`, the call
       that PyTorch makes in place (`buf.lerp_(grad, 1 - momentum)`), so that it rounds alike;
    2. $\\widetilde B_t = (1 - \\mu) g_t + \\mu B_t$ with Nesterov, by
       `torch.lerp(g, b, momentum)`, as PyTorch's `grad.lerp(buf, momentum)`; else
       $\\widetilde B_t = B_t$;
    3. $O_t = \\mathrm{NS}^{(a,b,c)}_k(\\widetilde B_t; \\varepsilon)$, in `bfloat16`;
    4. $\\theta_t = \\theta_{t-1} (1 - \\gamma \\lambda) - \\gamma' O_t$, where $\\gamma'$ is
       the adjusted learning rate and the decay uses $\\gamma$ itself.

    PyTorch's docstring writes the buffer as $B_t = \\mu B_{t-1} + g_t$ and the Nesterov
    combination as $g_t + \\mu B_t$. What `torch.optim.Muon` keeps in
    `state["momentum_buffer"]` is $1 - \\mu$ times that buffer, and its Nesterov combination
    is $1 - \\mu$ times the documented one: lines 1 and 2 are its formulas. Since
    [`newton_schulz`][reference_optim.newton_schulz] divides by the norm first, the common
    factor $1 - \\mu$ (positive for $0 \\le \\mu < 1$) leaves $O_t$ the same, up to rounding
    and $\\varepsilon$.
    """
    b = torch.lerp(b, g, 1 - momentum)
    update = torch.lerp(g, b, momentum) if nesterov else b
    o = newton_schulz(update, ns_coefficients=ns_coefficients, ns_steps=ns_steps, eps=eps)
    theta = theta * (1 - lr * weight_decay)
    theta = theta.add(o, alpha=-muon_lr(lr, theta.shape, adjust_lr_fn))
    return theta, b


class Optimizer:
    """What every `torch.optim` optimizer shares: parameter groups, state, `step()`.

    Args:
        params: Tensors, or dicts that each hold `params` and per-group options.
        defaults: The options a group gets when it does not set them.
    """

    def __init__(self, params: Params, defaults: dict[str, Any]):
        if isinstance(params, Tensor):
            raise TypeError("params must be an iterable of Tensors or dicts, not a Tensor")
        self.defaults = defaults
        self.state: dict[Tensor, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add a group; its `params` must be an ordered collection (a `set` is rejected)."""
        params = group["params"]
        if isinstance(params, set):
            raise TypeError("parameters must be an ordered collection, not a set")
        group = {**self.defaults, **group, "params": [params] if isinstance(params, Tensor) else list(params)}
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Set every held parameter's `.grad` to `None` (default) or to zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.detach_().zero_()

    @torch.no_grad()
    def step(self) -> None:
        """Update every held parameter that has a gradient, in place; skip the others."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    self.update(p, self.state.setdefault(p, {}), group)

    def update(self, p: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """`torch.optim.SGD`, built on [`sgd_update`][reference_optim.sgd_update].

    Args:
        params: Tensors or parameter groups.
        lr: Learning rate $\\gamma$.
        momentum: Momentum factor $\\mu$.
        dampening: Dampening $\\tau$.
        weight_decay: L2 penalty $\\lambda$.
        nesterov: Use Nesterov momentum (needs $\\mu > 0$ and $\\tau = 0$).
        maximize: Climb the objective instead of descending it.

    Raises:
        ValueError: For a negative `lr`, `momentum` or `weight_decay`, or Nesterov without
            momentum or with dampening, as `torch.optim.SGD` does.
    """

    def __init__(self, params: Params, lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False,
                 *, maximize: bool = False):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def update(self, p, state, group):
        theta, b = sgd_update(
            p, p.grad, state.get("momentum_buffer"),
            lr=group["lr"], momentum=group["momentum"], dampening=group["dampening"],
            weight_decay=group["weight_decay"], nesterov=group["nesterov"], maximize=group["maximize"],
        )
        p.copy_(theta)
        if b is not None:
            state["momentum_buffer"] = b


class Adam(Optimizer):
    """`torch.optim.Adam`, built on [`adam_update`][reference_optim.adam_update].

    Args:
        params: Tensors or parameter groups.
        lr: Learning rate $\\gamma$.
        betas: $(\\beta_1, \\beta_2)$.
        eps: $\\epsilon$.
        weight_decay: L2 penalty $\\lambda$, added to the gradient.
        amsgrad: Use the AMSGrad variant: the denominator uses the running maximum of the
            raw second moment $v$, bias-corrected at the current step.
        maximize: Climb the objective instead of descending it.

    Raises:
        ValueError: For a negative `lr`, `eps` or `weight_decay`, or a beta outside
            $[0, 1)$, as `torch.optim.Adam` does.
    """

    decoupled_weight_decay = False

    def __init__(self, params: Params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False,
                 *, maximize: bool = False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize)
        super().__init__(params, defaults)

    def update(self, p, state, group):
        if not state:
            state["step"] = 0
            state["exp_avg"] = torch.zeros_like(p)
            state["exp_avg_sq"] = torch.zeros_like(p)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = torch.zeros_like(p)
        state["step"] += 1
        beta1, beta2 = group["betas"]
        theta, m, v, v_max = adam_update(
            p, p.grad, state["exp_avg"], state["exp_avg_sq"], state.get("max_exp_avg_sq"), state["step"],
            lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"],
            weight_decay=group["weight_decay"], amsgrad=group["amsgrad"], maximize=group["maximize"],
            decoupled_weight_decay=self.decoupled_weight_decay,
        )
        p.copy_(theta)
        state["exp_avg"], state["exp_avg_sq"] = m, v
        if v_max is not None:
            state["max_exp_avg_sq"] = v_max


class AdamW(Adam):
    """`torch.optim.AdamW`: Adam whose weight decay shrinks the weights directly.

    Identical to [`Adam`][reference_optim.Adam] except that $\\lambda$ decays the weights
    first, $\\theta_{t-1} \\leftarrow \\theta_{t-1} (1 - \\gamma \\lambda)$, instead of
    $\\lambda \\theta_{t-1}$ being added to the gradient, and its default is `1e-2` (Adam's
    is 0).
    """

    decoupled_weight_decay = True

    def __init__(self, params: Params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False,
                 *, maximize: bool = False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)


class Muon(Optimizer):
    """`torch.optim.Muon`, built on [`muon_update`][reference_optim.muon_update]; 2-D parameters only.

    Args:
        params: Tensors or parameter groups; every tensor must be 2-D.
        lr: Learning rate $\\gamma$.
        weight_decay: Decoupled weight decay $\\lambda$.
        momentum: Momentum factor $\\mu$.
        nesterov: Use Nesterov momentum.
        ns_coefficients: Newton–Schulz coefficients $(a, b, c)$.
        eps: $\\varepsilon$ of the Newton–Schulz normalization.
        ns_steps: The number of Newton–Schulz iterations $k$.
        adjust_lr_fn: `None` (the same as `"original"`), `"original"` or `"match_rms_adamw"`.

    Raises:
        ValueError: For a negative `lr`, `momentum` or `weight_decay`, an unknown
            `adjust_lr_fn`, or a parameter that is not 2-D, with `torch.optim.Muon`'s
            messages. Like it, the constructor checks the shapes of the parameters it is
            given; one that is not 2-D, added later with `add_param_group()`, makes the first
            `step()` that finds it with a gradient raise `ValueError`, after that step has
            updated the parameters before it.
    """

    def __init__(self, params: Params, lr: float = 1e-3, weight_decay: float = 0.1,
                 momentum: float = 0.95, nesterov: bool = True,
                 ns_coefficients: tuple[float, float, float] = (3.4445, -4.775, 2.0315),
                 eps: float = 1e-7, ns_steps: int = 5, adjust_lr_fn: str | None = None):
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn not in (None, "original", "match_rms_adamw"):
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = dict(lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov,
                        ns_coefficients=ns_coefficients, eps=eps, ns_steps=ns_steps,
                        adjust_lr_fn=adjust_lr_fn)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError(f"Muon only supports 2D parameters whereas we found a "
                                     f"parameter with size: {p.size()}")

    def update(self, p, state, group):
        if p.grad.ndim != 2:
            raise ValueError("Param gradient must be a 2D matrix")
        if not state:
            state["momentum_buffer"] = torch.zeros_like(p.grad)
        theta, b = muon_update(
            p, p.grad, state["momentum_buffer"],
            lr=group["lr"], weight_decay=group["weight_decay"], momentum=group["momentum"],
            nesterov=group["nesterov"], ns_coefficients=group["ns_coefficients"], eps=group["eps"],
            ns_steps=group["ns_steps"], adjust_lr_fn=group["adjust_lr_fn"],
        )
        p.copy_(theta)
        state["momentum_buffer"] = b
