"""pytest plugin for tools/benchmark.py: runs the doc-test harness on generated pages in $BENCH_DIR."""

import os

from sybil import Sybil

from harness.examples import DocExampleParser
from harness.pytest_plugin import pytest_collection_finish  # noqa: F401  submit every block ahead, as the suite does

pytest_collect_file = Sybil(parsers=[DocExampleParser()], path=os.environ["BENCH_DIR"], patterns=["*.md"]).pytest()
