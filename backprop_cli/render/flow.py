"""A document of a run as a flow of simple elements (headings, paragraphs, displayed formulas, tables,
pictures), in the handout's order, for the LaTeX, Markdown and HTML writers to spell one by one.

The flow only arranges what the page holds (``model.page``); each writer spells text and formula nodes
its own way (LaTeX math, MathML) and decides nothing about what is shown.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

import numpy as np

from backprop_cli.model import document as doc
from backprop_cli.model.figure_layout import Figure
from backprop_cli.model.formula import Node, Relation, Sum, bias
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.model.page import Page
from backprop_cli.render import common
from backprop_cli.render.common import Parts
from backprop_cli.render.unicode import number

if TYPE_CHECKING:
    from backprop_cli.model.training import Training

Cell: TypeAlias = "Node | str | Parts"  # Parts: words and formulas in one cell


@dataclass(frozen=True)
class Heading:
    level: int  # 1 the title, 2 a section, 3 a block within one
    parts: Parts


@dataclass(frozen=True)
class Para:
    parts: Parts
    style: str = ""  # "", "note" (set small), "strong"


@dataclass(frozen=True)
class Display:
    """Formulas set apart, one a row: (left, sign, right), aligned at the sign. A row without a left side
    goes on from the row above (its sign "+" continues a sum); a sign "" is a formula standing alone."""

    rows: tuple[tuple[Node | str | None, str, Node], ...]  # a left side given as text is set as words
    tag: int | None = None  # the handout's equation number
    note: str = ""  # words after the formula

    @property
    def aligned(self) -> bool:
        return len(self.rows) > 1


@dataclass(frozen=True)
class Grid:
    """A table: a header per column with the kind of its cells (document.LABEL, NUMBER, VALUE, FORMULA, TEXT),
    rows of cells, and a note below (rows left out)."""

    columns: tuple[tuple[Parts, str], ...]
    rows: Sequence[tuple[Cell, ...]]
    note: str = ""
    title: str = ""
    widths: tuple[float, ...] = ()  # shares of the line per column, where the layout is fixed (a printed sheet)


@dataclass(frozen=True)
class PageBreak:
    """What follows starts on a new page (printed); a rule between the parts on a screen."""


@dataclass(frozen=True)
class Pairs:
    """Facts, each a name and its value (the header of the network)."""

    rows: tuple[tuple[str, Parts], ...]


@dataclass(frozen=True)
class Picture:
    """The network figure (``figure``) or the loss curve (``curve``: J per epoch)."""

    figure: Figure | None = None
    curve: np.ndarray | None = None
    caption: str = ""


def alone(node: Node, tag: int | None = None, note: str = "") -> Display:
    return Display(((None, "", node),), tag, note)


def grid(table: doc.Table, limit: int) -> Grid:
    """A table of the document, cut to ``limit`` items (0: all) with a note saying how many rows were left out."""
    columns = tuple(((c.header,) if isinstance(c.header, str) else c.header, c.kind) for c in table.columns)
    rows = [("" if row.label is None else row.label, *row.cells) for row in table.rows(limit)]
    hidden = table.total - table.shown(limit)
    return Grid(columns, rows, common.more_rows(hidden) if hidden else "", table.title)


def example_rows(example: doc.Example) -> tuple[tuple[Node | None, str, Node], ...]:
    """The worked example as the handout aligns it: what is computed = (or ←) the general formula, the
    formula with numbers (a stacked sum a term per row), the value; an optimizer's earlier lines first."""
    sign = "←" if example.update else "="
    rows: list[tuple[Node | None, str, Node]] = [
        (line.left, line.sign, line.right) for line in example.before if isinstance(line, Relation)]
    left = example.left
    if example.general is not None:
        rows.append((left, sign, example.general))
        left = None
    formula = example.formula
    if isinstance(formula, Sum) and formula.stack and len(formula.terms) > 1:
        terms = list(formula.terms)
        if formula.omitted:
            terms.insert(-1, Sum((), omitted=formula.omitted))
        rows += [(left, sign, terms[0])] + [(None, "+", term) for term in terms[1:]]
    else:
        rows.append((left, sign, formula))
    rows.append((None, sign, example.value))
    return tuple(rows)


def equation(line: doc.Equation, fmt: NumberFormat) -> Display:
    """J(Θ) = (0.30 − 0)² + (0.38 − 1)² = 0.47, with what it is and J before an update as words after it."""
    right = line.value if line.formula is None else Relation(line.formula, line.value)
    words = [line.note] if line.note else []
    if line.before is not None:
        words.append(f"before: {number(line.before, fmt)}")
    if line.change is not None:  # the digits shown write J before and after alike: both in full precision
        before, after = fmt.distinct([n.value for n in line.change])
        words.append(f"in full precision {before} → {after}")
    return Display(((line.name, "=", right),), note="; ".join(words))


def block(part: doc.Block, level: int, rows: int, fmt: NumberFormat) -> Iterator:
    yield Heading(level, common.block_title(part))
    formulas = [line for line in part.formula if not isinstance(line, str)]
    if len(formulas) == 1:
        yield alone(formulas[0], part.equation)
    elif formulas:  # an optimizer's rules: one display, aligned at their signs
        yield Display(tuple((line.left, line.sign, line.right) if isinstance(line, Relation) else (None, "", line)
                            for line in formulas))
    for line in part.formula:
        if isinstance(line, str):
            yield Para((line,), "note")
    if part.example is not None:
        ex = part.example
        note = f" ({ex.note})" if ex.note else ""
        yield Para((f"Example for {ex.about} ", ex.target, f"{note}:"))
        yield Display(example_rows(ex))
    if part.table is not None:
        yield grid(part.table, rows)
    for total in part.lines:
        yield equation(total, fmt)


def weights(layers, rows: int) -> Iterator:
    """The parameters of each layer (model.weights.LayerWeights) as a table, a shared bias below it."""
    for layer in layers:
        yield grid(layer.table, rows)
        if layer.shared_bias is not None:
            yield Para((Relation(bias(None, layer.name), layer.shared_bias), f"  {common.SHARED_BIAS}"))


def training(run: Training, fmt: NumberFormat, rows: int) -> Iterator:
    """The loss per epoch as a table and a curve, the trained weights, J after training."""
    yield Heading(2, (common.training_title(run),))
    yield Heading(3, ("Loss per epoch",))
    yield Para((common.loss_what(run),), "note")
    listed: list[tuple[Cell, ...]] = []
    for row in run.losses:
        if row.gap_before:
            listed.append(("…", ""))
        listed.append((f"{row.epoch:,}", row.loss))
    yield Grid(((("Epoch",), doc.NUMBER), (("Loss J",), doc.VALUE)), listed, common.loss_note(run))
    if len(run.curve) >= 2:
        yield Heading(3, ("Loss curve",))
        yield Picture(curve=run.curve, caption="J per epoch, linear scale")
    if run.stopped is not None:  # the error that stopped it follows on stderr
        yield Para((f"The run stopped in epoch {run.stopped:,}: the loss was no longer a finite number.",), "strong")
        return
    title, what = common.weights_title(run)
    yield Heading(3, (title,))
    yield Para((what,), "note")
    yield from weights(run.weights, rows)
    if run.biases_fixed:
        yield Para((common.BIASES_FIXED,), "note")
    if run.predictions is not None:
        yield Heading(3, ("Outputs after training",))
        yield Para(("The output z of each sample with the trained weights.",), "note")
        yield grid(run.predictions, rows)
    yield Para(common.final_loss(run, fmt.result(run.curve[0])), "strong")


def elements(page: Page, rows: int) -> Iterator:
    """Every element of the document of ``page``, tables cut to ``rows`` items (0: all)."""
    document, fmt = page.document, page.document.fmt
    head = document.header
    yield Heading(1, (head.title or "bptrace",))
    yield Pairs(tuple(common.header_rows(head)))
    yield Para(("The network is depicted in the following figure:",))
    yield Picture(figure=page.figure)
    if page.training is not None:
        traced = page.training.traced
        hint = f"  {common.SHOW_HINT}" if traced.updates > 1 else ""
        yield Para((common.update_title(traced) + hint,), "strong")
    for section in document.sections:
        for n, part in enumerate(section.blocks):
            yield from block(part, 2 if n == 0 else 3, rows, fmt)
    if page.derivation:
        yield Heading(2, ("Derivation of the formulas",))
        for paragraph in page.derivation:
            yield Para(paragraph.text)
            if paragraph.display:
                yield Display(tuple((line.left, line.sign, line.right) if isinstance(line, Relation)
                                    else (None, "", line) for line in paragraph.display),
                              paragraph.equation)  # left None: goes on
    if page.training is not None:
        yield from training(page.training, fmt, rows)
