"""Serve an OpenType math font, subset at build time to the glyphs the formulas use.

Without a math font (common on Linux and Android) Chromium draws MathML with a text font:
stretchy braces do not stretch and scripts sit badly. STIX Two Math (SIL Open Font License)
comes from the ziamath package at set-up; this hook collects every character the site's
formulas show (MathML text, not the TeX in data-tex), adds the mathematical italic letters
that MathML uses for single-letter identifiers, subsets the font to them with its MATH table
(so stretchy variants and assembly parts come along), and writes it as woff2 (16 KiB). site.css
declares it for `math`; pages with formulas preload it.
"""

from __future__ import annotations

import html
import importlib.util
import re
from pathlib import Path

from fontTools import subset
from mkdocs.utils import get_relative_url

FONT_URL = "assets/fonts/stix-two-math.woff2"  # below the site root; site.css names it too
# The file inside the installed ziamath package (found without importing ziamath itself).
SOURCE = Path(importlib.util.find_spec("ziamath").origin).parent / "fonts" / "STIXTwoMath-Regular.ttf"
MATH = re.compile(r"<math\b.*?</math>", re.S)
TAG = re.compile(r"<[^>]+>")

used: set[str] = set()


# Italic forms outside the regular runs (MathML Core's italic mapping).
ITALIC_EXCEPTIONS = {"h": "\u210e", "\u0131": "\U0001d6a4", "\u0237": "\U0001d6a5", "\u2207": "\U0001d6fb",
                     "\u2202": "\U0001d715", "\u03f5": "\U0001d716", "\u03d1": "\U0001d717", "\u03f0": "\U0001d718",
                     "\u03d5": "\U0001d719", "\u03f1": "\U0001d71a", "\u03d6": "\U0001d71b", "\u03f4": "\U0001d6f3"}


def math_italic(char: str) -> str | None:
    """The mathematical italic form that MathML Core uses for a single-letter identifier."""
    if char in ITALIC_EXCEPTIONS:
        return ITALIC_EXCEPTIONS[char]
    if "a" <= char <= "z":
        return chr(0x1D44E + ord(char) - ord("a"))
    if "A" <= char <= "Z":
        return chr(0x1D434 + ord(char) - ord("A"))
    if "\u03b1" <= char <= "\u03c9":
        return chr(0x1D6FC + ord(char) - 0x03B1)
    if "\u0391" <= char <= "\u03a9":
        return chr(0x1D6E2 + ord(char) - 0x0391)
    return None


def formula_characters(page_html: str) -> set[str]:
    chars = set()
    for formula in MATH.findall(page_html):
        text = html.unescape(TAG.sub("", formula))
        chars.update(c for c in text if not c.isspace())
    return chars | {italic for c in chars if (italic := math_italic(c))}


def on_post_page(output, page, config):
    chars = formula_characters(output)
    if not chars:
        return output
    used.update(chars)
    if config.plugins.get("material/offline") and config.plugins["material/offline"].config.enabled:
        return output  # from file://, a preload (a CORS request) is refused; the stylesheet's own load works
    preload = f'<link rel="preload" href="{get_relative_url(FONT_URL, page.url)}" as="font" type="font/woff2" crossorigin>'
    return output.replace("</head>", f"{preload}\n</head>", 1)


def on_post_build(config):
    target = Path(config.site_dir) / FONT_URL
    target.parent.mkdir(parents=True, exist_ok=True)
    options = subset.Options()
    options.flavor = "woff2"
    # The features text shaping applies unasked (fontTools' default list), and the math accents'
    # dotless and flattened forms. Not 'ssty' (script-size glyphs, which Chromium does not
    # apply to MathML): with it the font would be twice as large.
    options.layout_features = [*options.layout_features, "dtls", "flac"]
    options.name_IDs = ["*"]  # keeps the copyright and licence notices
    options.notdef_outline = True
    options.hinting = False  # browsers draw formulas well without TrueType hints; a third smaller
    font = subset.load_font(SOURCE, options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in used])
    subsetter.subset(font)
    subset.save_font(font, str(target), options)
