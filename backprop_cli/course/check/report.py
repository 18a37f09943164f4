"""The marked sheets as a person reads them (tables), as JSON (schema bptrace/check-v1) and as CSV for a class.

Tables: one per step of the sheet, in the handout's order, with every answer's verdict, the expected
value and the diagnosis, then the score; colours on a terminal only. JSON: one document per answers file
(a list of them for several files). CSV: one row per file with its score and the verdict of every answer.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from typing import IO

from rich import box
from rich.table import Table
from rich.text import Text

from backprop_cli._version import __version__
from backprop_cli.course.check.marking import Mark, Marking, Score
from backprop_cli.course.check.sheet import Sheet
from backprop_cli.model.numbers import MINUS, NumberFormat
from backprop_cli.render.table import make_console

SCHEMA = "bptrace/check-v1"
STYLES = {"correct": "green", "carried": "yellow", "wrong": "bold red", "blank": "dim"}
MAX_DECIMALS = 10  # an expected value is shown to the digits of the answer, but no more than these


def score_line(score: Score) -> str:
    return (f"Score: {score.points} of {score.total} ({score.percent:.1f} %) — {score.correct} correct, "
            f"{score.carried} carried, {score.wrong} wrong, {score.blank} blank")


def _at(value: float, decimals: int) -> str:
    return NumberFormat(min(max(decimals, 0), MAX_DECIMALS)).result(value)


def expected_text(mark: Mark, precision: int) -> str:
    """The value a right answer has at the digits the person wrote (the key's, unless a hand calculation
    rounding to those digits was matched); for a blank, the key at the config's precision."""
    if mark.given is None:
        return NumberFormat(precision).result(mark.expected)
    shown = mark.matched if mark.verdict == "correct" and mark.matched is not None else mark.expected
    return _at(shown, mark.given.decimals)


def given_text(mark: Mark) -> str:
    """The answer as typed (0,61 stays 0,61), with the true minus sign the other columns have."""
    if mark.given is None:
        return "~"
    text = mark.given.text
    return MINUS + text[1:] if text.startswith("-") else text


def note(mark: Mark) -> str:
    """The diagnosis of a wrong answer, or what the person's own earlier answers give."""
    if mark.verdict == "carried":
        return "right from your earlier answers"
    if mark.verdict != "wrong" or mark.given is None:  # a wrong answer is a filled one
        return ""
    if mark.diagnosis:
        return mark.diagnosis
    decimals = mark.given.decimals
    if mark.from_answers is not None and _at(mark.from_answers, decimals) != _at(mark.expected, decimals):
        return f"your earlier answers give {_at(mark.from_answers, decimals)}"
    return ""


def write_table(stream: IO[str], sheet: Sheet, markings: Sequence[Marking], color: bool | None = None) -> None:
    """Every sheet's answers, step by step, with the score; a summary of the class for several sheets."""

    console = make_console(stream, color)
    precision = sheet.config.precision
    for n, marking in enumerate(markings):
        title = Text(("\n" if n else "") + marking.source, style="bold underline")
        title.append(f"  marked against {sheet.config.source}")
        console.print(title)
        marks = iter(marking.marks)
        for section in sheet.sections:
            table = Table(box=box.HEAVY_HEAD, header_style="bold", title=section.title, title_justify="left",
                          title_style="bold")
            for column in ("Answer", "Given", "Expected", "Verdict", "Diagnosis"):
                table.add_column(column, justify="right" if column in ("Given", "Expected") else "left",
                                 overflow="fold", no_wrap=column != "Diagnosis")
            for _ in section.blanks:
                mark = next(marks)
                table.add_row(Text(mark.blank.label), Text(given_text(mark)),
                              Text(expected_text(mark, precision)), Text(mark.verdict, style=STYLES[mark.verdict]),
                              Text(note(mark)))
            console.print(table)
        console.print(Text(score_line(marking.score), style="bold"))
    if len(markings) > 1:
        summary = Table(box=box.HEAVY_HEAD, header_style="bold", title="Class", title_justify="left",
                        title_style="bold")
        for column in ("File", "Points", "Total", "%", "Correct", "Carried", "Wrong", "Blank"):
            summary.add_column(column, justify="left" if column == "File" else "right", overflow="fold")
        for marking in markings:
            s = marking.score
            summary.add_row(Text(marking.source), *(str(v) for v in (s.points, s.total)), f"{s.percent:.1f}",
                            *(str(v) for v in (s.correct, s.carried, s.wrong, s.blank)))
        console.print(Text(""))
        console.print(summary)


def marking_data(marking: Marking, config_source: str) -> dict:
    """One marked sheet in the bptrace/check-v1 form."""
    s = marking.score
    return {
        "schema": SCHEMA,
        "version": __version__,
        "file": marking.source,
        "config": config_source,
        "score": {"correct": s.correct, "carried": s.carried, "wrong": s.wrong, "blank": s.blank,
                  "total": s.total, "points": s.points, "percent": round(s.percent, 2)},
        "answers": [
            {"path": m.blank.where, "label": m.blank.label,
             "given": None if m.given is None else m.given.value,
             "written": None if m.given is None else m.given.text,
             "expected": m.expected, "verdict": m.verdict, "diagnosis": m.diagnosis, "mistake": m.mistake}
            for m in marking.marks
        ],
    }


def write_json(stream: IO[str], sheet: Sheet, markings: Sequence[Marking], pretty: bool = False) -> None:
    """One document for one answers file; a list of documents for several."""
    documents = [marking_data(m, sheet.config.source) for m in markings]
    data = documents[0] if len(documents) == 1 else documents
    stream.write(json.dumps(data, allow_nan=False, ensure_ascii=False, indent=2 if pretty else None))
    stream.write("\n")


def write_csv(stream: IO[str], sheet: Sheet, markings: Sequence[Marking]) -> None:
    """One row per answers file: its score, then the verdict of every answer (a column per blank)."""
    writer = csv.writer(stream, lineterminator="\n")
    paths = [blank.where for blank in sheet.blanks]
    writer.writerow(["file", "points", "total", "percent", "correct", "carried", "wrong", "blank", *paths])
    for marking in markings:
        s = marking.score
        writer.writerow([marking.source, s.points, s.total, f"{s.percent:.1f}", s.correct, s.carried, s.wrong,
                         s.blank, *(m.verdict for m in marking.marks)])


def _table(stream: IO[str], sheet: Sheet, markings: Sequence[Marking], *, color: bool | None, pretty: bool) -> None:
    write_table(stream, sheet, markings, color)


def _json(stream: IO[str], sheet: Sheet, markings: Sequence[Marking], *, color: bool | None, pretty: bool) -> None:
    write_json(stream, sheet, markings, pretty)


def _csv(stream: IO[str], sheet: Sheet, markings: Sequence[Marking], *, color: bool | None, pretty: bool) -> None:
    write_csv(stream, sheet, markings)


REPORTS = {"table": _table, "json": _json, "csv": _csv}
