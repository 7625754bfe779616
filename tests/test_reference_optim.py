"""The reference optimizers in snippets/reference_optim.py match torch.optim bit for bit.

Hypothesis draws shapes (0-d and empty included; for Muon, 2-D ones only, 1-row, 1-column and
empty included), dtypes, the constructor's options, parameter groups that override any of them
(including combinations PyTorch accepts only in a group, such as Nesterov with dampening, or an
unknown adjust_lr_fn for Muon: it validates the constructor's options alone), 1-20 steps, and
parameters whose gradient is None at some steps. After every step every parameter, and every
tensor of its state, must have torch's dtype, shape and bits (same_bits: torch.equal alone
takes -0.0 for 0.0, and a float64 tensor for the float32 one of the same value); the largest
relative error seen per optimizer and dtype is printed at the end of the run (it is 0). A step
that raises in torch (Muon on a parameter with no columns, whose learning-rate ratio divides by
zero) must raise the same exception in the reference, with the parameters still the same bits;
the state is not compared after it (torch.optim.Muon has by then created the group's momentum
buffers and updated one in place, the reference has not). Options that PyTorch's constructor
rejects must be rejected with the same exception type and message.

Muon is bit-exact too, although its Newton-Schulz iteration runs matrix products in bfloat16:
the reference makes the same calls (torch.addmm with the same beta and alpha, the norm clamped
and divided in bfloat16, the transpose of a tall matrix) in the same order, so the same kernels
round the same way. The same polynomial written as separate products and sums rounds
differently, and this test fails. The matrix that each Newton-Schulz call receives (the Nesterov
combination, or the buffer) and the one it returns are compared too, after every step: the
conversion to bfloat16 would hide a rounding difference in the Nesterov combination, which is
not kept in the state (computing it as (1 - mu) * g + mu * B instead of with torch.lerp passes
the parameter and state checks of the 200 examples, and fails this one). Muon's examples run on one intra-op thread
(torch.set_num_threads(1), restored after): its matrices are a few elements wide, and on a busy
machine waking a second thread for each of its products cost ten times the products themselves
(44 s instead of 4 s for the 200 examples on two shared cores). Both sides run under the same
setting, so what is compared is unchanged.

The suite runs the same 200 examples each time (tests/conftest.py); HYPOTHESIS_PROFILE=explore
runs thousands of fresh random ones and prints any failure with its reproduction.
"""

import contextlib
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
# Muon takes 2-D parameters only. Those with no columns, (3, 0) and (0, 0), are accepted by the
# constructor but make step() raise ZeroDivisionError under the default adjust_lr_fn, which ends
# the example: they are listed once among three copies of the others, so most examples run on.
MUON_SHAPES = st.sampled_from([(1, 1), (1, 4), (4, 1), (2, 3), (3, 2), (5, 5), (8, 3), (0, 3)] * 3
                              + [(3, 0), (0, 0)])
LR = st.floats(0.0, 1.0)
WEIGHT_DECAY = st.one_of(st.just(0.0), st.floats(0.0, 0.5))


# Every option, each drawn independently: nothing here knows which combinations are valid.
SGD_OPTIONS = dict(lr=LR, momentum=st.one_of(st.just(0.0), st.floats(0.0, 0.99)),
                   dampening=st.one_of(st.just(0.0), st.floats(0.0, 1.0)), nesterov=st.booleans(),
                   weight_decay=WEIGHT_DECAY, maximize=st.booleans())
ADAM_OPTIONS = dict(lr=LR, betas=st.tuples(st.floats(0.0, 0.999), st.floats(0.0, 0.9999)),
                    eps=st.floats(1e-10, 1e-2), weight_decay=WEIGHT_DECAY, amsgrad=st.booleans(),
                    maximize=st.booleans())
# Coefficients: the default, the quintic that converges to 1 ((2, -1.5, 0.5)), and the classical
# Newton-Schulz quintic; arbitrary ones would overflow bfloat16 within a few iterations.
# "spectral" is an unknown adjust_lr_fn: the constructor rejects it, a group may hold it.
MUON_OPTIONS = dict(lr=LR, weight_decay=WEIGHT_DECAY, momentum=st.one_of(st.just(0.0), st.floats(0.0, 0.99)),
                    nesterov=st.booleans(),
                    ns_coefficients=st.sampled_from([(3.4445, -4.775, 2.0315), (2.0, -1.5, 0.5),
                                                     (1.875, -1.25, 0.375)]),
                    eps=st.floats(1e-10, 1e-2), ns_steps=st.integers(0, 8),
                    adjust_lr_fn=st.sampled_from([None, "original", "match_rms_adamw", "spectral"]))


def a_parameter(cls):
    """A parameter every optimizer takes: 2-D for Muon, 1-D for the others."""
    return torch.nn.Parameter(torch.zeros(2, 2) if cls.__name__ == "Muon" else torch.zeros(2))


def accepted(torch_cls, options):
    """Whether PyTorch's constructor accepts these options (it validates only its own)."""
    try:
        torch_cls([a_parameter(torch_cls)], **options)
    except (ValueError, TypeError):
        return False
    return True


OPTIMIZERS = {
    "SGD": (reference_optim.SGD, torch.optim.SGD, SGD_OPTIONS),
    "Adam": (reference_optim.Adam, torch.optim.Adam, ADAM_OPTIONS),
    "AdamW": (reference_optim.AdamW, torch.optim.AdamW, ADAM_OPTIONS),
    "Muon": (reference_optim.Muon, torch.optim.Muon, MUON_OPTIONS),
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
    shapes = MUON_SHAPES if name == "Muon" else SHAPES
    groups = [
        (draw(st.lists(shapes, min_size=1, max_size=3)), draw(some_options(options)))
        for _ in range(draw(st.integers(1, 3)))
    ]
    return defaults, dtype, groups, draw(st.integers(1, 20)), draw(st.integers(0, 2**32 - 1))


def relative_error(ours, theirs):
    scale = theirs.abs().max().item() if theirs.numel() else 0.0
    difference = (ours - theirs).abs().max().item() if theirs.numel() else 0.0
    return difference / scale if scale > 0 else difference


def same_bits(ours, theirs):
    """The same dtype, shape and bits. torch.equal compares values: it takes -0.0 for 0.0, and
    a float64 tensor for a float32 one that holds the same numbers."""
    if ours.dtype != theirs.dtype or ours.shape != theirs.shape:
        return False
    as_int = {1: torch.int8, 2: torch.int16, 4: torch.int32, 8: torch.int64}[ours.element_size()]
    return torch.equal(ours.view(as_int), theirs.view(as_int))


@contextlib.contextmanager
def newton_schulz_calls():
    """Record what each side's Newton-Schulz iteration receives and returns: torch's private
    _zeropower_via_newtonschulz, which _single_tensor_muon looks up in its module at each call,
    and reference_optim.newton_schulz, which muon_update looks up in its own."""
    calls = {"torch": [], "reference": []}
    torch_ns, reference_ns = torch.optim._muon._zeropower_via_newtonschulz, reference_optim.newton_schulz

    def recorded(side, function):
        def call(x, *args, **kwargs):
            received = x.clone()  # before the call: torch divides a bfloat16 input in place
            result = function(x, *args, **kwargs)
            calls[side].append((received, result.clone()))
            return result
        return call

    torch.optim._muon._zeropower_via_newtonschulz = recorded("torch", torch_ns)
    reference_optim.newton_schulz = recorded("reference", reference_ns)
    try:
        yield calls
    finally:
        torch.optim._muon._zeropower_via_newtonschulz, reference_optim.newton_schulz = torch_ns, reference_ns


def check_equivalence(name, problem):
    with newton_schulz_calls() if name == "Muon" else contextlib.nullcontext() as calls:
        _check_equivalence(name, problem, calls)


def _check_equivalence(name, problem, calls):
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
        error = raised_by(optimizer.step)
        assert raised_by(reference.step) == error
        if calls is not None:  # Muon: what each Newton-Schulz call received and returned, in order
            assert len(calls["reference"]) == len(calls["torch"])
            for (x, o), (y, p) in zip(calls["reference"], calls["torch"]):
                assert same_bits(x, y), f"{name} {dtype}: the matrix given to Newton-Schulz differs"
                assert same_bits(o, p), f"{name} {dtype}: the Newton-Schulz result differs"
            calls["reference"].clear(), calls["torch"].clear()
        for a, b in pairs:
            record(name, dtype, relative_error(a.detach(), b.detach()))
            assert same_bits(a.detach(), b.detach()), f"{name} {dtype}: not the same bits"
            if error is None:  # torch updates its state in place before it raises: compare it only after a step
                theirs = {key: value for key, value in optimizer.state.get(b, {}).items() if key != "step"}
                ours = {key: value for key, value in reference.state.get(a, {}).items() if key != "step"}
                assert ours.keys() == theirs.keys(), f"{name} {dtype}: state keys {sorted(ours)} vs {sorted(theirs)}"
                for key, value in theirs.items():  # "step": a tensor in torch.optim, an int in the reference
                    assert same_bits(ours[key], value), f"{name} {dtype}: state[{key!r}] differs"
        if error is not None:
            break


def raised_by(action):
    """None if the call returns, else the type and message of what it raised."""
    try:
        action()
    except Exception as error:  # noqa: BLE001  any exception, compared by the caller
        return type(error), str(error)
    return None


@contextlib.contextmanager
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_reference_matches_torch_after_every_step(name):
    with one_thread() if name == "Muon" else contextlib.nullcontext():
        given(problems(name))(lambda problem: check_equivalence(name, problem))()


def raised(cls, options):
    return raised_by(lambda: cls([a_parameter(cls)], **options))


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
    ("Muon", dict(lr=-1e-3)),
    ("Muon", dict(momentum=-0.5)),
    ("Muon", dict(weight_decay=-0.1)),
    ("Muon", dict(adjust_lr_fn="spectral")),
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


@pytest.mark.parametrize("shape", [(), (3,), (2, 2, 2), (4, 3, 3, 3)])
def test_muon_rejects_a_parameter_that_is_not_2d_like_torch(shape):
    """In any group, with torch's message; not 2-D as a parameter added later, which raises at
    step() (the constructor checks the shapes, add_param_group() does not)."""
    for groups in ([torch.nn.Parameter(torch.zeros(shape))],
                   [{"params": [torch.nn.Parameter(torch.zeros(2, 2))]},
                    {"params": [torch.nn.Parameter(torch.zeros(shape))], "lr": 0.1}]):
        ours, theirs = (raised_by(lambda cls=cls: cls(groups)) for cls in (reference_optim.Muon, torch.optim.Muon))
        assert theirs == (ValueError, f"Muon only supports 2D parameters whereas we found a parameter with size: "
                                      f"{torch.Size(shape)}")
        assert ours == theirs
    errors = []
    for cls in (reference_optim.Muon, torch.optim.Muon):
        optimizer = cls([torch.nn.Parameter(torch.zeros(2, 2))])
        late = torch.nn.Parameter(torch.zeros(shape))
        optimizer.add_param_group({"params": [late]})
        late.grad = torch.ones(shape)
        errors.append(raised_by(optimizer.step))
    assert errors[0] == errors[1] == (ValueError, "Param gradient must be a 2D matrix")


@pytest.mark.parametrize("options", [dict(ns_steps=100), dict(ns_coefficients=(3.4445, -4.775))])
def test_muon_step_rejects_what_torch_rejects_at_step(options):
    """ns_steps and ns_coefficients are checked at step(), not by the constructor."""
    errors = []
    for cls in (reference_optim.Muon, torch.optim.Muon):
        p = torch.nn.Parameter(torch.ones(2, 2))
        optimizer = cls([p], **options)
        p.grad = torch.ones(2, 2)
        errors.append(raised_by(optimizer.step))
    assert errors[0] == errors[1] is not None


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


@pytest.mark.parametrize("shape, coefficients, steps", [
    ((3,), (3.4445, -4.775, 2.0315), 5), ((2, 2), (3.4445, -4.775), 5), ((3,), (3.4445, -4.775), 5),
    ((3,), (3.4445, -4.775), 100),
])
def test_newton_schulz_rejects_what_torch_rejects_in_the_same_order(shape, coefficients, steps):
    x = torch.ones(shape)
    ours = raised_by(lambda: reference_optim.newton_schulz(x, ns_coefficients=coefficients, ns_steps=steps))
    theirs = raised_by(lambda: torch.optim._muon._zeropower_via_newtonschulz(x, coefficients, steps, 1e-7))
    assert theirs is not None
    assert ours == theirs


def test_torch_muon_divides_a_bfloat16_buffer_in_place_without_nesterov():
    """Where the reference differs, as its module docstring says: with a bfloat16 parameter and
    nesterov=False, torch.optim.Muon passes its momentum buffer itself to
    _zeropower_via_newtonschulz, whose .bfloat16() is then that same tensor and whose div_
    divides it by its norm in place. The reference's buffer is the running average, (1 - mu) g
    after one step. If this fails, PyTorch has changed: update the docstring."""
    g = torch.tensor([[3.0, 0.0], [0.0, 4.0]], dtype=torch.bfloat16)
    buffers = []
    for cls in (torch.optim.Muon, reference_optim.Muon):
        p = torch.nn.Parameter(torch.zeros(2, 2, dtype=torch.bfloat16))
        optimizer = cls([p], nesterov=False)
        p.grad = g.clone()
        optimizer.step()
        buffers.append(optimizer.state[p]["momentum_buffer"])
    theirs, ours = buffers
    assert same_bits(ours, torch.lerp(torch.zeros_like(g), g, 1 - 0.95))
    assert same_bits(theirs, ours / ours.norm())


@pytest.mark.parametrize("cls", [reference_optim.Muon, torch.optim.Muon])
def test_muon_one_step_by_hand(cls):
    """A 1x1 parameter: the normalized update is 1, which the quintic 2x - 1.5x^3 + 0.5x^5 keeps
    at 1, so the step is 1 * (1 - 0.1 * 0.1) - 0.1 * sqrt(max(1, 1/1)) * 1 = 0.89."""
    p = torch.nn.Parameter(torch.tensor([[1.0]], dtype=torch.float64))
    p.grad = torch.tensor([[0.5]], dtype=torch.float64)
    cls([p], lr=0.1, weight_decay=0.1, ns_coefficients=(2.0, -1.5, 0.5)).step()
    assert math.isclose(p.item(), 0.99 - 0.1, rel_tol=1e-12)


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
