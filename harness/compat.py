"""What another PyTorch release would change on the site, page by page; writes nothing.

    python3 tools/dev.py compat [VERSION]   # sets up .venv-compat with that release, then runs this

Run in an environment whose torch is the release to check: every python block of every page
runs alone, exactly as the tests run it, and is compared with its page. Each page is listed
with its blocks whose shown output would change (the diff) and those that fail (the error).
The exit status is 1 if anything would change or fail.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

from harness.examples import failure_of
from harness.programs import ROOT, shown_path
from harness.update_outputs import run_pages


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    pages = [Path(arg).resolve() for arg in args] or sorted((ROOT / "docs").glob("**/*.md"))
    parsed, results = run_pages(pages)
    blocks = sum(len(page_blocks) for page_blocks in parsed.values())
    changed = failed = 0
    for page, page_blocks in parsed.items():
        findings = []
        for block, result in zip(page_blocks, results[page]):
            problem = failure_of(block, result)
            if problem is None:
                continue
            if result.error or result.stderr:
                failed += 1
                findings.append(f"  FAILS  {problem}")
            else:
                changed += 1
                findings.append(f"  OUTPUT {problem}")
        print(f"{shown_path(page)}: {'unchanged' if not findings else f'{len(findings)} of {len(page_blocks)} blocks'}")
        for finding in findings:
            print("\n".join(f"    {line}" if i else line for i, line in enumerate(finding.splitlines())))
    print(f"\ntorch {torch.__version__}: {blocks} blocks on {len(parsed)} pages: "
          f"{blocks - changed - failed} as shown, {changed} would show another output, {failed} fail")
    return 1 if changed or failed else 0


if __name__ == "__main__":
    sys.exit(main())
