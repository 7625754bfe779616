"""Render arithmatex's TeX to MathML at build time.

pymdownx.arithmatex (generic mode) wraps each formula in <span|div class="arithmatex">.
This hook replaces the wrapped TeX with MathML, so formulas render with no JavaScript and
no request to any other host, and screen readers read them. The TeX source is kept in the
<math> element's data-tex attribute, for the language-parity checks: not in the page's text (so
not in search) and not as two more elements per formula (<semantics><annotation>), which
the longest pages pay for in style and layout time.
"""

import html
import re

from latex2mathml.converter import convert
from mkdocs.exceptions import PluginError

# arithmatex generic output: \( ... \) inline in a span, \[ ... \] as a block in a div.
ARITHMATEX = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">\s*'
    r'(?:\\\((?P<inline>.*?)\\\)|\\\[(?P<block>.*?)\\\])\s*</(?P=tag)>',
    re.DOTALL,
)
# latex2mathml leaves an alignment '&' it does not understand as a literal identifier.
UNSUPPORTED = re.compile(r"<mi>&(amp;)?</mi>")


def to_mathml(tex: str, display: str) -> str:
    mathml = convert(tex, display=display)
    if UNSUPPORTED.search(mathml):
        raise ValueError("alignment '&' outside a matrix or cases environment is not supported")
    inner = mathml[mathml.index(">") + 1 : mathml.rindex("</math>")]
    return f'<math display="{display}" data-tex="{html.escape(tex)}">{inner}</math>'


def on_page_content(content, page, **kwargs):
    def replace(match):
        display = "inline" if match["inline"] is not None else "block"
        tex = html.unescape(match["inline"] if display == "inline" else match["block"]).strip()
        try:
            mathml = to_mathml(tex, display)
        except Exception as error:  # latex2mathml raises many types; all mean the same here
            raise PluginError(f"{page.file.src_uri}: cannot render formula {tex!r}: {error}") from error
        # Keep arithmatex's wrapper: the block div is the formula's own scroll container.
        tag = match["tag"]
        return f'<{tag} class="arithmatex">{mathml}</{tag}>'

    content = ARITHMATEX.sub(replace, content)
    if 'class="arithmatex">' in content and re.search(r'class="arithmatex">\s*\\[(\[]', content):
        raise PluginError(f"{page.file.src_uri}: a formula was left as raw TeX")
    return content
