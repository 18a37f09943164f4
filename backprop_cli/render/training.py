"""The table output of a training run: one update traced in full, then the loss of each epoch as a
table and as a curve drawn in the terminal, and the trained weights.

Like render/table.py, every function returns rich renderables and none computes a gradient; what is
shown comes from the document model of the run (``model.training``).
"""

from __future__ import annotations

import math

import numpy as np
from rich import box
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from backprop_cli.engine.network import Config
from backprop_cli.engine.training import Summary
from backprop_cli.environment import Environment
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.model.training import Traced, Training, training
from backprop_cli.render import common
from backprop_cli.render.table import (
    TableOptions,
    heading,
    make_console,
    render_iteration,
    rich_table,
)
from backprop_cli.render.unicode import number, spell

CURVE_ROWS = 10  # text rows of the loss curve (4 dots each)

# Bit of each dot in a braille cell (U+2800 + bits), by dot row 0-3 and dot column 0-1.
BRAILLE_DOTS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))


def update_title(traced: Traced) -> Text:
    """Which update of the run is traced, e.g. 'Trace of update 3 of 8 — epoch 2, samples 1–4'."""
    text = Text(common.update_title(traced), style="bold reverse")
    if traced.updates > 1:
        text.append(f"   {common.SHOW_HINT}", style="dim")
    return text


def loss_table(run: Training, fmt: NumberFormat) -> list[RenderableType]:
    table = Table(box=box.HEAVY_HEAD, header_style="bold")
    table.add_column("Epoch", justify="right", no_wrap=True)
    table.add_column("Loss J", justify="right", style="bold cyan", no_wrap=True)
    for row in run.losses:
        if row.gap_before:
            table.add_row("…", "", style="dim")
        table.add_row(f"{row.epoch:,}", number(row.loss, fmt))
    items: list[RenderableType] = [heading("Loss per epoch", common.loss_what(run)), table]
    if common.loss_note(run):
        items.append(Text(common.loss_note(run), style="dim"))
    return items


class LossCurve:
    """The loss of each epoch as a line drawn with braille dots, as wide as the terminal allows."""

    def __init__(self, losses: np.ndarray, fmt: NumberFormat, rows: int = CURVE_ROWS) -> None:
        self.losses = np.asarray(losses, dtype=float)
        self.fmt = fmt
        self.rows = rows

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        losses = self.losses
        top, bottom = float(np.max(losses)), float(np.min(losses))
        # With as many digits as tell the three apart: hand rounding may write 0.47, 0.465 and 0.46 alike.
        labels = self.fmt.distinct([top, (top + bottom) / 2, bottom])
        label_width = max(len(label) for label in labels)
        cells = max(10, min(options.max_width - label_width - 3, 2 * max(len(losses), 5)))
        grid = braille_grid(losses, cells, self.rows)
        label_rows = {0: labels[0], (self.rows - 1) // 2: labels[1], self.rows - 1: labels[2]}
        for r, line in enumerate(grid):
            row = Text(label_rows.get(r, "").rjust(label_width) + " ┤" if r in label_rows else
                       " " * label_width + " │", style="dim")
            row.append(line, style="cyan")
            yield row
        yield Text(" " * label_width + " └" + "─" * cells, style="dim")
        first, last = "1", f"{len(losses):,}"
        axis = first + " " * max(1, cells - len(first) - len(last) - len(" epoch")) + last + " epoch"
        yield Text(" " * (label_width + 2) + axis, style="dim")


def braille_grid(values: np.ndarray, cells: int, rows: int) -> list[str]:
    """``values`` drawn as a connected line in ``rows`` lines of ``cells`` braille characters.

    Each dot column covers an equal share of the values and is filled from their lowest to their
    highest; a gap to the column before is closed, so a steep drop reads as one line.
    """
    width, height = 2 * cells, 4 * rows
    n = len(values)
    if n <= width:  # fewer values than dot columns: interpolate between them
        lows = highs = np.interp(np.linspace(0, n - 1, width), np.arange(n), values)
    else:
        starts = np.linspace(0, n, width + 1).astype(int)[:-1]
        lows, highs = np.minimum.reduceat(values, starts), np.maximum.reduceat(values, starts)
    top, bottom = float(np.max(values)), float(np.min(values))
    span = top - bottom

    def row_of(v: np.ndarray) -> np.ndarray:
        if span == 0 or not math.isfinite(span):
            return np.full(np.shape(v), height // 2)
        return np.rint((top - v) / span * (height - 1)).astype(int)

    upper, lower = row_of(highs), row_of(lows)  # dot rows count from the top
    bits = np.zeros((rows, cells), dtype=int)
    for x in range(width):
        a, b = int(upper[x]), int(lower[x])
        if x > 0:
            if a > lower[x - 1] + 1:  # below the column before, with a gap
                a = int(lower[x - 1]) + 1
            if b < upper[x - 1] - 1:  # above it
                b = int(upper[x - 1]) - 1
        for y in range(a, b + 1):
            bits[y // 4, x // 2] |= BRAILLE_DOTS[y % 4][x % 2]
    return ["".join(chr(0x2800 + v) for v in line) for line in bits]


def final_weights(run: Training, opts: TableOptions) -> list[RenderableType]:
    """One small table per layer: a row per neuron, a column per input, then the bias."""
    fmt = opts.fmt
    items: list[RenderableType] = [heading(*common.weights_title(run))]
    for layer in run.weights:
        items.append(rich_table(layer.table, fmt, opts.rows))
        if layer.shared_bias is not None:
            items.append(Text(f"b[{layer.name}] = {number(layer.shared_bias, fmt)}  {common.SHARED_BIAS}"))
    if run.biases_fixed:
        items.append(Text(common.BIASES_FIXED, style="dim"))
    return items


def render_training(config: Config, summary: Summary, opts: TableOptions) -> list[RenderableType]:
    """The header, the trace of the shown update, then the loss per epoch, the curve and the weights."""
    fmt, run = opts.fmt, training(config, summary)
    top, *trace = render_iteration(config, summary.shown, opts)  # the header, then every phase
    items: list[RenderableType] = [top, Text(""), update_title(run.traced), *trace]
    items += [Text(""), Text(common.training_title(run), style="bold reverse"), Text("")]
    items += loss_table(run, fmt)
    if len(run.curve) >= 2:
        items += [Text(""), heading("Loss curve", "J per epoch, linear scale"), LossCurve(run.curve, fmt)]
    items.append(Text(""))
    if run.stopped is not None:  # the error that stopped it follows on stderr
        items.append(Text(f"The run stopped in epoch {run.stopped:,}: the loss was no longer a finite number.",
                          style="bold"))
        return items
    items += final_weights(run, opts)
    if run.predictions is not None:
        out = config.layers[-1].name
        items += [Text(""), heading("Outputs after training", f"z[{out}] of each sample with the trained weights"),
                  rich_table(run.predictions, fmt, opts.rows)]
    items.append(Text("".join(spell(part, fmt) for part in common.final_loss(run, fmt.result(run.curve[0]))),
                      style="bold"))
    return items


def write_training(stream, config: Config, summary: Summary, opts: TableOptions, color: bool | None = None,
                   env: Environment | None = None) -> None:
    console = make_console(stream, color, env, opts.width)
    for item in render_training(config, summary, opts):
        console.print(item)
    if summary.stopped is not None:  # the tables up to there are out; now the error, and its exit code
        raise summary.stopped
