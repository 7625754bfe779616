"""snippets/ and the example files the site offers: every file is offered, runs on its own from
an empty folder, and every section it marks is shown on a page or is the setup of one."""

import functools
import re
import zipfile
from html.parser import HTMLParser

import pytest

from harness.examples import MODULES, read_blocks
from harness.programs import Origin, example_files, project_modules, sections_of
from harness.site_build import LANGUAGES, ROOT, built_page, page_names
from harness.standalone import shared_runner

SNIPPETS = sorted(path.name for path in MODULES.glob("*.py"))
ARCHIVE = "examples/optimizer-step-examples.zip"


def offered_by(locale, name):
    page = ROOT / "docs" / locale / name
    return example_files([block.program for block in read_blocks(page.read_text(encoding="utf-8"), page)])


class Downloads(HTMLParser):
    """The example files a page links for download (the offline copy of the site is not one)."""

    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "download" in attrs and not attrs["href"].endswith("optimizer-step-offline.zip"):
            self.hrefs.append(attrs["href"])


@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize("name", page_names())
def test_each_page_links_its_example_files(site, locale, name):
    page = built_page(site, locale, name)
    links = Downloads()
    links.feed(page.read_text(encoding="utf-8"))
    targets = [(page.parent / href).resolve() for href in links.hrefs]
    assert all(target.is_file() for target in targets), links.hrefs
    expected = offered_by(locale, name)
    assert {t.name for t in targets} == set(expected) | ({ARCHIVE.rsplit("/")[-1]} if expected else set())


def test_the_archive_holds_exactly_the_files_the_pages_offer(site):
    offered = {file for locale in LANGUAGES for name in page_names() for file in offered_by(locale, name)}
    assert offered == set(SNIPPETS), "every file in snippets/ is offered by some page, and nothing else"
    with zipfile.ZipFile(site / ARCHIVE) as archive:
        names = archive.namelist()
        assert sorted(names) == sorted(f"optimizer-step-examples/{file}" for file in offered)
        for entry in names:
            assert archive.read(entry) == (MODULES / entry.rsplit("/")[-1]).read_bytes()
            assert (site / "examples" / entry.rsplit("/")[-1]).read_bytes() == archive.read(entry)


def submit_example_files():
    """Each snippet file as `python <file>.py`, with only the project files it imports beside it:
    the archive's files, which the test below checks are these bytes."""
    for file in sorted(MODULES.glob("*.py")):
        code = file.read_text(encoding="utf-8")
        shared_runner().submit(f"example file {file.name}", code, [MODULES / module for module in project_modules(code)])


@pytest.mark.submit_ahead.with_args(submit_example_files)
def test_every_example_file_runs_from_an_empty_folder(site, tmp_path):
    """Each file of the archive, with only the project files it imports beside it (each was
    submitted from snippets/ when collection ended: the same bytes, checked here)."""
    with zipfile.ZipFile(site / ARCHIVE) as archive:
        archive.extractall(tmp_path)
    folder = tmp_path / "optimizer-step-examples"
    assert {file.name: file.read_bytes() for file in folder.iterdir()} == \
        {file.name: file.read_bytes() for file in MODULES.glob("*.py")}
    submit_example_files()  # unless submitted already
    runner = shared_runner()
    failures = {}
    for file in sorted(folder.iterdir()):
        result = runner.result(f"example file {file.name}")
        if result.error or result.stderr:
            failures[file.name] = f"{result.error}\n{result.traceback or ''}{result.stderr}"
    assert failures == {}


@functools.cache
def sections_used():
    """Every section some block of some page shows or declares as its setup."""
    return {key for page in (ROOT / "docs").glob("*/*.md")
            for block in read_blocks(page.read_text(encoding="utf-8"), page) for key in block.program.sections}


@pytest.mark.parametrize("file", SNIPPETS)
def test_every_section_is_shown_on_a_page_or_is_setup(file):
    used = sections_used()
    sections = sections_of(file, Origin(f"snippets/{file}", 1))
    unused = sorted(name for name, section in sections.items() if section.key not in used)
    assert unused == [], (f"snippets/{file}: no page includes the sections {unused}, and no block "
                          f"declares them as setup: include each on a page or remove it")


def test_every_marker_is_closed():
    for file in SNIPPETS:
        text = (MODULES / file).read_text(encoding="utf-8")
        starts = re.findall(r"\[start:([\w-]+)\]", text)
        ends = re.findall(r"\[end:([\w-]+)\]", text)
        assert sorted(starts) == sorted(ends), file
