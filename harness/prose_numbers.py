"""Numbers quoted in prose: each must be one that the site shows where it is checked.

Pages quote printed numbers in sentences, and ``update-outputs`` rewrites the output blocks but
not the sentences. So every number in a page's prose with a decimal point or more than two
digits must appear in what the tests check: a code block of any page (outputs included, includes
expanded), a formula or a file of ``snippets/``; or be a version pinned in
``pyproject.toml`` (or its major.minor), a number in a link target of its page (an issue's
number), or one of the documented constants of ``harness/prose_numbers.toml``, each with its
reason. Prose is a page's text less its code blocks, formulas, HTML tags, link targets,
attribute lists, include lines and figure captions (whose numbers ``tests/test_figures.py``
checks against the figure's data); inline code counts as prose, since it is typed by hand.

Numbers are compared by value (32768 states 32768.0), versions (2.13.0) as written; prose
quotes a number as printed, not rounded.
"""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from functools import cache
from pathlib import Path

from sybil import Document

from harness.examples import fences
from harness.programs import MODULES, ROOT, expand, shown_path, snippet_preprocessor

ALLOWED = ROOT / "harness" / "prose_numbers.toml"
# A number as prose writes it, not the digits of a name (float64, x86_64).
PROSE_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)*(?:e[-+]?\d+)?", re.ASCII)
SOURCE_NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)*(?:e[-+]?\d+)?", re.ASCII)
FORMULA = re.compile(r"\$\$.*?\$\$|(?<![\\$])\$[^$\n]+\$", re.S)
LINK_TARGET = re.compile(r"(?<=\])\([^()\s]*(?:\s+\"[^\"]*\")?\)|https?://[^\s)>]+")
NOT_PROSE = [
    # A figure's caption: tests/test_figures.py checks its numbers against the figure's own data.
    re.compile(r'<figure class="plot".*?</figure>', re.S),
    re.compile(r"<[^<>\n]*>"),  # an HTML tag and its attributes
    LINK_TARGET,
    re.compile(r"\{\s*[#.:][^{}\n]*\}"),  # an attribute list: {#id}, { .class }
    re.compile(r"^[ \t]*-*8<-.*$", re.M),  # an include line
]


def masked(text: str, spans) -> str:
    """The text with each span blanked, line breaks kept (so lines keep their numbers)."""
    for start, end in spans:
        text = text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]
    return text


def prose(text: str, path: str) -> str:
    """A page's text with everything but its prose blanked."""
    text = masked(text, [(fence.start, fence.end) for fence in fences(Document(text, path), path)])
    for pattern in [FORMULA, *NOT_PROSE]:
        text = masked(text, [match.span() for match in pattern.finditer(text)])
    return text


def checked(token: str) -> bool:
    """Whether a number must be one the site shows: a decimal point, or more than two digits."""
    return "." in token or len(token) > 2


def value(token: str) -> Decimal | str:
    return token if token.count(".") > 1 else Decimal(token)


def values(text: str) -> set[Decimal | str]:
    """The numbers a text states; a version's major.minor too (2.13.0 states 2.13)."""
    tokens = SOURCE_NUMBER.findall(text)
    return {value(token) for token in tokens} | {value(token.rsplit(".", 1)[0]) for token in tokens
                                                   if token.count(".") == 2}


def quoted(path: Path) -> list[tuple[int, str]]:
    """(line, number) of every checked number in a page's prose."""
    text = prose(path.read_text(encoding="utf-8"), shown_path(path))
    return [(number, token) for number, line in enumerate(text.split("\n"), start=1)
            for token in PROSE_NUMBER.findall(line) if checked(token)]


# The measurement tables the tools write (tools/lighthouse_results.md, ...): each run rewrites them.
MEASUREMENTS = re.compile(r"_results(\.[a-z]+)?\.(md|txt)")


def shown(path: Path, measurements: bool = True) -> str:
    """What a page shows where the tests check it: its code blocks and includes, expanded, and its
    formulas; without the measurement tables it includes, if asked."""
    text, where = path.read_text(encoding="utf-8"), shown_path(path)
    parts = [match.group() for match in FORMULA.finditer(text)]
    for fence in fences(Document(text, where), where):
        parts += expand(fence.lines, fence.line + 1, where)[0]
    preprocessor = snippet_preprocessor()
    for number, line in enumerate(text.split("\n"), start=1):
        if preprocessor.RE_ALL_SNIPPETS.match(line) and (measurements or not MEASUREMENTS.search(line)):
            parts += expand([line.strip()], number, where)[0]
    return "\n".join(parts)


def allowed(page: Path) -> set[Decimal | str]:
    """The documented constants a page may state (an entry without pages: any page)."""
    entries = tomllib.loads(ALLOWED.read_text(encoding="utf-8"))["number"]
    return {value(entry["number"]) for entry in entries if page.name in entry.get("pages", [page.name])}


def known_on_site(pages: list[Path]) -> set[Decimal | str]:
    """The numbers that these pages and the site show where the tests check them, and the versions it pins."""
    others = sorted(set(pages) - set(site_pages()))
    return set(site_shows()).union(*(values(shown(page)) for page in others))


@cache
def site_shows(measurements: bool = True) -> frozenset[Decimal | str]:
    """The numbers the site's pages, snippets and pins show: read once per run. (A figure's caption
    is checked against its own data by tests/test_figures.py, so prose never needs a figure.)"""
    texts = [shown(page, measurements) for page in site_pages()]
    texts += [path.read_text(encoding="utf-8") for path in sorted(MODULES.glob("*.py"))]
    texts += [pin_lines()]
    return frozenset().union(*map(values, texts))


def pin_lines() -> str:
    """The versions pyproject.toml pins or bounds (torch==2.13.0, requires-python)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return "\n".join([project["requires-python"], *project["dependencies"]])


def known_on_page(page: Path) -> set[Decimal | str]:
    """The numbers only this page's prose may state besides: its link targets' and its allowed constants."""
    return values(" ".join(LINK_TARGET.findall(page.read_text(encoding="utf-8")))) | allowed(page)


def site_pages() -> list[Path]:
    return sorted((ROOT / "docs").glob("**/*.md"))


def unknown(pages: list[Path] | None = None) -> list[str]:
    """For each number quoted in prose (of these pages, or of every page) that the site does not
    show: the page, line and number, and what to do."""
    pages = pages or site_pages()
    site = known_on_site(pages)
    return [f"{shown_path(page)}:{line}: {token} is quoted in prose, but no code block, output, formula or snippet "
            f"of the site shows it: quote the number an output prints (or, for a documented constant, add it to "
            f"{shown_path(ALLOWED)} with its reason)"
            for page in pages for here in [known_on_page(page)]
            for line, token in quoted(page) if value(token) not in site and value(token) not in here]
