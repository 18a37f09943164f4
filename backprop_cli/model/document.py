"""The worked example as a document: sections of blocks, each a heading, a table of rows and lines.

``build.document(config, iteration, fmt)`` decides once what every format shows: which steps, rows,
numbers and formulas. A renderer walks ``Document.sections`` → ``Section.blocks`` → ``Block.table``
rows and ``Block.lines``, and only spells what it finds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from backprop_cli.model.formula import Label, Node, Num, Vector
from backprop_cli.model.numbers import NumberFormat

# Column kinds: what a cell holds, so that a renderer can align and emphasise it.
LABEL, NUMBER, VALUE, FORMULA, TEXT = "label", "number", "value", "formula", "text"
ANSWER = "answer"  # an empty cell of a printed answer sheet, wide enough to write a number into by hand


@dataclass(frozen=True)
class Column:
    """A column: its header (text, or parts of text and formulas written one after the other, such as
    (∂J/∂z_k · g'(p_k), " with numbers")) and what its cells hold."""

    header: str | tuple[Node | str, ...]
    kind: str


@dataclass(frozen=True)
class Row:
    """One row: what it is about (a neuron or a parameter; None on the further lines of one item), then
    one cell per further column."""

    label: Label | None
    cells: tuple[Node | str, ...]


@dataclass(frozen=True)
class Table:
    """Rows built on demand: a 784-128-10 network has 100,000 weights, and a table shows a few.

    ``group`` rows make one item (an optimizer's lines of one parameter): a limit counts items.
    """

    columns: tuple[Column, ...]
    total: int  # rows
    make_rows: Callable[[], Iterator[Row]] = field(repr=False, compare=False)
    title: str = ""
    # A matrix (a row per neuron, a column per input) has its numbers once more, one row each, for where
    # its columns do not fit side by side.
    entries: Table | None = None
    group: int = 1

    def rows(self, limit: int = 0) -> Iterator[Row]:
        """The rows of the first ``limit`` items (all for 0)."""
        return self.make_rows() if limit <= 0 else islice(self.make_rows(), limit * self.group)

    def shown(self, limit: int = 0) -> int:
        """How many rows ``rows(limit)`` gives."""
        return self.total if limit <= 0 else min(limit * self.group, self.total)


@dataclass(frozen=True)
class Equation:
    """A line such as J(Θ) = (0.30 − 0)² + (0.38 − 1)² = 0.47: a name (a formula such as J(Θ), and words
    after it such as "after the update"), the formula with numbers, the value, and the value before an
    update where there is one. A name given as text (b[hid]) is written as words are."""

    name: Node | str
    formula: Node | None
    value: Num
    before: Num | None = None
    strong: bool = False
    # Where the digits shown write the value and the one before alike although the update changed it:
    # both in full precision, to be written with as many digits as tell them apart (NumberFormat.distinct).
    change: tuple[Num, Num] | None = None
    note: str = ""


@dataclass(frozen=True)
class SampleRef:
    """Which sample a per-sample block is about: its 1-based number in the config, and its x and y."""

    number: int
    x: Vector
    y: Vector


@dataclass(frozen=True)
class Example:
    """The one worked example of a step, in the handout's form: an aligned display of what is computed
    (``left``: ∂J/∂Θ_11[out]), the general formula where the handout writes it first (Step 5), then the
    row ``target``'s formula with numbers, whose parts may carry a ``Brace`` ("Derivative Sigmoid",
    "see Step 1)"), and its value. ``before``: lines above it, each a relation with its numbers and value
    (the lines of an optimizer before the new parameter's)."""

    target: Label
    formula: Node
    value: Num | Node
    update: bool = False  # Step 5 writes ← instead of =
    left: Node | None = None
    general: Node | None = None
    before: tuple[Node, ...] = ()
    about: str = ""  # what ``target`` is: "neuron", "weight", "bias"
    note: str = ""  # where else the number is seen


@dataclass(frozen=True)
class Block:
    """What one heading introduces: a title, the general formula (lines), a table, lines after it.

    ``kind`` names the part of the step ("forward", "step1", "output_gradient", "step2", "weights",
    "update"); ``sample`` is set where a step is shown per sample (an update of several samples);
    ``equation`` is the number of the handout's general formula.
    """

    kind: str
    title: str
    formula: tuple[Node | str, ...] = ()  # one line each: a formula, or a sentence
    table: Table | None = None
    lines: tuple[Equation, ...] = ()
    sample: SampleRef | None = None
    equation: int | None = None
    example: Example | None = None


@dataclass(frozen=True)
class Section:
    """One phase of the trace: ``step`` is "Forward pass", "Step 1", …, "Step 5"; ``layer`` the hidden layer
    a "Step 2" section is about; ``name`` as shown to the reader."""

    step: str
    name: str
    blocks: tuple[Block, ...]
    layer: int | None = None


@dataclass(frozen=True)
class Header:
    """The network as given: title, layer sizes, x and y (one sample) or the count of samples, α, loss."""

    title: str | None
    inputs: int
    layers: tuple[tuple[int, str, str], ...]  # (width, activation label, name)
    x: Vector | None  # None for several samples
    y: Vector | None
    samples: int
    alpha: Num
    loss: str
    loss_formula: Node  # J(Θ) = Σ_k (z_k − y_k)²
    hand_rounding: int | None
    optimizer: str | None = None  # how it is named where it is not plain gradient descent


@dataclass(frozen=True)
class Document:
    """The trace of one update as the handout lays it out; ``fmt`` writes every number."""

    header: Header
    sections: tuple[Section, ...]
    fmt: NumberFormat
    samples: int = 1
