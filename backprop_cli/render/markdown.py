"""The document of a run as Markdown: CommonMark with pipe tables, and math as ``$…$`` and ``$$…$$`` in
LaTeX, as GitHub and Jupyter render it; the figures as inline SVG (an HTML block)."""

from __future__ import annotations

import re
from functools import singledispatch

from backprop_cli.model.document import NUMBER, VALUE
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.render import flow
from backprop_cli.render.curve import curve_svg
from backprop_cli.render.latex_math import display, ending, inline
from backprop_cli.render.svg import svg

# Characters Markdown would read as markup in text.
_MARKUP = re.compile(r"([\\`*_\[\]<>|$~#])")


def md_text(text: str) -> str:
    return _MARKUP.sub(r"\\\1", text)


def parts(items, fmt: NumberFormat, strong: bool = False) -> str:
    """Text and formulas set inline, $…$ with no space inside the dollars as GitHub needs (a table's cell;
    bold in a column of results)."""
    return inline(items, fmt, md_text, strong)


@singledispatch
def element(item, fmt: NumberFormat) -> str:
    raise TypeError(f"cannot write {type(item).__name__}")


@element.register
def _heading(item: flow.Heading, fmt: NumberFormat) -> str:
    return "#" * item.level + " " + parts(item.parts, fmt)


@element.register
def _para(item: flow.Para, fmt: NumberFormat) -> str:
    text = parts(item.parts, fmt)
    return {"note": f"*{text}*", "strong": f"**{text}**"}.get(item.style, text)


@element.register
def _display(item: flow.Display, fmt: NumberFormat) -> str:
    return f"$$\n{display(item.rows, fmt)}{ending(item.note, item.tag)}\n$$"  # \tag after an aligned block


ALIGN = {NUMBER: "---:", VALUE: "---:"}


@element.register
def _grid(item: flow.Grid, fmt: NumberFormat) -> str:
    kinds = [kind for _, kind in item.columns]
    lines = [f"**{md_text(item.title)}**\n"] if item.title else []
    lines.append("| " + " | ".join(parts(header, fmt) or " " for header, _ in item.columns) + " |")
    lines.append("|" + "|".join(ALIGN.get(kind, "---") for kind in kinds) + "|")
    lines += ["| " + " | ".join(parts(value, fmt, kind == VALUE) for value, kind in zip(row, kinds)) + " |"
              for row in item.rows]
    if item.note:
        lines.append(f"\n*{md_text(item.note)}*")
    return "\n".join(lines)


@element.register
def _page_break(item: flow.PageBreak, fmt: NumberFormat) -> str:
    return "---"


@element.register
def _pairs(item: flow.Pairs, fmt: NumberFormat) -> str:
    return "\n".join(f"- **{md_text(name)}**: {parts(value, fmt)}" for name, value in item.rows)


def _curve(losses, fmt: NumberFormat) -> str:
    return curve_svg(losses, fmt)


@element.register
def _picture(item: flow.Picture, fmt: NumberFormat) -> str:
    drawing = svg(item.figure, standalone=False) if item.figure is not None else _curve(item.curve, fmt)
    # An HTML block ends at a blank line, so the SVG has none; a blank line after it returns to Markdown.
    text = "\n".join(line for line in drawing.splitlines() if line.strip())
    return text + (f"\n\n*{md_text(item.caption)}*" if item.caption else "")


def write_flow(stream, items, fmt: NumberFormat, fragment: bool = False, title: str = "") -> None:
    """The document of the flow ``items`` (its numbers written by ``fmt``). A Markdown file has no preamble:
    ``fragment`` leaves out the title line alone."""
    for n, item in enumerate(items):
        if fragment and n == 0:
            continue
        stream.write(element(item, fmt) + "\n\n")


def write_page(stream, page, rows: int, fragment: bool = False) -> None:
    """The document of ``page`` (a model.page.Page), tables cut to ``rows`` items (0: all)."""
    write_flow(stream, flow.elements(page, rows), page.document.fmt, fragment)
