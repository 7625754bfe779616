"""Guards on the built site: nothing shown goes unexecuted, and the Markdown the en/zh match reads is
what the pages show."""

import pytest

from sybil import Document

from harness.examples import OUTPUT, PYTHON, fences
from harness.parity import parts
from harness.pytest_plugin import code_blocks
from harness.rendered import read_page
from harness.report import report
from harness.site_build import LANGUAGES, ROOT, built_page, page_names

PAGES = page_names()


@pytest.mark.parametrize("locale", LANGUAGES)
def test_every_rendered_python_block_was_executed(site, locale):
    """Each python block the page shows, its setup toggle and what its copy button yields are
    the code, the setup and the program that the tests ran alone."""
    count = 0
    for name in PAGES:
        code = read_page(built_page(site, locale, name).read_text("utf-8")).code
        rendered = [b for b in code if b.language in PYTHON and not b.setup]
        setups = [b for b in code if b.setup]
        executed = [block.program for block in code_blocks(ROOT / "docs" / locale / name)]
        for index, block in enumerate(rendered):
            where = f"{locale}/{name}: python block {index + 1} (it starts {block.first_line!r})"
            if index >= len(executed) or block.text != executed[index].code:
                pytest.fail(f"{where} on the built page is not the code the tests executed")
            if block.copied != executed[index].copied:
                pytest.fail(f"{where}: its copy button does not yield the program the tests ran alone")
        assert len(executed) == len(rendered), f"{locale}/{name}: the tests ran blocks the page does not show"
        with_setup = [program for program in executed if program.setup]
        assert [b.text for b in setups] == ["\n".join(p.setup) + "\n" for p in with_setup], (
            f"{locale}/{name}: the setup toggles do not show the setup the tests ran")
        assert all(b.language == "python" for b in setups)
        count += len(rendered)
    assert count > 0
    report("rendered python blocks, all executed", locale, f"{locale}: {count} blocks on {len(PAGES)} pages")


def kind(language: str) -> str:
    return "python" if language in PYTHON else "output" if language in OUTPUT else f"shown-only {language}"


@pytest.mark.parametrize("locale", LANGUAGES)
def test_every_rendered_code_block_is_a_fence_the_harness_read(site, locale):
    """Fenced or indented, with any label or none: every code block the reader sees (setup
    toggles aside) is one of the page's fences, in order, each run, checked or shown-only by
    its language. An indented block (rendered as text) or one brought in another way fails,
    naming the page and the line where it starts."""
    problems = []
    for name in PAGES:
        source = ROOT / "docs" / locale / name
        text = source.read_text(encoding="utf-8")
        fenced = [kind(fence.language) for fence in fences(Document(text, str(source)), str(source))]
        rendered = [b for b in read_page(built_page(site, locale, name).read_text("utf-8")).code if not b.setup]
        for index, block in enumerate(rendered):
            if index < len(fenced) and fenced[index] == kind(block.language):
                continue
            first = block.first_line.strip()
            line = next((n for n, source_line in enumerate(text.split("\n"), 1) if first and first in source_line), "?")
            problems.append(f"docs/{locale}/{name}:{line}: a code block ({block.language or 'no language'}) that is "
                            f"not one of the page's fences, so the tests neither run nor check it; it starts {first!r}")
            break
        else:
            if len(rendered) != len(fenced):
                problems.append(f"docs/{locale}/{name}: {len(fenced)} fences, but {len(rendered)} code blocks shown")
    assert problems == []


def built_structure(site, locale, name):
    page = read_page(built_page(site, locale, name).read_text("utf-8"))
    headings = [f"h{level} #{anchor}" if level > 1 else "h1" for level, anchor in page.headings]
    if headings[-1:] == ["h2 #example-files"]:  # added by hooks/example_files.py to pages with examples
        headings.pop()
    return {"heading": headings,
            "formula": [tex.strip() for tex in page.formulas], "admonition": page.admonitions}


@pytest.mark.parametrize("name", PAGES)
def test_the_markdown_structure_is_what_the_build_shows(site, name):
    """Both languages are matched from their Markdown (harness.parity, collected beside each
    page's examples). Here that reading is checked against the built pages: each language's
    headings, formulas and admonitions are the ones its Markdown holds. What the Markdown does
    not hold, the API reference that mkdocstrings renders, is compared between the built pages."""
    built = {locale: built_structure(site, locale, name) for locale in LANGUAGES}
    for locale in LANGUAGES:
        read = parts(source(locale, name).read_text(encoding="utf-8"), str(source(locale, name)))
        if any(part.kind == "API reference" for part in read):
            assert built[locale] == built["en"], f"{locale}/{name}: the built API reference differs from en's"
            continue
        for kind, shown in built[locale].items():
            from_markdown = [part.key for part in read if part.kind == kind]
            first = next((i for i, pair in enumerate(zip(from_markdown, shown)) if pair[0] != pair[1]),
                         min(len(from_markdown), len(shown)))
            assert from_markdown == shown, (
                f"docs/{locale}/{name}: {kind} #{first + 1} read from the Markdown is not the built page's: "
                f"{from_markdown[first:first + 1]} against {shown[first:first + 1]} (harness/parity.py reads it)")


def source(locale, name):
    return ROOT / "docs" / locale / name
