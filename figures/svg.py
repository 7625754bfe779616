"""A small SVG writer for the site's figures: axes, lines with markers, contour lines and a legend.

The SVG is inline and self-contained. It scales with its container (viewBox, width 100%), so
it fits a 375-px screen; its colours are CSS classes (docs/assets/plots.css), so the dark
palette recolours it; it carries its text alternative (role="img", <title> and <desc>).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

WIDTH = 420  # viewBox units; text is 14 units, about 11.5 px on a 375-px phone
FONT = 14
MARKERS = ("circle", "square", "diamond")  # series differ in marker and dash, not in colour alone


def esc(text: str) -> str:
    return html.escape(str(text), quote=True)


def number(value: float) -> str:
    """A tick label: shortest form, with a true minus sign."""
    text = f"{value:.6g}"
    return text.replace("-", "\u2212")


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round values (1, 2 or 5 times a power of ten apart) between lo and hi."""
    raw = (hi - lo) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step - 1e-9)
    return [round(k * step, 10) for k in range(first, math.floor(hi / step + 1e-9) + 1)]


def text_width(text: str, size: float = FONT) -> float:
    """An estimate, for laying out a legend: Han characters are square, Latin ones narrower."""
    return sum(size if ord(c) > 0x2E80 else 0.6 * size for c in text)


@dataclass
class Panel:
    """One set of axes: data coordinates (box) mapped onto an area of the SVG."""

    box: tuple[float, float, float, float]  # x0, x1, y0, y1 in data units
    left: float
    top: float
    width: float
    height: float
    log_y: bool = False

    def _y(self, value: float) -> float:
        return math.log10(value) if self.log_y else value

    def sx(self, x: float) -> float:
        x0, x1 = self.box[:2]
        return self.left + (x - x0) / (x1 - x0) * self.width

    def sy(self, y: float) -> float:
        y0, y1 = (self._y(v) for v in self.box[2:])
        return self.top + (y1 - self._y(y)) / (y1 - y0) * self.height

    def point(self, x: float, y: float) -> str:
        return f"{self.sx(x):.1f},{self.sy(y):.1f}"

    def axes(self, x_label: str, y_label: str, x_ticks=None, y_ticks=None) -> str:
        """The frame, ticks with labels and the axis titles."""
        x0, x1, y0, y1 = self.box
        if y_ticks is None:
            y_ticks = ([10.0 ** k for k in range(math.ceil(math.log10(y0)), math.floor(math.log10(y1)) + 1)]
                       if self.log_y else nice_ticks(y0, y1))
        bottom, right = self.top + self.height, self.left + self.width
        parts = [f'<rect class="frame" x="{self.left}" y="{self.top}" width="{self.width}" height="{self.height}"/>']
        for x in x_ticks or nice_ticks(x0, x1):
            sx = self.sx(x)
            parts.append(f'<line class="tick" x1="{sx:.1f}" y1="{bottom}" x2="{sx:.1f}" y2="{bottom + 4}"/>'
                         f'<text x="{sx:.1f}" y="{bottom + 6 + FONT}" text-anchor="middle">{number(x)}</text>')
        for y in y_ticks:
            sy = self.sy(y)
            parts.append(f'<line class="tick" x1="{self.left - 4}" y1="{sy:.1f}" x2="{self.left}" y2="{sy:.1f}"/>'
                         f'<text x="{self.left - 6}" y="{sy + FONT / 3:.1f}" text-anchor="end">{number(y)}</text>')
        parts.append(f'<text x="{(self.left + right) / 2:.1f}" y="{bottom + 8 + 2 * FONT}" '
                     f'text-anchor="middle">{esc(x_label)}</text>')
        parts.append(f'<text x="{self.left}" y="{self.top - 8}" text-anchor="start">{esc(y_label)}</text>')
        return "".join(parts)

    def line(self, xs, ys, series: int, markers: bool = True) -> str:
        """A data series: a polyline, and a marker at every point (the data must lie in the box)."""
        points = " ".join(self.point(x, y) for x, y in zip(xs, ys))
        parts = [f'<g class="series s{series}"><polyline points="{points}"/>']
        if markers:
            parts += [marker(MARKERS[series % len(MARKERS)], self.sx(x), self.sy(y)) for x, y in zip(xs, ys)]
        return "".join(parts) + "</g>"

    def contours(self, xs, ys, values, levels) -> str:
        """One path per level, traced by marching squares on the grid values[row][column]."""
        parts = []
        for level in levels:
            pieces = [simplify([(self.sx(x), self.sy(y)) for x, y in piece]) for piece in contour_lines(xs, ys, values, level)]
            d = " ".join("M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in piece) for piece in pieces)
            parts.append(f'<path class="contour" data-level="{level:g}" d="{d}"/>')
        return "".join(parts)


def marker(shape: str, x: float, y: float, size: float = 2.6) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}"/>'
    if shape == "square":
        return f'<rect x="{x - size:.1f}" y="{y - size:.1f}" width="{2 * size:.1f}" height="{2 * size:.1f}"/>'
    s = size * 1.3
    return f'<polygon points="{x:.1f},{y - s:.1f} {x + s:.1f},{y:.1f} {x:.1f},{y + s:.1f} {x - s:.1f},{y:.1f}"/>'


def legend(entries: list[str], left: float, top: float, width: float) -> tuple[str, float]:
    """Swatches (line and marker of each series) and labels, wrapped into rows; returns the
    SVG and the height it takes."""
    parts, x, y = [], left, top + FONT
    for index, label in enumerate(entries):
        need = 30 + text_width(label) + 16
        if x > left and x + need > left + width:
            x, y = left, y + FONT + 8
        parts.append(f'<g class="series s{index}"><line x1="{x:.1f}" y1="{y - FONT / 3:.1f}" '
                     f'x2="{x + 24:.1f}" y2="{y - FONT / 3:.1f}"/>'
                     f'{marker(MARKERS[index % len(MARKERS)], x + 12, y - FONT / 3)}</g>'
                     f'<text x="{x + 30:.1f}" y="{y:.1f}">{esc(label)}</text>')
        x += need
    return "".join(parts), y - top + 6


def svg(uid: str, height: float, title: str, desc: str, body: str, **data) -> str:
    """The figure's SVG, named by its <title> and described by its <desc> (screen readers
    read both); extra keyword arguments become data- attributes (for the stepper)."""
    attributes = "".join(f' data-{key.replace("_", "-")}="{esc(value)}"' for key, value in data.items())
    return (f'<svg class="plot-svg" viewBox="0 0 {WIDTH} {height:.0f}" width="{WIDTH}" height="{height:.0f}" '
            f'role="img" aria-labelledby="{uid}-title {uid}-desc" font-size="{FONT}"{attributes}>'
            f'<title id="{uid}-title">{esc(title)}</title><desc id="{uid}-desc">{esc(desc)}</desc>'
            f'{body}</svg>')


def simplify(points, tolerance=0.25):
    """Ramer-Douglas-Peucker: drop the points that lie within tolerance (SVG units) of the line
    through their neighbours kept; the page gets lighter and the drawing does not change."""
    if len(points) < 3:
        return points
    (x0, y0), (x1, y1) = points[0], points[-1]
    length = math.hypot(x1 - x0, y1 - y0)

    def distance(p):
        if length == 0:  # a closed line: measure from its first point
            return math.hypot(p[0] - x0, p[1] - y0)
        return abs((x1 - x0) * (y0 - p[1]) - (x0 - p[0]) * (y1 - y0)) / length

    far = max(range(1, len(points) - 1), key=lambda k: distance(points[k]))
    if distance(points[far]) <= tolerance:
        return [points[0], points[-1]]
    return simplify(points[:far + 1], tolerance)[:-1] + simplify(points[far:], tolerance)


def contour_lines(xs, ys, values, level) -> list[list[tuple[float, float]]]:
    """Marching squares: the polylines where the grid's values cross level.

    Each crossing point lies on one grid edge, named ("h", column, row) for the edge from
    (column, row) to (column + 1, row) and ("v", column, row) for the one to (column, row + 1);
    a cell joins two such edges with a segment, and segments sharing an edge are chained."""
    rows, columns = len(ys), len(xs)

    def crossing(edge):
        kind, i, j = edge
        i2, j2 = (i + 1, j) if kind == "h" else (i, j + 1)
        a, b = values[j][i], values[j2][i2]
        t = (level - a) / (b - a)
        return xs[i] + t * (xs[i2] - xs[i]), ys[j] + t * (ys[j2] - ys[j])

    segments = []
    for j in range(rows - 1):
        for i in range(columns - 1):
            # The cell's edges in order around it: bottom, right, top, left, and which cross.
            corners = [values[j][i], values[j][i + 1], values[j + 1][i + 1], values[j + 1][i]]
            edges = [("h", i, j), ("v", i + 1, j), ("h", i, j + 1), ("v", i, j)]
            above = [v > level for v in corners]
            crossed = [edges[k] for k in range(4) if above[k] != above[(k + 1) % 4]]
            if len(crossed) == 2:
                segments.append(tuple(crossed))
            elif len(crossed) == 4:  # a saddle: the centre's side decides which corners are cut off
                bottom, right, top, left = edges
                if (sum(corners) / 4 > level) == above[0]:
                    segments += [(bottom, right), (top, left)]  # corners 1 and 3
                else:
                    segments += [(left, bottom), (right, top)]  # corners 0 and 2
    touching: dict = {}
    for index, (a, b) in enumerate(segments):
        touching.setdefault(a, []).append(index)
        touching.setdefault(b, []).append(index)
    used = [False] * len(segments)
    lines = []
    # Open lines start at an edge with one segment (the grid's border); then closed loops.
    starts = [edge for edge, found in touching.items() if len(found) == 1] + list(touching)
    for start in starts:
        edge, chain = start, [start]
        while True:
            nxt = next((k for k in touching[edge] if not used[k]), None)
            if nxt is None:
                break
            used[nxt] = True
            a, b = segments[nxt]
            edge = b if a == edge else a
            chain.append(edge)
        if len(chain) > 1:
            lines.append([crossing(edge) for edge in chain])
    return lines
