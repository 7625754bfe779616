"""Writing quality: Chinese typography (autocorrect) on the zh pages, English spelling (codespell)."""

import re

import autocorrect_py
import codespell_lib
import pytest
import yaml

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


GLOSSARY = yaml.safe_load((ROOT / "tools" / "glossary.yml").read_text(encoding="utf-8"))
FENCE = re.compile(r"\s*(```|~~~)")
NOT_PROSE = [re.compile(pattern) for pattern in (
    r"`[^`]*`", r"“[^“”\u4e00-\u9fff]*”", r"\$[^$]*\$", r"\]\([^)]*\)", r"<[^>]*>", r"\{[#.:][^}]*\}", r"https?://\S+")]


def prose(text, glossary_page=False):
    """(line number, text) for each line a reader reads as prose: the front matter's
    description and the body, without fences, display math, includes, inline code, inline
    math, quotations in English (titles, messages), link targets, HTML tags and attribute
    lists; on the glossary page, without the table's English column."""
    lines = text.splitlines()
    skip_until = "---" if lines and lines[0] == "---" else None
    for number, line in enumerate(lines, 1):
        if number == 1 and skip_until:
            continue
        if skip_until:
            if line.strip().startswith(skip_until):
                skip_until = None
            elif skip_until == "---" and line.startswith("description:"):
                yield number, line.removeprefix("description:")
            continue
        fence = FENCE.match(line)
        if fence or line.strip().startswith("$$"):
            skip_until = fence.group(1) if fence else "$$"
            if line.strip().count("$$") == 2:
                skip_until = None
            continue
        if line.strip().startswith("--8<--"):
            continue
        if glossary_page and line.startswith("| "):
            cells = line.split(" | ")
            line = " | ".join(cells[:1] + cells[2:])
        for pattern in NOT_PROSE:
            line = pattern.sub(" ", line)
        yield number, line


def glossary_problems(text, name):
    """Each place a zh page breaks tools/glossary.yml: an English form bare in prose (allowed
    once per page as a gloss right after the Chinese form), a variant to avoid, or a quotation
    mark other than “”."""
    problems = []
    glossed = set()
    for number, line in prose(text, glossary_page=name.endswith("glossary.md")):
        where = f"{name}:{number}"
        for mark in re.findall("[「」『』]", line):
            problems.append(f"{where}: {mark}: write “” (‘’ inside) as quotation marks")
        for term in GLOSSARY:
            for variant in term.get("avoid", []):
                if variant in line:
                    problems.append(f"{where}: {variant}: write {term['zh']} (tools/glossary.yml)")
            for english in term["en"]:
                gloss = re.compile(rf"{term['zh']}（{re.escape(english)}）", re.I)
                for _ in gloss.finditer(line):
                    if term["zh"] in glossed:
                        problems.append(f"{where}: {term['zh']}（{english}）: gloss the English once per page")
                    glossed.add(term["zh"])
                bare = re.compile(rf"(?<![A-Za-z0-9_.\-(]){re.escape(english)}(?![A-Za-z0-9_\-()]|\.\w)", re.I)  # not in API names
                if bare.search(gloss.sub(" ", line)):
                    problems.append(f"{where}: {english}: write {term['zh']} in Chinese prose, "
                                    f"or {term['zh']}（{english}） the first time (tools/glossary.yml)")
    return problems


@pytest.mark.parametrize("page", ZH_PAGES, ids=lambda p: p.name)
def test_chinese_pages_keep_the_glossary(page):
    assert glossary_problems(page.read_text(encoding="utf-8"), str(page.relative_to(ROOT))) == []


def test_the_glossary_lint_catches_a_bare_term_a_variant_a_second_gloss_and_a_quotation_mark():
    problems = glossary_problems("---\ndescription: 每个 epoch 一次\n---\n\n训练了三个轮次，「好」。\n"
                                 "```python\nfor epoch in range(3): pass\n```\n轮（epoch）与 `epoch`。\n"
                                 "再训练一轮（epoch）。\n模型的state dict。\n", "sample.md")
    assert [problem.split(": ")[:2] for problem in problems] == [
        ["sample.md:2", "epoch"], ["sample.md:5", "「"], ["sample.md:5", "」"], ["sample.md:5", "轮次"],
        ["sample.md:10", "轮（epoch）"], ["sample.md:11", "state dict"]]


def test_the_glossary_page_lists_every_binding_term():
    rows = [line.split(" | ") for line in (ROOT / "docs/zh/glossary.md").read_text(encoding="utf-8").splitlines()
            if line.startswith("| ")]
    listed = {(row[0].removeprefix("| "), row[1]) for row in rows if len(row) > 2}
    missing = [f"{term['zh']} | {term['en'][0]}" for term in GLOSSARY
               if not any(term["zh"] in zh and term["en"][0] == en for zh, en in listed)]
    assert missing == [], "docs/zh/glossary.md has no table row for these terms of tools/glossary.yml"
