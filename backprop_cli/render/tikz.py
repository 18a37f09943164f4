"""The network figure as TikZ: a tikzpicture for a LaTeX document of one's own, or a document that
compiles on its own with pdflatex, using only TeX Live's base, recommended and pictures packages.

The picture uses the figure's coordinates (a pixel becomes 0.75 bp, the size of a CSS pixel) and sets
every text at most as wide as the layout estimated it, so the labels stay apart as they do in SVG.
"""

from __future__ import annotations

from backprop_cli.model.figure_layout import (
    BLUE,
    EDGE,
    INPUT,
    NOTE,
    TONES,
    Figure,
    Label,
)
from backprop_cli.render.tex import plain_name, tex_text
from backprop_cli.render.tex import tex_number as _number

PT = 0.75  # PostScript points (bp) per pixel; font sizes are TeX points, 0.4 % smaller: no matter
# Computer Modern sizes that exist as fonts (others are substituted, with a warning).
SIZES = (5, 6, 7, 8, 9, 10, 10.95, 12, 14.4, 17.28, 20.74, 24.88)


def _font(size: float) -> str:
    """The largest standard size no larger than ``size`` pixels: text never wider than estimated."""
    points = max([s for s in SIZES if s <= size * PT] or [SIZES[0]])
    return rf"\fontsize{{{points:g}}}{{{points * 1.2:g}}}\selectfont"


def _content(label: Label) -> str:
    item = label.item
    if item.kind == "name":
        symbol, index, layer = item.parts
        text = f"${symbol}_{{{index}}}"
        if layer:  # in text, as a layer name may hold anything; at the size of the script
            name = rf"\textit{{{layer}}}" if plain_name(layer) else tex_text(layer)  # as the formulas set it
            text += rf"^{{\mbox{{{_font(label.size * 0.7)}[{name}]}}}}"
        return text + "$"
    if item.kind == "value":
        quantity, number, note = item.parts
        return f"${quantity} = {_number(number)}$" + (f" {tex_text(note)}" if note else "")
    if item.kind == "gradient":
        quantity, number = item.parts
        partial = quantity.replace("∂", r"\partial ")  # ∂J/∂z or ∂J/∂p
        return rf"${partial} = \mbox{{\boldmath${_number(number)}$}}$"
    if item.kind == "weight":
        return f"${_number(item.parts[0])}$"
    if item.kind == "gap":
        return r"$\vdots$"
    return (r"\bfseries " if item.kind == "title" else "") + tex_text(item.text)


def colour(hex_colour: str) -> str:
    """A colour of layout.py (#rrggbb) in xcolor's syntax."""
    red, green, blue = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"{{rgb,255:red,{red};green,{green};blue,{blue}}}"


def point(x: float, y: float) -> str:
    return f"({x * PT:.2f},{-y * PT:.2f})"


def _node(label: Label) -> str:
    options = [f"font={_font(label.size)}"]
    if label.anchor == "start":
        options.append("anchor=west")
    kind = label.item.kind
    if kind == "gradient":
        options.append(f"text={colour(BLUE)}")
    elif kind in ("text", "gap"):
        options.append(f"text={colour(NOTE)}")
    if kind != "name":  # a white ground, so that the edges behind a label do not cross its digits
        options += ["fill=white", "fill opacity=0.9", "text opacity=1", "inner xsep=1.5pt", "inner ysep=1pt"]
    if label.tone is not None:
        options.append(f"text={colour(TONES[label.tone])}")
    return rf"\node[{', '.join(options)}] at {point(label.x, label.y)} {{{_content(label)}}};"


def tikz_picture(figure: Figure, *, caption: bool = True) -> str:
    """The figure as a tikzpicture environment (needs ``\\usepackage{tikz}``). ``caption`` sets the caption
    lines below it. Too wide for a page? Wrap it in ``\\resizebox{\\linewidth}{!}{...}`` (graphicx)."""
    height = figure.height if caption and figure.caption else figure.body_height
    lines = [r"\begin{tikzpicture}[x=1bp, y=1bp, inner sep=0pt]",
             rf"\useasboundingbox (0,0) rectangle {point(figure.width, height)};",
             rf"\begin{{scope}}[draw={colour(EDGE)}, line width=0.75pt]"]
    lines += [rf"\draw{'' if s.tone is None else f'[draw={colour(TONES[s.tone])}]'} {point(s.x1, s.y1)} -- "
              rf"{point(s.x2, s.y2)};" for s in figure.segments]
    lines.append(r"\end{scope}")
    lines += [rf"\draw[line width=1.1pt, fill={colour(INPUT) if c.is_input else 'white'}] {point(c.x, c.y)} "
              rf"circle[radius={c.r * PT:.2f}bp];" for c in figure.circles]
    lines += [_node(label) for label in figure.labels]
    if caption:
        lines += [_node(label) for label in figure.caption]
    lines.append(r"\end{tikzpicture}")
    return "\n".join(lines) + "\n"


def tikz_document(figure: Figure, *, caption: bool = True) -> str:
    """A LaTeX document of one page exactly the size of the figure; it compiles with pdflatex."""
    height = figure.height if caption and figure.caption else figure.body_height
    return "\n".join([
        r"\documentclass{article}",
        rf"\usepackage[paperwidth={figure.width * PT:.2f}bp, paperheight={height * PT + 1:.2f}bp, "
        r"margin=0pt]{geometry}",
        r"\usepackage{tikz}",
        r"\pagestyle{empty}",
        r"\begin{document}",
        r"\noindent",
        tikz_picture(figure, caption=caption).rstrip("\n"),
        r"\end{document}",
    ]) + "\n"
