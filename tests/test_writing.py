"""Writing quality. Each page's own lints (autocorrect and the glossary for zh, codespell for en)
are collected beside its examples by harness.pytest_plugin; here, codespell on the rest of the
repository, and the lints shown to catch what they are for."""

from harness.glossary import GLOSSARY, chinese_in_english_problems, glossary_problems
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


def test_the_glossary_lint_catches_a_bare_term_a_variant_a_second_gloss_and_a_quotation_mark():
    problems = glossary_problems("---\ndescription: 每个 epoch 一次\n---\n\n训练了三个轮次，「好」。\n"
                                 "```python\nfor epoch in range(3): pass\n```\n轮（epoch）与 `epoch`。\n"
                                 "再训练一轮（epoch）。\n模型的state dict。\n", "sample.md")
    assert [problem.split(": ")[:2] for problem in problems] == [
        ["sample.md:2", "epoch"], ["sample.md:5", "「"], ["sample.md:5", "」"], ["sample.md:5", "轮次"],
        ["sample.md:10", "轮（epoch）"], ["sample.md:11", "state dict"]]


def test_the_glossary_binds_the_chinese_an_english_page_quotes():
    problems = chinese_in_english_problems('| epoch | <span lang="zh" data-search-exclude>轮次（epoch）</span> |\n'
                                           '| state dict | <span lang="zh">state dict（状态字典）</span> |\n'
                                           "An epoch, and 轮次 outside a Chinese span.\n", "sample.md")
    assert [problem.split(": ")[:2] for problem in problems] == [
        ["sample.md:1", "轮次"], ["sample.md:1", "epoch"], ["sample.md:2", "state dict"]]


def test_the_glossary_page_lists_every_binding_term():
    rows = [line.split(" | ") for line in (ROOT / "docs/zh/glossary.md").read_text(encoding="utf-8").splitlines()
            if line.startswith("| ")]
    listed = {(row[0].removeprefix("| "), row[1]) for row in rows if len(row) > 2}
    missing = [f"{term['zh']} | {term['en'][0]}" for term in GLOSSARY
               if not any(term["zh"] in zh and term["en"][0] == en for zh, en in listed)]
    assert missing == [], "docs/zh/glossary.md has no table row for these terms of tools/glossary.yml"
