"""The reference optimizers in snippets/reference_optim.py match torch.optim after every step.

Hypothesis draws shapes (0-d and empty included), dtypes, hyperparameters, parameter groups
with different options, 1-20 steps, and parameters whose gradient is None at some steps.
The largest relative error seen per optimizer and dtype is printed at the end of the run.
"""

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import reference_optim
from tests.reference_errors import count_example, record

TOLERANCE = {torch.float64: 1e-12, torch.float32: 1e-6}
SHAPES = st.sampled_from([(), (0,), (1,), (3,), (2, 3), (4, 0), (2, 1, 2)])
LR = st.floats(0.0, 1.0)
WEIGHT_DECAY = st.one_of(st.just(0.0), st.floats(0.0, 0.5))


@st.composite
def sgd_options(draw):
    momentum = draw(st.one_of(st.just(0.0), st.floats(0.0, 0.99)))
    nesterov = momentum > 0 and draw(st.booleans())
    dampening = 0.0 if nesterov else draw(st.one_of(st.just(0.0), st.floats(0.0, 1.0)))
    return dict(lr=draw(LR), momentum=momentum, dampening=dampening, nesterov=nesterov,
                weight_decay=draw(WEIGHT_DECAY), maximize=draw(st.booleans()))


@st.composite
def adam_options(draw):
    return dict(lr=draw(LR), betas=(draw(st.floats(0.0, 0.999)), draw(st.floats(0.0, 0.9999))),
                eps=draw(st.floats(1e-10, 1e-2)), weight_decay=draw(WEIGHT_DECAY),
                amsgrad=draw(st.booleans()), maximize=draw(st.booleans()))


OPTIMIZERS = {
    "SGD": (reference_optim.SGD, torch.optim.SGD, sgd_options()),
    "Adam": (reference_optim.Adam, torch.optim.Adam, adam_options()),
    "AdamW": (reference_optim.AdamW, torch.optim.AdamW, adam_options()),
}


@st.composite
def problems(draw, options):
    """Parameter groups (shapes and options), a dtype, a step count and a seed for values."""
    dtype = draw(st.sampled_from([torch.float32, torch.float64]))
    groups = [
        (draw(st.lists(SHAPES, min_size=1, max_size=3)), draw(options))
        for _ in range(draw(st.integers(1, 3)))
    ]
    return dtype, groups, draw(st.integers(1, 20)), draw(st.integers(0, 2**32 - 1))


def relative_error(ours, theirs):
    scale = theirs.abs().max().item() if theirs.numel() else 0.0
    difference = (ours - theirs).abs().max().item() if theirs.numel() else 0.0
    return difference / scale if scale > 0 else difference


def check_equivalence(name, problem):
    ours_cls, torch_cls, _ = OPTIMIZERS[name]
    dtype, groups, steps, seed = problem
    count_example(name)
    generator = torch.Generator().manual_seed(seed)
    ours, theirs = [], []
    for shapes, options in groups:
        values = [torch.randn(shape, generator=generator, dtype=dtype) for shape in shapes]
        ours.append({"params": [torch.nn.Parameter(v.clone()) for v in values], **options})
        theirs.append({"params": [torch.nn.Parameter(v.clone()) for v in values], **options})
    reference, optimizer = ours_cls(ours), torch_cls(theirs)
    pairs = [(a, b) for g, h in zip(ours, theirs) for a, b in zip(g["params"], h["params"])]
    for _ in range(steps):
        for a, b in pairs:
            if torch.rand((), generator=generator) < 0.2:
                a.grad = b.grad = None
            else:
                grad = torch.randn(a.shape, generator=generator, dtype=dtype)
                a.grad, b.grad = grad.clone(), grad.clone()
        reference.step()
        optimizer.step()
        for a, b in pairs:
            error = relative_error(a.detach(), b.detach())
            record(name, dtype, error)
            assert error <= TOLERANCE[dtype], f"{name} {dtype}: relative error {error:.3g}"


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_reference_matches_torch_after_every_step(name):
    given(problems(OPTIMIZERS[name][2]))(lambda problem: check_equivalence(name, problem))()


INVALID = [
    ("SGD", dict(lr=-0.1)),
    ("SGD", dict(lr=0.1, momentum=-0.5)),
    ("SGD", dict(lr=0.1, weight_decay=-1.0)),
    ("SGD", dict(lr=0.1, nesterov=True)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)),
    ("Adam", dict(lr=-1e-3)),
    ("Adam", dict(eps=-1e-8)),
    ("Adam", dict(betas=(1.0, 0.999))),
    ("Adam", dict(betas=(0.9, -0.1))),
    ("Adam", dict(weight_decay=-0.1)),
    ("AdamW", dict(lr=-1e-3)),
    ("AdamW", dict(betas=(0.9, 1.0))),
]


@pytest.mark.parametrize("name, options", INVALID)
def test_invalid_hyperparameters_raise_like_torch(name, options):
    ours_cls, torch_cls, _ = OPTIMIZERS[name]
    raised = []
    for cls in (ours_cls, torch_cls):
        with pytest.raises(Exception) as error:
            cls([torch.nn.Parameter(torch.zeros(2))], **options)
        raised.append(type(error.value))
    assert raised[0] is raised[1]


@pytest.mark.parametrize("params, exception", [([], ValueError), (torch.zeros(2), TypeError)])
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_invalid_params_raise_like_torch(name, params, exception):
    for cls in OPTIMIZERS[name][:2]:
        with pytest.raises(exception):
            cls(params)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_a_set_in_a_group_is_rejected_like_torch(name):
    for cls in OPTIMIZERS[name][:2]:
        with pytest.raises(TypeError):
            cls([{"params": {torch.nn.Parameter(torch.zeros(1))}}])


@pytest.mark.parametrize(
    "cls, expected",
    [
        # Adam: g = 0.5 + 0.1 * 1 = 0.6, so the step is 0.1 * 0.6 / (0.6 + eps).
        (reference_optim.Adam, 1 - 0.1 * 0.6 / (0.6 + 1e-8)),
        # AdamW: 1 * (1 - 0.1 * 0.1) = 0.99, then the step 0.1 * 0.5 / (0.5 + eps).
        (reference_optim.AdamW, 0.99 - 0.1 * 0.5 / (0.5 + 1e-8)),
    ],
)
def test_one_step_by_hand(cls, expected):
    p = torch.nn.Parameter(torch.tensor(1.0, dtype=torch.float64))
    p.grad = torch.tensor(0.5, dtype=torch.float64)
    cls([p], lr=0.1, weight_decay=0.1).step()
    assert math.isclose(p.item(), expected, rel_tol=1e-12)
