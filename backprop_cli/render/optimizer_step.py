"""Step 5 for an optimizer other than plain gradient descent (momentum, Adam, weight decay, ...).

The lines of every parameter come from ``optimizers.py`` as plain data (``Optimizer.describe``: the
symbol, the general formula, its numbers, the result); this module only writes them into the handout's
kind of table, one row per parameter with a line per quantity, and says why for ``--explain``.
"""

from __future__ import annotations

from itertools import islice
from typing import Any, Callable, Iterator, Mapping

import numpy as np
from rich import box
from rich.console import RenderableType
from rich.table import Table

from backprop_cli.engine import Iteration, LayerStep
from backprop_cli.network import Config
from backprop_cli.handout.formula import bias, weight
from backprop_cli.handout.numbers import NumberFormat
from backprop_cli.handout.optimizer import hyper_line
from backprop_cli.optimizers import COUNT, GIVEN, PARAM, SLOT, Line
from backprop_cli.render.parts import COLUMN_STYLES, TableOptions, aligned_rows, fill, heading
from backprop_cli.render.unicode import label as spell_label
from backprop_cli.render.wrap import Wrapped
from backprop_cli.handout import document as doc


def rounder(fmt: NumberFormat) -> Callable | None:
    """Hand rounding of a shown result, as the engine did it (None without hand rounding)."""
    if fmt.hand is None:
        return None
    from backprop_cli.rounding import hand_round_value

    return lambda value: hand_round_value(float(value), fmt.hand)


def number(value: float, kind: str, fmt: NumberFormat) -> str:
    """A number of a Step 5 line, written as its kind asks."""
    if kind == GIVEN:
        return fmt.given(value)
    if kind == PARAM:
        return fmt.param(value)
    if kind == COUNT:
        return str(value)
    # Adam's v is the square of a gradient and often below 0.0001: NumberFormat writes it in powers of ten
    # rather than 0.0000, so that every number of a line can be checked.
    return fmt.result(value)


def spell(line: Line, fmt: NumberFormat) -> str:
    """The right-hand side of ``line`` with its numbers, e.g. '0.9 · 0.0000 + 0.0770'; a negative number
    after the first place is set in parentheses, as the handout writes (−1.4)."""
    numbers = {slot: number(value, kind, fmt) for slot, value, kind in line.values}

    def put(match) -> str:
        text = numbers[match.group(1)]
        return text if match.start() == 0 else fmt.factor(text)

    return SLOT.sub(put, line.template)


def _at(state: Mapping[str, Any], index) -> dict[str, Any]:
    """One parameter's part of a layer's state (``index`` None: a shared bias, the state itself)."""
    return {key: value if index is None or not isinstance(value, np.ndarray) else value[index]
            for key, value in state.items()}


def _rows(config: Config, it: Iteration, fmt: NumberFormat) -> Iterator[tuple[str, str, str, str]]:
    """A row per line of every parameter: its label (on its first line), the symbol, the formula with
    numbers and the value. A row of its own per line, so that a long formula wraps without shifting the rest."""
    spec, r = config.optimizer, rounder(fmt)

    def rows(label: str, st: LayerStep, which: str, index, param: str) -> Iterator[tuple[str, str, str, str]]:
        value, grad = (st.weights, st.dJ_dweights) if which == "weights" else (st.bias, st.dJ_dbias)
        if index is not None:
            value, grad = value[index], grad[index]
        before = {} if st.state_before is None else getattr(st.state_before, which)
        lines = spec.optimizer.describe(float(value), float(grad), _at(before, index),
                                        config.alpha, spec.hyper, r, param=param)
        for n, line in enumerate(lines):
            yield "" if n else label, line.symbol, spell(line, fmt), number(line.result, line.kind, fmt)

    for layer, st in zip(config.layers, it.steps):
        for k, t in np.ndindex(*st.weights.shape):
            yield from rows(spell_label(weight(k, t, layer.name)), st, "weights", (k, t), "Θ")
        if st.bias is None:
            continue
        for k in [None] if st.shared_bias else range(st.weights.shape[0]):
            label = spell_label(bias(k, layer.name))
            if not config.update_bias:
                b = st.bias if k is None else st.bias[k]
                yield label, "b", f"{fmt.param(b)} (update_bias: false keeps it)", fmt.param(b)
            else:
                yield from rows(label, st, "bias", k, "b")


def update(config: Config, it: Iteration, opts: TableOptions) -> list[RenderableType]:
    """Step 5 as a table: for every parameter the optimizer's lines with their numbers."""
    fmt, spec = opts.fmt, config.optimizer
    general = spec.optimizer.formulas(spec.hyper)
    settings = hyper_line(spec, config.alpha, fmt)
    if "t" in dict(spec.optimizer.state):
        settings += f"\nt = {it.steps[0].state.weights['t']}: the number of updates so far, this one included"
    table = Table(box=box.HEAVY_HEAD, header_style="bold")
    for header, kind in (("Parameter", doc.LABEL), ("", doc.FORMULA), ("Formula with numbers", doc.FORMULA),
                         ("Value", doc.VALUE)):
        table.add_column(header, **COLUMN_STYLES[kind])
    per = spec.optimizer.lines(spec.hyper)  # lines per parameter; a frozen bias has one
    biases = sum(0 if st.bias is None else np.size(st.bias) for st in it.steps)
    total = sum(st.weights.size for st in it.steps) * per + biases * (per if config.update_bias else 1)
    title = f"Step 5) Update with {spec.optimizer.label}, as {spec.optimizer.torch}"
    # --rows N counts parameters here, as in every other table: N parameters, each with all its lines
    limit = opts.rows * per
    shown = islice(_rows(config, it, fmt), total if limit <= 0 else min(limit, total))
    kinds = (doc.LABEL, doc.FORMULA, doc.FORMULA, doc.VALUE)
    rows = [(label, symbol, Wrapped(formula), value) for label, symbol, formula, value in aligned_rows(shown, kinds)]
    return [heading(title, "\n".join([*general, settings])), fill(table, iter(rows), total, limit)]
