"""pytest plugin (loaded with -p in pyproject.toml): every page under docs/ is a Sybil test file.

torch is imported once here for the whole suite. Each page gets a fresh namespace in which
its blocks run in page order, starting from the same seed and PyTorch's default print options.
"""

import torch
from sybil import Sybil
from sybil.parsers.markdown import SkipParser

from tests.doc_examples import ROOT, DocExampleParser


def setup_page(namespace):
    torch.manual_seed(0)
    torch.set_printoptions(profile="default")
    namespace["__name__"] = "__doc_page__"


doc_pages = Sybil(
    parsers=[DocExampleParser(), SkipParser()],
    path=str(ROOT),
    patterns=["docs/**/*.md"],
    setup=setup_page,
)

pytest_collect_file = doc_pages.pytest()
