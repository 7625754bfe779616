"""Loaded first: the build imports this checkout's harness, never another's.

`pip install -e .` makes `harness` importable from the checkout that ran it; with a virtualenv
shared by two checkouts, the hooks would otherwise build this one with the other's harness,
and so with the other's snippets. mkdocs restores sys.path after loading each hook, so the
package is imported here, while this checkout is first on the path; later imports reuse it.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import harness  # noqa: E402,F401
