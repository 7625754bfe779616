"""Writing quality: Chinese typography (autocorrect) on the zh pages, English spelling (codespell)."""

import autocorrect_py
import codespell_lib
import pytest

from harness.site_build import ROOT

ZH_PAGES = sorted((ROOT / "docs" / "zh").glob("*.md"))


def typography_problems(text, name):
    return [f"{name}:{line.line}: {line.old.strip()!r} -> {line.new.strip()!r}"
            for line in autocorrect_py.lint_for(text, name).lines]


@pytest.mark.parametrize("page", ZH_PAGES, ids=lambda p: p.name)
def test_chinese_typography(page):
    assert typography_problems(page.read_text(encoding="utf-8"), str(page.relative_to(ROOT))) == []


def test_the_typography_lint_catches_a_missing_space():
    assert typography_problems("学习率为0.1时，调用step()。", "sample.md")


def test_english_spelling(capsys):
    paths = [ROOT / p for p in ("docs/en", "snippets", "tests", "tools", "hooks", "README.md", "mkdocs.yml")]
    status = codespell_lib.main("--skip", "*.png", *map(str, paths))
    assert status == 0, capsys.readouterr().out


def test_the_spelling_check_catches_a_misspelling(tmp_path, capsys):
    sample = tmp_path / "sample.md"
    sample.write_text("The optimizer updates the " + "param" + "ters.\n")  # split: codespell reads this file
    assert codespell_lib.main(str(sample)) != 0
