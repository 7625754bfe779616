"""The SGD stepper (docs/assets/stepper.js) against torch.optim.SGD.

1. Its own update code, the file the pages load, runs in Chromium over a grid of settings and
   action sequences; after every action θ, θ.grad and the momentum buffer must equal PyTorch's
   in float64 to a relative 1e-12, and where PyTorch refuses the options it must refuse them
   with PyTorch's message.
2. A reader's session on every built page that shows the stepper, in both languages: clicks,
   the keyboard and an input change; the numbers it displays are checked against torch after
   every action, and the Python it displays, run with torch, ends where the panel says.
"""

import itertools
import json
import math
import random
import re
from fractions import Fraction

import pytest
import torch

from figures.data import SURFACES
from harness.report import report
from harness.site_build import LANGUAGES, ROOT, page_path

SCRIPT = ROOT / "docs" / "assets" / "stepper.js"
DEFAULTS = {"lr": 0.001, "momentum": 0, "dampening": 0, "weight_decay": 0, "nesterov": False, "maximize": False}
TOLERANCE = 1e-12


def loss_of(surface):
    """The loss as the stepper's equivalent Python writes it (figures/data.py), run by torch."""
    return eval(f"lambda theta: {SURFACES[surface].python}")  # noqa: S307  our own text


@pytest.fixture(scope="module")
def model(browser):
    """A blank page with stepper.js loaded: window.sgdStepper is the model the panel uses."""
    page = browser.new_page()
    page.set_content('<html lang="en"><body></body></html>')
    page.add_script_tag(content=SCRIPT.read_text(encoding="utf-8"))
    yield page
    page.close()


# ---- 1. The model over a grid -----------------------------------------------------------------

OPTION_SETS = [
    {},
    {"momentum": 0.9},
    {"momentum": 0.9, "dampening": 0.5},
    {"momentum": 0.9, "nesterov": True},
    {"weight_decay": 0.1},
    {"maximize": True},
    {"momentum": 0.5, "dampening": 0.3, "weight_decay": 0.05, "maximize": True},
    {"momentum": 0.8, "nesterov": True, "weight_decay": 0.02, "maximize": True},
]
LEARNING_RATES = {"quadratic": [0.01, 0.12, 0.25], "rosenbrock": [1e-4, 1e-3, 2.5e-3]}  # the last ones diverge
STEPS = 50


def sequence(kind: str) -> list[str]:
    """STEPS calls to step(), with the calls around them."""
    per_step = {
        "loop": lambda k: ["zero_grad", "backward", "step"],
        "no_zero_grad": lambda k: ["backward", "step"],  # .grad keeps growing
        "backward_twice": lambda k: ["zero_grad", "backward", "backward", "step"],
        # Every third step (the first included) finds .grad cleared, so it skips θ.
        "zero_grad_between": lambda k: ["backward", "zero_grad", "step"] if k % 3 == 0 else ["zero_grad", "backward", "step"],
    }[kind]
    return [action for k in range(STEPS) for action in per_step(k)]


SEQUENCES = ["loop", "no_zero_grad", "backward_twice", "zero_grad_between"]
GRID = [(surface, lr, options, kind) for surface, rates in LEARNING_RATES.items()
        for lr, options, kind in itertools.product(rates, OPTION_SETS, SEQUENCES)]


def with_torch(surface, options, actions):
    """θ, θ.grad and the momentum buffer after each action, from torch.optim.SGD in float64."""
    theta = torch.tensor(SURFACES[surface].start, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([theta], **options)
    loss = loss_of(surface)
    trace = []
    for action in actions:
        if action == "backward":
            loss(theta).backward()
        elif action == "zero_grad":
            optimizer.zero_grad()
        else:
            optimizer.step()
        buffer = optimizer.state[theta].get("momentum_buffer") if theta in optimizer.state else None
        trace.append([theta.tolist(), None if theta.grad is None else theta.grad.tolist(),
                      None if buffer is None else buffer.tolist()])
    return trace


def with_stepper(page, cases):
    return page.evaluate("""cases => cases.map(({surface, options, start, actions}) => {
        const m = window.sgdStepper, state = m.newState(start);
        return actions.map(action => {
            if (action === "backward") m.backward(state, surface);
            else if (action === "zero_grad") m.zeroGrad(state);
            else m.step(state, options);
            return [state.theta.slice(), state.grad && state.grad.slice(), state.buffer && state.buffer.slice()];
        });
    })""", cases)


def difference(ours, theirs) -> float:
    """Relative difference of two values (lists, None, floats); inf when they disagree in kind."""
    if ours is None or theirs is None:
        return 0.0 if ours is theirs else math.inf
    if isinstance(theirs, list):
        return max(difference(a, b) for a, b in zip(ours, theirs, strict=True))
    ours = float(ours)  # Playwright hands over a whole number as an int, written in the fewest digits
    if not (math.isfinite(ours) and math.isfinite(theirs)):  # overflow: the same inf, or both nan
        return 0.0 if (ours == theirs or (math.isnan(ours) and math.isnan(theirs))) else math.inf
    return 0.0 if ours == theirs else abs(ours - theirs) / max(abs(ours), abs(theirs))


def test_the_stepper_computes_what_torch_optim_sgd_computes(model):
    cases, expected = [], []
    for surface, lr, options, kind in GRID:
        actions = sequence(kind)
        cases.append({"surface": surface, "options": {**DEFAULTS, **options, "lr": lr},
                      "start": list(SURFACES[surface].start), "actions": actions})
        expected.append(with_torch(surface, {**options, "lr": lr}, actions))
    got = with_stepper(model, cases)
    largest, compared, diverged = 0.0, 0, 0
    for (surface, lr, options, kind), ours, theirs in zip(GRID, got, expected, strict=True):
        for index, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            for name, x, y in zip(("theta", "grad", "buffer"), a, b):
                found = difference(x, y)
                assert found <= TOLERANCE, (f"{surface}, lr={lr}, {options}, {kind}: {name} after action {index + 1} "
                                            f"({sequence(kind)[index]}): stepper {x}, torch {y}")
                largest = max(largest, found)
                compared += 1
        diverged += not all(math.isfinite(v) for v in theirs[-1][0])
    assert 0 < diverged < len(GRID), "the grid has runs that diverge and runs that do not"
    report("stepper against torch.optim.SGD (float64)", "grid",
           f"{len(GRID)} runs (2 surfaces x {len(OPTION_SETS)} option sets x 3 lr x {len(SEQUENCES)} action "
           f"sequences, {STEPS} steps each, {diverged} diverging): {compared} values, "
           f"largest relative difference {largest:.1e}")


def test_the_fused_multiply_add_is_correctly_rounded(model):
    """PyTorch computes add(..., alpha=...) with one rounding; the stepper's fma() must too
    (Python's float(Fraction) is the correctly rounded value of the exact result)."""
    rng = random.Random(0)
    triples = [(rng.uniform(-2, 2) * 10.0 ** rng.randint(-30, 30), rng.uniform(-2, 2) * 10.0 ** rng.randint(-30, 30),
                rng.uniform(-2, 2) * 10.0 ** rng.randint(-60, 60)) for _ in range(3000)]
    triples += [(1 + 2.0**-52, 1 - 2.0**-53, -1.0), (0.1, 10.0, -1.0), (-0.01, 28.5, 1.35),  # cancellation
                (2.0**-540, 2.0**-540, 0.0), (3.0 * 2.0**-560, 2.0**-520, -(2.0**-1074)),  # below the normal range
                (1e300, 1e10, -1e308), (1e300, 1e300, 1.0), (-1e300, 1e300, 0.0),  # overflow, and not
                (2.0**-53, 1.0, 1.0), (3 * 2.0**-53, 1.0, 1.0), (0.0, 5.0, -0.0)]  # ties to even, zero
    got = model.evaluate("ts => ts.map(([a, b, c]) => window.sgdStepper.fma(a, b, c))", triples)
    for (a, b, c), value in zip(triples, got, strict=True):
        value = float(value)  # Playwright hands over a whole number as an int
        exact = Fraction(a) * Fraction(b) + Fraction(c)
        try:
            expected = float(exact)
        except OverflowError:
            expected = math.inf if exact > 0 else -math.inf
        assert value == expected or (value == 0 == expected), (a, b, c, value, expected)


REFUSED = [
    {"nesterov": True},  # no momentum
    {"nesterov": True, "momentum": 0.9, "dampening": 0.1},
    {"nesterov": True, "momentum": 0.0, "dampening": 0.5},
    {"lr": -0.1},
    {"momentum": -0.5},
    {"weight_decay": -1},
]
ACCEPTED = [{}, {"nesterov": True, "momentum": 0.9}, {"momentum": 0.9, "dampening": 1.5}, {"lr": 0}]


@pytest.mark.parametrize("options", REFUSED + ACCEPTED, ids=str)
def test_the_stepper_refuses_what_torch_refuses_with_its_message(model, options):
    theta = torch.zeros(2, requires_grad=True)
    try:
        torch.optim.SGD([theta], **{"lr": 0.1, **options})
        expected = None
    except ValueError as error:
        expected = str(error)
    assert (options in REFUSED) == (expected is not None)
    found = model.evaluate("o => window.sgdStepper.problem(o)", {**DEFAULTS, "lr": 0.1, **options})
    assert (found and found["torch"]) == expected


# ---- 2. A reader's session on the built pages -------------------------------------------------


def stepper_pages():
    """(locale, page) for every page whose source shows the stepper."""
    return [(locale, source.name) for locale in LANGUAGES
            for source in sorted((ROOT / "docs" / locale).glob("*.md"))
            if re.search(r'data-plot="stepper(-compact)?"', source.read_text(encoding="utf-8"))]


def test_the_stepper_is_on_both_language_versions():
    pages = stepper_pages()
    assert {locale for locale, _ in pages} == set(LANGUAGES), pages
    assert {name for locale, name in pages if locale == "en"} == {name for locale, name in pages if locale == "zh"}


class Reader:
    """Drives one stepper as a reader would, and keeps torch in step with it."""

    def __init__(self, page, figure, surface="quadratic", **options):
        self.page, self.figure = page, figure
        self.surface = SURFACES[surface]
        self.theta = torch.tensor(self.surface.start, dtype=torch.float64, requires_grad=True)
        self.optimizer = torch.optim.SGD([self.theta], lr=self.surface.lr, **options)
        self.loss = loss_of(surface)

    def press(self, action, key=None):
        button = self.figure.locator(f"button[data-action={action}]")
        if key:
            button.focus()
            self.page.keyboard.press(key)
        else:
            button.click()

    def torch_does(self, action, times=1):
        for _ in range(times):
            if action in ("zero_grad", "run"):
                self.optimizer.zero_grad()
            if action in ("backward", "run"):
                self.loss(self.theta).backward()
            if action in ("step", "run"):
                self.optimizer.step()

    def set_option(self, name, value):
        """Types into an input (or ticks a box) and leaves it with Tab, as a reader does."""
        field = self.figure.locator(f"[name={name}]")
        if isinstance(value, bool):
            field.set_checked(value)
        else:
            field.fill(str(value))
            field.press("Tab")

    def shown(self, row):
        output = self.figure.locator(f"[data-row={row}] output")
        return json.loads(output.get_attribute("data-value")), output.inner_text()

    def message(self):
        return self.figure.locator(".stepper-message").inner_text()

    def check(self):
        """The panel shows torch's θ, .grad and buffer: exactly (data-value) and as text."""
        state = self.optimizer.state.get(self.theta, {})
        expected = {"theta": self.theta.tolist(),
                    "grad": None if self.theta.grad is None else self.theta.grad.tolist(),
                    "buffer": state["momentum_buffer"].tolist() if state.get("momentum_buffer") is not None else None}
        for row, value in expected.items():
            exact, text = self.shown(row)
            assert difference(exact, value) <= TOLERANCE, (row, exact, value)
            if value is not None:  # the text is the value to 6 significant digits (rounded by ICU, from
                # the shortest decimal, so a last digit may differ from Python's rounding)
                numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?(?:E-?\d+)?", text)]
                assert len(numbers) == 2 and all(math.isclose(n, v, rel_tol=1e-5) for n, v in zip(numbers, value)), (
                    row, text, value)


@pytest.mark.parametrize("locale, name", stepper_pages())
def test_a_reader_session_shows_torchs_numbers(served, browser, locale, name):
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(served.url + page_path(locale, name))
    figure = page.locator("figure[data-stepper]").first
    figure.scroll_into_view_if_needed()  # the stepper starts when the reader comes near it
    reader = Reader(page, figure)
    chinese = re.compile(r"[\u4e00-\u9fff]")
    assert bool(chinese.search(figure.locator("button[data-action=run]").inner_text())) == (locale == "zh")

    reader.press("backward")
    reader.torch_does("backward")
    reader.check()
    first = reader.shown("grad")[0]
    reader.press("backward", key="Enter")  # twice, without zero_grad(): the gradient doubles
    reader.torch_does("backward")
    reader.check()
    assert reader.shown("grad")[0] == [2 * g for g in first] and "2" in reader.message()
    reader.set_option("momentum", 0.9)  # the buffer starts as a copy of the first gradient
    reader.optimizer.param_groups[0]["momentum"] = 0.9
    reader.press("step", key="Space")
    reader.torch_does("step")
    reader.check()
    assert reader.shown("buffer")[0] == reader.shown("direction")[0]
    reader.press("zero_grad")
    reader.torch_does("zero_grad")
    reader.check()
    assert reader.shown("grad")[1] == "None"
    before = reader.shown("theta")[0]
    reader.press("step")  # with .grad None: nothing changes, and the message says why
    reader.torch_does("step")
    reader.check()
    assert reader.shown("theta")[0] == before and "None" in reader.message()
    figure.locator("[name=n]").fill("7")
    reader.press("run")
    reader.torch_does("run", 7)
    reader.check()

    # The Python the panel shows reproduces its numbers with torch.
    program = figure.locator(".stepper-python code").text_content()  # shown or folded
    scope = {}
    exec(compile(program, "stepper-program", "exec"), scope)  # noqa: S102  the program the page shows
    buffer = scope["optimizer"].state[scope["theta"]]["momentum_buffer"]
    assert scope["theta"].tolist() == reader.shown("theta")[0]
    assert scope["theta"].grad.tolist() == reader.shown("grad")[0]
    assert buffer.tolist() == reader.shown("buffer")[0]

    # Nesterov with dampening: PyTorch raises, so the stepper refuses, in the reader's language.
    # (The compact panel offers lr and momentum only.)
    if figure.locator("[name=nesterov]").count():
        reader.set_option("dampening", 0.5)
        reader.set_option("nesterov", True)
        assert "Nesterov momentum requires a momentum and zero dampening" in reader.message()
        assert bool(chinese.search(reader.message())) == (locale == "zh")
        reader.press("step")
        reader.check()  # unchanged
        reader.set_option("nesterov", False)
        reader.set_option("dampening", 0)

    # The other surface (the full panel): the map switches, θ restarts at its start, with that
    # surface's lr and the other options as they were (momentum 0.9).
    if figure.locator("[name=surface]").count():
        figure.locator("[name=surface]").select_option("rosenbrock")
        assert figure.locator('.surface[data-surface="rosenbrock"]').get_attribute("display") == "inline"
        reader = Reader(page, figure, "rosenbrock", momentum=0.9)
        reader.check()
        assert float(figure.locator("[name=lr]").input_value()) == SURFACES["rosenbrock"].lr
        for action in ("backward", "step", "backward", "step"):
            reader.press(action)
            reader.torch_does(action)
            reader.check()
        figure.locator("[name=surface]").select_option("quadratic")

    # A learning rate that diverges: said in words, with no NaN on screen and nothing drawn off the numbers.
    reader.press("reset")
    reader.set_option("lr", 0.5)
    figure.locator("[name=n]").fill("1000")
    reader.press("run")
    assert re.search("Diverged|发散", reader.message())
    text = figure.inner_text()
    assert "NaN" not in text and "Infinity" not in text
    points = figure.locator(".stepper-live polyline").get_attribute("points")
    assert points and all(math.isfinite(float(v)) for v in re.split(r"[ ,]", points))
    assert errors == []
    context.close()


@pytest.mark.parametrize("locale, name", stepper_pages())
def test_nothing_moves_when_the_stepper_loads(served, browser, locale, name):
    """The panel is in the page before the script runs, with the text the script writes on
    Reset, so the figure keeps its size when the script loads (the <noscript> line aside)."""
    url = served.url + page_path(locale, name)
    seen = {}
    for javascript in (False, True):
        context = browser.new_context(viewport={"width": 375, "height": 812}, java_script_enabled=javascript)
        page = context.new_page()
        page.goto(url)
        figure = page.locator("figure[data-stepper]").first
        if javascript:
            figure.scroll_into_view_if_needed()  # the stepper starts when the reader comes near it
            figure.locator("button[data-action=reset]").click()
        seen[javascript] = figure.evaluate("""figure => {
            figure.querySelectorAll("noscript").forEach(note => note.remove());
            return [figure.getBoundingClientRect().height, figure.querySelector(".stepper-panel").textContent];
        }""")
        context.close()
    assert seen[True][1] == seen[False][1]
    assert seen[True][0] == pytest.approx(seen[False][0], abs=1)
