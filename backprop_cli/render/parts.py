"""Pieces every rich table of bptrace shares: the options of the table renderer, a step's heading, how each
kind of column is set, and filling a table up to a row limit with a note on what was left out."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import TypedDict

from rich.console import Group, JustifyMethod, OverflowMethod, RenderableType
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from backprop_cli.model import document as doc
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.render.common import more_rows
from backprop_cli.render.wrap import Wrapped


@dataclass(frozen=True)
class TableOptions:
    """What the table renderer needs besides the trace."""

    fmt: NumberFormat
    rows: int = 16  # rows shown per table; 0 = all
    explain: bool = False  # the general formula and why it holds before each phase (render/explain.py)
    working: bool = False  # the intermediate values of every step (model/working.py)
    width: int | None = None  # --width: columns to print at (render/console.py decides without it)


def heading(title: str, formula: str = "") -> RenderableType:
    """A step's title, with its general formula on the line below (broken between terms where it is long)."""
    text = Text(title, style="bold")
    if not formula:
        return text
    return Group(text, Wrapped(formula, style="italic"))


class ColumnStyle(TypedDict, total=False):
    """The keyword arguments of rich's Table.add_column that set a kind of column."""

    justify: JustifyMethod
    no_wrap: bool
    style: str
    overflow: OverflowMethod


# How each kind of column is set: rich's keyword arguments.
COLUMN_STYLES: dict[str, ColumnStyle] = {
    doc.LABEL: {"no_wrap": True},
    doc.NUMBER: {"justify": "right", "no_wrap": True},  # a number is never cut or broken (render/grid.py)
    doc.VALUE: {"justify": "right", "no_wrap": True, "style": "bold cyan"},
    doc.FORMULA: {"overflow": "fold"},
    doc.TEXT: {},
}


# The decimal point of a number as the tables write it (0.394, −1.4077, 5.1000e−12, 12): where its
# fraction starts, or where it would start.
_POINT = re.compile(r"^[−-]?[0-9,]*(?=[.e]|$)")


def align_points(cells: list[str]) -> list[str]:
    """Numbers of one column padded on the right so that their decimal points line up when the column is
    right-aligned (0.394, −0.50, −1.4077 under one another); other cells stay as they are."""
    ends = [_POINT.match(cell) if cell[:1].isdigit() or cell[1:2].isdigit() else None for cell in cells]
    tails = [len(cell) - found.end() for cell, found in zip(cells, ends) if found]
    if not tails:
        return cells
    widest = max(tails)
    return [cell + " " * (widest - (len(cell) - found.end())) if found else cell for cell, found in zip(cells, ends)]


class Flush:
    """A cell set flush right with its own padding kept: rich's right-justification drops trailing spaces,
    which are what lines decimal points up."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __rich_measure__(self, console, options) -> Measurement:
        return Measurement(len(self.text), len(self.text))

    def __rich_console__(self, console, options):
        yield Text(self.text.rjust(options.max_width), justify="left", no_wrap=True, overflow="crop")


def aligned_rows(rows: Iterable[tuple], columns: Iterable[str]) -> list[tuple]:
    """``rows`` with the numbers of every NUMBER and VALUE column (``columns`` gives each column's kind)
    aligned on their decimal points. The work goes column by column: a table of weights may have 60,000."""
    rows = [tuple(row) for row in rows]
    cells = [list(column) for column in zip(*rows, strict=True)]
    for c, kind in enumerate(columns):
        if kind in (doc.NUMBER, doc.VALUE) and c < len(cells):
            cells[c] = [Flush(cell) if cell.endswith(" ") else cell for cell in align_points(cells[c])]
    return list(zip(*cells)) if cells else rows


def fill(table: Table, rows: Iterator[tuple], total: int, limit: int) -> Table:
    """Add at most ``limit`` rows (all if 0), then a note saying how many were left out and how to see them.
    A cell is text, or a renderable of its own (a ``Wrapped`` formula)."""
    shown = total if limit <= 0 else min(limit, total)
    for row in islice(rows, shown):
        # Text: numbers and brackets are never read as markup
        table.add_row(*(Text(cell) if isinstance(cell, str) else cell for cell in row))
    if shown < total:
        table.add_row(*(["…"] * len(table.columns)), style="dim")
        hidden = total - shown
        table.caption = more_rows(hidden)
        table.caption_justify = "left"
    return table
