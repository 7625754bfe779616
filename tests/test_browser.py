"""The built site in a real browser (Debian's Chromium, driven by Playwright), page by page.

Every page in both languages must load with no console error, no failed request and no
request to any host but the local server; render every formula; switch language to the same
page; copy the complete program the tests ran alone; fit a 375-px screen; render the dark palette
(screenshots go to test-artifacts/, which git ignores); and pass axe-core (its colour rules in both
palettes).
"""

import re
from collections import Counter
from urllib.parse import urlsplit

import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe

from harness import png
from harness.browser import MOUNTED, Visit, page_url, search
from harness.pytest_plugin import code_blocks
from harness.site_build import LANGUAGES, ROOT, page_names

ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
PAGES = page_names()
OTHER = {"en": "zh", "zh": "en"}


@pytest.fixture(scope="module")
def server(served):
    return served.url


SCHEMES = ("light", "dark")
MATERIAL_SCHEME = {"light": "default", "dark": "slate"}  # Material's names (mkdocs.yml: theme.palette)

# axe-core's rules, split by what they read. Every rule but those on colours reads the DOM,
# which is the same in both palettes: they run once, in the light one. The colour rules run
# in both. Contrast is the slowest rule by far (about 2 of 2.6 s on the Adam page),
# and it depends only on how text looks: its colour, size, weight, shadow and opacity, and the
# backgrounds behind it. So it is checked on one element of each look (73 of 4,730 elements
# on that page): an element that fails has a twin of the same look among those checked.
AXE_RUN = """() => {
    const scheme = document.body.dataset.mdColorScheme;
    const look = element => {
        const parts = [];
        for (let e = element; e; e = e.parentElement) {
            const s = getComputedStyle(e);
            parts.push(s.backgroundColor, s.backgroundImage, s.opacity, s.filter, s.mixBlendMode);
            if (e === element) parts.push(s.color, s.fontSize, s.fontWeight, s.textShadow);
        }
        return parts.join("|");
    };
    const eachLook = () => {
        const first = new Map();
        for (const e of document.body.querySelectorAll("*"))
            if ([...e.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim()))
                first.has(look(e)) || first.set(look(e), e);
        return [...first.values()];
    };
    const options = {resultTypes: ["violations"]};
    window.axeRun = new Promise(started => setTimeout(started)).then(async () => {
        const rules = await axe.run(document, scheme === "default"
            ? {...options, rules: {"color-contrast": {enabled: false}}}
            : {...options, runOnly: ["link-in-text-block"]});  // the other rule on colours
        const contrast = await axe.run({include: eachLook()}, {...options, runOnly: ["color-contrast"]});
        return {violations: [...rules.violations, ...contrast.violations]};
    });
}"""


# Material's bundle has not run: no document$, the placeholders still in place of its scripts.
UNTOUCHED = """() => typeof window.document$ === "undefined" && !document.documentElement.dataset.material
    && !document.querySelector("script[src*='/bundle.']")"""


def axe_results(page):
    """The violations of the axe-core run that AXE_RUN started on the page."""
    return page.evaluate("() => window.axeRun.then(results => results.violations)")


class Shown:
    """A page opened once (a fresh context, nothing cached) for every check of that page:
    opening a page costs more than most checks on it. axe-core starts as soon as the page is
    idle. The dark palette's checks run after the light one's, on the same page, switched as
    a reader switches it (the header's palette toggle); that a reader whose system prefers dark
    gets a page that starts dark is the work of hooks/material_on_interaction.py, checked on one
    page per language (test_a_reader_who_prefers_dark_gets_the_dark_palette_at_load)."""

    def __init__(self, browser, server, locale, name):
        self.locale, self.name = locale, name
        self.url = page_url(server, locale, name)
        # Opened, not waited for: the page loads while the one before it is checked.
        self.opened = Visit(browser, self.url, "commit", color_scheme="light",
                            permissions=["clipboard-read", "clipboard-write"])
        self.page = self.opened.page
        self.scheme, self.violations = None, {}

    def ready(self):
        """Loaded until the network is idle, woken as a reader's first interaction wakes it
        (Material's bundle mounted), with axe-core started in the light palette."""
        self.page.wait_for_load_state("networkidle")
        assert self.page.evaluate(UNTOUCHED), f"{self.url}: Material's bundle ran before the reader did anything"
        self.loaded = self.opened.weight()  # what opening the page costs, before any interaction
        self.opened.wake()
        self.page.evaluate(Axe().axe_script)
        self.palette("light")
        return self

    def palette(self, scheme):
        """The page in the "light" or "dark" palette, with axe-core's run for that palette
        started (a palette's results are kept before the page leaves it)."""
        if scheme != self.scheme:
            if self.scheme:
                self.violations.setdefault(self.scheme, self.axe_violations())
                self.page.click("form[data-md-component=palette] label:not([hidden])")
                self.page.wait_for_function("scheme => document.body.dataset.mdColorScheme === scheme",
                                            arg=MATERIAL_SCHEME[scheme])
            self.scheme = scheme
            if scheme not in self.violations:
                self.page.evaluate(AXE_RUN)  # from a timer: it returns at once
        return self.page

    def axe_violations(self):
        return axe_results(self.page)

    def violations_in(self, scheme):
        self.palette(scheme)
        return self.violations.setdefault(scheme, self.axe_violations())

    def close(self):
        self.opened.close()


@pytest.fixture(scope="module", params=[(locale, name) for name in PAGES for locale in LANGUAGES],
                ids=lambda page: f"{page[0]}-{page[1]}")
def shown(request, browser, server):
    """Each page, shared by the per-page checks below, which pytest runs together for one page
    (a module-scoped parameter) in the order they are written: those that only read the page
    as it loaded first, then those that change it (open toggles, resize, switch language).
    The next page this run checks starts loading as this one's checks begin: the checks wait
    on the browser more than they keep both cores busy."""
    order = list(dict.fromkeys(item.callspec.params["shown"] for item in request.session.items
                               if item.path == request.path
                               and "shown" in getattr(getattr(item, "callspec", None), "params", {})))
    page = (AHEAD.pop(request.param, None) or Shown(browser, server, *request.param)).ready()
    for upcoming in order[order.index(request.param) + 1:][:1]:
        AHEAD[upcoming] = Shown(browser, server, *upcoming)
    yield page
    page.close()


AHEAD: dict[tuple[str, str], Shown] = {}  # the next page, loading


def test_page_loads_cleanly_from_the_local_server_only(built, server, shown):
    """The site was built for the address it will be published at (tests/conftest.py), which
    its canonical and hreflang links name; nothing the page fetches comes from there, or from
    any host but the one serving it, and nothing fails."""
    from harness.report import report

    opened = shown.opened
    assert opened.page.eval_on_selector("link[rel=canonical]", "l => l.getAttribute('href')") == \
        page_url(built.url, shown.locale, shown.name)
    local = urlsplit(server).netloc
    assert [opened.describe(url) for url in opened.requests if urlsplit(url).netloc not in (local, "")] == []
    assert opened.failures == []
    assert opened.console == []
    REQUESTS[f"{shown.locale}/{shown.name}"] = len(opened.requests)
    report("hosting", "elsewhere", f"a build for {built.url} served from {local}: {len(REQUESTS)} pages, "
           f"{sum(REQUESTS.values())} requests, none failed or to another host")


REQUESTS: dict[str, int] = {}  # page -> requests it made while loading


BUDGET_KIB = 150  # per page, until the network is idle: figures, math font and stepper included


def test_page_transfers_at_most_150_kib(shown):
    """What a first visit downloads (nothing cached) until the network is idle, before the
    reader does anything (as Lighthouse measures it; Material's bundle is prefetched by then)."""
    total, largest = shown.loaded
    assert total <= BUDGET_KIB * 1024, (
        f"{shown.locale}/{shown.name} transfers {total / 1024:.1f} KiB until the network is idle, "
        f"over the {BUDGET_KIB} KiB budget; its largest requests: " + "; ".join(largest))


def test_every_formula_is_rendered(shown):
    page = shown.page
    visible = page.evaluate("""() => {
        const article = document.querySelector("article").cloneNode(true);
        article.querySelectorAll("pre, code").forEach(e => e.remove());
        return article.innerText;
    }""")
    assert not re.search(r"\\[(\[]|\$\$|\\[a-zA-Z]{2,}", visible), "raw TeX in the visible text"
    wrappers = page.locator(".arithmatex").count()
    sizes = page.eval_on_selector_all(".arithmatex > math", "ms => ms.map(m => m.getBoundingClientRect().width)")
    assert len(sizes) == wrappers
    assert all(width > 0 for width in sizes)
    # Set in the site's own math font (hooks/math_font.py), loaded from this site.
    faces = page.evaluate("""() => document.fonts.ready.then(() => [...document.fonts]
        .filter(face => face.family.includes("STIX Two Math (site)")).map(face => face.status))""")
    assert faces == ["loaded"] if wrappers else faces in ([], ["unloaded"])
    if wrappers:
        family = page.eval_on_selector(".arithmatex > math", "m => getComputedStyle(m).fontFamily")
        assert family.startswith('"STIX Two Math (site)"')


@pytest.mark.parametrize("scheme", SCHEMES)
def test_axe_finds_no_accessibility_violations(shown, scheme):
    violations = shown.violations_in(scheme)
    summary = [f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['target']})" for v in violations]
    assert summary == []


def test_dark_palette_renders(shown):
    """The screenshot shows the dark palette: its commonest colour is the slate background, and
    the article's text stands out from it by at least 4.5:1."""
    page = shown.palette("dark")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # For a person to look at; JPEG, as a long page takes Chromium a second to encode as PNG.
    page.screenshot(path=str(ARTIFACTS / f"{shown.locale}-{shown.name.removesuffix('.md')}-dark.jpeg"),
                    full_page=True, quality=80)
    # Below the header; small, as its pixels are decoded in Python.
    shot = page.screenshot(clip={"x": 0, "y": 100, "width": 320, "height": 180})
    background = Counter(png.pixels(shot)).most_common(1)[0][0]
    expected = rgb(page.evaluate("getComputedStyle(document.body).backgroundColor"))
    assert max(abs(a - b) for a, b in zip(background, expected)) <= 2, (background, expected)
    assert sum(background) < 3 * 80, f"the screenshot's background {background} is not dark"
    text = rgb(page.eval_on_selector("article p", "p => getComputedStyle(p).color"))
    assert png.contrast(text, background) >= 4.5, (text, background)


@pytest.mark.parametrize("locale", LANGUAGES)
def test_a_reader_who_prefers_dark_gets_the_dark_palette_at_load(server, visit, locale):
    """hooks/material_on_interaction.py picks the palette from the reader's prefers-color-scheme
    before the page is drawn, as Material would (the per-page checks switch the palette with
    its toggle instead)."""
    page = visit(page_url(server, locale, "index.md"), "domcontentloaded", color_scheme="dark").page
    assert page.evaluate("document.body.dataset.mdColorScheme") == "slate"
    assert sum(rgb(page.evaluate("getComputedStyle(document.body).backgroundColor"))) < 3 * 80


# What Material's bundle does to a page, read before and after it runs.
MATERIAL_STATE = """() => ({
    mounted: document.documentElement.dataset.material ?? null,
    bundle: typeof window.document$,
    copyButtons: document.querySelectorAll("button[data-md-type=copy]").length,
    paletteToggles: [...document.querySelectorAll("form[data-md-component=palette] label")]
        .filter(label => label.getClientRects().length).map(label => label.htmlFor),
    scheme: document.body.dataset.mdColorScheme,
})"""


@pytest.mark.parametrize("locale", LANGUAGES)
def test_material_runs_on_the_readers_first_interaction(server, visit, locale):
    """hooks/material_on_interaction.js: a page that is only loaded runs none of Material's
    bundle (it is prefetched, not run), yet shows the palette toggle Material will show and
    passes axe-core as it is (what Lighthouse audits), even opened at a section, as links and
    search results open it (the browser scrolls there itself). Its wide code blocks are not yet
    focusable: Material makes them so when it mounts, and a keyboard reader's first key (here
    Tab) mounts it, after which they are. Mounting moves nothing on the page (no layout shift,
    though Material wraps the tables then). The per-page checks audit mounted pages."""
    opened = visit(page_url(server, locale, "adam.md") + "#amsgrad", wait_until="networkidle")
    page = opened.page
    assert page.evaluate("scrollY") > 0 and page.evaluate(UNTOUCHED)  # the browser's own scroll wakes nothing
    before = page.evaluate(MATERIAL_STATE)
    assert before == {"mounted": None, "bundle": "undefined", "copyButtons": 0,
                      "paletteToggles": ["__palette_1"], "scheme": "default"}, before
    page.evaluate(Axe().axe_script)
    page.evaluate(AXE_RUN.replace('"color-contrast": {enabled: false}',
                                  '"color-contrast": {enabled: false}, "scrollable-region-focusable": {enabled: false}'))
    assert [f"{v['id']}: {v['help']} (e.g. {v['nodes'][0]['target']})" for v in axe_results(page)] == []
    assert not page.evaluate(MOUNTED)
    page.evaluate("""() => { window.shifted = 0; new PerformanceObserver(list => list.getEntries()
        .forEach(shift => { window.shifted += shift.value; })).observe({type: "layout-shift"}); }""")
    page.keyboard.press("Tab")
    page.wait_for_function(MOUNTED)
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    assert page.evaluate("window.shifted") == 0
    after = page.evaluate(MATERIAL_STATE)
    assert after["bundle"] == "object" and after["paletteToggles"] == before["paletteToggles"], after
    assert after["copyButtons"] >= len(code_blocks(ROOT / "docs" / locale / "adam.md")) > 0, after
    focusable = page.evaluate("""() => axe.run(document, {runOnly: ["scrollable-region-focusable"],
        resultTypes: ["violations"]}).then(results => results.violations.map(v => v.nodes.length))""")
    assert focusable == []
    assert opened.failures == [] and opened.console == []


@pytest.mark.parametrize("prefers, switched", [("light", ("slate", 1)), ("dark", ("default", 0))])
def test_a_click_on_the_palette_toggle_before_material_runs_is_not_lost(server, visit, prefers, switched):
    """The reader's first interaction is a click on the palette toggle (the one shown for
    their system's preference), made before the bundle has arrived (held back here): it wakes
    the page, is held until Material has mounted and is then replayed, so the palette switches
    once, and Material stores the choice."""
    opened = visit(page_url(server, "en", "index.md"), wait_until="networkidle", color_scheme=prefers)
    page = opened.page
    arrived = []
    page.route("**/assets/javascripts/bundle.*.min.js",
               lambda route: arrived.append(route) if not arrived else route.continue_())
    page.click("form[data-md-component=palette] label >> visible=true")
    page.wait_for_function("() => document.querySelector('script[src*=\"/bundle.\"]') !== null")
    assert not page.evaluate(MOUNTED)
    assert len(arrived) == 1
    arrived[0].continue_()
    page.wait_for_function(MOUNTED)
    scheme, index = switched
    page.wait_for_function("scheme => document.body.dataset.mdColorScheme === scheme", arg=scheme)
    stored = page.evaluate("() => __md_get('__palette').index")
    assert stored == index
    assert page.evaluate(MATERIAL_STATE)["paletteToggles"] == [f"__palette_{1 - index}"]


def rgb(css):
    """(r, g, b) of a computed CSS colour; a translucent one is blended over black, which for
    light text on a dark page underestimates its contrast."""
    r, g, b, *alpha = map(float, re.findall(r"[\d.]+", css))
    a = alpha[0] if alpha else 1.0
    return tuple(round(c * a) for c in (r, g, b))


# Every example at once, in one call into the page (one round trip, not ten per block): its
# copy button pressed, what the clipboard then holds, its setup toggle opened and what it shows.
EVERY_EXAMPLE = """async () => {
    const seen = [];
    for (const example of document.querySelectorAll("article div.example")) {
        example.querySelector(":scope > div.highlight button[data-md-type=copy]").click();
        await new Promise(done => setTimeout(done));
        const toggle = example.querySelector(":scope > details.example-setup");
        if (toggle && !toggle.open) {
            toggle.open = true;
            await new Promise(done => toggle.addEventListener("toggle", done, {once: true}));
        }
        seen.push({
            copied: await navigator.clipboard.readText(),
            summary: toggle && toggle.querySelector("summary").innerText,
            setup: toggle && toggle.querySelector("pre").innerText,
            needs: [...example.querySelectorAll(".example-needs a[download]")].map(a => a.innerText),
        });
    }
    return seen;
}"""


def test_copy_button_copies_the_program_the_tests_ran_alone(shown):
    """Each python block's copy button yields its complete program; its setup toggle opens
    from the keyboard, is labelled in the page's language and shows the setup it copies. The
    first block is used as a reader would (pointer, then keyboard), the others from a script."""
    locale, name = shown.locale, shown.name
    page = shown.page
    programs = [block.program for block in code_blocks(ROOT / "docs" / locale / name)]
    examples = page.locator("div.example")
    assert examples.count() == len(programs)
    if not programs:
        return
    first = examples.nth(0)
    first.locator(":scope > div.highlight").hover()
    first.locator(":scope > div.highlight button[data-md-type=copy]").click()
    assert page.evaluate("navigator.clipboard.readText()") == programs[0].copied, f"{locale}/{name}: block 1"
    with_setup = next((i for i, program in enumerate(programs) if program.setup), None)
    if with_setup is not None:
        toggle = examples.nth(with_setup).locator(":scope > details.example-setup")
        toggle.locator("summary").focus()
        page.keyboard.press("Enter")
        assert toggle.get_attribute("open") is not None, f"{locale}/{name}: block {with_setup + 1}'s setup toggle"
    seen = page.evaluate(EVERY_EXAMPLE)
    for index, (program, example) in enumerate(zip(programs, seen, strict=True)):
        where = f"{locale}/{name}: block {index + 1}"
        assert example["copied"] == program.copied, where
        assert (example["setup"] is not None) == bool(program.setup), where
        if program.setup:
            assert bool(re.search(r"[\u4e00-\u9fff]", example["summary"])) == (locale == "zh"), where
            assert example["setup"].rstrip("\n") == "\n".join(program.setup).rstrip("\n"), where
        assert example["needs"] == program.modules, where


def test_nothing_scrolls_sideways_on_a_phone(shown):
    """The page turned to a phone's width (375 px), its setup toggles open."""
    page = shown.page
    page.set_viewport_size({"width": 375, "height": 812})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # Wider content may only be code or a formula, scrolling inside its own box.
    overflowing = page.evaluate("""() => [...document.querySelectorAll("article *")]
        .filter(e => e.getBoundingClientRect().right > 376)
        .filter(e => !e.closest("pre, .arithmatex, .md-typeset__scrollwrap"))
        .map(e => e.tagName + "." + e.className)""")
    assert overflowing == []


def test_language_switcher_leads_to_the_same_page(server, shown):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = shown.page
    expected = urlsplit(page_url(server, OTHER[shown.locale], shown.name)).path.rstrip("/")
    page.hover(".md-header__option .md-select")
    page.click(f".md-select__link[hreflang={OTHER[shown.locale]}]")
    try:
        # Once the address changes; the page it leads to is checked on its own.
        page.wait_for_url(lambda url: urlsplit(url).path.rstrip("/") == expected, wait_until="commit", timeout=10_000)
    except PlaywrightTimeout:
        pass  # the assertion names where it went instead
    assert urlsplit(page.url).path.rstrip("/") == expected


INDEX = re.compile(r"/search/search_index\.json$")
# The three ways a reader starts a search: Playwright actions on a loaded page.
START_SEARCH = {
    "focus": lambda page: page.locator(".md-search__input").click(),
    "shortcut": lambda page: page.keyboard.press("/"),
    "icon": lambda page: page.locator("label.md-header__button[for=__search]").click(),
}


@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize("way", START_SEARCH)
def test_search_index_is_downloaded_when_the_reader_starts_a_search(server, visit, locale, way):
    """hooks/search_on_demand.js: a page that is only read, Material mounted, never requests
    the index (nor Material's worker); the first search fetches it, and answers. The shortcut
    and the icon are the reader's first action, before Material has run: the shortcut's key
    is replayed once it has, the icon focuses the box at once (hooks/material_on_interaction.js)."""
    viewport = {"width": 375, "height": 812} if way == "icon" else None  # the icon is the phone's way
    opened = visit(page_url(server, locale, "index.md"), wait_until="networkidle", viewport=viewport)
    if way == "focus":  # the other ways are the reader's first action, before Material has run
        opened.wake()
    early = [url for url in opened.requests if INDEX.search(urlsplit(url).path) or "/workers/search." in url]
    assert early == [], f"{locale}: requested before the reader started a search: {early}"
    # The page is idle already, so waiting for "networkidle" would not wait for the index.
    with opened.page.expect_response(lambda response: INDEX.search(urlsplit(response.url).path)):
        START_SEARCH[way](opened.page)
    index = [url for url in opened.requests if INDEX.search(urlsplit(url).path)]
    assert [urlsplit(url).path for url in index] == [urlsplit(server).path + LANGUAGES[locale] + "search/search_index.json"]
    assert search(opened.page, "SGD"), f"{locale}: no results after the index was loaded"
    assert opened.failures == [] and opened.console == []


@pytest.mark.parametrize(
    "locale, term",
    [("zh", "梯度"), ("zh", "学习率"), ("zh", "动量"), ("en", "gradient"), ("en", "momentum")],
)
def test_search_shows_pages_in_the_readers_language(server, visit, locale, term):
    page = visit(page_url(server, locale, "index.md")).page
    links = search(page, term)
    paths = [urlsplit(link).path for link in links]
    assert paths, f"no results for {term!r}"
    in_zh = [path.startswith(urlsplit(server).path + "zh/") for path in paths]
    assert all(in_zh) if locale == "zh" else not any(in_zh), paths


def search_results(page, term):
    """A query typed into a page whose search is ready (after search()): the pages listed,
    best first (one per result item, its sections folded in), and the results' text.

    The box is emptied first and the query entered once Material shows its placeholder
    again, so the results read are the query's own, not the previous one's."""
    box = page.locator(".md-search__input")
    placeholder = """() => document.querySelector(".md-search-result__meta").textContent.trim()
        === JSON.parse(document.getElementById("__config").textContent).translations["search.result.placeholder"]"""
    box.fill("")
    box.press("End")
    page.wait_for_function(placeholder)
    box.fill(term)
    box.press("End")
    page.wait_for_function(f"() => !({placeholder})()")
    pages = page.eval_on_selector_all(".md-search-result__item", """items => items.map(item =>
        new URL(item.querySelector(".md-search-result__link").href).pathname)""")
    text = page.eval_on_selector(".md-search-result__list", """list => {
        const copy = list.cloneNode(true);
        const all = copy.textContent;
        copy.querySelectorAll("pre, code").forEach(e => e.remove());
        return [all, copy.textContent];
    }""")
    return pages, *text


READERS_QUERIES = yaml.safe_load((ROOT / "tests" / "search_questions.yml").read_text(encoding="utf-8"))
TEX = re.compile(r"\\[(\[]|\$\$|\\[a-zA-Z]{2,}")


@pytest.mark.parametrize("locale", LANGUAGES)
def test_search_finds_the_page_that_answers_a_readers_question(server, visit, locale):
    """Each query lists the page that answers it among its first three results, and pages in
    the reader's language only; the results' text (what a reader copies, and more) holds no
    \\u200b, which marks jieba's words in the index, and no TeX."""
    from harness.report import report

    page = visit(page_url(server, locale, "index.md")).page
    assert search(page, "optimizer"), "the search never became ready"
    failures = []
    for query, answer in READERS_QUERIES[locale]:
        pages, text, prose = search_results(page, query)
        expected = urlsplit(page_url(server, locale, answer)).path
        rank = pages.index(expected) + 1 if expected in pages else None
        if rank is None or rank > 3:
            failures.append(f"{query!r}: {answer} ranks {rank or 'nowhere'} in {pages}")
        if [path for path in pages if path.startswith(urlsplit(server).path + "zh/") != (locale == "zh")]:
            failures.append(f"{query!r}: pages in another language: {pages}")
        if "\u200b" in text:
            failures.append(f"{query!r}: \\u200b in the results")
        if TEX.search(prose):
            failures.append(f"{query!r}: TeX in the results: {TEX.search(prose).group()}")
    total = len(READERS_QUERIES[locale])
    passed = total - len({failure.split(": ", 1)[0] for failure in failures})
    report("search: the answering page among the first three results", locale,
           f"{locale}: {passed}/{total} queries")
    assert failures == [], "\n".join(failures)


def test_search_worker_rewrites_the_query_materials_worker_reads(server, visit):
    """hooks/search_per_language.py points Material's __config.search at our worker
    (docs/assets/javascripts/workers/search-query.js), whose "message" listener rewrites each
    query before Material's own worker, imported after it, reads the same event. This fails
    when a Material update breaks that: queries or the index arriving another way or in
    another shape, or results leaving another way (their \\u200b would stay)."""
    page = visit(page_url(server, "zh", "index.md")).page
    links = search(page, "SGD公式")  # as typed, Material's worker alone finds nothing
    workers = [worker for worker in page.workers if "/workers/search-query.js?material=search." in worker.url]
    assert len(workers) == 1, [worker.url for worker in page.workers]
    worker = workers[0]
    seen = worker.evaluate("() => ({...self.searchQuery.seen, unexpected: self.searchQuery.unexpected,"
                           " words: self.searchQuery.words.size, lunr: typeof self.lunr})")
    assert seen["unexpected"] == [], "messages of a shape the worker does not know"
    assert seen["lunr"] == "function", "Material's worker was not imported"
    assert seen["setup"] == 1 and seen["words"] > 100, "the index did not come through the listener"
    assert seen["queries"] >= 1, "no query came through the listener"
    assert seen["results"] >= 1, "no result went out through postMessage"
    assert links and urlsplit(links[0]).path == urlsplit(page_url(server, "zh", "sgd-formula.md")).path, links
    # The words Material searched for are the index's words, whole (its own segmenter alone
    # would search 学习, 调度 and 放 here), and no question word.
    search_results(page, "学习率调度器放在哪里")
    assert sorted(worker.evaluate("() => self.searchQuery.terms")) == sorted(["学习率", "调度器", "放在"])

    def rewrite(query):
        return worker.evaluate("query => self.searchQuery.rewrite(query)", query)

    assert rewrite("SGD公式") == "SGD 公式"
    assert rewrite("ＳＧＤ公式") == "SGD 公式"
    assert rewrite("Adam和AdamW的区别") == "Adam AdamW 区别"  # 和, 的: lunr's stop words
    assert rewrite("zero_grad（）放在哪里？") == "zero_grad() 放在"
    assert rewrite("optimizer.step()是什么意思") == "optimizer.step()"
    assert rewrite("zerograd的作用") == "zero_grad 作用"
    assert rewrite("学习率调度器") == "学习率 调度器"  # glossary terms whole, as in the index
    assert rewrite("梯度清零") == "梯度 清零"  # as the index has it (see mkdocs.yml)
    assert rewrite("+梯度清零") == "+梯度 清零"
    assert rewrite("what is a closure") == "closure"  # English stop words, which the index leaves out
    assert rewrite("set_to_none is the default") == "set_to_none default"
    assert rewrite("怎么") == "怎么"  # question and stop words alone are searched for as typed
