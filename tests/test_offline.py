"""The offline copy (hooks/offline_copy.py): the whole site in a zip, opened from file://.

The build that the other tests serve also built the copy and offers it on the home and
testing pages. Unzipped here, a few pages per language are opened from the file system in
Chromium: nothing fails to load and nothing is requested from anywhere else; formulas are
set in the site's math font; the copy button copies the program the tests ran; the language
switch leads to the same page; search finds pages in the reader's language.
"""

import re
import zipfile
from pathlib import Path

import pytest

from harness.browser import search
from harness.pytest_plugin import code_blocks
from harness.site_build import LANGUAGES, ROOT, built_page, page_names

DOWNLOAD = "downloads/optimizer-step-offline.zip"
OPENED = ["index.md", "step.md", "sgd-formula.md"]  # prose, code blocks, formulas
OTHER = {"en": "zh", "zh": "en"}


def offline_path(locale, name):
    """A page's file in the copy, e.g. 'zh/step.html' (no folder URLs from file://)."""
    return LANGUAGES[locale] + name.removesuffix(".md") + ".html"


@pytest.fixture(scope="module")
def copy(site, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("offline")
    with zipfile.ZipFile(site / DOWNLOAD) as archive:
        archive.extractall(folder)
    return folder / "optimizer-step"


def test_the_copy_holds_every_page_in_both_languages(site, copy):
    from harness.report import report

    missing = [offline_path(locale, name) for locale in LANGUAGES for name in page_names()
               if not (copy / offline_path(locale, name)).is_file()]
    assert missing == []
    assert not (copy / DOWNLOAD).exists(), "the copy does not hold a copy of itself"
    files = sum(1 for path in copy.rglob("*") if path.is_file())
    report("offline copy", "size", f"offline copy: {(site / DOWNLOAD).stat().st_size / 1e6:.1f} MB zipped, {files} files")


@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize("name", ["index.md", "testing.md"])
def test_the_site_offers_the_copy(site, locale, name):
    page = built_page(site, locale, name).read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"]*optimizer-step-offline\.zip)" download>[^<]+</a>[ （(]+\d+\.\d MB', page)
    assert links, "no download link with its size"
    target = (built_page(site, locale, name).parent / links[0]).resolve()
    assert target == (site / DOWNLOAD).resolve() and target.is_file()


@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize("name", OPENED)
def test_a_page_works_from_the_file_system(copy, visit, locale, name):
    url = (copy / offline_path(locale, name)).as_uri()
    opened = visit(url, permissions=["clipboard-read", "clipboard-write"])
    page = opened.page
    page.wait_for_load_state("load")
    assert [request for request in opened.requests if not request.startswith("file://")] == []
    assert opened.failures == [] and opened.console == []
    assert "You are reading the offline copy" in page.content() or "你正在阅读本站的离线版" in page.content() \
        or name != "index.md"
    if page.locator(".arithmatex").count():
        faces = page.evaluate("""() => document.fonts.ready.then(() => [...document.fonts]
            .filter(face => face.family.includes("STIX Two Math (site)")).map(face => face.status))""")
        assert faces == ["loaded"]
    programs = [block.program for block in code_blocks(ROOT / "docs" / locale / name)]
    if programs:
        shown = page.locator("div.example").first.locator(":scope > div.highlight")
        shown.hover()
        shown.locator("button[data-md-type=copy]").click()
        assert page.evaluate("navigator.clipboard.readText()") == programs[0].copied
    page.hover(".md-header__option .md-select")
    page.click(f".md-select__link[hreflang={OTHER[locale]}]")
    page.wait_for_load_state("load")
    assert page.url == (copy / offline_path(OTHER[locale], name)).as_uri()
    assert opened.failures == [] and opened.console == []


@pytest.mark.parametrize("locale, term", [("en", "momentum"), ("zh", "学习率")])
def test_search_works_from_the_file_system(copy, visit, locale, term):
    opened = visit((copy / offline_path(locale, "index.md")).as_uri())
    links = search(opened.page, term)
    assert links, f"no results for {term!r}"
    files = [Path(link.split("?")[0].split("#")[0].removeprefix("file://")) for link in links]
    assert all(path.is_file() for path in files), files
    assert all((path.parent.name == "zh") == (locale == "zh") for path in files), files
    assert opened.failures == [] and opened.console == []
