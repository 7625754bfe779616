"""mkdocstrings links its stylesheet from every page: only a page that shows its output keeps it.

Every other page would download it (2 KiB) for nothing.
"""

import re

LINK = re.compile(r'\s*<link rel="stylesheet" href="[^"]*assets/_mkdocstrings\.css">')


def on_post_page(output, page, config):
    return output if 'class="doc doc-' in output else LINK.sub("", output)
