"""Sybil parser that executes every python block of a Markdown page exactly as the reader sees it.

A page's fenced blocks are read with Sybil's own fence lexer (so blocks inside tabs and
admonitions are found), and every block is classified by the language of its info string:

* ``python`` (or ``py``, ``python3``, ``py3``), in any info-string form (``python title="..."``,
  ``{.python hl_lines="2"}``, ...): executed in the page's namespace. ``--8<--`` include lines
  are expanded by pymdownx.snippets' own preprocessor, configured from mkdocs.yml, so the code
  executed is byte for byte the code rendered.
* ``output``: what the nearest python block above it prints; the test compares it with the
  captured stdout (trailing spaces ignored, as editors strip them).
* a language in ``NOT_EXECUTED`` (shell commands, config files): shown only.

Anything else (no language, ``pycon``, an unknown one) is a collection error naming the file
and line, so no block can slip past the tests unexecuted.
"""

from __future__ import annotations

import difflib
import io
import linecache
import re
from contextlib import redirect_stdout
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import markdown
import yaml
from sybil import Document, Region
from sybil.parsers.markdown.lexers import RawFencedCodeBlockLexer

ROOT = Path(__file__).resolve().parent.parent

PYTHON = {"python", "py", "python3", "py3"}
OUTPUT = {"output"}
NOT_EXECUTED = {"bash", "console", "shell", "sh", "text", "toml", "yaml", "json", "ini"}

INFO = re.compile(r"(?P<info>[^\n]*)\n")
FENCE_LINE = re.compile(r"\s*(`{3,}|~{3,})")
CLASS_LANGUAGE = re.compile(r"^\{\s*\.([\w+-]+)")


class DocExampleError(Exception):
    """A page the doc tests cannot execute faithfully; the message names file and line."""


@dataclass
class Origin:
    """Where one executed line comes from, for tracebacks and failure messages."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class CodeBlock:
    code: str
    origins: list[Origin]
    expected_output: str | None = None
    output_origin: Origin | None = None
    printed: str | None = None  # what the last run printed, for the determinism check


def fence_language(info: str) -> str:
    """The language of a fence's info string: ``python title="x"`` or ``{.python ...}``."""
    info = info.strip()
    match = CLASS_LANGUAGE.match(info)
    if match:
        return match.group(1).lower()
    return info.split(maxsplit=1)[0].lower() if info and not info.startswith("{") else ""


class _IgnoreTagsLoader(yaml.SafeLoader):
    """mkdocs.yml may hold !!python/name tags; only plain settings are read here."""


_IgnoreTagsLoader.add_multi_constructor("", lambda loader, suffix, node: None)


@cache
def snippet_preprocessor():
    """pymdownx.snippets' preprocessor with the options mkdocs.yml gives it."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), _IgnoreTagsLoader)
    options = {}
    for entry in config["markdown_extensions"]:
        if isinstance(entry, dict) and "pymdownx.snippets" in entry:
            options = dict(entry["pymdownx.snippets"] or {})
    options["base_path"] = [str(ROOT / base) for base in options.get("base_path", ["."])]
    md = markdown.Markdown(extensions=["pymdownx.snippets"], extension_configs={"pymdownx.snippets": options})
    return md.preprocessors["snippet"]


def expand(lines: list[str], first_line: int, path: str) -> tuple[list[str], list[Origin]]:
    """Expand ``--8<--`` includes in a block's lines as the site build does.

    Returns the expanded lines and, for each one, the file and line it comes from.
    """
    preprocessor = snippet_preprocessor()
    try:
        whole = preprocessor.run(list(lines))
    except Exception as error:  # SnippetMissingError, OSError: report where the include is
        raise DocExampleError(f"{path}:{first_line}: include failed: {error}") from error

    expanded: list[str] = []
    origins: list[Origin] = []
    for offset, line in enumerate(lines):
        here = Origin(path, first_line + offset)
        match = preprocessor.RE_ALL_SNIPPETS.match(line)
        if not match or match.group("escape"):
            kept = preprocessor.run([line])  # a section marker typed in the page disappears
            expanded.extend(kept)
            origins.extend([here] * len(kept))
            continue
        if not match.group("inline_marker"):
            raise DocExampleError(f"{here}: use one-line includes (--8<-- \"file.py:section\") in code blocks")
        included = preprocessor.run([line])
        target = preprocessor.parse_snippet_target(match.group("snippet")[1:-1].strip())
        origins.extend(trace_lines(included, target, here))
        expanded.extend(included)
    if expanded != whole:
        raise DocExampleError(f"{path}:{first_line}: includes expand differently line by line; simplify the block")
    return expanded, origins


def trace_lines(included: list[str], target: dict, include_origin: Origin) -> list[Origin]:
    """Find each included line in its source file: in order, from the section or range start."""
    source = Path(snippet_preprocessor().get_snippet_path(target["path"]))
    relative = source.relative_to(ROOT).as_posix()
    file_lines = source.read_text(encoding="utf-8").split("\n")
    cursor = 0
    if target["section"]:
        cursor = next(i for i, line in enumerate(file_lines) if f"[start:{target['section']}]" in line)
    elif target["start"]:
        cursor = target["start"][0] or 0
    origins = []
    for line in included:
        for index in range(cursor, len(file_lines)):
            if file_lines[index].strip() == line.strip():
                origins.append(Origin(relative, index + 1))
                cursor = index + 1
                break
        else:
            origins.append(include_origin)
    return origins


def shown_path(path: Path) -> str:
    """A path as messages show it: relative to the repository when it is inside it."""
    path = path.resolve()
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def fence_lines(fence: str, where: str) -> list[str]:
    """The lines between a fence's opening and closing lines, less the fence's own indentation.

    Like pymdownx.superfences, and unlike Sybil's lexer, this keeps indentation inside the
    block: the executed code and the checked output are exactly what the page shows.
    """
    lines = fence.split("\n")
    opening = lines[0]
    marker = re.match(r"[ \t>*+\-\d.)]*?(`{3,}|~{3,})", opening)
    if len(lines) < 2 or not lines[-1].strip().startswith(marker.group(1)):
        raise DocExampleError(f"{where}: code block is never closed")
    indent = marker.start(1)
    return [line[indent:] for line in lines[1:-1]]


class DocExampleParser:
    """Yields one Sybil region per python block (with its output block, if any)."""

    lexer = RawFencedCodeBlockLexer(info_pattern=INFO)

    def __call__(self, document: Document):
        path = shown_path(Path(document.path))
        self.check_includes_outside_fences(document, path)
        pending: tuple[Region, CodeBlock] | None = None
        for lexed in self.lexer(document):
            start_line = document.text.count("\n", 0, lexed.start) + 1
            language = fence_language(lexed.lexemes["info"])
            lines = fence_lines(document.text[lexed.start : lexed.end], f"{path}:{start_line}")
            if language in PYTHON:
                if pending:
                    yield pending[0]
                code_lines, origins = expand(lines, start_line + 1, path)
                block = CodeBlock("\n".join(code_lines) + "\n", origins)
                pending = (Region(lexed.start, lexed.end, block, evaluate_block), block)
            elif language in OUTPUT:
                if pending is None or pending[1].expected_output is not None:
                    raise DocExampleError(f"{path}:{start_line}: output block without a python block above it")
                region, block = pending
                output_lines, _ = expand(lines, start_line + 1, path)
                block.expected_output = "\n".join(output_lines)
                block.output_origin = Origin(path, start_line)
                region.end = lexed.end
            elif language not in NOT_EXECUTED:
                what = f"language {language!r}" if language else "no language"
                raise DocExampleError(
                    f"{path}:{start_line}: code block with {what}; the doc tests execute "
                    f"{sorted(PYTHON)} blocks, check {sorted(OUTPUT)} blocks and show only "
                    f"{sorted(NOT_EXECUTED)}"
                )
        if pending:
            yield pending[0]

    def check_includes_outside_fences(self, document: Document, path: str) -> None:
        """An include outside a fence may bring in text (a table), but never a code block."""
        inside = [(region.start, region.end) for region in self.lexer(document)]
        preprocessor = snippet_preprocessor()
        position = 0
        for number, line in enumerate(document.text.split("\n"), start=1):
            match = preprocessor.RE_ALL_SNIPPETS.match(line)
            if match and not match.group("escape") and not any(a <= position < b for a, b in inside):
                included, _ = expand([line], number, path)
                if any(FENCE_LINE.match(text) for text in included):
                    raise DocExampleError(f"{path}:{number}: --8<-- include outside a code block brings in a code block")
            position += len(line) + 1


def evaluate_block(example) -> str | None:
    """Run a block in the page namespace; compare what it prints with the page's output block."""
    __tracebackhide__ = True
    block: CodeBlock = example.parsed
    filename = f"{example.path}:{example.line}"
    # Register the source so tracebacks show the executed lines.
    linecache.cache[filename] = (len(block.code), None, block.code.splitlines(True), filename)
    captured = io.StringIO()
    try:
        with redirect_stdout(captured):
            exec(compile(block.code, filename, "exec"), example.namespace)
    except BaseException as error:
        line = failing_line(error, filename)
        if line is not None and 0 < line <= len(block.origins):
            error.add_note(f"failing line comes from {block.origins[line - 1]}")
        raise
    printed = block.printed = captured.getvalue()
    if block.expected_output is None:
        if printed:
            return f"the block printed output that the page does not show:\n{printed}"
        return None
    want, got = normalise(block.expected_output), normalise(printed)
    if want != got:
        diff = "\n".join(
            difflib.unified_diff(want.split("\n"), got.split("\n"), "shown on the page", "printed", lineterm="")
        )
        return f"output block at {block.output_origin} does not match what the code printed:\n{diff}"
    return None


def normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.rstrip("\n").split("\n"))


def failing_line(error: BaseException, filename: str) -> int | None:
    line = None
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    if line is None and isinstance(error, SyntaxError) and error.filename == filename:
        line = error.lineno
    return line

