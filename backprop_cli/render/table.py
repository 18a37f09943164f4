"""The terminal renderer: the document of an update (``handout.build``) as rich renderables, laid out like
the handout. It only spells what the document holds; hints that name command-line options are added here.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import Iterable, Iterator

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from backprop_cli.engine import Iteration
from backprop_cli.environment import Environment
from backprop_cli.handout import document as doc
from backprop_cli.handout.build import document
from backprop_cli.handout.numbers import NumberFormat
from backprop_cli.network import Config
from backprop_cli.render import common
from backprop_cli.render.common import header_rows
from backprop_cli.render.explain import explanation
from backprop_cli.render.parts import COLUMN_STYLES, TableOptions, fill, heading
from backprop_cli.render.unicode import label, number, spell


def rich_table(model: doc.Table, fmt: NumberFormat, limit: int) -> Table:
    """A table of the document with rich's boxes, at most ``limit`` rows (0: all)."""
    table = Table(box=box.HEAVY_HEAD, header_style="bold")
    if model.title:
        table.title, table.title_justify, table.title_style = Text(model.title), "left", "bold"
    for column in model.columns:
        header = column.header if isinstance(column.header, str) else "".join(spell(p, fmt) for p in column.header)
        table.add_column(header, **COLUMN_STYLES[column.kind])
    # Only the rows shown are built: the first ``limit`` (items of ``group`` rows), as the note below says.
    rows = (("" if row.label is None else label(row.label), *(spell(cell, fmt) for cell in row.cells))
            for row in model.rows(limit))
    return fill(table, rows, model.total, model.shown(limit))


def header(head: doc.Header, fmt: NumberFormat) -> RenderableType:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    for name, parts in header_rows(head):
        grid.add_row(name, "".join(spell(part, fmt) for part in parts))
    return Group(Text(head.title or "bptrace", style="bold underline"), grid)


def block_title(block: doc.Block, fmt: NumberFormat) -> str:
    """The block's title, with the sample it is about where the step is shown per sample."""
    return "".join(spell(part, fmt) for part in common.block_title(block))


def equation(line: doc.Equation, fmt: NumberFormat) -> Text:
    name = spell(line.name, fmt) + (f" {line.note}" if line.note else "")
    parts = [name] + ([spell(line.formula, fmt)] if line.formula is not None else []) + [number(line.value, fmt)]
    text = " = ".join(parts) + (f"  (before: {number(line.before, fmt)})" if line.before is not None else "")
    return Text(text, style="bold" if line.strong else "")


def section(part: doc.Section, fmt: NumberFormat, rows: int) -> list[RenderableType]:
    """One section: each block's heading, table and lines, with a blank line between blocks."""
    items: list[RenderableType] = []
    for n, block in enumerate(part.blocks):
        if n:
            items.append(Text(""))
        items.append(heading(block_title(block, fmt), "\n".join(spell(line, fmt) for line in block.formula)))
        if block.table is not None:
            items.append(rich_table(block.table, fmt, rows))
        items.extend(equation(line, fmt) for line in block.lines)
    return items


def render_document(config: Config, it: Iteration, page: doc.Document, opts: TableOptions) -> list[RenderableType]:
    """The header and every section, each after a blank line and, with --explain, its explanation."""
    items: list[RenderableType] = [header(page.header, opts.fmt)]
    for part in page.sections:
        items.append(Text(""))
        if opts.explain:
            items.extend(explanation(config, it, part, opts.fmt))
        items.extend(phase(config, it, part, opts))
    return items


def phase(config: Config, it: Iteration, part: doc.Section, opts: TableOptions) -> list[RenderableType]:
    """One section as the tables show it."""
    return section(part, opts.fmt, opts.rows)


def render_iteration(config: Config, it: Iteration, opts: TableOptions) -> list[RenderableType]:
    """The header and every phase of one update, with a blank line between phases."""
    return render_document(config, it, document(config, it, opts.fmt), opts)


def make_console(stream, color: bool | None, env: Environment | None = None):
    """A rich console on ``stream``: colour on a terminal only, unless ``color`` forces it on or off; the
    terminal, NO_COLOR and COLUMNS as ``env`` says (by default, as the process has them)."""
    from rich.console import Console

    env = env or Environment.from_process()
    terminal = env.is_terminal(stream)
    return Console(
        file=stream,
        force_terminal=True if color or (color is None and terminal) else None,
        no_color=True if color is False else env.no_color,
        width=env.columns,
        highlight=False,
        emoji=False,
        markup=False,  # every string is literal: formulas are full of [brackets]
        soft_wrap=False,
    )


def write_table(stream, config: Config, iterations: Iterable[Iteration], opts: TableOptions,
                color: bool | None = None, env: Environment | None = None) -> None:
    """Print the trace of the first update in the handout's layout."""
    console = make_console(stream, color, env)
    first = next(iter(iterations))
    for item in render_iteration(config, first, opts):
        console.print(item)
