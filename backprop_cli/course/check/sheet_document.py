"""The answer sheet as a document to print and fill in by hand (LaTeX, Markdown, HTML): the blanks of the
YAML sheet as empty cells, on the document model, spelled by the writers of ``bptrace run``'s documents.

The page: fields for the student's name and number beside the exercise's id; a header naming the network,
x and y, α, the loss and the rounding to use; the parameters of each layer; then a heading and a table per
section of the sheet (``Sheet.sections``), a row per blank with its quantity and its formula set as math
(the formula trees of the YAML sheet's comments) and an empty cell for the answer. The tables have fixed
column widths, so that the LaTeX takes one pdflatex run; the config is named by its file name alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import IO

from backprop_cli.course.check.digits import MIN_DIGITS
from backprop_cli.course.check.sheet import Sheet
from backprop_cli.course.check.spelling import config_name
from backprop_cli.model.document import ANSWER, FORMULA, LABEL, TEXT
from backprop_cli.model.forward import header as network_header
from backprop_cli.model.weights import input_names, layer_weights
from backprop_cli.render import common, flow
from backprop_cli.render.documents import writer
from backprop_cli.render.settings import Settings

COLUMNS = ((("Quantity",), LABEL), (("Formula",), FORMULA), (("Your answer",), ANSWER))
WIDTHS = (0.22, 0.46, 0.2)  # of the line, for COLUMNS
FIELDS = ((("Name",), ANSWER), (("Student number",), ANSWER), (("Exercise",), TEXT))
FIELD_WIDTHS = (0.4, 0.25, 0.2)
NUMBERS = 0.7  # of the line, shared by the number columns of a table of parameters


def title(sheet: Sheet) -> str:
    return f"Answer sheet: {sheet.config.title}" if sheet.config.title else "Answer sheet"


def _header(sheet: Sheet) -> list[tuple[str, common.Parts]]:
    """The network as given, and the rounding to work with."""
    c = sheet.config
    rows = common.header_rows(network_header(c, c.hand_rounding))
    if c.hand_rounding is None:
        rows.append(("Rounding", (f"none asked for: write at least {MIN_DIGITS} decimals or {MIN_DIGITS} "
                                  "significant digits",)))
    return rows


def _fixed(item):
    """A table of parameters with fixed column widths (a shared bias below it passes as it is)."""
    if not isinstance(item, flow.Grid):
        return item
    numbers = len(item.columns) - 1
    return replace(item, widths=(0.15,) + (min(0.12, NUMBERS / max(numbers, 1)),) * numbers)


def given(sheet: Sheet) -> Iterator:
    """What the sheet gives: the network, the rounding to use and the parameters before the update."""
    c = sheet.config
    yield flow.Pairs(tuple(_header(sheet)))
    yield flow.Heading(2, ("Parameters before the update",))
    yield from map(_fixed, flow.weights([layer_weights(layer.name, layer.weights, layer.bias, input_names(c, i))
                                         for i, layer in enumerate(c.layers)], 0))


def elements(sheet: Sheet, source: str) -> Iterator:
    """Every element of the printed sheet of the config read from ``source``."""
    parts = given(sheet)
    name = config_name(source)
    yield flow.Heading(1, (title(sheet),))
    yield flow.Grid(FIELDS, [("", "", sheet.exercise)], widths=FIELD_WIDTHS)
    yield next(parts)  # the header
    yield flow.Para((f"Write each number into its empty cell, to at least {MIN_DIGITS} decimals or {MIN_DIGITS} "
                     "significant digits, and leave a cell empty where you did not work it out. Matrices: "
                     "row k = neuron k, column t = input t. To have it marked, copy the numbers into the YAML "
                     f"sheet (bptrace worksheet {name} -o answers.yaml), write your name or student number after "
                     f"student:, and run bptrace check {name} answers.yaml.",), "note")
    yield from parts
    samples = iter(sheet.sample_titles)
    for section in sheet.sections:
        if section.step == "forward" and sheet.sample_titles:
            yield flow.Heading(2, (next(samples),))
        yield flow.Heading(3 if sheet.sample_titles and section.blanks[0].quantity.sample is not None else 2,
                           (section.title,))
        yield flow.Grid(COLUMNS, [(blank.name, blank.formula, "") for blank in section.blanks], widths=WIDTHS)


def write_document(form: str, stream: IO[str], sheet: Sheet, source: str, fragment: bool = False) -> None:
    """The printed sheet in the document format ``form`` (latex, markdown, html); ``fragment``: its body."""
    c = sheet.config
    writer(form).write_flow(stream, elements(sheet, source), Settings.resolve(c).numbers, fragment,
                            title=title(sheet))
