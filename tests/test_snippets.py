"""Every file in snippets/ is a standalone script whose own asserts pass."""

import runpy

import pytest

from tests.site_build import ROOT

SNIPPETS = sorted((ROOT / "snippets").glob("*.py"))


def test_there_are_snippets():
    assert len(SNIPPETS) >= 7


@pytest.mark.parametrize("path", SNIPPETS, ids=lambda p: p.name)
def test_snippet_runs_as_a_script(path, capsys):
    runpy.run_path(str(path), run_name="__main__")
    assert capsys.readouterr().out, "a snippet shows its results by printing them"


@pytest.mark.parametrize("path", SNIPPETS, ids=lambda p: p.name)
def test_every_snippet_section_is_shown_on_a_page(path):
    sections = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# --8<-- [start:"):
            sections.add(line.split("[start:")[1].rstrip("]"))
    pages = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").rglob("*.md"))
    unused = sorted(s for s in sections if f'"{path.name}:{s}"' not in pages)
    assert unused == []
