"""The terminal renderer: the document of an update (``model.build``) as rich renderables, laid out like
the handout. It only spells what the document holds; hints that name command-line options are added here.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from backprop_cli.engine.backprop import Iteration
from backprop_cli.engine.network import Config
from backprop_cli.environment import Environment
from backprop_cli.model import document as doc
from backprop_cli.model.build import document
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.render import common
from backprop_cli.render.common import header_rows
from backprop_cli.render.console import make_console
from backprop_cli.render.grid import rich_table
from backprop_cli.render.parts import TableOptions, heading
from backprop_cli.render.unicode import number, spell
from backprop_cli.render.wrap import Wrapped


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


def equation(line: doc.Equation, fmt: NumberFormat) -> Wrapped:
    """J(Θ) = (0.30 − 0)² + (0.38 − 1)² = 0.47, broken between terms where it is long; J after an update
    with J before it, and both in full precision where the digits shown write them alike."""
    name = spell(line.name, fmt) + (f" {line.note}" if line.note else "")
    parts = [name] + ([spell(line.formula, fmt)] if line.formula is not None else []) + [number(line.value, fmt)]
    text = " = ".join(parts)
    if line.before is not None:
        text += f"  (before: {number(line.before, fmt)}"
        if line.change is not None:
            before, after = fmt.distinct([n.value for n in line.change])
            text += f"; in full precision {before} → {after}"
        text += ")"
    return Wrapped(text, style="bold" if line.strong else "")


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
    if opts.explain:  # --explain's panels and prose: a mode of its own, loaded when asked for
        from backprop_cli.render.explain import explanation
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
    return render_document(config, it, document(config, it, opts.fmt, opts.working, weights=True), opts)


def write_table(stream, config: Config, iterations: Iterable[Iteration], opts: TableOptions,
                color: bool | None = None, env: Environment | None = None) -> None:
    """Print the trace of the first update in the handout's layout."""
    console = make_console(stream, color, env, opts.width)
    first = next(iter(iterations))
    for item in render_iteration(config, first, opts):
        console.print(item)
