"""The figures (figures/, put into the pages by hooks/torch_figures.py).

The data behind every figure is what torch.optim computes: it is recomputed here, with loops
written out in the test (and, where there is one, the closed form), and the worked example's
figure and the warmup page's resume figure agree with the tables their pages check. Every figure has a text alternative in the
page's language, and the hook turns a page's one-line marker into the figure.
"""

import math
import re
import subprocess
import sys
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
import torch
from mkdocs.exceptions import PluginError

from figures import catalog, data
from figures.catalog import FIGURES, LOCALES, render
from harness.report import report
from harness.site_build import LANGUAGES, ROOT, built_page, page_names

CJK = re.compile(r"[\u4e00-\u9fff]")
F64 = torch.float64


def close(a, b, tolerance=1e-12):
    return abs(a - b) <= tolerance * max(abs(a), abs(b), 1e-300)


def test_the_data_module_runs_and_checks_itself():
    result = subprocess.run([sys.executable, "figures/data.py"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "figure data: all checks passed\n"


# ---- The data, recomputed -------------------------------------------------------------------


def test_sgd_paths_are_what_torch_computes():
    paths = data.sgd_paths()
    for name, options in data.PATH_OPTIONS.items():
        theta = torch.tensor(data.QUADRATIC.start, dtype=F64, requires_grad=True)
        optimizer = torch.optim.SGD([theta], **options)
        expected = [data.QUADRATIC.start]
        for _ in range(data.PATH_STEPS):
            optimizer.zero_grad()
            (0.5 * (theta[0] ** 2 + 10 * theta[1] ** 2)).backward()
            optimizer.step()
            expected.append(tuple(theta.tolist()))
        assert paths[name] == expected, name
    # And by the formula, in plain Python: the gradient of the quadratic is (x, 10 y).
    mu, lr = data.PATH_OPTIONS["nesterov"]["momentum"], data.PATH_OPTIONS["nesterov"]["lr"]
    theta, buffer = list(data.QUADRATIC.start), None
    for _ in range(data.PATH_STEPS):
        g = [theta[0], 10 * theta[1]]
        buffer = g if buffer is None else [mu * b + gi for b, gi in zip(buffer, g)]
        theta = [t - lr * (gi + mu * b) for t, gi, b in zip(theta, g, buffer)]
    assert all(close(a, b, 1e-9) for a, b in zip(theta, paths["nesterov"][-1]))


def test_worked_example_is_what_torch_and_the_formula_compute():
    run = data.worked_example()
    xs, ys, lr = [1.0, 2.0], [2.0, 4.0], 0.1
    w, b = 0.0, 0.0
    for t in range(len(run["w"])):
        residuals = [w * x + b - y for x, y in zip(xs, ys)]
        loss = sum(r * r for r in residuals) / 2
        assert close(run["w"][t], w) and close(run["b"][t], b) and close(run["loss"][t], loss), t
        w, b = w - lr * sum(2 * r * x for r, x in zip(residuals, xs)) / 2, b - lr * sum(2 * r for r in residuals) / 2


@pytest.mark.parametrize("surface", ["quadratic", "rosenbrock"])
def test_contour_grids_are_the_losses(surface):
    """The contour maps (and the stepper's) are drawn from torch's values of the loss on a grid."""
    formula = {"quadratic": lambda x, y: 0.5 * (x * x + 10 * y * y),
               "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x * x) ** 2}[surface]
    xs, ys, values = data.grid(data.SURFACES[surface])
    assert all(close(values[j][i], formula(x, y), 1e-12) or abs(values[j][i] - formula(x, y)) < 1e-12
               for j, y in enumerate(ys) for i, x in enumerate(xs))


def checked_table(page):
    """The rows of the table the worked example's page prints (and its tests check)."""
    text = (ROOT / "docs" / "en" / page).read_text(encoding="utf-8")
    rows = re.findall(r"^\s*(\d+) \|\s*([\d.]+) \|\s*(-?[\d.]+) \|\s*(-?[\d.]+) \|\s*(-?[\d.]+) \|\s*(-?[\d.]+)$", text, re.M)
    final = re.search(r"^loss at w_3, b_3: ([\d.]+)$", text, re.M)
    return [tuple(map(float, row)) for row in rows], float(final.group(1))


def test_worked_example_figure_matches_the_checked_table():
    run = data.worked_example()
    rows, final = checked_table("worked-example.md")
    assert [row[0] for row in rows] == list(range(1, data.WORKED_TABLE_STEPS + 1))
    for t, loss, _, _, w, b in rows:  # a row's loss is taken before its step, w_t and b_t after it
        t = int(t)
        assert (round(run["loss"][t - 1], 4), round(run["w"][t], 4), round(run["b"][t], 4)) == (loss, w, b)
    assert round(run["loss"][data.WORKED_TABLE_STEPS], 4) == final


def loop_by_hand(order, iterations=6):
    w = torch.tensor(1.0, dtype=F64, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=data.LOOP_LR)
    ws, grads = [1.0], []
    for _ in range(iterations):
        if order == "right":
            optimizer.zero_grad()
        (3 * w).backward()
        if order == "zero_grad_between":
            optimizer.zero_grad()
        grads.append(w.grad.item() if w.grad is not None else None)
        optimizer.step()
        ws.append(w.item())
    return ws, grads


@pytest.mark.parametrize("order", ["right", "no_zero_grad", "zero_grad_between"])
def test_loops_are_what_torch_computes(order):
    run = data.loop(order)
    ws, grads = loop_by_hand(order)
    assert run["w"] == ws
    assert [None if g != g else g for g in run["grad"]] == grads  # nan marks a None gradient
    # The closed forms: 3 per backward(), summed over the iterations since the last zero_grad().
    t = range(len(ws))
    expected = {"right": [1 - 0.3 * k for k in t], "no_zero_grad": [1 - 0.15 * k * (k + 1) for k in t],
                "zero_grad_between": [1.0 for _ in t]}[order]
    assert all(close(a, b, 1e-9) or abs(a - b) < 1e-12 for a, b in zip(ws, expected))


def warmup_formula(t):
    """The warmup page's formulas (docs/en/warmup-cosine.md#formulas) at step t."""
    lr, f, w, m, T = data.WARMUP_LR, data.WARMUP_START_FACTOR, data.WARMUP_ITERS, data.WARMUP_MILESTONE, data.WARMUP_T_MAX
    if t < m:
        return lr * (f + (1 - f) * min(t, w) / w)
    return 0.5 * lr * (1 + math.cos((t - m) * math.pi / T))


def test_warmup_schedule_is_what_torch_and_the_formulas_compute():
    run = data.warmup_schedule()
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.tensor(1.0))], lr=data.WARMUP_LR)
    warmup = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=data.WARMUP_START_FACTOR,
                                               total_iters=data.WARMUP_ITERS)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=data.WARMUP_T_MAX)
    scheduler = torch.optim.lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[data.WARMUP_MILESTONE])
    expected = []
    for _ in range(data.WARMUP_STEPS):
        expected.append(scheduler.get_last_lr()[0])
        optimizer.step()
        scheduler.step()
    assert run["lr"] == expected
    assert all(close(lr, warmup_formula(t)) or abs(lr - warmup_formula(t)) < 1e-15 for t, lr in enumerate(run["lr"]))
    assert run["cosine"] == [t >= data.WARMUP_MILESTONE for t in range(data.WARMUP_STEPS)]


def checked_resumes(page):
    """The first line of each way to resume in the table the warmup page prints (and its tests
    check): the learning rates of the steps after the checkpoint, by name."""
    text = (ROOT / "docs" / "en" / page).read_text(encoding="utf-8")
    rows = dict(re.findall(r"^(uninterrupted|built first, not loaded|built after, then loaded): +([\d. ]+)$", text, re.M))
    return {name: [float(v) for v in values.split()] for name, values in rows.items()}


def test_warmup_resume_figure_matches_the_checked_table():
    runs = data.warmup_resumes()
    rows = checked_resumes("warmup-cosine.md")
    assert [round(v, 4) for v in runs["uninterrupted"]] == rows["uninterrupted"]
    assert [round(v, 4) for v in runs["not_loaded"]] == rows["built first, not loaded"]
    assert [round(v, 4) for v in runs["built_after"]] == rows["built after, then loaded"]
    assert len(runs["not_loaded"]) == data.WARMUP_STEPS - data.WARMUP_RESUME_AT


def test_averaged_paths_are_what_torch_and_the_formulas_compute():
    """SGD by its formula on the noisy gradient w + noise, the same noise drawn from the same seed; the EMA
    by its formula (AveragedModel's first update copies); the SWA as the plain mean of the w it averaged."""
    run = data.averaged_paths()
    generator = torch.Generator().manual_seed(data.AVERAGE_SEED)
    w, ws, emas, swas = data.AVERAGE_W0, [data.AVERAGE_W0], [], []
    for step in range(1, data.AVERAGE_STEPS + 1):
        noise = data.AVERAGE_NOISE * torch.randn((), generator=generator, dtype=F64).item()
        w = w - data.AVERAGE_LR * (w + noise)
        ws.append(w)
        emas.append(w if step == 1 else data.AVERAGE_DECAY * emas[-1] + (1 - data.AVERAGE_DECAY) * w)
        if step > data.AVERAGE_SWA_START:
            averaged = ws[data.AVERAGE_SWA_START + 1:]
            swas.append(sum(averaged) / len(averaged))
    for name, expected in (("w", ws), ("ema", emas), ("swa", swas)):
        assert len(run[name]) == len(expected), name
        assert all(close(a, b, 1e-9) or abs(a - b) < 1e-12 for a, b in zip(run[name], expected)), name


# ---- The drawings ---------------------------------------------------------------------------


class Svg(HTMLParser):
    """The svg's attributes, its title and desc by id, and the points of every polyline."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.svg, self.texts, self.polylines, self.numbers = None, {}, [], []
        self.current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "svg" and self.svg is None:
            self.svg = attrs
        if tag in ("title", "desc"):
            self.current = attrs.get("id")
            self.texts[self.current] = ""
        if tag == "polyline":
            self.polylines.append(attrs["points"])
        for name in ("x", "y", "cx", "cy", "x1", "y1", "x2", "y2", "points", "d"):
            self.numbers += re.findall(r"-?[\w.]+", attrs.get(name) or "") if name in attrs else []

    def handle_endtag(self, tag):
        if tag in ("title", "desc"):
            self.current = None

    def handle_data(self, text):
        if self.current:
            self.texts[self.current] += text


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", FIGURES)
def test_every_figure_has_a_text_alternative_in_its_language(name, locale):
    drawn = Svg()
    drawn.feed(render(name, locale, "u"))
    assert drawn.svg["role"] == "img"
    assert drawn.svg["aria-labelledby"] == "u-title u-desc"
    title, desc = drawn.texts["u-title"].strip(), drawn.texts["u-desc"].strip()
    assert len(title) > 10 and len(desc) > 60
    assert bool(CJK.search(title)) == bool(CJK.search(desc)) == (locale == "zh")
    assert drawn.svg["viewbox"].startswith("0 0 420 ")  # (the parser lowercases attribute names)
    # Every coordinate is a number (M, L and the like aside): no nan or inf was drawn.
    assert all(re.fullmatch(r"[ML]?-?\d+(\.\d+)?", n) for n in drawn.numbers), name


@pytest.mark.parametrize("name", ["sgd-paths", "worked-example", "zero-grad", "loop-mistakes", "warmup-cosine",
                                  "warmup-resume", "averaged-paths"])
def test_every_series_is_drawn_with_every_point(name):
    figure = FIGURES[name]
    computed = figure.data()
    drawn = Svg()
    drawn.feed(figure.draw(computed, "en", "u"))
    if name == "warmup-cosine":
        lengths = [computed["cosine"].count(False), computed["cosine"].count(True)]
    elif name == "warmup-resume":
        lengths = [len(computed[key]) for key in ("uninterrupted", "not_loaded", "built_after")]
    elif name in ("sgd-paths", "averaged-paths"):
        lengths = [len(path) for path in computed.values()]
    elif name == "worked-example":
        lengths = [len(computed["loss"]), len(computed["w"]), len(computed["b"])]
    else:
        lengths = [len(run["grad" if name == "zero-grad" else "w"]) for run in computed.values()]
    assert [len(points.split()) for points in drawn.polylines] == lengths


# ---- The hook -------------------------------------------------------------------------------


def fake_page(locale):
    return SimpleNamespace(file=SimpleNamespace(src_uri=("zh/" if locale == "zh" else "en/") + "page.md"),
                           url=("zh/" if locale == "zh" else "") + "page/")


HEAD, BODY = "<html><head></head><body>", "</body></html>"


@pytest.fixture(scope="module")
def hook():
    sys.path.insert(0, str(ROOT / "hooks"))
    import torch_figures

    return torch_figures


@pytest.mark.parametrize("locale", LOCALES)
def test_the_hook_turns_a_marker_into_the_figure(hook, locale):
    page = '<p>Before.</p>\n<figure class="plot" data-plot="zero-grad">A <code>caption</code>.</figure>\n<p>After.</p>'
    out = hook.on_post_page(HEAD + page + BODY, fake_page(locale), None)
    up = "../../" if locale == "zh" else "../"
    assert out.startswith(f'<html><head><link rel="stylesheet" href="{up}assets/plots.css"></head>')  # no script:
    assert out.endswith(f"{BODY}") and "stepper.js" not in out  # only the stepper needs one
    out = out.removeprefix(out[:out.index("<body>") + 6]).removesuffix(BODY)
    figure = re.search(r'<figure class="plot" data-plot="zero-grad" id="plot-zero-grad-1">(.*)</figure>', out, re.S)
    assert figure and figure.group(1).startswith("<svg")
    assert figure.group(1).endswith("<figcaption>A <code>caption</code>.</figcaption>")
    assert out.startswith("<p>Before.</p>") and out.endswith("<p>After.</p>")
    assert bool(CJK.search(figure.group(1))) == (locale == "zh")
    # The caption may also be written out as a figcaption.
    written = hook.on_post_page(page.replace("A <code>caption</code>.", "<figcaption>Cap</figcaption>"),
                                fake_page(locale), None)
    assert written.count("<figcaption>") == 1
    stepper = hook.on_post_page(HEAD + '<figure class="plot" data-plot="stepper">Cap</figure>' + BODY, fake_page(locale), None)
    assert stepper.endswith(f'<script src="{up}assets/stepper.js" defer></script>{BODY}')
    assert hook.on_post_page(HEAD + "<p>No figure.</p>" + BODY, fake_page(locale), None) == HEAD + "<p>No figure.</p>" + BODY


def test_the_hook_refuses_an_unknown_figure_or_a_missing_caption(hook):
    with pytest.raises(PluginError, match="not one of"):
        hook.on_post_page('<figure class="plot" data-plot="no-such">Caption</figure>', fake_page("en"), None)
    with pytest.raises(PluginError, match="no caption"):
        hook.on_post_page('<figure class="plot" data-plot="zero-grad"> </figure>', fake_page("en"), None)


# ---- On the site ----------------------------------------------------------------------------


def markers(locale, name):
    text = (ROOT / "docs" / locale / name).read_text(encoding="utf-8")
    return re.findall(r'<figure class="plot" data-plot="([\w-]+)"', text)


def test_figures_are_on_four_pages_or_more_the_same_in_both_languages():
    shown = {locale: {name: markers(locale, name) for name in page_names()} for locale in LANGUAGES}
    assert shown["en"] == shown["zh"], "each page shows the same figures, in the same order, in both languages"
    pages = [name for name, found in shown["en"].items() if found]
    assert len(pages) >= 4, pages
    report("figures computed by torch.optim", "pages",
           f"{sum(map(len, shown['en'].values()))} figures on {len(pages)} pages per language: " + ", ".join(pages))


@pytest.mark.parametrize("locale", LANGUAGES)
def test_every_marker_became_a_figure_on_the_built_site(site, locale):
    for name in page_names():
        html = built_page(site, locale, name).read_text(encoding="utf-8")
        built = re.findall(r'<figure class="plot" data-plot="([\w-]+)" id="[^"]+"[^>]*><svg class="plot-svg"', html)
        assert built == markers(locale, name), f"{locale}/{name}"


# ---- Captions: every number a caption states is the figure's --------------------------------

CAPTION = re.compile(r'<figure class="plot" data-plot="([\w-]+)" markdown="span">(.*?)</figure>')
# A number, not the digits of a name such as float64; "3w" states the number 3.
CAPTION_NUMBER = re.compile(r"(?<![\w.])[-−]?\d+(?:\.\d+)?")


def as_python(formula):
    """A surface's formula as captions write it, as Python: (x² + 10y²) / 2 -> (x**2 + 10*y**2) / 2."""
    return re.sub(r"(\d)([xy(])", r"\1*\2", formula.replace("−", "-").replace("²", "**2"))


@pytest.mark.parametrize("surface", data.SURFACES.values(), ids=data.SURFACES.keys())
def test_a_surface_formula_is_its_loss(surface):
    xs, ys, values = data.grid(surface)
    y, x = torch.meshgrid(torch.tensor(ys, dtype=F64), torch.tensor(xs, dtype=F64), indexing="ij")
    assert torch.allclose(eval(as_python(surface.formula), {"x": x, "y": y}), torch.tensor(values, dtype=F64),
                          rtol=1e-12, atol=1e-12), surface.formula


@pytest.mark.parametrize("surface", data.SURFACES.values(), ids=data.SURFACES.keys())
def test_a_surface_minimum_is_where_its_gradient_vanishes_and_its_loss_is_least(surface):
    theta = torch.tensor(surface.minimum, dtype=F64, requires_grad=True)
    loss = surface.loss(theta)
    loss.backward()
    assert theta.grad.abs().max() == 0
    assert loss.item() <= min(map(min, data.grid(surface)[2]))


def test_every_number_in_a_figure_text_is_filled_in_from_its_data():
    """The texts of figures/catalog.py (titles, descriptions, legends) write no number themselves:
    each is a {field} that the drawing fills from the data or the parameters it was computed with."""
    texts = [value for name, table in vars(catalog).items() if name.endswith("_TEXT")
             for locale in LOCALES for value in table[locale].values()]
    written = [text for value in texts for text in (value if isinstance(value, list) else [value])
               if re.search(r"\d", re.sub(r"\{\w*\}", "", text))]
    assert texts and not written, written


def states(text, value):
    """Whether a caption's number states the value, to as many decimals as it shows."""
    decimals = len(text.partition(".")[2])
    return round(value, decimals) == float(text.replace("−", "-"))


def caption_problems(locale, name):
    """Every number a page's captions state that is not one the figure was computed with."""
    problems, checked = [], 0
    lines = (ROOT / "docs" / locale / name).read_text(encoding="utf-8").split("\n")
    for number, line in enumerate(lines, start=1):
        where = f"docs/{locale}/{name}:{number}"
        captions = CAPTION.findall(line)
        if line.count('data-plot="') != len(captions):
            problems.append(f"{where}: write a figure's marker and caption on one line, as "
                            f'<figure class="plot" data-plot="NAME" markdown="span">Caption.</figure>')
        for figure, caption in captions:
            for surface in data.SURFACES.values():  # its numbers are checked by test_a_surface_formula_is_its_loss
                caption = caption.replace(surface.formula, "")
            facts = FIGURES[figure].facts(FIGURES[figure].data())
            for text in CAPTION_NUMBER.findall(caption):
                checked += 1
                if not any(states(text, value) for value in facts.values()):
                    known = ", ".join(f"{what} {value:g}" for what, value in facts.items()) or "none"
                    problems.append(f"{where}: the caption of figure {figure!r} states {text}, which is none of the "
                                    f"numbers the figure was computed with ({known}; figures/catalog.py), nor in a "
                                    f"surface's formula as figures/data.py writes it")
    return problems, checked


@pytest.mark.parametrize("locale", LANGUAGES)
def test_every_number_in_a_caption_is_the_figures(locale):
    found = [caption_problems(locale, name) for name in page_names()]
    problems = [problem for page_problems, _ in found for problem in page_problems]
    assert not problems, "\n".join(problems)
    checked = sum(count for _, count in found)
    assert checked, "no caption states a number: CAPTION or CAPTION_NUMBER no longer reads the pages"
    report("figure captions", locale, f"docs/{locale}: {checked} numbers in figure captions are the figures' own")
