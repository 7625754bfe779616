"""The Chinese glossary, binding on every zh page: tools/glossary.yml gives each term's Chinese
form, the English forms allowed only in code or as a one-time gloss, and variants to avoid."""

import re

import yaml

from harness.programs import ROOT

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
            for english, gloss, bare in FORMS[term["zh"]]:
                for _ in gloss.finditer(line):
                    if term["zh"] in glossed:
                        problems.append(f"{where}: {term['zh']}（{english}）: gloss the English once per page")
                    glossed.add(term["zh"])
                if bare.search(gloss.sub(" ", line)):
                    problems.append(f"{where}: {english}: write {term['zh']} in Chinese prose, "
                                    f"or {term['zh']}（{english}） the first time (tools/glossary.yml)")
    return problems


CHINESE_SPAN = re.compile(r'<span lang="zh"[^>]*>(.*?)</span>')


def chinese_in_english_problems(text, name):
    """The same rules for the Chinese an English page shows in <span lang="zh"> (the English
    glossary's Chinese column), each span read at its own line."""
    spans = "\n".join(" ".join(CHINESE_SPAN.findall(line)) for line in text.splitlines())
    return glossary_problems(spans, name)


# For each term, each English form with its gloss after the Chinese form and its bare use
# (not inside an API name such as lr_scheduler.StepLR or optimizer.step).
FORMS = {term["zh"]: [(english, re.compile(rf"{term['zh']}（{re.escape(english)}）", re.I),
                       re.compile(rf"(?<![A-Za-z0-9_.\-(]){re.escape(english)}(?![A-Za-z0-9_\-()]|\.\w)", re.I))
                      for english in term["en"]]
         for term in GLOSSARY}
