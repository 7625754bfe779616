"""Complete programs: what a python block's copy button yields, and what the tests run alone.

A page's python block shows snippet sections (``--8<-- "file.py:section"``). A section that
does not run on its own declares, on its start marker, the sections that must run first:

    # --8<-- [start:in_place] setup: after_one_step, other_file.py:model

Setup sections are ordinary sections of ``snippets/``; they print nothing and are shown on
demand in the block's setup toggle. A block's program is its setup (resolved transitively,
each section once, dependencies first, less the sections the block itself shows), then the
block's code. Project modules that the program imports (files in ``snippets/``) are listed,
so that the page links them and the standalone run puts exactly those files beside it.

This module does not import torch: the site build uses it too.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import markdown
import yaml

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "snippets"  # where a program's `import name` may find a project module
SETUP = re.compile(r"setup:\s*(?P<names>\S.*)$")
LANGUAGES = ("en", "zh")  # the folders of docs/, one per language
ANNOTATION = re.compile(r"[ \t]*# \(\d+\)!$")  # Material's code-annotation marker


class DocExampleError(Exception):
    """A page or snippet the doc tests cannot execute faithfully; the message names file and line."""


@dataclass(frozen=True)
class Origin:
    """Where one line of a program comes from, for tracebacks and failure messages."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class Program:
    """A python block as the reader copies it: setup lines, then the lines the page shows."""

    shown: list[str]
    shown_origins: list[Origin]
    setup: list[str] = field(default_factory=list)
    setup_origins: list[Origin] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)  # file names in snippets/, e.g. "reference_optim.py"
    sections: list[str] = field(default_factory=list)  # "file.py:name" of the setup, then of the code shown

    @property
    def code(self) -> str:
        """The code the page shows in the block."""
        return "\n".join(self.shown) + "\n"

    @property
    def copied(self) -> str:
        """What the copy button yields: setup and shown code, annotation markers removed.

        Material trims the end of what it copies, so this has no final newline.
        """
        lines = [*self.setup, *[""] * self.gap, *self.shown]
        return "\n".join(ANNOTATION.sub("", line) for line in lines).rstrip()

    @property
    def gap(self) -> int:
        """Blank lines between the setup and the code shown."""
        return blank_lines_between(self.setup, self.shown) if self.setup else 0

    @property
    def origins(self) -> list[Origin]:
        """For each line of `copied`, where it comes from."""
        return [*self.setup_origins, *self.shown_origins[:1] * self.gap, *self.shown_origins]


def blank_lines_between(before: list[str], after: list[str]) -> int:
    """Where two parts of a program meet: two blank lines around a definition (PEP 8), else one."""
    last = next((line for line in reversed(before) if line.strip()), "")
    first = next((line for line in after if line.strip()), "")
    return 2 if last[:1].isspace() or first.startswith(("def ", "class ", "async def ", "@")) else 1


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


def shown_path(path: Path | str) -> str:
    """A path as messages show it: relative to the repository when it is inside it."""
    path = Path(path).resolve()
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def counterpart(page: Path) -> Path | None:
    """The other language's file of a page of the site, or None for a file outside docs/<language>/."""
    page = page.resolve()
    if page.parent.parent != ROOT / "docs" or page.parent.name not in LANGUAGES:
        return None
    other = LANGUAGES[1 - LANGUAGES.index(page.parent.name)]
    return ROOT / "docs" / other / page.name


def expand(lines: list[str], first_line: int, path: str) -> tuple[list[str], list[Origin]]:
    """Expand ``--8<--`` includes in a block's lines as the site build does.

    Returns the expanded lines and, for each one, the file and line it comes from.
    """
    preprocessor = snippet_preprocessor()
    try:
        whole = preprocessor.run(list(lines))
    except Exception as error:  # SnippetMissingError, OSError: report where the include is
        raise DocExampleError(f"{path}:{first_line}: include failed: {error}{searched(lines)}") from error

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


def snippet_file(name: str) -> Path:
    return Path(snippet_preprocessor().get_snippet_path(name) or name)


def snippet_folders() -> str:
    """The folders includes are looked up in (pymdownx.snippets' base_path), as messages show them."""
    return ", ".join(f"{shown_path(folder)}/" for folder in snippet_preprocessor().base_path)


def searched(lines: list[str]) -> str:
    """Where a failed include looked: the folders, and the sections of the file it named."""
    notes = []
    for key in included_sections(lines):
        file = key.rpartition(":")[0]
        path = snippet_file(file)
        if path.is_file():
            names = ", ".join(_sections(path, path.stat().st_mtime_ns, file)) or "none"
            notes.append(f"{shown_path(path)} has the sections: {names}")
    return f" (looked in {snippet_folders()}{'; ' if notes else ''}{'; '.join(notes)})"


def trace_lines(included: list[str], target: dict, include_origin: Origin) -> list[Origin]:
    """Find each included line in its source file: in order, from the section or range start."""
    source = snippet_file(target["path"])
    relative = shown_path(source)
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


@dataclass(frozen=True)
class Section:
    """A named section of a snippet file and the setup its start marker declares."""

    file: str  # as includes name it, e.g. "step_basics.py"
    name: str
    setup: tuple[str, ...]  # "file.py:name" keys
    origin: Origin  # the start marker

    @property
    def key(self) -> str:
        return f"{self.file}:{self.name}"


def sections_of(file: str, where: Origin) -> dict[str, Section]:
    path = snippet_file(file)
    if not path.is_file():
        raise DocExampleError(f"{where}: setup names a missing file {file!r} (looked in {snippet_folders()})")
    return _sections(path, path.stat().st_mtime_ns, file)


@cache
def _sections(path: Path, _mtime: int, file: str) -> dict[str, Section]:
    preprocessor = snippet_preprocessor()
    sections = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        match = preprocessor.match_section(line)
        if not match or match.group("escape") or match.group("type") != "start":
            continue
        origin = Origin(shown_path(path), number)
        post = match.group("post").strip()
        declared = SETUP.match(post)
        if post and not declared:
            raise DocExampleError(f"{origin}: unknown text after the section marker: {post!r} "
                                  f"(write `setup: name, other_file.py:name`)")
        names = [n.strip() for n in declared.group("names").split(",")] if declared else []
        setup = tuple(n if ":" in n else f"{file}:{n}" for n in names if n)
        sections[match.group("name")] = Section(file, match.group("name"), setup, origin)
    return sections


def section(key: str, where: Origin) -> Section:
    file, _, name = key.rpartition(":")
    sections = sections_of(file, where)
    if name not in sections:
        raise DocExampleError(f"{where}: setup names a missing section {key!r} "
                              f"({shown_path(snippet_file(file))} has the sections: {', '.join(sections) or 'none'})")
    return sections[name]


def setup_keys(shown: list[str], where: Origin) -> list[str]:
    """The setup sections a block needs, dependencies first, each once, none it shows itself."""
    order: list[str] = []
    visiting: list[str] = []

    def visit(key: str, declared_at: Origin) -> None:
        if key in order:
            return
        if key in visiting:
            cycle = " -> ".join([*visiting[visiting.index(key):], key])
            raise DocExampleError(f"{declared_at}: setup sections depend on each other in a cycle: {cycle}")
        found = section(key, declared_at)
        visiting.append(key)
        for dependency in found.setup:
            visit(dependency, found.origin)
        visiting.pop()
        order.append(key)

    for key in shown:
        found = section(key, where)
        for dependency in found.setup:
            visit(dependency, found.origin)
    return [key for key in order if key not in shown]


def included_sections(lines: list[str]) -> list[str]:
    """The ``file.py:section`` keys a block's include lines name, in order."""
    preprocessor = snippet_preprocessor()
    keys = []
    for line in lines:
        match = preprocessor.RE_ALL_SNIPPETS.match(line)
        if match and not match.group("escape") and match.group("inline_marker"):
            target = preprocessor.parse_snippet_target(match.group("snippet")[1:-1].strip())
            if target["section"]:
                keys.append(f"{target['path']}:{target['section']}")
    return keys


def program(lines: list[str], first_line: int, path: str) -> Program:
    """The complete program of a python block whose raw lines (before includes) start at first_line."""
    shown, shown_origins = expand(lines, first_line, path)
    where = Origin(path, first_line)
    setup: list[str] = []
    setup_origins: list[Origin] = []
    keys = setup_keys(included_sections(lines), where)
    for key in keys:
        text, origins = expand([f'--8<-- "{key}"'], section(key, where).origin.line, section(key, where).origin.path)
        while text and not text[-1].strip():
            text, origins = text[:-1], origins[:-1]
        if setup:
            gap = blank_lines_between(setup, text)
            setup.extend([""] * gap)
            setup_origins.extend(origins[:1] * gap)
        setup.extend(text)
        setup_origins.extend(origins)
    result = Program(shown, shown_origins, setup, setup_origins, sections=[*keys, *included_sections(lines)])
    result.modules = project_modules(result.copied)
    return result


def project_modules(code: str) -> list[str]:
    """Files of snippets/ that the code imports, directly or through another of them."""
    found: list[str] = []
    pending = [code]
    while pending:
        try:
            tree = ast.parse(pending.pop())
        except SyntaxError:
            continue  # the run reports it, with its line
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                file = f"{name.split('.')[0]}.py"
                if (MODULES / file).is_file() and file not in found:
                    found.append(file)
                    pending.append((MODULES / file).read_text(encoding="utf-8"))
    return found


def example_files(programs: list[Program]) -> list[str]:
    """What a page offers for download: the snippet files its blocks come from (code shown and
    setup), as they are, and the project modules that they or their programs import."""
    names: list[str] = []
    for each in programs:
        for name in [*(key.rpartition(":")[0] for key in each.sections), *each.modules]:
            if name not in names:
                names.append(name)
    for name in list(names):
        for module in project_modules(snippet_file(name).read_text(encoding="utf-8")):
            if module not in names:
                names.append(module)
    return names


def bound_names(code: str) -> set[str]:
    """The names a piece of code assigns, defines or imports at any level."""
    try:
        tree = ast.parse(textwrap.dedent(code))
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def missing_name_hint(name: str, block: Program, line: int | None) -> str:
    """For a NameError in a copied program: the sections that define the name, and the start
    marker on which to declare one of them as setup."""
    origin = block.origins[line - 1] if line and 0 < line <= len(block.origins) else None
    # The section the failing line is in; else the section the block shows first.
    marker = enclosing_section(origin) if origin else None
    if marker is None and block.shown_origins:
        marker = enclosing_section(block.shown_origins[0])
    if marker is None:
        return (f"\n`{name}` is not defined in this block's code, which the page writes itself: move the "
                f"code into a section in {snippet_folders()} and declare the setup it needs on its start marker")
    files = dict.fromkeys(key.rpartition(":")[0] for key in block.sections)
    definers = [each for file in files for each in defining_sections(name, file, block)]
    if not definers:  # none in the files this block uses: any file of the folders
        others = [p.name for folder in snippet_preprocessor().base_path for p in sorted(Path(folder).glob("*.py"))]
        definers = [each for file in others if file not in files for each in defining_sections(name, file, block)]
    if not definers:
        return f"\nno section of {snippet_folders()} defines `{name}`"
    choices = ", ".join(f"{d.key} ({d.origin})" for d in definers[:5]) + (
        f" and {len(definers) - 5} more" if len(definers) > 5 else "")
    wanted = definers[0].name if definers[0].file == marker.file else definers[0].key
    declared = ", ".join([*(k.removeprefix(f"{marker.file}:") for k in marker.setup), wanted])
    return (f"\n`{name}` is defined by {choices}: declare the setup on the start marker at {marker.origin}: "
            f"# --8<-- [start:{marker.name}] setup: {declared}")


def defining_sections(name: str, file: str, block: Program) -> list[Section]:
    path = snippet_file(file)
    try:
        sections = _sections(path, path.stat().st_mtime_ns, file)
    except (OSError, DocExampleError):  # a missing or unreadable file defines nothing
        return []
    found = []
    for each in sections.values():
        text = snippet_preprocessor().run([f'--8<-- "{each.key}"'])
        if each.key not in block.sections and name in bound_names("\n".join(text)):
            found.append((len(text), each))
    return [each for _, each in sorted(found, key=lambda pair: pair[0])]  # the smallest first: the one to declare


def enclosing_section(origin: Origin) -> Section | None:
    """The innermost section of a snippet file whose lines hold the given line."""
    path = ROOT / origin.path
    if not path.is_file() or path.suffix != ".py":
        return None
    preprocessor = snippet_preprocessor()
    lines = path.read_text(encoding="utf-8").split("\n")
    open_at: dict[str, int] = {}
    best = None
    for number, text in enumerate(lines, start=1):
        match = preprocessor.match_section(text)
        if not match or match.group("escape"):
            continue
        if match.group("type") == "start":
            open_at[match.group("name")] = number
        elif match.group("name") in open_at:
            start = open_at.pop(match.group("name"))
            if start < origin.line < number and (best is None or start > best[0]):
                best = (start, match.group("name"))
    if best is None:
        return None
    return _sections(path, path.stat().st_mtime_ns, path.name).get(best[1])
