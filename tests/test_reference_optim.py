"""The reference optimizers in snippets/reference_optim.py match torch.optim bit for bit.

Hypothesis draws shapes (0-d and empty included), dtypes, the constructor's options, parameter
groups that override any of them (including combinations PyTorch accepts only in a group, such
as Nesterov with dampening: it validates the constructor's options alone), 1-20 steps, and
parameters whose gradient is None at some steps. After every step every parameter must be
equal to torch's, to the last bit; the largest relative error seen per optimizer and dtype is
printed at the end of the run (it is 0). Options that PyTorch's constructor rejects must be
rejected with the same exception type and message.

The suite runs the same 200 examples each time (tests/conftest.py); HYPOTHESIS_PROFILE=explore
runs thousands of fresh random ones and prints any failure with its reproduction.
"""

import math
import re

import griffe
import pytest
import torch
import yaml
from hypothesis import given
from hypothesis import strategies as st

import reference_optim
from harness.site_build import ROOT
from tests.reference_errors import count_example, record

TRANSLATIONS = ROOT / "snippets" / "reference_optim.zh.yml"

SHAPES = st.sampled_from([(), (0,), (1,), (3,), (2, 3), (4, 0), (2, 1, 2)])
LR = st.floats(0.0, 1.0)
WEIGHT_DECAY = st.one_of(st.just(0.0), st.floats(0.0, 0.5))


# Every option, each drawn independently: nothing here knows which combinations are valid.
SGD_OPTIONS = dict(lr=LR, momentum=st.one_of(st.just(0.0), st.floats(0.0, 0.99)),
                   dampening=st.one_of(st.just(0.0), st.floats(0.0, 1.0)), nesterov=st.booleans(),
                   weight_decay=WEIGHT_DECAY, maximize=st.booleans())
ADAM_OPTIONS = dict(lr=LR, betas=st.tuples(st.floats(0.0, 0.999), st.floats(0.0, 0.9999)),
                    eps=st.floats(1e-10, 1e-2), weight_decay=WEIGHT_DECAY, amsgrad=st.booleans(),
                    maximize=st.booleans())


def accepted(torch_cls, options):
    """Whether PyTorch's constructor accepts these options (it validates only its own)."""
    try:
        torch_cls([torch.nn.Parameter(torch.zeros(1))], **options)
    except (ValueError, TypeError):
        return False
    return True


OPTIMIZERS = {
    "SGD": (reference_optim.SGD, torch.optim.SGD, SGD_OPTIONS),
    "Adam": (reference_optim.Adam, torch.optim.Adam, ADAM_OPTIONS),
    "AdamW": (reference_optim.AdamW, torch.optim.AdamW, ADAM_OPTIONS),
}


@st.composite
def some_options(draw, options):
    """Any subset of the options, each with any value."""
    names = draw(st.lists(st.sampled_from(sorted(options)), unique=True))
    return {name: draw(options[name]) for name in names}


@st.composite
def problems(draw, name):
    """Constructor options PyTorch accepts; parameter groups (shapes, and options that override
    the constructor's with any value: a group is not validated); a dtype, a step count and a
    seed for the values."""
    torch_cls, options = OPTIMIZERS[name][1:]
    defaults = draw(some_options(options).filter(lambda o: accepted(torch_cls, o)))
    dtype = draw(st.sampled_from([torch.float32, torch.float64]))
    groups = [
        (draw(st.lists(SHAPES, min_size=1, max_size=3)), draw(some_options(options)))
        for _ in range(draw(st.integers(1, 3)))
    ]
    return defaults, dtype, groups, draw(st.integers(1, 20)), draw(st.integers(0, 2**32 - 1))


def relative_error(ours, theirs):
    scale = theirs.abs().max().item() if theirs.numel() else 0.0
    difference = (ours - theirs).abs().max().item() if theirs.numel() else 0.0
    return difference / scale if scale > 0 else difference


def check_equivalence(name, problem):
    ours_cls, torch_cls, _ = OPTIMIZERS[name]
    defaults, dtype, groups, steps, seed = problem
    count_example(name)
    generator = torch.Generator().manual_seed(seed)
    ours, theirs = [], []
    for shapes, options in groups:
        values = [torch.randn(shape, generator=generator, dtype=dtype) for shape in shapes]
        ours.append({"params": [torch.nn.Parameter(v.clone()) for v in values], **options})
        theirs.append({"params": [torch.nn.Parameter(v.clone()) for v in values], **options})
    reference, optimizer = ours_cls(ours, **defaults), torch_cls(theirs, **defaults)
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
            record(name, dtype, relative_error(a.detach(), b.detach()))
            assert torch.equal(a.detach(), b.detach()), f"{name} {dtype}: not equal to the last bit"


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_reference_matches_torch_after_every_step(name):
    given(problems(name))(lambda problem: check_equivalence(name, problem))()


def raised(cls, options):
    try:
        cls([torch.nn.Parameter(torch.zeros(2))], **options)
    except Exception as error:  # noqa: BLE001  any exception, compared below
        return type(error), str(error)
    return None


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_options_are_rejected_exactly_like_torch(name):
    """Any options, valid or not: both accept them, or both raise the same exception."""
    ours_cls, torch_cls, options = OPTIMIZERS[name]
    given(some_options(options))(lambda drawn: _same(raised(ours_cls, drawn), raised(torch_cls, drawn)))()


def _same(ours, theirs):
    assert ours == theirs


def test_a_group_may_hold_options_the_constructor_rejects():
    """Nesterov with dampening, or without momentum, is accepted in a group, and runs."""
    p = torch.nn.Parameter(torch.ones(2))
    assert not accepted(torch.optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0.5, nesterov=True))
    optimizer = torch.optim.SGD([{"params": [p], "momentum": 0.9, "dampening": 0.5, "nesterov": True}], lr=0.1)
    p.grad = torch.ones(2)
    optimizer.step()
    assert optimizer.param_groups[0]["nesterov"] and p[0].item() < 1


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
    assert raised(torch_cls, options) is not None
    assert raised(ours_cls, options) == raised(torch_cls, options)


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


def chinese_docstring_problems(texts):
    """Where snippets/reference_optim.zh.yml, which the Chinese reference page shows in place
    of the docstrings, no longer matches the code: an object documented in one language
    only, or a Chinese docstring whose sections, arguments (those of the signature, in its
    order) or formulas differ from the English one's."""
    module = griffe.load("reference_optim", search_paths=[str(ROOT / "snippets")])
    objects = [module, *(member for member in module.members.values() if not member.is_alias)]
    objects += [method for cls in module.classes.values() for method in cls.members.values()]
    documented = {obj.path: obj for obj in objects if obj.docstring}
    lines = TRANSLATIONS.read_text(encoding="utf-8").splitlines()

    def where(path):  # the file and line of the path's entry, or of the object's English docstring
        line = next((n for n, text in enumerate(lines, 1) if text.startswith(f"{path}:")), None)
        return (f"{TRANSLATIONS.relative_to(ROOT)}:{line}: {path}" if line else
                f"snippets/reference_optim.py:{documented[path].docstring.lineno}: {path}")

    problems = [f"{where(path)}: no such documented object" for path in texts.keys() - documented.keys()]
    problems += [f"{where(path)}: no Chinese docstring in {TRANSLATIONS.relative_to(ROOT)}"
                 for path in documented.keys() - texts.keys()]
    for path in texts.keys() & documented.keys():
        obj = documented[path]
        english, chinese = obj.docstring, griffe.Docstring(texts[path], parent=obj)
        signature = [p.name for p in obj.parameters if p.name != "self"] if hasattr(obj, "parameters") else []
        for language, docstring in (("English", english), ("Chinese", chinese)):
            sections = docstring.parse("google")
            arguments = [a.name for s in sections if s.kind is griffe.DocstringSectionKind.parameters for a in s.value]
            if arguments and arguments != signature:
                problems.append(f"{where(path)}: the {language} docstring documents {arguments}, "
                                f"the signature has {signature}")
        kinds = [[s.kind for s in d.parse("google")] for d in (english, chinese)]
        if kinds[0] != kinds[1]:
            problems.append(f"{where(path)}: sections {kinds[1]}, the English docstring has {kinds[0]}")
        formulas = [re.findall(r"\$[^$]+\$", d.value) for d in (english, chinese)]
        if formulas[0] != formulas[1]:
            problems.append(f"{where(path)}: its formulas differ from the English docstring's: "
                            f"{formulas[1]} vs {formulas[0]}")
    return problems


def test_the_chinese_docstrings_match_the_code():
    texts = yaml.safe_load(TRANSLATIONS.read_text(encoding="utf-8"))
    assert chinese_docstring_problems(texts) == []


def test_a_chinese_docstring_that_drifts_from_the_signature_fails():
    texts = yaml.safe_load(TRANSLATIONS.read_text(encoding="utf-8"))
    texts["reference_optim.SGD"] = texts["reference_optim.SGD"].replace("\n    dampening:", "\n    damping:")
    assert [p.split(": ")[1] for p in chinese_docstring_problems(texts)] == ["reference_optim.SGD"]
