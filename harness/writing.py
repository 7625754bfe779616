"""The writing lint of a page: autocorrect (Chinese typography) or codespell (English spelling)."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import autocorrect_py
import codespell_lib

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


def page_problems(page: Path) -> list[str]:
    """The lint that concerns a page of the site: autocorrect for Chinese, codespell for English."""
    if page.parent.name == "zh":
        return typography_problems(page.read_text(encoding="utf-8"), shown_path(page))
    return spelling_problems(page)
