"""The loss curve of a training run as a figure: J per epoch on a linear scale, drawn as SVG (HTML,
Markdown) or TikZ (LaTeX) from one set of coordinates, labelled with the digits the tables write."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import numpy as np

from backprop_cli.model.figure_layout import BLUE, EDGE, NOTE
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.render.svg import FONTS, coordinate
from backprop_cli.render.tex import tex_number
from backprop_cli.render.tikz import colour, point

WIDTH, HEIGHT = 560.0, 220.0  # the plot area, in pixels
LEFT, BOTTOM, TOP, RIGHT = 70.0, 34.0, 12.0, 16.0  # margins for the labels
POINTS = 600  # at most this many points: a long run keeps the lowest and highest J of each stretch


@dataclass(frozen=True)
class Curve:
    points: list[tuple[float, float]]  # in pixels, y down
    y_labels: list[tuple[float, str]]  # (y, J as the tables write it)
    epochs: int
    width: float = WIDTH + LEFT + RIGHT
    height: float = HEIGHT + TOP + BOTTOM


def curve(losses: np.ndarray, fmt: NumberFormat) -> Curve:
    """The coordinates of the curve of ``losses`` (J of epoch 1, 2, …)."""
    values = np.asarray(losses, dtype=float)
    n = len(values)
    if n > POINTS:  # the lowest and highest of each stretch, in the order they came
        starts = np.linspace(0, n, POINTS // 2 + 1).astype(int)[:-1]
        xs = np.repeat(starts + (n / (POINTS // 2)) / 2, 2)
        ys = np.column_stack((np.maximum.reduceat(values, starts), np.minimum.reduceat(values, starts))).ravel()
    else:
        xs, ys = np.arange(n, dtype=float), values
    top, bottom = float(np.max(values)), float(np.min(values))
    span = (top - bottom) or 1.0

    def y_of(v: float) -> float:
        return TOP + (top - v) / span * HEIGHT

    x_scale = WIDTH / max(n - 1, 1)
    points = [(LEFT + float(x) * x_scale, y_of(float(y))) for x, y in zip(xs, ys)]
    middle = (top + bottom) / 2
    labels = ([(y_of(v), fmt.result(v)) for v in (top, middle, bottom)] if top != bottom
              else [(y_of(top), fmt.result(top))])
    return Curve(points, labels, n)


def curve_svg(losses: np.ndarray, fmt: NumberFormat) -> str:
    """The curve as an inline <svg> element: no id, no link, nothing fetched."""
    c = curve(losses, fmt)
    x0, y0 = LEFT, TOP + HEIGHT
    lines = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{coordinate(c.width)}" height="{coordinate(c.height)}" '
             f'viewBox="0 0 {coordinate(c.width)} {coordinate(c.height)}" font-family="{FONTS}" font-size="12" '
             'role="img">',
             f"<title>Loss J per epoch, epochs 1 to {c.epochs:,}</title>",
             '<rect width="100%" height="100%" fill="#fff"/>',
             f'<path d="M{coordinate(x0)} {coordinate(TOP)} V{coordinate(y0)} H{coordinate(x0 + WIDTH)}" fill="none" '
             f'stroke="{EDGE}"/>']
    for y, text in c.y_labels:
        lines.append(f'<line x1="{coordinate(x0 - 4)}" y1="{coordinate(y)}" x2="{coordinate(x0)}" y2="{coordinate(y)}" '
                     f'stroke="{EDGE}"/>')
        lines.append(f'<text x="{coordinate(x0 - 7)}" y="{coordinate(y + 4)}" text-anchor="end" fill="{NOTE}">'
                     f'{escape(text)}</text>')
    lines.append(f'<text x="{coordinate(x0)}" y="{coordinate(y0 + 18)}" fill="{NOTE}">1</text>')
    lines.append(f'<text x="{coordinate(x0 + WIDTH)}" y="{coordinate(y0 + 18)}" text-anchor="end" fill="{NOTE}">'
                 f'{c.epochs:,} epoch</text>')
    path = " ".join(f"{coordinate(x)},{coordinate(y)}" for x, y in c.points)
    lines.append(f'<polyline points="{path}" fill="none" stroke="{BLUE}" stroke-width="1.5" '
                 'stroke-linejoin="round"/>')
    lines.append("</svg>")
    return "\n".join(lines) + "\n"


def curve_tikz(losses: np.ndarray, fmt: NumberFormat) -> str:
    """The curve as a tikzpicture (plain TikZ: no pgfplots), at the size of the SVG (a pixel is 0.75 bp)."""
    c = curve(losses, fmt)
    x0, y0 = LEFT, TOP + HEIGHT
    lines = [r"\begin{tikzpicture}[x=1bp, y=1bp, font=\small]",
             rf"\useasboundingbox (0,0) rectangle {point(c.width, c.height)};",
             rf"\draw[draw={colour(EDGE)}] {point(x0, TOP)} -- {point(x0, y0)} -- {point(x0 + WIDTH, y0)};"]
    for y, text in c.y_labels:
        lines.append(rf"\draw[draw={colour(EDGE)}] {point(x0 - 4, y)} -- {point(x0, y)};")
        lines.append(rf"\node[anchor=east] at {point(x0 - 6, y)} {{${tex_number(text)}$}};")
    lines.append(rf"\node[anchor=north west] at {point(x0, y0 + 4)} {{1}};")
    lines.append(rf"\node[anchor=north east] at {point(x0 + WIDTH, y0 + 4)} {{{c.epochs:,} epoch}};")
    path = " -- ".join(point(x, y) for x, y in c.points)
    lines.append(rf"\draw[draw={colour(BLUE)}, line width=1.1pt, line join=round] {path};")
    lines.append(r"\end{tikzpicture}")
    return "\n".join(lines) + "\n"
