"""The writing lint of a page: autocorrect (Chinese typography) and the glossary, or codespell
(English spelling)."""

from __future__ import annotations

import contextlib
import functools
import io
from pathlib import Path

import autocorrect_py
import codespell_lib

from harness.glossary import chinese_in_english_problems, glossary_problems
from harness.programs import ROOT, shown_path


def typography_problems(text: str, name: str) -> list[str]:
    return [f"{name}:{line.line}: {line.old.strip()!r} -> {line.new.strip()!r} (autocorrect)"
            for line in autocorrect_py.lint_for(text, name).lines]


def spelling_problems(*paths: Path) -> list[str]:
    """codespell's findings ("file:line: word ==> fix"), paths shown from the repository root."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = codespell_lib.main("--skip", "*.png", *map(str, paths))
    found = [line.replace(f"{ROOT}/", "") for line in out.getvalue().splitlines() if line.strip()]
    return found or ([] if status == 0 else [f"codespell exited with status {status}"])


@functools.cache
def folder_spelling(folder: Path) -> tuple[str, ...]:
    """codespell's findings on every page of a folder, from one run: loading its dictionary
    costs more than checking all the pages."""
    return tuple(spelling_problems(*sorted(folder.glob("*.md"))))


def page_problems(page: Path) -> list[str]:
    """The lint that concerns a page of the site: autocorrect and the glossary for Chinese, codespell
    for English (and the glossary for the Chinese it quotes)."""
    if page.parent.name == "zh":
        text = page.read_text(encoding="utf-8")
        return typography_problems(text, shown_path(page)) + glossary_problems(text, shown_path(page))
    found = folder_spelling(page.parent)
    pages = tuple(f"{shown_path(other)}:" for other in page.parent.glob("*.md"))
    # A finding on another page is that page's; one on no page (codespell failing) is everyone's.
    mine = [line for line in found if line.startswith(f"{shown_path(page)}:") or not line.startswith(pages)]
    return mine + chinese_in_english_problems(page.read_text(encoding="utf-8"), shown_path(page))
