"""What a built page shows a reader: code blocks, formulas, headings and admonitions.

Only the article is read (not the navigation or the table of contents), in document order.
A code block inside a python example (hooks/copy_programs.py) knows what its copy button
yields, and whether it is the example's setup. For an example with setup that is what
docs/assets/examples.js assembles: the setup shown in the toggle, `data-gap` blank lines, then
`data-code`.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class CodeBlock:
    language: str
    text: str
    copied: str | None = None  # the data-copy of the enclosing example, if any
    setup: bool = False  # the example's setup, inside its toggle

    @property
    def first_line(self) -> str:
        return next((line for line in self.text.splitlines() if line.strip()), "")


@dataclass
class Page:
    code: list[CodeBlock] = field(default_factory=list)
    formulas: list[str] = field(default_factory=list)
    headings: list[tuple[int, str | None]] = field(default_factory=list)
    admonitions: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.in_article = False
        self.language = None  # of the highlight div we are in
        self.code_depth = 0  # >0 inside <pre> of a highlighted block
        self.buffer = []
        self.divs = []  # what the copy button yields (or None) for every open div, innermost last
        self.setup_depth = 0  # >0 inside an example's setup toggle

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "article":
            self.in_article = True
        if not self.in_article:
            return
        if tag == "div":
            # An example with setup: (gap, code), completed by the setup read inside it.
            code = (int(attrs.get("data-gap") or 0), attrs["data-code"]) if "data-code" in attrs else None
            self.divs.append(attrs.get("data-copy", code))
        if tag == "details":
            self.setup_depth += bool(self.setup_depth) or "example-setup" in classes
        if tag == "div" and "highlight" in classes:
            self.language = next((c.removeprefix("language-") for c in classes if c.startswith("language-")), "")
        elif tag == "pre":
            # A <pre> outside a highlight block (raw HTML, say) has no language at all.
            self.code_depth, self.buffer = 1, []
            if self.language is None:
                self.language = "(none: not a highlighted block)"
        elif tag == "td" and "linenos" in classes:
            raise ValueError("line-number tables are not supported by this reader")
        elif tag == "math":
            self.page.formulas.append(attrs["data-tex"])  # hooks/mathml.py keeps the TeX there
        elif tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            # The page title's anchor is derived from its text; section anchors are explicit.
            self.page.headings.append((int(tag[1]), attrs.get("id") if tag != "h1" else None))
        elif tag == "div" and "admonition" in classes:
            self.page.admonitions.append(" ".join(c for c in classes if c != "admonition"))

    def handle_endtag(self, tag):
        if tag == "article":
            self.in_article = False
        elif tag == "pre" and self.code_depth:
            copied = next((value for value in reversed(self.divs) if value is not None), None)
            if isinstance(copied, tuple):
                gap, code = copied
                setup = next((block.text for block in reversed(self.page.code) if block.setup), "")
                copied = setup + "\n" * gap + code
            self.page.code.append(CodeBlock(self.language, "".join(self.buffer), copied, self.setup_depth > 0))
            self.code_depth, self.language = 0, None
        elif tag == "div" and self.in_article and self.divs:
            self.divs.pop()
        elif tag == "details" and self.setup_depth:
            self.setup_depth -= 1

    def handle_data(self, data):
        if self.code_depth:
            self.buffer.append(data)


def read_page(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    return reader.page
