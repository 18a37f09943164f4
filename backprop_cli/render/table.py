"""The terminal renderer: the document of an update (``handout.build``) as rich renderables, laid out like
the handout. It only spells what the document holds; hints that name command-line options are added here.
"""

from __future__ import annotations

from typing import Iterable

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from backprop_cli.engine import Iteration
from backprop_cli.environment import Environment
from backprop_cli.handout import document as doc
from backprop_cli.handout.build import document
from backprop_cli.handout.numbers import NumberFormat
from backprop_cli.network import Config
from backprop_cli.render.console import make_console
from backprop_cli.render.explain import explanation
from backprop_cli.render.grid import rich_table
from backprop_cli.render.optimizer_step import update as optimizer_update
from backprop_cli.render.parts import TableOptions, heading
from backprop_cli.render.unicode import number, spell
from backprop_cli.render.wrap import Wrapped


def header(head: doc.Header, fmt: NumberFormat) -> RenderableType:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    sizes = [str(head.inputs)] + [f"{width} {act} [{name}]" for width, act, name in head.layers]
    grid.add_row("Network", " → ".join(sizes))
    if head.x is not None:
        grid.add_row("Input x", spell(head.x, fmt))
        grid.add_row("Desired output y", spell(head.y, fmt))
    else:
        grid.add_row("Samples", f"{head.samples} (x and y given as rows)")
    grid.add_row("Learning rate α", number(head.alpha, fmt))
    if head.optimizer is not None:
        grid.add_row("Optimizer", head.optimizer)
    grid.add_row("Loss", f"{head.loss}: {head.loss_formula}")
    if head.hand_rounding is not None:
        n = head.hand_rounding
        grid.add_row("Rounding", f"by hand: {n} decimals ({n} significant digits where that keeps "
                                 "more); each step uses the rounded values")
    return Group(Text(head.title or "bptrace", style="bold underline"), grid)


def block_title(block: doc.Block, fmt: NumberFormat) -> str:
    """The block's title, with the sample it is about where the step is shown per sample."""
    sample = block.sample
    if sample is None:
        return block.title
    if block.kind == "forward":
        return f"{block.title} — sample {sample.number}: x = {spell(sample.x, fmt)}, y = {spell(sample.y, fmt)}"
    gap = "  " if block.kind == "output_gradient" else " "  # that title ends in a parenthesis of its own
    return f"{block.title}{gap}— sample {sample.number}"


def equation(line: doc.Equation, fmt: NumberFormat) -> Wrapped:
    """J(Θ) = (0.30 − 0)² + (0.38 − 1)² = 0.47, broken between terms where it is long; J after an update
    with J before it, and both in full precision where the digits shown write them alike."""
    parts = [line.name] + ([spell(line.formula, fmt)] if line.formula is not None else []) + [number(line.value, fmt)]
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
    for part in page.sections:
        items.append(Text(""))
        if opts.explain:
            items.extend(explanation(config, it, part, opts.fmt))
        items.extend(phase(config, it, part, opts))
    return items


def phase(config: Config, it: Iteration, part: doc.Section, opts: TableOptions) -> list[RenderableType]:
    """One section as the tables show it; Step 5 of an optimizer other than plain gradient descent (momentum,
    Adam, weight decay, ...) with its lines per parameter."""
    if part.step == "Step 5" and not config.optimizer.plain:
        return optimizer_update(config, it, opts) + [equation(line, opts.fmt) for block in part.blocks for line in block.lines]
    return section(part, opts.fmt, opts.rows)


def render_iteration(config: Config, it: Iteration, opts: TableOptions) -> list[RenderableType]:
    """The header and every phase of one update, with a blank line between phases."""
    return render_document(config, it, document(config, it, opts.fmt, opts.working), opts)


def write_table(stream, config: Config, iterations: Iterable[Iteration], opts: TableOptions,
                color: bool | None = None, env: Environment | None = None) -> None:
    """Print the trace of the first update in the handout's layout."""
    console = make_console(stream, color, env, opts.width)
    first = next(iter(iterations))
    for item in render_iteration(config, first, opts):
        console.print(item)
