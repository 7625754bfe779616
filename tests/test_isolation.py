"""Each page passes on its own, and running the pages again (in another order) prints the same."""

import subprocess
import sys

import pytest

from harness.examples import CodeBlock
from harness.pytest_plugin import code_blocks, doc_pages, setup_page
from harness.site_build import ROOT

PAGES = sorted((ROOT / "docs").glob("*/*.md"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT / "docs").as_posix())
def test_page_passes_alone(page):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(page.relative_to(ROOT)), "-q", "-p", "no:cacheprovider"],
        cwd=ROOT, capture_output=True, text=True,
    )
    if code_blocks(page):
        assert result.returncode == 0, result.stdout[-4000:]
        assert " passed" in result.stdout
    else:
        assert result.returncode == pytest.ExitCode.NO_TESTS_COLLECTED, result.stdout[-4000:]


def printed_by_every_block(pages):
    printed = {}
    for page in pages:
        document = doc_pages.parse(page)
        setup_page(document.namespace)
        examples = list(document)
        for example in examples:
            example.evaluate()
        printed[page] = [e.parsed.printed for e in examples if isinstance(e.parsed, CodeBlock)]
    return printed


def test_two_runs_print_the_same():
    first = printed_by_every_block(PAGES)
    second = printed_by_every_block(list(reversed(PAGES)))
    assert first == second
