"""The built site in a real browser (Debian's Chromium, driven by Playwright), page by page.

Every page in both languages must load with no console error, no failed request and no
request to any host but the local server; render every formula; switch language to the same
page; copy the complete program the tests ran alone; fit a 375-px screen; render the dark palette
(screenshots go to test-artifacts/, which git ignores); and pass axe-core in both palettes.
"""

import os
import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from harness import png
from harness.pytest_plugin import code_blocks
from harness.site_build import LANGUAGES, ROOT, page_names, page_path

# Debian's Chromium by default; CHROMIUM_PATH names another Chromium-based browser.
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
PAGES = page_names()
OTHER = {"en": "zh", "zh": "en"}
# Chromium as the probe of this workplace runs it: no background traffic to any other host.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic"]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        reason = "Chromium is not installed: run `apt-get install chromium` (python3 tools/dev.py test does it as root)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(served):
    return served.url


def page_url(base, locale, name):
    return base + page_path(locale, name)


class Visit:
    """A page opened in a fresh context, with every request and console message recorded.

    Each request is described with what caused it (Chromium's initiator: the document or
    stylesheet line, or the script and line that fetched it), so a failure names the URL,
    the page and the element or code responsible."""

    def __init__(self, browser, url, wait_until="load", **context_options):
        self.url = url
        self.context = browser.new_context(**context_options)
        self.page = self.context.new_page()
        self.requests, self.failures, self.console = [], [], []
        self.initiators = {}
        devtools = self.context.new_cdp_session(self.page)
        devtools.on("Network.requestWillBeSent", self.note_initiator)
        devtools.send("Network.enable")
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("requestfailed", lambda r: self.failures.append(self.describe(r.url, r.failure)))
        self.page.on("response", lambda r: r.status >= 400 and self.failures.append(self.describe(r.url, f"HTTP {r.status}")))
        self.page.on("console", lambda m: m.type == "error" and self.console.append(f"{self.url}: {m.text} ({m.location})"))
        self.page.on("pageerror", lambda error: self.console.append(f"{self.url}: {error}"))
        self.page.goto(url, wait_until=wait_until)

    def note_initiator(self, event):
        initiator = event.get("initiator", {})
        frames = initiator.get("stack", {}).get("callFrames", [])
        if frames:
            where = f"script {frames[0]['url']}:{frames[0]['lineNumber'] + 1} ({frames[0]['functionName'] or 'top level'})"
        elif initiator.get("url"):
            where = f"{initiator['type']} {initiator['url']}:{initiator.get('lineNumber', -1) + 1}"
        else:
            where = initiator.get("type", "unknown")
        self.initiators[event["request"]["url"]] = where

    def describe(self, url, problem=""):
        """A request as a failure message: its URL, the page, and what asked for it."""
        elements = []
        try:
            elements = self.page.evaluate("""url => [...document.querySelectorAll("[src],[href],[srcset],[style],[poster],[data]")]
                .filter(e => ["src", "href", "poster", "data"].some(name => e.hasAttribute(name)
                                 && new URL(e.getAttribute(name), document.baseURI).href === url)
                             || ["srcset", "style"].some(name => (e.getAttribute(name) || "").includes(url)))
                .slice(0, 3).map(e => e.outerHTML.slice(0, 160))""", url)
        except Exception:  # noqa: BLE001  the page may be navigating; the initiator still names the cause
            pass
        culprit = "; ".join(elements) or f"initiated by {self.initiators.get(url, 'unknown')}"
        return f"{url} {f'({problem}) ' if problem else ''}on {self.url}: {culprit}"

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser):
    opened = []

    def open_page(url, **options):
        opened.append(Visit(browser, url, **options))
        return opened[-1]

    yield open_page
    for visit in opened:
        visit.close()


@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_page_loads_cleanly_from_the_local_server_only(server, visit, locale, name):
    opened = visit(page_url(server, locale, name), wait_until="networkidle")
    local = urlsplit(server).netloc
    assert [opened.describe(url) for url in opened.requests if urlsplit(url).netloc not in (local, "")] == []
    assert opened.failures == []
    assert opened.console == []


@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_every_formula_is_rendered(server, visit, locale, name):
    page = visit(page_url(server, locale, name)).page
    visible = page.evaluate("""() => {
        const article = document.querySelector("article").cloneNode(true);
        article.querySelectorAll("pre, code, annotation").forEach(e => e.remove());
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


@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_language_switcher_leads_to_the_same_page(server, visit, locale, name):
    page = visit(page_url(server, locale, name)).page
    page.hover(".md-header__option .md-select")
    page.click(f".md-select__link[hreflang={OTHER[locale]}]")
    page.wait_for_load_state("networkidle")
    assert urlsplit(page.url).path.rstrip("/") == urlsplit(page_url(server, OTHER[locale], name)).path.rstrip("/")


@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_copy_button_copies_the_program_the_tests_ran_alone(server, visit, locale, name):
    """Each python block's copy button yields its complete program; its setup toggle opens
    from the keyboard, is labelled in the page's language and shows the setup it copies."""
    url = page_url(server, locale, name)
    opened = visit(url, permissions=["clipboard-read", "clipboard-write"])
    programs = [block.program for block in code_blocks(ROOT / "docs" / locale / name)]
    examples = opened.page.locator("div.example")
    assert examples.count() == len(programs)
    for index, program in enumerate(programs):
        example = examples.nth(index)
        shown = example.locator(":scope > div.highlight")
        shown.hover()
        shown.locator("button[data-md-type=copy]").click()
        copied = opened.page.evaluate("navigator.clipboard.readText()")
        assert copied == program.copied, f"{locale}/{name}: block {index + 1}"
        toggle = example.locator(":scope > details.example-setup")
        assert toggle.count() == bool(program.setup)
        if program.setup:
            summary = toggle.locator("summary")
            assert bool(re.search(r"[\u4e00-\u9fff]", summary.inner_text())) == (locale == "zh")
            summary.focus()
            opened.page.keyboard.press("Enter")
            assert toggle.get_attribute("open") is not None
            assert toggle.locator("pre").inner_text().rstrip("\n") == "\n".join(program.setup).rstrip("\n")
        needs = example.locator(".example-needs a[download]")
        assert [needs.nth(i).inner_text() for i in range(needs.count())] == program.modules


@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_nothing_scrolls_sideways_on_a_phone(server, visit, locale, name):
    page = visit(page_url(server, locale, name), viewport={"width": 375, "height": 812}).page
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # Wider content may only be code or a formula, scrolling inside its own box.
    overflowing = page.evaluate("""() => [...document.querySelectorAll("article *")]
        .filter(e => e.getBoundingClientRect().right > 376)
        .filter(e => !e.closest("pre, .arithmatex, .md-typeset__scrollwrap"))
        .map(e => e.tagName + "." + e.className)""")
    assert overflowing == []


@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_dark_palette_renders(server, visit, locale, name):
    """The screenshot shows the dark palette: its commonest colour is the slate background, and
    the article's text stands out from it by at least 4.5:1."""
    page = visit(page_url(server, locale, name), color_scheme="dark").page
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{locale}-{name.removesuffix('.md')}-dark.png"), full_page=True)
    shot = page.screenshot(clip={"x": 0, "y": 100, "width": 640, "height": 360})  # below the header
    background = Counter(png.pixels(shot)).most_common(1)[0][0]
    expected = rgb(page.evaluate("getComputedStyle(document.body).backgroundColor"))
    assert max(abs(a - b) for a, b in zip(background, expected)) <= 2, (background, expected)
    assert sum(background) < 3 * 80, f"the screenshot's background {background} is not dark"
    text = rgb(page.eval_on_selector("article p", "p => getComputedStyle(p).color"))
    assert png.contrast(text, background) >= 4.5, (text, background)


def rgb(css):
    """(r, g, b) of a computed CSS colour; a translucent one is blended over black, which for
    light text on a dark page underestimates its contrast."""
    r, g, b, *alpha = map(float, re.findall(r"[\d.]+", css))
    a = alpha[0] if alpha else 1.0
    return tuple(round(c * a) for c in (r, g, b))


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_accessibility_violations(server, visit, locale, name, scheme):
    from axe_playwright_python.sync_playwright import Axe

    page = visit(page_url(server, locale, name), wait_until="networkidle", color_scheme=scheme).page
    violations = Axe().run(page).response["violations"]
    summary = [f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['target']})" for v in violations]
    assert summary == []



def search(page, term):
    """Enter a query and return the result links.

    Material reads the query on key-up, and an input method inserts Chinese text without
    one, so a key (End) is pressed after the text, as a reader's next key would. The search
    worker builds its index after the page has loaded and ignores queries until then, so
    the query is entered again until results appear."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.locator(".md-search__input")
    for _ in range(20):
        box.fill(term)
        box.press("End")
        try:
            page.wait_for_selector(".md-search-result__link", timeout=1000)
            break
        except PlaywrightTimeout:
            continue
    return page.eval_on_selector_all(".md-search-result__link", "links => links.map(a => a.href)")


@pytest.mark.parametrize(
    "locale, term",
    [("zh", "梯度"), ("zh", "学习率"), ("zh", "动量"), ("en", "gradient"), ("en", "momentum")],
)
def test_search_shows_pages_in_the_readers_language(server, visit, locale, term):
    page = visit(page_url(server, locale, "index.md")).page
    links = search(page, term)
    paths = [urlsplit(link).path for link in links]
    assert paths, f"no results for {term!r}"
    in_zh = [path.startswith("/zh/") for path in paths]
    assert all(in_zh) if locale == "zh" else not any(in_zh), paths
