"""Pieces every rich table of bptrace shares: the options of the table renderer, a step's heading, how each
kind of column is set, and filling a table up to a row limit with a note on what was left out."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import Iterator

from rich.table import Table
from rich.text import Text

from backprop_cli.handout import document as doc
from backprop_cli.handout.numbers import NumberFormat
from backprop_cli.render.common import more_rows


@dataclass(frozen=True)
class TableOptions:
    """What the table renderer needs besides the trace."""

    fmt: NumberFormat
    rows: int = 16  # rows shown per table; 0 = all
    explain: bool = False  # the general formula and why it holds before each phase (render/explain.py)


def heading(title: str, formula: str = "") -> Text:
    """A step's title, with its general formula on the line below."""
    text = Text(title, style="bold")
    if formula:
        text.append("\n")
        text.append(formula, style="italic")
    return text


# How each kind of column is set: rich's keyword arguments.
COLUMN_STYLES = {
    doc.LABEL: {"no_wrap": True},
    doc.NUMBER: {"justify": "right"},
    doc.VALUE: {"justify": "right", "no_wrap": True, "style": "bold cyan"},
    doc.FORMULA: {"overflow": "fold"},
    doc.TEXT: {},
}


def fill(table: Table, rows: Iterator[tuple[str, ...]], total: int, limit: int) -> Table:
    """Add at most ``limit`` rows (all if 0), then a note saying how many were left out and how to see them."""
    shown = total if limit <= 0 else min(limit, total)
    for row in islice(rows, shown):
        table.add_row(*(Text(cell) for cell in row))  # Text: numbers and brackets are never read as markup
    if shown < total:
        table.add_row(*(["…"] * len(table.columns)), style="dim")
        hidden = total - shown
        table.caption = more_rows(hidden)
        table.caption_justify = "left"
    return table
