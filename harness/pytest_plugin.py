"""pytest plugin (loaded with -p in pyproject.toml): every page under docs/ is a Sybil test file.

pytest puts this checkout on sys.path (``pythonpath``) before it loads ``-p`` plugins, so this is
the checkout's own harness even in a virtualenv shared with another checkout.

Each python block is one test: its copied program runs alone (``harness.examples``), in a
fresh process that holds nothing from its page or from the harness. There is no skip
directive: every block on a page runs (tests/test_guards.py checks the built pages for any
that did not). Beside its blocks, a page collects the checks that concern it alone: the
English file the en/zh structure match (``harness.parity``), each file its writing lint
(``harness.writing``). Naming one language's page on the command line adds the other's,
so a page pair is checked whole, in seconds, by the same items the full suite runs.
"""

from pathlib import Path

import pytest
from sybil import Sybil
from sybil.integration.pytest import SybilFile

from harness.examples import ROOT, RUNS, CodeBlock, DocExampleError, DocExampleParser, run_key, submit
from harness.parity import differences
from harness.programs import counterpart
from harness.prose_numbers import quoted, unknown
from harness.standalone import shared_runner
from harness.writing import page_problems

doc_pages = Sybil(parsers=[DocExampleParser()], path=str(ROOT), patterns=["docs/**/*.md"])


class PageFile(SybilFile):
    """A page's examples, then its en/zh structure match, its writing lint and the numbers its
    prose quotes."""

    def collect(self):
        yield from super().collect()
        other = counterpart(self.path)
        if other is None:
            return
        if self.path.parent.name == "en" or not other.exists():
            en, zh = (self.path, other) if self.path.parent.name == "en" else (other, self.path)
            yield PageCheck.from_parent(self, name="en/zh structure", check=lambda: differences(en, zh))
        yield PageCheck.from_parent(self, name="writing", check=lambda: page_problems(self.path))
        yield PageCheck.from_parent(self, name="numbers in prose", check=lambda: prose_numbers_of(self.path))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, DocExampleError):  # its message names the file and line
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)


class PageCheck(pytest.Item):
    """A check on a page's Markdown that lists its problems, each naming file and line."""

    def __init__(self, *, check, **kwargs):
        super().__init__(**kwargs)
        self.check = check

    def runtest(self):
        problems = self.check()
        if problems:
            raise PageProblems("\n".join(problems))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, PageProblems):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, f"{self.path.name}::{self.name}"


class PageProblems(Exception):
    """What a page check found, one problem per line."""


def pytest_collect_file(file_path, parent):
    if not doc_pages.should_parse(file_path):
        return None
    return PageFile.from_parent(parent, path=file_path, sybils=[doc_pages])


def pytest_configure(config):
    """A page named on the command line brings its other language: the pair is checked whole.
    When pages will run, the fork server starts now, importing torch while pytest collects."""
    config.addinivalue_line("markers", "submit_ahead(function): call function (which submits the "
                                       "test's programs to the shared runner) once collection ends")
    named = {Path(config.invocation_params.dir, arg).resolve() for arg in config.args if "::" not in arg}
    for page in sorted(named):
        other = counterpart(page) if page.suffix == ".md" else None
        if other is not None and other.exists() and other not in named:
            config.args.append(str(other))
    docs = ROOT / "docs"
    paths = {Path(config.invocation_params.dir, arg.split("::")[0]).resolve() for arg in config.args}
    selecting = config.option.keyword or config.option.markexpr  # maybe no block at all: wait and see
    if not config.option.collectonly and not selecting and any(path == docs or docs in path.parents for path in paths):
        shared_runner()


def pytest_collection_finish(session):
    """Submit every collected block's program at once: the runner runs one per CPU in parallel,
    and each test then waits only for its own result."""
    if session.config.option.collectonly:
        return
    for item in session.items:
        block = getattr(getattr(item, "example", None), "parsed", None)
        if isinstance(block, CodeBlock):
            submit(block)
            DISTINCT.add(run_key(block))
    # Then the programs of tests marked submit_ahead(function), queued behind the blocks: they
    # run while the browser tests, which leave a core idle, are running.
    ahead = {marker.args[0] for item in session.items for marker in item.iter_markers("submit_ahead")}
    for function in sorted(ahead, key=lambda function: function.__qualname__):
        function()


DISTINCT: set[str] = set()  # the programs submitted, by run key


def prose_numbers_of(page: Path) -> list[str]:
    """The numbers the page's prose quotes that nothing the tests check shows (harness.prose_numbers)."""
    from harness.report import report

    QUOTED[page] = len(quoted(page))
    report("numbers in prose", "all", f"{sum(QUOTED.values())} numbers quoted in the prose of {len(QUOTED)} "
                                      f"pages, each checked against what the site shows")
    return unknown([page])


QUOTED: dict[Path, int] = {}  # page -> numbers its prose quotes


def code_blocks(page) -> list[CodeBlock]:
    """The python blocks of a page (a path), as the tests execute them, in page order."""
    return [example.parsed for example in doc_pages.parse(page) if isinstance(example.parsed, CodeBlock)]


def pytest_terminal_summary(terminalreporter):
    """Per language, how many copied blocks ran alone and printed what the page shows."""
    if not RUNS:
        return
    terminalreporter.section("doc examples")
    for language, runs in sorted(RUNS.items()):
        passed = sum(runs.values())
        terminalreporter.write_line(f"docs/{language}: copied blocks that run alone: {passed}/{len(runs)}")
    blocks = [origin for runs in RUNS.values() for origin in runs]
    terminalreporter.write_line(f"distinct programs run: {len(DISTINCT)} for {len(blocks)} blocks "
                                f"(a block and its twin in the other language copy the same program)")
