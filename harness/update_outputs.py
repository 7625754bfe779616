"""Rewrite every shown output block to what its code prints now, and say which pages changed.

    python3 tools/dev.py update-outputs [PAGE ...]   # default: every page under docs/

This is how the site moves to a new PyTorch release: run it, and the diff shows every number
that moved. Every python block's copied program runs alone, exactly as the tests run it; then
each ``output`` block of every page (both languages) is rewritten to what its program printed
(trailing spaces dropped, as editors drop them). Nothing else in a page changes. If a page
cannot be read (an unclosed fence, a missing include), or any program raises, writes to
stderr, or prints with no output block to put it in, the command names the file and line and
writes nothing. After a rewrite it names each number quoted in the prose of any page that no
output (or code, formula, figure) shows any more (``harness.prose_numbers``): update those by
hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

from harness.examples import (
    CodeBlock,
    collect,
    is_timing,
    masked,
    measured,
    printed_lines,
    read_blocks,
    shown_lines,
    submit,
)
from harness.programs import ROOT, DocExampleError, shown_path
from harness.prose_numbers import site_pages, unknown
from harness.standalone import Result


def rewritten(text: str, blocks: list[CodeBlock], results: list[Result]) -> str:
    """The page text with each output block's body replaced by what its block printed."""
    for index in reversed(range(len(blocks))):
        output = blocks[index].output
        if output is None or kept(blocks[index], results[index]):
            continue
        fence = text[output.start : output.end].split("\n")
        body = printed_lines(results[index].stdout)
        lines = [fence[0], *(f"{output.indent}{line}" if line else "" for line in body), fence[-1]]
        text = text[: output.start] + "\n".join(lines) + text[output.end :]
    return text


def kept(block: CodeBlock, result: Result) -> bool:
    """A timing block that still matches, but for its measured numbers, keeps them: they are one
    run's measurements, and rewriting them would only record another run's (and make the
    languages disagree)."""
    if not is_timing(block):
        return False
    places = measured(block, result)
    return masked(shown_lines(block.expected_output), places) == masked(printed_lines(result.stdout), places)


def problems_of(block: CodeBlock, result) -> list[str]:
    where = str(block.origin)
    if result.error:
        return [f"{where}: the block's program raised: {result.error}"]
    if result.stderr:
        return [f"{where}: the block's program wrote to stderr:\n{result.stderr}"]
    if result.stdout and block.output is None:
        return [f"{where}: the block prints, but the page has no output block after it"]
    if result.stdout.endswith("\n\n"):
        return [f"{where}: the block prints a blank last line, which a page cannot show"]
    if block.output and any("--8<--" in line for line in block.output.lines):
        return [f"{block.output_origin}: this output block is included from a file; update that file"]
    if is_timing(block):
        try:
            measured(block, result)
        except DocExampleError as error:
            return [str(error)]
    return []


def run_pages(pages: list[Path]) -> tuple[dict[Path, list[CodeBlock]], dict[Path, list[Result]]]:
    """Every block of every page, and what its program did when run alone (in parallel)."""
    parsed = {page: read_blocks(page.read_text(encoding="utf-8"), page) for page in pages}
    for blocks in parsed.values():
        for block in blocks:
            submit(block)
    return parsed, {page: [collect(block) for block in blocks] for page, blocks in parsed.items()}


def update(pages: list[Path]) -> int:
    try:
        parsed, results = run_pages(pages)
    except DocExampleError as error:
        print(f"error: {error}\nNothing was written.", file=sys.stderr)
        return 1
    problems = [problem for page, blocks in parsed.items()
                for block, result in zip(blocks, results[page]) for problem in problems_of(block, result)]
    if problems:
        print("\n".join(f"error: {problem}" for problem in problems) + "\nNothing was written.", file=sys.stderr)
        return 1
    changed = []
    for page, blocks in parsed.items():
        text = page.read_text(encoding="utf-8")
        new = rewritten(text, blocks, results[page])
        if new != text:
            changed.append((page, new))
    for page, new in changed:
        page.write_text(new, encoding="utf-8")
        print(f"updated {shown_path(page)}")
    print(f"{len(changed)} of {len(parsed)} pages changed")
    stale = unknown(sorted({*site_pages(), *parsed}))  # any page may quote what these pages print
    if stale:
        print("numbers quoted in prose that nothing shows any more, to update by hand:\n" + "\n".join(stale))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    pages = [Path(arg).resolve() for arg in args] or sorted((ROOT / "docs").glob("**/*.md"))
    return update(pages)


if __name__ == "__main__":
    sys.exit(main())
