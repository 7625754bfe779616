"""Writing quality. Each page's own lint (autocorrect for zh, codespell for en) is collected
beside its examples by harness.pytest_plugin; here, codespell on the rest of the repository,
and both lints shown to catch what they are for."""

from harness.site_build import ROOT
from harness.writing import spelling_problems, typography_problems


def test_english_spelling_outside_the_pages():
    assert spelling_problems(*(ROOT / p for p in ("snippets", "tests", "tools", "hooks", "harness", "README.md",
                                                  "mkdocs.yml"))) == []


def test_the_typography_lint_catches_a_missing_space():
    assert typography_problems("学习率为0.1时，调用step()。", "sample.md")


def test_the_spelling_check_catches_a_misspelling(tmp_path):
    sample = tmp_path / "sample.md"
    sample.write_text("The optimizer updates the " + "param" + "ters.\n")  # split: codespell reads this file
    [problem] = spelling_problems(sample)
    assert "sample.md:1:" in problem
