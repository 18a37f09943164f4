"""The table output of a training run: one update traced in full, then the loss of each epoch as a
table and as a curve drawn in the terminal, and the trained weights.

Like render/table.py, every function returns rich renderables and none computes a gradient; the
numbers come from a ``training.Summary``.
"""

from __future__ import annotations

import math
from typing import Iterator

import numpy as np
from rich import box
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from backprop_cli.engine import Iteration
from backprop_cli.environment import Environment
from backprop_cli.handout.formula import neuron
from backprop_cli.handout.numbers import NumberFormat
from backprop_cli.network import Config
from backprop_cli.render.table import TableOptions, fill, heading, make_console, render_iteration
from backprop_cli.render.unicode import label
from backprop_cli.training import Summary

CURVE_ROWS = 10  # text rows of the loss curve (4 dots each)
LOSS_ROWS = 16  # epochs listed in full below this many; a longer run is listed at round intervals
MAX_COLUMNS = 8  # weight columns shown per layer before "…"

# Bit of each dot in a braille cell (U+2800 + bits), by dot row 0-3 and dot column 0-1.
BRAILLE_DOTS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))


def update_title(it: Iteration, updates: int) -> Text:
    """Which update of the run is traced, e.g. 'Trace of update 3 of 8 — epoch 2, samples 1–4'."""
    first, last = int(it.sample_indices[0]) + 1, int(it.sample_indices[-1]) + 1
    samples = f"sample {first}" if first == last else f"samples {first}–{last}"
    text = Text(f"Trace of update {it.number:,} of {updates:,} — epoch {it.epoch:,}, {samples}",
                style="bold reverse")
    if updates > 1:
        text.append("   (--show N traces update N)", style="dim")
    return text


def epochs_listed(epochs: int) -> tuple[list[int], int]:
    """The epochs a loss table lists, and the interval between them (1 = every epoch).

    A long run keeps epochs 1-3 (what a student checks by hand), then every ``step``-th epoch for a
    round ``step`` (1, 2 or 5 times a power of ten) giving about ten more rows, then the last epoch.
    """
    if epochs <= LOSS_ROWS:
        return list(range(1, epochs + 1)), 1
    step = 1
    while epochs / step > 10:
        for factor in (2, 2.5, 2):  # 1 → 2 → 5 → 10 → 20 → 50 …
            step = int(step * factor)
            if epochs / step <= 10:
                break
    listed = sorted({1, 2, 3, *range(step, epochs + 1, step), epochs})
    return listed, step


def loss_table(summary: Summary, fmt: NumberFormat) -> list[RenderableType]:
    losses = summary.epoch_losses
    listed, step = epochs_listed(len(losses))
    # "…" goes before the first listed epoch that follows a skipped one.
    gap = next((epoch for before, epoch in zip(listed, listed[1:]) if epoch > before + 1), None)
    table = Table(box=box.HEAVY_HEAD, header_style="bold")
    table.add_column("Epoch", justify="right", no_wrap=True)
    table.add_column("Loss J", justify="right", style="bold cyan", no_wrap=True)
    for epoch in listed:
        if epoch == gap:
            table.add_row("…", "", style="dim")
        table.add_row(f"{epoch:,}", fmt.result(losses[epoch - 1]))
    per = summary.plan.updates_per_epoch
    what = ("J before the epoch's update" if per == 1 else
            "J over the epoch's samples, each measured at its own update")
    items: list[RenderableType] = [heading("Loss per epoch", what), table]
    if step > 1:
        items.append(Text(f"Epochs 1–3, then every {step:,} epochs and the last; --format jsonl has every "
                          "update.", style="dim"))
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
        labels = [self.fmt.result(top), self.fmt.result((top + bottom) / 2), self.fmt.result(bottom)]
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


def _input_label(config: Config, i: int, t: int) -> str:
    return f"x{t + 1}" if i == 0 else f"z{t + 1}[{config.layers[i - 1].name}]"


def _weight_rows(layer, columns: list[int | None], fmt: NumberFormat) -> Iterator[tuple[str, ...]]:
    """A row per neuron: its name, its weights in ``columns`` ("…" for None), then its own bias if any."""
    for k in range(layer.weights.shape[0]):
        cells = ["…" if t is None else fmt.param(layer.weights[k, t]) for t in columns]
        if layer.bias is not None and not layer.shared_bias:
            cells.append(fmt.param(layer.bias[k]))
        yield (label(neuron(k, layer.name)), *cells)


def final_weights(summary: Summary, opts: TableOptions) -> list[RenderableType]:
    """One small table per layer: a row per neuron, a column per input, then the bias."""
    trained, fmt = summary.trained, opts.fmt
    items: list[RenderableType] = [heading(f"Weights after {summary.plan.updates:,} updates",
                                           "row k = neuron k, column t = input t (as in the config)")]
    for i, layer in enumerate(trained.layers):
        n, m = layer.weights.shape
        columns = list(range(m)) if m <= MAX_COLUMNS else [*range(MAX_COLUMNS - 2), None, m - 1]
        table = Table(box=box.HEAVY_HEAD, header_style="bold", title=Text(f"Θ[{layer.name}]"),
                      title_justify="left", title_style="bold")
        table.add_column("Neuron", no_wrap=True)
        for t in columns:
            table.add_column("…" if t is None else _input_label(trained, i, t), justify="right")
        per_neuron = layer.bias is not None and not layer.shared_bias
        if per_neuron:
            table.add_column("bias", justify="right")
        items.append(fill(table, _weight_rows(layer, columns, fmt), n, opts.rows))
        if layer.bias is not None and not per_neuron:
            items.append(Text(f"b[{layer.name}] = {fmt.param(layer.bias)}  (one bias shared by the layer)"))
    if not trained.update_bias and any(layer.bias is not None for layer in trained.layers):
        items.append(Text("Biases as given: update_bias is false.", style="dim"))
    return items


def render_training(config: Config, summary: Summary, opts: TableOptions) -> list[RenderableType]:
    """The header, the trace of the shown update, then the loss per epoch, the curve and the weights."""
    fmt = opts.fmt
    top, *trace = render_iteration(config, summary.shown, opts)  # the header, then every phase
    items: list[RenderableType] = [top, Text(""), update_title(summary.shown, summary.plan.updates), *trace]
    items += [Text(""), Text(f"Training: {summary.plan.describe()}, batch {config.batch}", style="bold reverse"),
              Text("")]
    items += loss_table(summary, fmt)
    if len(summary.epoch_losses) >= 2:
        items += [Text(""), heading("Loss curve", "J per epoch, linear scale"), LossCurve(summary.epoch_losses, fmt)]
    items.append(Text(""))
    items += final_weights(summary, opts)
    first = fmt.result(summary.epoch_losses[0])
    items.append(Text(f"J after training = {fmt.result(summary.final_loss)}  (all {config.x.shape[0]} samples; "
                      f"epoch 1: {first})", style="bold"))
    return items


def write_training(stream, config: Config, summary: Summary, opts: TableOptions, color: bool | None = None,
                   env: Environment | None = None) -> None:
    console = make_console(stream, color, env)
    for item in render_training(config, summary, opts):
        console.print(item)
