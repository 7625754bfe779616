"""Behind every python block's copy button, the complete program that the tests run alone.

Each python fence of a page is wrapped in ``<div class="example">``: Material's copy button
copies the ``data-copy`` text of the closest element that has one. The wrapper holds the
block's setup in a ``<details>`` toggle above the code (labelled in the page's language), the
block as written, and, for a program that imports a project module, a line that links that
file for download. The program comes from ``harness.programs``, the code the tests execute,
so what is copied is what was run.

A block without setup carries its program in ``data-copy``. A block with setup carries only
its own code (``data-code``) and the blank lines between (``data-gap``): the setup is in the
page once, highlighted, inside a ``<template>`` in its toggle, so that it is neither laid out
nor styled until the toggle opens. ``docs/assets/examples.js`` (linked from the pages that
have a toggle) renders it then, and on a click of the copy button sets ``data-copy`` to
setup, blank lines and code. Without JavaScript there is no copy button, and site.css hides
the toggles; the page's example files hold the complete programs.
"""

from __future__ import annotations

import html
import re

from mkdocs.utils import get_relative_url

from harness.examples import read_blocks
from harness.programs import ANNOTATION

LABELS = {
    "en": {
        "setup": "Setup: {n} line{s} run before this code, included when you copy it",
        "needs": "Needs {files} in the same folder.",
        "join": ", ",
    },
    "zh": {
        "setup": "前置代码（{n} 行）：在下方代码之前运行，复制时会一并复制",
        "needs": "运行前，请把 {files} 放在与这段程序相同的文件夹中。",
        "join": "、",
    },
}
EXAMPLES_URL = "examples/"  # where hooks/example_files.py puts the files, below the site root


def language_of(page) -> str:
    return page.file.src_uri.split("/", 1)[0] if page.file.src_uri.startswith("zh/") else "en"


def file_link(page, name: str, text: str | None = None) -> str:
    """A download link, relative to the page, to a file of the site's examples/ folder."""
    href = get_relative_url(EXAMPLES_URL + name, page.url)
    return f'<a href="{html.escape(href)}" download>{text or f"<code>{html.escape(name)}</code>"}</a>'


def attribute(text: str) -> str:
    return html.escape(text, quote=True).replace("\n", "&#10;")


def on_page_markdown(markdown, page, config, files):
    labels = LABELS[language_of(page)]
    text = markdown
    for block in reversed(read_blocks(markdown, page.file.abs_src_path)):
        fence, program = block.fence, block.program
        pad = fence.indent
        if program.setup:
            code = "\n".join(ANNOTATION.sub("", line) for line in program.shown).rstrip()
            data = f'data-code="{attribute(code)}" data-gap="{program.gap}"'
        else:
            data = f'data-copy="{attribute(program.copied)}"'
        parts = [f'<div class="example" {data} markdown>', ""]
        if program.setup:
            lines = sum(1 for line in program.setup if line.strip())
            ticks = "`" * max(3, 1 + max(len(run) for run in re.findall("`*", program.copied)))
            parts += [
                '<details class="example-setup" markdown>',
                f"<summary>{labels['setup'].format(n=lines, s='' if lines == 1 else 's')}</summary>",
                "",
                f"{ticks}python",
                *program.setup,
                ticks,
                "",
                "</details>",
                "",
            ]
        parts.append(markdown[fence.start : fence.end].removeprefix(pad))
        if program.modules:
            links = labels["join"].join(file_link(page, name) for name in program.modules)
            parts += ["", f'<p class="example-needs">{labels["needs"].format(files=links)}</p>']
        parts += ["", "</div>"]
        wrapped = "\n".join(f"{pad}{line}" if line else "" for line in parts)
        text = text[: fence.start] + wrapped + text[fence.end :]
    return text


# A setup toggle's highlighted block (Material's highlight div holds no other div).
SETUP = re.compile(r'(<details class="example-setup"[^>]*>\s*<summary>.*?</summary>)\s*(<div class="language-python highlight".*?</div>)', re.S)


def on_page_content(html_text, page, config, files):
    return SETUP.sub(r"\1<template>\2</template>", html_text)


def on_post_page(output, page, config):
    if '<details class="example-setup"' not in output:
        return output
    script = get_relative_url("assets/examples.js", page.url)
    return output.replace("</body>", f'<script src="{html.escape(script)}" defer></script></body>', 1)
