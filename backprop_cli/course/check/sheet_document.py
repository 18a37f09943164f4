"""The answer sheet as a document to print and fill in by hand (LaTeX, Markdown, HTML): the blanks of the
YAML sheet as empty cells, on the document model, spelled by the writers of ``bptrace run``'s documents.

The page: a header naming the network, x and y, α, the loss and the rounding to use; the parameters of
each layer; then a heading and a table per section of the sheet (``Sheet.sections``), a row per blank with
its quantity, its formula and an empty cell for the answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from backprop_cli.course.check.digits import MIN_DIGITS
from backprop_cli.course.check.sheet import Sheet
from backprop_cli.model.document import ANSWER, FORMULA, LABEL
from backprop_cli.model.forward import header as network_header
from backprop_cli.model.weights import input_names, layer_weights
from backprop_cli.render import common, flow
from backprop_cli.render.documents import writer
from backprop_cli.render.settings import Settings

COLUMNS = ((("Quantity",), LABEL), (("Formula",), FORMULA), (("Your answer",), ANSWER))


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


def elements(sheet: Sheet, source: str) -> Iterator:
    """Every element of the printed sheet of the config read from ``source``."""
    c = sheet.config
    yield flow.Heading(1, (title(sheet),))
    yield flow.Pairs(tuple(_header(sheet)))
    yield flow.Para((f"Write each number into its empty cell, to at least {MIN_DIGITS} decimals or {MIN_DIGITS} "
                     "significant digits, and leave a cell empty where you did not work it out. Matrices: "
                     "row k = neuron k, column t = input t. To have it marked, copy the numbers into the YAML "
                     f"sheet (bptrace worksheet {source} -o answers.yaml) and run bptrace check {source} "
                     "answers.yaml.",), "note")
    yield flow.Heading(2, ("Parameters before the update",))
    yield from flow.weights([layer_weights(layer.name, layer.weights, layer.bias, input_names(c, i))
                             for i, layer in enumerate(c.layers)], 0)
    samples = iter(sheet.sample_titles)
    for section in sheet.sections:
        if section.step == "forward" and sheet.sample_titles:
            yield flow.Heading(2, (next(samples),))
        yield flow.Heading(3 if sheet.sample_titles and section.blanks[0].quantity.sample is not None else 2,
                           (section.title,))
        yield flow.Grid(COLUMNS, [(blank.label, blank.formula, "") for blank in section.blanks])


def write_document(form: str, stream: IO[str], sheet: Sheet, source: str, fragment: bool = False) -> None:
    """The printed sheet in the document format ``form`` (latex, markdown, html); ``fragment``: its body."""
    c = sheet.config
    writer(form).write_flow(stream, elements(sheet, source), Settings.resolve(c).numbers, fragment,
                            title=title(sheet))
