"""Loaded first: the build imports this checkout's harness and figures, never another's.

`pip install -e .` makes `harness` importable from the checkout that ran it; with a virtualenv
shared by two checkouts, the hooks would otherwise build this one with the other's harness,
and so with the other's snippets.
"""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent)
if sys.path[:1] != [ROOT]:
    sys.path.insert(0, ROOT)
