"""Every file in snippets/ is a standalone script whose own asserts pass."""

import runpy

import pytest

from harness.site_build import ROOT

SNIPPETS = sorted((ROOT / "snippets").glob("*.py"))


def test_there_are_snippets():
    assert len(SNIPPETS) >= 7


def shown_sections(path):
    return [line.split("[start:")[1].rstrip("]") for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("# --8<-- [start:")]


@pytest.mark.parametrize("path", SNIPPETS, ids=lambda p: p.name)
def test_snippet_runs_as_a_script(path, capsys):
    runpy.run_path(str(path), run_name="__main__")
    if shown_sections(path):
        assert capsys.readouterr().out, "an example shows its results by printing them"


@pytest.mark.parametrize("path", SNIPPETS, ids=lambda p: p.name)
def test_every_snippet_section_is_shown_on_a_page(path):
    sections = set(shown_sections(path))
    pages = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").rglob("*.md"))
    unused = sorted(s for s in sections if f'"{path.name}:{s}"' not in pages)
    assert unused == []
