"""Both languages show the same: a page's structure read straight from its Markdown.

The English and Chinese files of a page must hold the same code blocks (python fences with
the same includes or code, output and shown-only fences with the same text), the same
headings (level and explicit id), formulas (the same TeX), admonitions, figures and API
references, in the same order. Prose differs; everything a reader could compare does not.
A difference is reported in the source's terms: what is missing, the English file and line
and the heading it sits under, and where in the other file it belongs.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from sybil import Document

from harness.examples import OUTPUT, PYTHON, fences
from harness.programs import counterpart, shown_path

HEADING = re.compile(r"(?P<hashes>#{1,6})\s+(?P<title>.*?)\s*(?:\{[^}]*#(?P<id>[\w-]+)[^}]*\})?\s*$")
ADMONITION = re.compile(r"\s*(?:!!!|\?\?\?\+?)\s+(?P<name>[\w-]+)")
FIGURE = re.compile(r'data-plot="(?P<name>[^"]+)"')
API = re.compile(r"\s*:::\s+(?P<name>\S+)")
INLINE_CODE = re.compile(r"(`+).+?\1")
# arithmatex's inline rule: no space just inside the dollars, no digit right after the closing one.
INLINE_MATH = re.compile(r"(?<![\\$])\$(?![\s$])(?P<tex>.+?)(?<![\s\\])\$(?!\d)")


@dataclass(frozen=True)
class Part:
    """One thing a reader sees that must be the same in both languages."""

    kind: str  # "python block", "output block", "heading", "formula", ...
    key: str  # what must be equal
    line: int  # in its file
    last: int  # its last line (a fence's closing line)
    text: str  # its first line in the file, as messages quote it
    heading: str  # the heading it sits under, with its line ("" before the first one)

    def describe(self) -> str:
        return f"{self.kind} {self.text!r}"


def parts(text: str, path: str) -> list[Part]:
    """Everything of a page that both languages must show alike, in page order."""
    found: list[tuple[str, str, int, int, str]] = []
    fenced: list[tuple[int, int]] = []
    for fence in fences(Document(text, path), path):
        kind = ("python block" if fence.language in PYTHON else "output block" if fence.language in OUTPUT
                else f"{fence.language or 'unlabelled'} block")
        key = "\n".join(fence.lines) if fence.language in PYTHON else "\n".join([fence.language, *fence.lines])
        last = fence.line + len(fence.lines) + 1
        found.append((kind, key, fence.line, last, next((line for line in fence.lines if line.strip()), "")))
        fenced.append((fence.line, last))
    lines = text.split("\n")
    in_front_matter = lines[:1] == ["---"]
    formula: list[str] | None = None
    for number, line in enumerate(lines, start=1):
        if in_front_matter:
            in_front_matter = number == 1 or line != "---"
            continue
        if any(first <= number <= last for first, last in fenced):
            continue
        if formula is not None:  # inside a $$ block
            if line.strip() == "$$":
                tex = "\n".join(formula).strip()
                found.append(("formula", tex, start, number, tex.split("\n", 1)[0]))
                formula = None
            else:
                formula.append(line)
            continue
        if line.strip() == "$$":
            formula, start = [], number
            continue
        if heading := HEADING.match(line):
            level = len(heading.group("hashes"))
            found.append(("heading", f"h{level} #{heading.group('id')}" if level > 1 else "h1", number, number,
                          line.strip()))
            continue
        for pattern, kind in ((ADMONITION, "admonition"), (API, "API reference")):
            if match := pattern.match(line):
                found.append((kind, match.group("name"), number, number, line.strip()))
        found.extend(("figure", match.group("name"), number, number, line.strip()) for match in FIGURE.finditer(line))
        prose = INLINE_CODE.sub("", line)
        found.extend(("formula", match.group("tex").strip(), number, number, f"${match.group('tex')}$")
                     for match in INLINE_MATH.finditer(prose))
    found.sort(key=lambda part: part[2])
    result, heading = [], ""
    for kind, key, number, last, first in found:
        result.append(Part(kind, key, number, last, first, heading))
        if kind == "heading":
            heading = f"{first!r} (line {number})"
    return result


def differences(en: Path, zh: Path) -> list[str]:
    """What the Chinese file of a page shows differently from the English one, in source terms."""
    if not zh.is_file() or not en.is_file():
        missing, present = (zh, en) if en.is_file() else (en, zh)
        return [f"{shown_path(present)} has no counterpart: write {shown_path(missing)} with the same code "
                f"blocks, headings, formulas and figures"]
    en_name, zh_name = shown_path(en), shown_path(zh)
    ours, theirs = (parts(page.read_text(encoding="utf-8"), shown_path(page)) for page in (en, zh))
    matcher = difflib.SequenceMatcher(None, [(p.kind, p.key) for p in ours], [(p.kind, p.key) for p in theirs],
                                      autojunk=False)
    problems = []
    for tag, a, b, c, d in matcher.get_opcodes():
        if tag == "equal":
            continue
        where = f"before {zh_name}:{theirs[0].line}" if theirs else f"in {zh_name}"
        if c:
            previous = theirs[c - 1]
            where = f"after {zh_name}:{previous.last}, the end of the {previous.describe()}" + (
                f", under {previous.heading}" if previous.kind != "heading" and previous.heading else "")
        for index, part in enumerate(ours[a:b]):
            shown = f"{part.describe()} that {en_name}:{part.line} shows" + (
                f" under {part.heading}" if part.heading else "")
            if tag == "replace" and c + index < d:
                other = theirs[c + index]
                problems.append(f"{zh_name}:{other.line}: the {other.describe()} stands where the {shown}: "
                                f"make the two the same")
            else:
                problems.append(f"{zh_name}: missing the {shown}; add it "
                                + (f"right after that {ours[a + index - 1].kind}" if index else where))
        for part in theirs[c + (b - a if tag == "replace" else 0):d]:
            before = (f"after {en_name}:{ours[a - 1].last}, the end of the {ours[a - 1].describe()}" if a
                      else f"in {en_name}")
            problems.append(f"{zh_name}:{part.line}: the {part.describe()} is not in {en_name}: add it "
                            f"there ({before}) or remove it here")
    return problems

