"""pytest plugin (loaded with -p in pyproject.toml): every page under docs/ is a Sybil test file.

torch is imported once here for the whole suite. Each page gets a fresh namespace in which
its blocks run in page order, starting from the same seed and PyTorch's default print options.
There is no skip directive: every block on a page runs (tests/test_guards.py checks the
built pages for any that did not).
"""

import torch
from sybil import Sybil

from tests.doc_examples import ROOT, CodeBlock, DocExampleParser


def setup_page(namespace):
    torch.manual_seed(0)
    torch.set_printoptions(profile="default")
    namespace["__name__"] = "__doc_page__"


doc_pages = Sybil(
    parsers=[DocExampleParser()],
    path=str(ROOT),
    patterns=["docs/**/*.md"],
    setup=setup_page,
)

pytest_collect_file = doc_pages.pytest()


def code_blocks(page):
    """The python blocks of a page (a path), as the tests execute them, in page order."""
    return [example.parsed for example in doc_pages.parse(page) if isinstance(example.parsed, CodeBlock)]


def pytest_terminal_summary(terminalreporter):
    """Print how many page examples ran, per language, so a silent drop shows in every report."""
    outcome_of = {}
    for outcome in ("passed", "skipped", "failed", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            # A passing example reports three phases; count its call. Others count once.
            if nodeid.startswith("docs/") and (outcome != "passed" or report.when == "call"):
                outcome_of[nodeid] = outcome
    counts = {}
    for nodeid, outcome in outcome_of.items():
        language = counts.setdefault(nodeid.split("/")[1], {})
        language[outcome] = language.get(outcome, 0) + 1
    if counts:
        terminalreporter.section("doc examples")
        for language, outcomes in sorted(counts.items()):
            detail = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))
            terminalreporter.write_line(f"docs/{language}: {sum(outcomes.values())} examples ({detail})")
