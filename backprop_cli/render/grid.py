"""A table of the document as a rich table: the rows up to a limit, the numbers of a column lined up on
their decimal points, the formulas broken between terms, and never a number cut.

Where a table is wider than the terminal, its columns are narrowed here rather than by rich: first the
headers wrap (a column as wide as its header only), then the formulas and texts, the widest first, down
to their widest unbreakable piece; a number column never narrows. A matrix that still does not fit shows
the columns that do and a note, or one row per number.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich import box
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from backprop_cli.model import document as doc
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.render.common import more_columns
from backprop_cli.render.parts import COLUMN_STYLES, aligned_rows, fill
from backprop_cli.render.unicode import label, spell
from backprop_cli.render.wrap import Wrapped, narrowest

PADDING = 2  # a space each side of a cell
WRAPPING = (doc.FORMULA, doc.TEXT)  # the kinds of column whose cells may break across lines


def _header(column: doc.Column, fmt: NumberFormat) -> str:
    return column.header if isinstance(column.header, str) else "".join(spell(p, fmt) for p in column.header)


def _text(cell) -> str:
    return cell if isinstance(cell, str) else cell.text


@dataclass(frozen=True)
class _Width:
    """How wide a column wants to be (``natural``); without wrapping its header (``cells``); at the least
    without breaking a piece of a formula or a word (``least``); and at the very least, with its header's
    words broken too (``floor``): a number, a label and a piece of a formula are never broken."""

    natural: int
    cells: int
    least: int
    floor: int


def _width(header: str, cells: list[str], kind: str) -> _Width:
    lines = [line for cell in cells for line in cell.split("\n")] or [""]
    longest = max(len(line) for line in lines)
    word = max(len(part) for part in header.split(" "))
    floor = max([1] + [narrowest(cell) for cell in cells]) if kind in WRAPPING else max(longest, 1)
    return _Width(max(len(header), longest), max(word, longest), max(word, floor), floor)


def _narrow(now: list[int], bounds: list[int], excess: int) -> int:
    """Take up to ``excess`` columns from the widest of ``now`` above its bound, one at a time; what is left."""
    while excess > 0:
        narrowable = [c for c in range(len(now)) if now[c] > bounds[c]]
        if not narrowable:
            break
        now[max(narrowable, key=lambda c: now[c])] -= 1
        excess -= 1
    return excess


def fit_widths(widths: list[_Width], room: int) -> list[int] | None:
    """The width of each column so that all fit in ``room`` columns of content, or None where they fit as
    they are. Headers wrap first, then the formulas and texts narrow, the widest first; then the words of
    headers break; if even that is not enough, each is as narrow as it may be (wider than the room)."""
    now = [w.natural for w in widths]
    excess = sum(now) - room
    if excess <= 0:
        return None
    for c in sorted(range(len(widths)), key=lambda c: widths[c].cells - now[c]):  # most header to spare first
        cut = min(excess, now[c] - widths[c].cells)
        now[c] -= cut
        excess -= cut
    excess = _narrow(now, [w.least for w in widths], excess)
    _narrow(now, [w.floor for w in widths], excess)
    return now


class DocTable:
    """A table of the document, laid out for the width it is printed at."""

    def __init__(self, model: doc.Table, fmt: NumberFormat, limit: int) -> None:
        self.model, self.fmt, self.limit = model, fmt, limit
        self.kinds = [column.kind for column in model.columns]
        self.headers = [_header(column, fmt) for column in model.columns]
        # Only the rows shown are built: the first ``limit``, as the note below the table says.
        spelled = [("" if row.label is None else label(row.label), *(spell(cell, fmt) for cell in row.cells))
                   for row in model.rows(limit)]
        self.rows = aligned_rows(spelled, self.kinds)
        self._widths: list[_Width] | None = None

    def widths(self) -> list[_Width]:
        """How wide each column wants to be and may be (measured once: the rows do not change)."""
        if self._widths is None:
            self._widths = [_width(header, [_text(row[c]) for row in self.rows], kind)
                            for c, (header, kind) in enumerate(zip(self.headers, self.kinds))]
        return self._widths

    def table(self, room: int | None = None, padding: int = 1) -> Table:
        """The rich table, its columns fitted into ``room`` columns of content (None: as rich lays it out),
        with ``padding`` spaces each side of a cell."""
        table = Table(box=box.HEAVY_HEAD, header_style="bold", padding=(0, padding))
        if self.model.title:
            table.title, table.title_justify, table.title_style = Text(self.model.title), "left", "bold"
        fitted = None if room is None else fit_widths(self.widths(), room)
        for c, (header, kind) in enumerate(zip(self.headers, self.kinds)):
            table.add_column(Wrapped(header, indent=0, words=True), width=None if fitted is None else fitted[c],
                             **COLUMN_STYLES[kind])
        cells = [tuple(Wrapped(cell) if kind == doc.FORMULA else cell for cell, kind in zip(row, self.kinds))
                 for row in self.rows]
        return fill(table, iter(cells), self.model.total, self.model.shown(self.limit))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        columns = len(self.kinds)
        room = options.max_width - (columns + 1)  # the borders
        if sum(w.floor for w in self.widths()) > room - PADDING * columns:
            yield self.table(room, padding=0)  # a terminal too narrow for the spaces around the cells
        else:
            yield self.table(room - PADDING * columns)


def rich_table(model: doc.Table, fmt: NumberFormat, limit: int) -> RenderableType:
    """A table of the document with rich's boxes, at most ``limit`` rows (0: all); a matrix (a table with
    ``entries``) shows the columns that fit (see Matrix)."""
    if model.entries is not None:
        return Matrix(model, model.entries, fmt, limit)
    return DocTable(model, fmt, limit)


def _first_columns(model: doc.Table, keep: int) -> doc.Table:
    """``model`` with its first ``keep`` columns only (the first is the label)."""
    def rows():
        for row in model.rows():
            yield doc.Row(row.label, row.cells[:keep - 1])

    return doc.Table(model.columns[:keep], model.total, rows, title=model.title)


class Matrix:
    """A matrix table that never cuts a number: all its columns where they fit; else, with --rows 0, its
    numbers one row each; else the columns that fit, and a note naming the others and how to see them."""

    def __init__(self, model: doc.Table, entries: doc.Table, fmt: NumberFormat, limit: int) -> None:
        self.model, self.entries, self.fmt, self.limit = model, entries, fmt, limit

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        model, whole = self.model, DocTable(self.model, self.fmt, self.limit)
        widths = [w.cells + PADDING + 1 for w in whole.widths()]  # a column, its padding and one border
        if 1 + sum(widths) <= options.max_width:
            yield whole
            return
        if self.limit <= 0:
            yield DocTable(self.entries, self.fmt, 0)
            yield Text("One row per number: the matrix is wider than the terminal.", style="dim")
            return
        keep, used = 1, 1 + widths[0]
        while keep < len(widths) and used + widths[keep] <= options.max_width:
            used += widths[keep]
            keep += 1
        keep = max(keep, 2)  # the label and one column, however narrow the terminal
        yield DocTable(_first_columns(model, keep), self.fmt, self.limit)
        yield Text(f"{more_columns(whole.headers[keep:])}: --rows 0 or a wider terminal shows them.", style="dim")
