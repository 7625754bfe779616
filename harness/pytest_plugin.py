"""pytest plugin (loaded with -p in pyproject.toml): every page under docs/ is a Sybil test file.

Each python block is one test: its copied program runs alone (``harness.examples``), in a
fresh process that holds nothing from its page or from the harness. There is no skip
directive: every block on a page runs (tests/test_guards.py checks the built pages for any
that did not).
"""

from sybil import Sybil

from harness.examples import ROOT, RUNS, CodeBlock, DocExampleParser, run_key, submit
from harness.standalone import shared_runner

doc_pages = Sybil(parsers=[DocExampleParser()], path=str(ROOT), patterns=["docs/**/*.md"])
collect_page = doc_pages.pytest()


def pytest_collect_file(file_path, parent):
    collected = collect_page(file_path, parent)
    if collected is not None and not parent.config.option.collectonly:
        shared_runner()  # start the fork server now: it imports torch while pytest collects
    return collected


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


DISTINCT: set[str] = set()  # the programs submitted, by run key


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
