"""Rewrite every shown output block to what its code prints now, and say which pages changed.

    python3 tools/dev.py update-outputs [PAGE ...]   # default: every page under docs/

This is how the site moves to a new PyTorch release: run it, and the diff shows every number
that moved. Every python block's copied program runs alone, exactly as the tests run it; then
each ``output`` block of every page (both languages) is rewritten to what its program printed
(trailing spaces dropped, as editors drop them). Nothing else in a page changes. If a page
cannot be read (an unclosed fence, a missing include), or any program raises, writes to
stderr, or prints with no output block to put it in, the command names the file and line and
writes nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

from harness.examples import TIMING, CodeBlock, masked, printed_lines, read_blocks, run_alone, shown_lines, submit
from harness.programs import ROOT, DocExampleError, shown_path
from harness.standalone import Result


def rewritten(text: str, blocks: list[CodeBlock], printed: dict[int, str]) -> str:
    """The page text with each output block's body replaced by what its block printed."""
    for index in reversed(range(len(blocks))):
        output = blocks[index].output
        if output is None or kept(blocks[index], printed[index]):
            continue
        fence = text[output.start : output.end].split("\n")
        body = printed_lines(printed[index])
        lines = [fence[0], *(f"{output.indent}{line}" if line else "" for line in body), fence[-1]]
        text = text[: output.start] + "\n".join(lines) + text[output.end :]
    return text


def kept(block: CodeBlock, printed: str) -> bool:
    """A timing block that still matches keeps its numbers: they are one run's measurements,
    and rewriting them would only record another run's (and make the languages disagree)."""
    return block.output.language == TIMING and masked(shown_lines(block.expected_output)) == masked(printed_lines(printed))


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
    return []


def run_pages(pages: list[Path]) -> tuple[dict[Path, list[CodeBlock]], dict[Path, list[Result]]]:
    """Every block of every page, and what its program did when run alone (in parallel)."""
    parsed = {page: read_blocks(page.read_text(encoding="utf-8"), page) for page in pages}
    for blocks in parsed.values():
        for block in blocks:
            submit(block)
    return parsed, {page: [run_alone(block) for block in blocks] for page, blocks in parsed.items()}


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
        new = rewritten(text, blocks, {i: result.stdout for i, result in enumerate(results[page])})
        if new != text:
            changed.append((page, new))
    for page, new in changed:
        page.write_text(new, encoding="utf-8")
        print(f"updated {shown_path(page)}")
    print(f"{len(changed)} of {len(parsed)} pages changed")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    pages = [Path(arg).resolve() for arg in args] or sorted((ROOT / "docs").glob("**/*.md"))
    return update(pages)


if __name__ == "__main__":
    sys.exit(main())
