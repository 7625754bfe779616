"""Checks on the built site: both languages, version footer, formulas, search, self-hosting."""

import ast
import json
import re
import tomllib
from html.parser import HTMLParser
from importlib.metadata import version
from urllib.parse import urljoin, urlsplit

import pytest

from harness.site_build import LANGUAGES, ROOT, built_page, page_names, page_path

PAGES = page_names()


def pinned(name: str) -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return next(d.split("==")[1] for d in project["dependencies"] if d.startswith(f"{name}=="))


def test_both_languages_have_the_same_pages():
    zh = sorted(p.name for p in (ROOT / "docs" / "zh").glob("*.md"))
    assert PAGES and zh == PAGES


def test_installed_torch_is_the_pinned_one():
    assert version("torch").split("+")[0] == pinned("torch")


@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_page_states_the_verified_torch_version(site, locale, name):
    html = built_page(site, locale, name).read_text(encoding="utf-8")
    footer = re.search(r'class="md-copyright__highlight verified-with">(.*?)</div>', html, re.S)
    assert footer, f"{locale}/{name}: no verified-with footer"
    assert f"PyTorch {pinned('torch')}" in footer.group(1)


class Resources(HTMLParser):
    """Every URL the browser would fetch while loading the page: elements' sources, srcset
    candidates, stylesheets, and the @import and url() of inline styles."""

    LOADS = {("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"),
             ("source", "src"), ("video", "src"), ("audio", "src"), ("video", "poster"),
             ("embed", "src"), ("object", "data"), ("input", "src")}

    def __init__(self):
        super().__init__()
        self.urls, self.stylesheets, self.in_style = [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") in {"alternate", "canonical"}:
            return  # navigation hints, not fetched at load
        for element, attribute in self.LOADS:
            if tag == element and attrs.get(attribute):
                self.urls.append(f"<{tag} {attribute}>: {attrs[attribute]}")
        for candidate in (attrs.get("srcset") or "").split(","):
            if candidate.strip():
                self.urls.append(f"<{tag} srcset>: {candidate.split()[0]}")
        if attrs.get("style"):
            self.urls += [f"<{tag} style>: {url}" for url in css_urls(attrs["style"])]
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.stylesheets.append(attrs["href"])
        self.in_style = tag == "style"

    def handle_data(self, data):
        if self.in_style:
            self.urls += [f"<style>: {url}" for url in css_urls(data)]

    def handle_endtag(self, tag):
        self.in_style = False


def css_urls(css):
    """What a stylesheet fetches: @import targets and url() values (data: URIs excepted)."""
    found = re.findall(r"""@import\s+(?:url\()?\s*["']?([^"')\s;]+)|url\(\s*["']?([^"')]+?)["']?\s*\)""", css)
    return [url for pair in found for url in pair if url and not url.startswith("data:")]


EXTERNAL = re.compile(r"(https?:)?//")


@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_page_loads_nothing_from_other_hosts(site, locale, name):
    page = built_page(site, locale, name)
    parser = Resources()
    parser.feed(page.read_text(encoding="utf-8"))
    assert parser.urls, "the parser found no resources at all"
    external = [f"{locale}/{name} {url}" for url in parser.urls if EXTERNAL.match(url.split(": ", 1)[1])]
    for href in parser.stylesheets:  # and what those stylesheets load in turn
        sheet = (page.parent / href.split("?")[0]).resolve()
        external += [f"{locale}/{name} {href}: {url}" for url in css_urls(sheet.read_text(encoding="utf-8"))
                     if EXTERNAL.match(url)]
    assert not external, "loaded from another host:\n" + "\n".join(external)


@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_formulas_are_rendered_to_mathml(site, locale, name):
    html = built_page(site, locale, name).read_text(encoding="utf-8")
    source = (ROOT / "docs" / locale / name).read_text(encoding="utf-8")
    expected = tex_count(source)
    for module in re.findall(r"^::: (\w+)", source, re.M):  # mkdocstrings renders the docstrings' formulas too
        tree = ast.parse((ROOT / "snippets" / f"{module}.py").read_text(encoding="utf-8"))
        docstrings = [ast.get_docstring(node, clean=False) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef))]
        expected += sum(tex_count(doc) for doc in docstrings if doc)
    assert html.count("<math ") == expected
    assert not re.search(r'class="arithmatex">\s*\\[(\[]', html)


def tex_count(text):
    """Formulas in Markdown: $$...$$ blocks and $...$ inline, each counted once."""
    return len(re.findall(r"\$\$|(?<![\\$])\$(?!\$)", text)) // 2


def search_entries(site, locale):
    """Each entry of a language's search index as the tokens the index splits it into."""
    index = json.loads((site / LANGUAGES[locale] / "search" / "search_index.json").read_text(encoding="utf-8"))
    separator = re.compile(index["config"]["separator"])
    return [(doc["location"], [t for t in separator.split(doc["title"] + " " + doc["text"]) if t])
            for doc in index["docs"]]


GLOSSARY = [line.split()[0] for line in (ROOT / "tools" / "jieba_glossary.txt").read_text("utf-8").splitlines()]


@pytest.mark.parametrize("term", sorted({*GLOSSARY, "梯度", "学习率", "动量"}))
def test_chinese_terms_are_whole_search_tokens(site, term):
    """On every page whose text uses the term, it is a token of the index, and nowhere is it cut
    into pieces (学习 + 率): consecutive tokens never join up to exactly the term."""
    pages_using, pages_with_token, cut = set(), set(), []
    for location, tokens in search_entries(site, "zh"):
        page = location.split("#")[0]
        if any(term in token for token in tokens):
            pages_using.add(page)
        if term in tokens:
            pages_with_token.add(page)
        for start in range(len(tokens)):
            for end in range(start + 2, min(start + len(term), len(tokens)) + 1):
                if "".join(tokens[start:end]) == term:
                    cut.append(f"{location}: {' + '.join(tokens[start:end])}")
    assert cut == []
    assert pages_using == pages_with_token, f"pages where {term} is not a token: {pages_using - pages_with_token}"


class Head(HTMLParser):
    """The <html lang>, meta description, canonical and hreflang alternates of a page."""

    def __init__(self):
        super().__init__()
        self.lang, self.description, self.canonical, self.alternates = None, None, None, {}
        self.followed = {}  # what each alternate points at once the page has loaded (hooks/alternates.py)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "meta" and attrs.get("name") == "description":
            self.description = attrs.get("content")
        elif tag == "link" and attrs.get("rel") == "canonical":
            self.canonical = attrs.get("href")
        elif tag == "link" and attrs.get("rel") == "alternate" and attrs.get("hreflang"):
            self.alternates[attrs["hreflang"]] = attrs.get("href")
            self.followed[attrs["hreflang"]] = attrs.get("data-href")


CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_page_head_is_complete_and_in_its_language(built, locale, name):
    head = Head()
    head.feed(built_page(built.path, locale, name).read_text(encoding="utf-8"))
    assert head.lang == locale
    assert head.description and bool(CJK.search(head.description)) == (locale == "zh")
    assert head.canonical == built.url + page_path(locale, name)
    assert head.alternates == {other: built.url + page_path(other, name) for other in LANGUAGES}
    # Relative, so that a copy served from another address or sub-path fetches its own sitemaps
    assert {other: urljoin(head.canonical, href) for other, href in head.followed.items()} == head.alternates
    assert not [href for href in head.followed.values() if href.startswith("/")], head.followed


def test_sitemap_lists_every_page_in_both_languages(built):
    sitemap = (built.path / "sitemap.xml").read_text(encoding="utf-8")
    locations = set(re.findall(r"<loc>(.*?)</loc>", sitemap))
    assert locations == {built.url + page_path(locale, name) for locale in LANGUAGES for name in PAGES}


def test_not_found_page_in_both_languages(built):
    site, root_path = built.path, urlsplit(built.url).path  # a 404 page is served at any depth: absolute links
    root, zh = (site / "404.html").read_text("utf-8"), (site / "zh" / "404.html").read_text("utf-8")
    assert '<html lang="en"' in root and '<html lang="zh"' in zh
    assert "Page not found." in root and "Page not found." not in zh  # the Chinese one in Chinese only
    for page in (root, zh):
        assert "页面不存在。" in page
        assert f'href="{root_path}"' in page and f'href="{root_path}zh/"' in page


@pytest.mark.parametrize("locale", LANGUAGES)
def test_search_index_holds_only_its_language(site, locale):
    index = json.loads((site / LANGUAGES[locale] / "search" / "search_index.json").read_text("utf-8"))
    pages = {doc["location"].split("#")[0] for doc in index["docs"]}
    assert pages == {page_path("en", name) for name in PAGES}  # locations are relative to the language root
    chinese = [bool(CJK.search(doc["title"] + doc["text"])) for doc in index["docs"] if doc["text"]]
    if locale == "zh":
        assert sum(chinese) > len(chinese) / 2
    else:
        assert not any(chinese)


@pytest.mark.parametrize("locale", LANGUAGES)
def test_search_index_shows_formulas_as_they_read_not_their_tex(site, locale):
    index = json.loads((site / LANGUAGES[locale] / "search" / "search_index.json").read_text("utf-8"))
    tex = [(doc["location"], command) for doc in index["docs"]
           for command in re.findall(r"\\[a-zA-Z]+|\\[{}_^,;!]", doc["title"] + doc["text"])]
    assert tex == []
    assert any("θ" in doc["text"] for doc in index["docs"]), "the formulas' own text is indexed"


@pytest.mark.parametrize("locale", LANGUAGES)
def test_search_index_holds_prose_and_inline_code_not_code_blocks(site, locale):
    """hooks/search_per_language.py leaves code and output blocks and setup toggles out of
    the index (inline code stays); the report gives each index's size."""
    import gzip

    from harness.report import report

    path = site / LANGUAGES[locale] / "search" / "search_index.json"
    index = json.loads(path.read_text("utf-8"))
    blocks = sorted({doc["location"] for doc in index["docs"] if "<pre>" in doc["text"]})
    assert blocks == [], f"{locale}: code blocks in the search index, in {blocks}"
    assert sum("<code>" in doc["text"] for doc in index["docs"]) > 50, "inline code is indexed"
    data = path.read_bytes()
    report("search index size", locale, f"{locale}: {len(data) / 1024:.0f} KiB, "
                                        f"{len(gzip.compress(data, 6)) / 1024:.0f} KiB gzipped")


def test_the_math_font_covers_every_formula(site):
    """The served STIX Two Math subset has every character the formulas show, and its MATH
    table (stretchy braces), and every page with a formula preloads it."""
    from fontTools.ttLib import TTFont

    from hooks.math_font import FONT_URL, formula_characters  # noqa: E402  the hook's own reading

    font = TTFont(site / FONT_URL)
    assert "MATH" in font
    covered = {chr(code) for code in font.getBestCmap()}
    for locale in LANGUAGES:
        for name in PAGES:
            html = built_page(site, locale, name).read_text(encoding="utf-8")
            chars = formula_characters(html)
            assert chars <= covered, f"{locale}/{name}: {sorted(chars - covered)}"
            assert bool(chars) == ("stix-two-math.woff2\" as=\"font\"" in html), f"{locale}/{name}: preload"
    assert "{" in covered and "∑" in covered


class ChineseOnly(HTMLParser):
    """Runs of four or more English words that a Chinese page shows outside code and formulas.

    Text inside code, formulas, scripts and styles is skipped, and so is an English quotation
    (a paper's title). The reference module's docstrings count: the Chinese page renders them
    from snippets/reference_optim.zh.yml. Attributes a reader meets (title, aria-label, alt,
    placeholder) count as shown text."""

    SKIP = {"code", "pre", "kbd", "math", "script", "style", "svg"}
    RUN = re.compile(r"[A-Za-z][\w'’.-]*(?:[ ,/]+[A-Za-z][\w'’.-]*){3,}")
    QUOTATION = re.compile(r"“[^“”\u4e00-\u9fff]*”")
    SIGNATURE = re.compile(r"^[\w.]+\(.*\)( -> .+)?$", re.S)

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.runs = [], []

    def skipping(self):
        return any(tag in self.SKIP for tag, _ in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in {"br", "img", "input", "meta", "link", "hr", "wbr", "source"}:
            self.stack.append((tag, (attrs.get("class") or "").split()))
        if not self.skipping():
            for name in ("title", "aria-label", "alt", "placeholder"):
                value = attrs.get(name) or ""
                if not self.SIGNATURE.match(value):  # mkdocstrings titles a TOC entry with its signature
                    self.runs += [f"{tag}[{name}]: {run}" for run in self.RUN.findall(value)]

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if not self.skipping():
            self.runs += self.RUN.findall(self.QUOTATION.sub(" ", data))


@pytest.mark.parametrize("name", PAGES)
def test_chinese_pages_show_no_english_prose(site, name):
    html = built_page(site, "zh", name).read_text(encoding="utf-8")
    reader = ChineseOnly()
    reader.feed(html)
    assert reader.runs == []
    # mkdocstrings' section labels are single words, too short for the rule above.
    labels = re.findall(r">\s*(Parameters|Returns|Raises|Bases|Attributes|Examples|Source code)\s*:?\s*<", html)
    assert labels == []


@pytest.mark.parametrize("name", PAGES)
def test_no_italics_on_chinese_text(site, name):
    """Chinese has no italic: emphasis is bold or 「」, never a slanted Han character."""
    html = built_page(site, "zh", name).read_text(encoding="utf-8")
    slanted = [text for text in re.findall(r"<(?:em|i)\b[^>]*>(.*?)</(?:em|i)>", html, re.S) if CJK.search(text)]
    assert slanted == []
