"""Figures computed by PyTorch at build time, put into the pages as inline SVG.

A page asks for a figure with one line, the same in both languages but for its caption:

    <figure class="plot" data-plot="sgd-paths" markdown="span">Caption, in the page's language.</figure>

This hook replaces the line's contents with the figure (figures/catalog.py: data from
torch.optim, drawn by figures/svg.py, its texts in the page's language) and the caption. It
works on the finished HTML (on_post_page), so the search index holds the caption but not the
tick labels. An unknown name or a missing caption fails the build. Only a page with a figure
loads assets/plots.css, and only a page with the stepper loads assets/stepper.js.
"""

import re
import sys
from functools import cache
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

# The repository root, for the figures package (mkdocs puts only hooks/ on the path).
# (This file is not named figures.py: mkdocs registers a hook under its file name, which would
# hide the package.)
ROOT = str(Path(__file__).resolve().parent.parent)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from figures.catalog import FIGURES  # noqa: E402

MARKER = re.compile(r'<figure class="plot" data-plot="([^"]*)">(.*?)</figure>', re.S)


@cache
def computed(name):
    return FIGURES[name].data()  # once per build, for both languages


def on_post_page(output, page, config):
    locale = "zh" if page.file.src_uri.startswith("zh/") else "en"
    count, steppers = 0, 0

    def figure(match):
        nonlocal count, steppers
        name, caption = match.group(1), match.group(2).strip()
        caption = re.sub(r"^<figcaption>(.*)</figcaption>$", r"\1", caption, flags=re.S)  # written out, or not
        where = f"{page.file.src_uri}: figure {name!r}"
        if name not in FIGURES:
            raise PluginError(f"{where} is not one of {sorted(FIGURES)} (figures/catalog.py)")
        if not caption:
            raise PluginError(f"{where} has no caption")
        count += 1
        steppers += FIGURES[name].stepper
        uid = f"plot-{name}-{count}"
        stepper = ' data-stepper' if FIGURES[name].stepper else ""
        inner = FIGURES[name].draw(computed(name), locale, uid)
        return (f'<figure class="plot" data-plot="{name}" id="{uid}"{stepper}>{inner}'
                f'<figcaption>{caption}</figcaption></figure>')

    output = MARKER.sub(figure, output)
    if count:
        def asset(name):
            return get_relative_url(f"assets/{name}", page.url)

        output = output.replace("</head>", f'<link rel="stylesheet" href="{asset("plots.css")}"></head>', 1)
        if steppers:
            output = output.replace("</body>", f'<script src="{asset("stepper.js")}" defer></script></body>', 1)
    return output
