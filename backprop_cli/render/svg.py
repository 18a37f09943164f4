"""The network figure as SVG: one self-contained element, valid XML, with no external reference (no
links, fonts, stylesheets or scripts), to be saved as a file or placed inline in HTML and Markdown.

It has no ids either, so that several figures can share one page.
"""

from __future__ import annotations

from backprop_cli.model.figure_layout import (
    BLUE,
    EDGE,
    INPUT,
    NOTE,
    SCRIPT,
    TONES,
    Figure,
    Label,
)

FONTS = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif"
# XML's five special characters escaped (html.escape's, without importing html and its table of entities),
# and U+FFFD for the characters XML 1.0 does not allow even escaped (control characters a layer name could hold).
_NOT_XML = [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;",
                          **{chr(c): "\ufffd" for c in _NOT_XML}})


def _text(value: str) -> str:
    return value.translate(_ESCAPES)


def coordinate(value: float) -> str:
    """A coordinate: one decimal is finer than a pixel."""
    return f"{value:.1f}".removesuffix(".0")


def _body(label: Label) -> str:
    """The content of a label's <text> element: tspans for scripts and bold numbers."""
    item = label.item
    if item.kind == "name":
        symbol, index, layer = item.parts
        small = coordinate(label.size * SCRIPT)
        down, up = label.size * 0.3, label.size * 0.75  # subscript below the line, superscript above it
        text = f'{_text(symbol)}<tspan dy="{coordinate(down)}" font-size="{small}">{_text(index)}</tspan>'
        if layer:
            text += f'<tspan dy="{coordinate(-up)}" font-size="{small}">[{_text(layer)}]</tspan>'
        return text
    if item.kind == "gradient":
        quantity, number = item.parts
        return f'{_text(quantity)} = <tspan font-weight="bold">{_text(number)}</tspan>'
    return _text(item.text)


def _label(label: Label) -> str:
    # The baseline a third of the font size below the middle centres digits and capitals on (x, y).
    baseline = label.y + label.size * (0.2 if label.item.kind == "name" else 0.35)
    attributes = [f'x="{coordinate(label.x)}"', f'y="{coordinate(baseline)}"', f'font-size="{coordinate(label.size)}"']
    if label.anchor == "middle":
        attributes.append('text-anchor="middle"')
    kind = label.item.kind
    if kind == "gradient":
        attributes.append(f'fill="{BLUE}"')
    elif kind == "title":
        attributes.append('font-weight="bold"')
    elif kind in ("text", "gap"):
        attributes.append(f'fill="{NOTE}"')
    if label.tone is not None:
        attributes.append(f'fill="{TONES[label.tone]}"')
    text = f'<text {" ".join(attributes)}>{_body(label)}</text>'
    if kind == "name":  # inside its circle, which is its ground
        return text
    box = label.box  # a white ground, so that the edges behind a label do not cross its digits
    ground = (f'<rect x="{coordinate(box.left)}" y="{coordinate(box.top)}" width="{coordinate(box.right - box.left)}" '
              f'height="{coordinate(box.bottom - box.top)}" rx="2" fill="#fff" fill-opacity="0.9"/>')
    return ground + text


def svg(figure: Figure, *, standalone: bool = True, caption: bool = True) -> str:
    """The figure as SVG text. ``standalone`` adds the XML declaration of a file of its own (leave it out
    to place the element inline in HTML); ``caption`` draws the caption lines below the figure."""
    height = figure.height if caption and figure.caption else figure.body_height
    lines = ['<?xml version="1.0" encoding="UTF-8"?>'] if standalone else []
    lines.append(f'<svg xmlns="http://www.w3.org/2000/svg" width="{coordinate(figure.width)}" '
                 f'height="{coordinate(height)}" viewBox="0 0 {coordinate(figure.width)} {coordinate(height)}" '
                 f'font-family="{FONTS}" role="img">')
    lines.append(f"<title>{_text(figure.title)}</title>")
    lines.append('<rect width="100%" height="100%" fill="#fff"/>')
    lines.append(f'<g stroke="{EDGE}" stroke-width="1">')
    lines += [f'<line x1="{coordinate(s.x1)}" y1="{coordinate(s.y1)}" x2="{coordinate(s.x2)}" y2="{coordinate(s.y2)}"'
              + ("" if s.tone is None else f' stroke="{TONES[s.tone]}"') + "/>" for s in figure.segments]
    lines.append("</g>")
    lines.append('<g stroke="#333" stroke-width="1.5">')
    lines += [f'<circle cx="{coordinate(c.x)}" cy="{coordinate(c.y)}" r="{coordinate(c.r)}" '
              f'fill="{INPUT if c.is_input else "#fff"}"/>' for c in figure.circles]
    lines.append("</g>")
    lines += [_label(label) for label in figure.labels]
    if caption:
        lines += [_label(label) for label in figure.caption]
    lines.append("</svg>")
    return "\n".join(lines) + "\n"
