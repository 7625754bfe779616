"""pytest plugin for tools/benchmark.py: runs the doc-test harness on generated pages in $BENCH_DIR."""

import os

from sybil import Sybil

from harness.examples import DocExampleParser
from harness.pytest_plugin import setup_page

pytest_collect_file = Sybil(
    parsers=[DocExampleParser()], path=os.environ["BENCH_DIR"], patterns=["*.md"], setup=setup_page
).pytest()
