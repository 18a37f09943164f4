"""The documents of a whole class: every worksheet of a set in one document to print, each starting on a new
page, and one compact answer key: for each exercise the numbers a person marks against, as ``bptrace run``
prints them for the exercise's hand rounding, without the derivation."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import IO

from backprop_cli.course.check import worksheet
from backprop_cli.course.check.chain import Values
from backprop_cli.course.check.sheet import Sheet
from backprop_cli.course.check.sheet_document import elements as sheet_elements
from backprop_cli.engine.backprop import trace
from backprop_cli.engine.kinds import PARAM, RESULT
from backprop_cli.engine.network import Config
from backprop_cli.model.document import LABEL, VALUE
from backprop_cli.model.formula import Num
from backprop_cli.render import flow
from backprop_cli.render.documents import writer
from backprop_cli.render.settings import Settings

PAIRS = 3  # (quantity, value) pairs in a row of the answer key
PAIR_WIDTHS = (0.17, 0.1)
NEW = ("new_weights", "new_bias")  # written as the new parameters are: as computed


def class_worksheets(stream: IO[str], form: str, configs: Sequence[tuple[str, Config]]) -> None:
    """Every worksheet of ``configs`` ((file name, config) each) in one document, each on a new page."""

    def items() -> Iterator:
        for n, (source, config) in enumerate(configs):
            if n:
                yield flow.PageBreak()
            yield from sheet_elements(worksheet(config), source)

    fmt = Settings.resolve(configs[0][1]).numbers
    writer(form).write_flow(stream, items(), fmt, title=f"Worksheets of {len(configs)} exercises")


def _rows(sheet: Sheet, config: Config) -> list[tuple]:
    """The sheet's blanks with what ``bptrace run`` prints for them, PAIRS to a row."""
    values = Values(next(trace(config, hand_rounding=config.hand_rounding)))
    cells: list = []
    for blank in sheet.blanks:
        q = blank.quantity
        sample = (f"sample {q.sample + 1}: ",) if sheet.samples > 1 and q.sample is not None else ()
        cells += [sample + blank.name, Num(values.get(q), PARAM if q.kind in NEW else RESULT)]
    cells += [""] * (-len(cells) % (2 * PAIRS))
    return [tuple(cells[i:i + 2 * PAIRS]) for i in range(0, len(cells), 2 * PAIRS)]


def answer_key(stream: IO[str], form: str, configs: Sequence[tuple[str, Config]]) -> None:
    """The answer key of ``configs``: a heading per exercise (its file, id and title), then a table of every
    number of its sheet as the worked solution prints it."""
    columns = ((("Quantity",), LABEL), (("Value",), VALUE)) * PAIRS

    def items() -> Iterator:
        yield flow.Heading(1, (f"Answer key of {len(configs)} exercises",))
        yield flow.Para(("Every number of each worksheet, as bptrace run prints it for the exercise's rounding "
                         "(its worked solution has the derivation). bptrace check accepts more: the key to the "
                         "digits a student wrote, and answers carried from their own earlier numbers.",), "note")
        for source, config in configs:
            sheet = worksheet(config)
            title = f": {config.title}" if config.title else ""
            yield flow.Heading(2, (f"{source} — exercise {sheet.exercise}{title}",))
            yield flow.Grid(columns, _rows(sheet, config), widths=PAIR_WIDTHS * PAIRS)

    fmt = Settings.resolve(configs[0][1]).numbers
    writer(form).write_flow(stream, items(), fmt, title=f"Answer key of {len(configs)} exercises")
