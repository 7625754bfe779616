"""Sybil parser: every python block of a page runs alone, exactly as its copy button yields it.

A page's fenced blocks are read with Sybil's own fence lexer (so blocks inside tabs and
admonitions are found), and every block is classified by the language of its info string:

* ``python`` (or ``py``, ``python3``, ``py3``), in any info-string form (``python title="..."``,
  ``{.python hl_lines="2"}``, ...): its complete program (``harness.programs``: the setup its
  sections declare, then the code shown, includes expanded by pymdownx.snippets itself) runs
  in a fresh process forked from a server that has only imported torch
  (``harness.standalone``), with only the project files it imports beside it.
* ``output``: what the nearest python block above it prints; the test compares it with the
  captured stdout line by line, blank lines included (trailing spaces are ignored: a reader
  cannot see them and editors strip them). A page cannot show a trailing blank line, so a
  program whose output ends with one fails. A program that writes to
  stderr (a warning, say) fails: the reader would see text the page does not show.
* ``timing``: an ``output`` block that shows measured times, which differ from run to run. Its
  program also runs under two made-up clocks (``harness.standalone``); the numbers that differ
  between those two runs are the measured ones, and each of them matches any number. Everything
  else is compared exactly. A program that prints the same under both clocks measures nothing,
  and its ``timing`` block fails.
* a language in ``NOT_EXECUTED`` (shell commands, config files): shown only.

Anything else (no language, ``pycon``, an unknown one) is a collection error naming the file
and line, so no block can slip past the tests unexecuted.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

from sybil import Document, Region
from sybil.parsers.markdown.lexers import RawFencedCodeBlockLexer

from harness.programs import (
    MODULES,
    ROOT,
    DocExampleError,
    Origin,
    Program,
    counterpart,
    expand,
    missing_name_hint,
    program,
    shown_path,
    snippet_preprocessor,
)
from harness.standalone import CLOCKS, Result, Runner, shared_runner

__all__ = ["ROOT", "DocExampleError", "CodeBlock", "DocExampleParser", "read_blocks", "fence_language"]

PYTHON = {"python", "py", "python3", "py3"}
OUTPUT = {"output", "timing"}
TIMING = "timing"
MISSING_NAME = re.compile(r"NameError: name '(\w+)' is not defined")
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?")
NOT_EXECUTED = {"bash", "console", "shell", "sh", "text", "toml", "yaml", "json", "ini"}

INFO = re.compile(r"(?P<info>[^\n]*)\n")
FENCE_LINE = re.compile(r"\s*(`{3,}|~{3,})")
CLASS_LANGUAGE = re.compile(r"^\{\s*\.([\w+-]+)")
LEXER = RawFencedCodeBlockLexer(info_pattern=INFO)


@dataclass
class Fence:
    """One fenced block of a page: where it is and what it holds."""

    start: int  # offsets of the whole fence in the page text
    end: int
    line: int  # of the opening fence line
    indent: str  # the fence's own indentation, which its lines share
    language: str
    lines: list[str]  # between the fence lines, less the indentation


@dataclass
class CodeBlock:
    """A python block, its program and the output block that follows it, if any."""

    fence: Fence
    program: Program
    path: str  # the page, as messages show it
    output: Fence | None = None
    expected_output: str | None = None
    printed: str | None = None  # what the last run printed, for the determinism check

    @property
    def code(self) -> str:
        return self.program.code

    @property
    def origin(self) -> Origin:
        return Origin(self.path, self.fence.line)

    @property
    def output_origin(self) -> Origin | None:
        return Origin(self.path, self.output.line) if self.output else None


def fence_language(info: str) -> str:
    """The language of a fence's info string: ``python title="x"`` or ``{.python ...}``."""
    info = info.strip()
    match = CLASS_LANGUAGE.match(info)
    if match:
        return match.group(1).lower()
    return info.split(maxsplit=1)[0].lower() if info and not info.startswith("{") else ""


def fences(document: Document, path: str):
    for lexed in LEXER(document):
        line = document.text.count("\n", 0, lexed.start) + 1
        text = document.text[lexed.start : lexed.end]
        lines = text.split("\n")
        marker = re.match(r"[ \t>*+\-\d.)]*?(`{3,}|~{3,})", lines[0])
        if len(lines) < 2 or not lines[-1].strip().startswith(marker.group(1)):
            raise DocExampleError(f"{path}:{line}: code block is never closed")
        # Like pymdownx.superfences, and unlike Sybil's lexer, keep indentation inside the block:
        # the executed code and the checked output are exactly what the page shows.
        indent = lines[0][: marker.start(1)]
        yield Fence(lexed.start, lexed.end, line, indent, fence_language(lexed.lexemes["info"]),
                    [text_line[len(indent):] for text_line in lines[1:-1]])


def read_blocks(text: str, page: Path | str) -> list[CodeBlock]:
    """Every python block of a page (with its output block), in page order."""
    document = Document(text, str(page))
    path = shown_path(page)
    check_includes_outside_fences(document, path)
    blocks: list[CodeBlock] = []
    for fence in fences(document, path):
        if fence.language in PYTHON:
            blocks.append(CodeBlock(fence, program(fence.lines, fence.line + 1, path), path))
        elif fence.language in OUTPUT:
            if not blocks or blocks[-1].output is not None:
                raise DocExampleError(f"{path}:{fence.line}: output block without a python block above it")
            output_lines, _ = expand(fence.lines, fence.line + 1, path)
            blocks[-1].output = fence
            blocks[-1].expected_output = "\n".join(output_lines)
        elif fence.language not in NOT_EXECUTED:
            what = f"language {fence.language!r}" if fence.language else "no language"
            raise DocExampleError(
                f"{path}:{fence.line}: code block with {what}; the doc tests execute "
                f"{sorted(PYTHON)} blocks, check {sorted(OUTPUT)} blocks and show only "
                f"{sorted(NOT_EXECUTED)}"
            )
    return blocks


def check_includes_outside_fences(document: Document, path: str) -> None:
    """An include outside a fence may bring in text (a table), but never a code block."""
    inside = [(region.start, region.end) for region in LEXER(document)]
    preprocessor = snippet_preprocessor()
    position = 0
    for number, line in enumerate(document.text.split("\n"), start=1):
        match = preprocessor.RE_ALL_SNIPPETS.match(line)
        if match and not match.group("escape") and not any(a <= position < b for a, b in inside):
            included, _ = expand([line], number, path)
            if any(FENCE_LINE.match(text) for text in included):
                raise DocExampleError(f"{path}:{number}: --8<-- include outside a code block brings in a code block")
        position += len(line) + 1


class DocExampleParser:
    """Yields one Sybil region per python block (with its output block, if any)."""

    def __call__(self, document: Document):
        for block in read_blocks(document.text, document.path):
            end = block.output.end if block.output else block.fence.end
            yield Region(block.fence.start, end, block, evaluate_block)


def run_key(block: CodeBlock) -> str:
    """Blocks that copy the same program with the same files (an English block and its Chinese
    twin) share one run: its output is compared with each page's output block."""
    return hashlib.sha256("\0".join([block.program.copied, *block.program.modules]).encode()).hexdigest()


def submit(block: CodeBlock, runner: Runner | None = None, key: str | None = None,
           timeout: float | None = None) -> None:
    """Start the block's copied program alone, with only the project files it imports beside it
    (and, for a timing block, under each made-up clock as well)."""
    runner, key = runner or shared_runner(), key or run_key(block)
    files = [MODULES / m for m in block.program.modules]
    runner.submit(key, block.program.copied, files, timeout)
    if is_timing(block):
        for clock in CLOCKS:
            runner.submit(f"{key} under clock {clock}", block.program.copied, files, timeout, clock=clock)


def collect(block: CodeBlock, runner: Runner | None = None, key: str | None = None) -> Result:
    """The result of a submitted block, with its runs under the made-up clocks for a timing block."""
    runner, key = runner or shared_runner(), key or run_key(block)
    result = runner.result(key)
    if is_timing(block):
        result.clocked = [runner.result(f"{key} under clock {clock}") for clock in CLOCKS]
    return result


def run_alone(block: CodeBlock) -> Result:
    submit(block)  # unless it was submitted ahead
    return collect(block)


def is_timing(block: CodeBlock) -> bool:
    return block.output is not None and block.output.language == TIMING


def measured(block: CodeBlock, result: Result) -> set[tuple[int, int]]:
    """Where a timing block's measured numbers are: (line, place among the line's numbers) of each
    number that its program prints differently under the two made-up clocks."""
    runs = result.clocked
    for clock, run in zip(CLOCKS, runs):
        if run.error or run.stderr:
            raise DocExampleError(f"the copied program of the timing block at {block.origin} fails under made-up "
                                  f"clock {clock} (which tells its measured numbers):\n{run.error or run.stderr}")
    first, second = (printed_lines(run.stdout) for run in runs)
    if [NUMBER.split(line) for line in first] != [NUMBER.split(line) for line in second]:
        raise DocExampleError(f"the block at {block.origin} prints other lines or words, not only other numbers, "
                              f"when its clock changes: print the same words whatever the times are, so that they can be checked")
    places = {(row, place) for row, (a, b) in enumerate(zip(first, second))
              for place, (x, y) in enumerate(zip(NUMBER.findall(a), NUMBER.findall(b))) if x != y}
    if not places:
        raise DocExampleError(
            f"the block at {block.output_origin} is a timing block, but its program prints the same whatever "
            f"time.perf_counter says, so nothing it shows is measured: make it an output block (or measure "
            f"with time.perf_counter, timeit or torch.utils.benchmark)")
    return places


def failure_of(block: CodeBlock, result: Result) -> str | None:
    """Why the block's run does not match its page, or None when it does (a timing block's result
    holds its runs under the made-up clocks: ``collect``)."""
    if result.error:
        where = ""
        origins = block.program.origins
        if result.line and 0 < result.line <= len(origins):
            where = f" (line {result.line} of the copied program, from {origins[result.line - 1]})"
        missing = MISSING_NAME.match(result.error)
        hint = missing_name_hint(missing.group(1), block.program, result.line) if missing else ""
        return (f"the copied program of the block at {block.origin} fails when run alone{where}:\n"
                f"{result.error}\n\n{result.traceback or ''}{result.stderr}{hint}")
    if result.stderr:
        return (f"the copied program of the block at {block.origin} writes to stderr, which the page "
                f"does not show:\n{result.stderr}")
    if block.expected_output is None:
        if result.stdout:
            return f"the block at {block.origin} printed output that the page does not show:\n{result.stdout}"
        return None
    source = f"printed by {', '.join(block.program.sections) or block.origin}"
    want, got = shown_lines(block.expected_output), printed_lines(result.stdout)
    if is_timing(block):
        try:
            places = measured(block, result)
        except DocExampleError as error:
            return str(error)
        want, got = masked(want, places), masked(got, places)
    if got and got[-1] == "":
        return (f"the block at {block.origin} ({source}) prints a blank last line, which a page cannot show "
                f"(superfences drops a fence's trailing blank lines): print nothing after the last line")
    if want != got:
        diff = "\n".join(difflib.unified_diff(want, got, "shown on the page", "printed", lineterm=""))
        return (f"output block at {block.output_origin} does not match what was {source}:\n{diff}\n"
                f"To show what it prints now, run: {update_command(block.path)}")
    return None


def update_command(page: str) -> str:
    """The command that rewrites a page's output blocks, with its other language's page."""
    other = counterpart(ROOT / page)
    pages = [page, *([shown_path(other)] if other and other.exists() else [])]
    return f"python3 tools/dev.py update-outputs {' '.join(pages)}"


def masked(lines: list[str], places: set[tuple[int, int]]) -> list[str]:
    """Lines with the numbers at the given places (``measured``) replaced: they differ from run to run."""
    def line_masked(row: int, line: str) -> str:
        place = itertools.count()
        return NUMBER.sub(lambda number: "<measured>" if (row, next(place)) in places else number.group(), line)

    return [line_masked(row, line) for row, line in enumerate(lines)]


def shown_lines(text: str) -> list[str]:
    """An output block's lines as the reader sees them (trailing spaces are invisible, and
    editors strip them)."""
    return [line.rstrip() for line in text.split("\n")]


def printed_lines(text: str) -> list[str]:
    """What a program printed, line by line: every line, blank ones included."""
    return [line.rstrip() for line in text.removesuffix("\n").split("\n")] if text else []


def evaluate_block(example) -> str | None:
    block: CodeBlock = example.parsed
    result = run_alone(block)
    block.printed = result.stdout
    failure = failure_of(block, result)
    record(block, failure is None)
    return failure


RUNS: dict[str, dict[str, bool]] = {}  # language folder -> block origin -> ran alone as shown


def record(block: CodeBlock, passed: bool) -> None:
    parts = Path(block.path).parts
    if len(parts) > 2 and parts[0] == "docs":  # a page of the site, not a test's fixture
        RUNS.setdefault(parts[1], {})[str(block.origin)] = passed

