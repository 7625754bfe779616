"""Every page's examples as runnable files, and one archive of all of them, made at build time.

A page with python blocks ends with a section that links the snippet files its blocks come
from (each runs on its own: ``python step_basics.py``), the project modules they import, and
the archive of every example file of the site. The files are copied from ``snippets/`` as
they are into ``examples/`` of the built site; the archive is written there too, with fixed
timestamps so that two builds give the same bytes. Nothing generated is committed.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from harness.examples import read_blocks
from harness.programs import example_files, snippet_file

from copy_programs import EXAMPLES_URL, file_link, language_of  # hooks/ is on sys.path for hooks

ARCHIVE = "optimizer-step-examples.zip"
LABELS = {
    "en": {
        "heading": "This page's examples as files",
        "text": "Each file runs on its own (<code>python {first}</code>) and checks its results "
                "with asserts:",
        "archive": "every example of the site (zip)",
    },
    "zh": {
        "heading": "本页示例文件",
        "text": "每个文件都能单独运行（如 <code>python {first}</code>），并用 assert 语句检查运行结果：",
        "archive": "全站示例打包下载（zip）",
    },
}

offered: set[str] = set()  # every file some page links, for the archive


def on_page_markdown(markdown, page, config, files):
    names = example_files([block.program for block in read_blocks(markdown, page.file.abs_src_path)])
    if not names:
        return markdown
    offered.update(names)
    labels = LABELS[language_of(page)]
    links = " · ".join(file_link(page, name) for name in names)
    archive = file_link(page, ARCHIVE, labels["archive"])
    return (f"{markdown.rstrip()}\n\n## {labels['heading']} {{#example-files}}\n\n"
            f'<p class="example-files">{labels["text"].format(first=names[0])}<br>{links} · {archive}</p>\n')


def on_post_build(config):
    folder = Path(config.site_dir) / EXAMPLES_URL
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(folder / ARCHIVE, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(offered):
            source = snippet_file(name)
            shutil.copyfile(source, folder / name)
            entry = zipfile.ZipInfo(f"{ARCHIVE.removesuffix('.zip')}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, source.read_bytes(), zipfile.ZIP_DEFLATED)
