"""The marked sheets as a person reads them (tables), as JSON (schema bptrace/check-v2) and as CSV for a class.

Tables: one per step of the sheet, in the handout's order, with every answer's verdict, the expected
value and the diagnosis, then the score; colours on a terminal only. JSON: one document per answers file
(a list of them for several files). CSV: one row per file with its score and the verdict of every answer.

A class marked against an exercise set (``classroom.exercise_set``) is one JSON document of schema
bptrace/class-v1 (its sheets, and the sheets skipped), and its CSV a gradebook: one row per sheet sorted by
student, with the points of each part of the sheet, for a learning platform's grade import.
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
from backprop_cli.course.check.classroom import ClassMarks, Exercises, Marked
from backprop_cli.course.check.marking import Mark, Marking, Score
from backprop_cli.course.check.sheet import Blank, Section, Sheet
from backprop_cli.engine.kinds import PARAM, RESULT
from backprop_cli.engine.rounding import Rounding
from backprop_cli.model.numbers import MINUS, NumberFormat
from backprop_cli.render.table import make_console

SCHEMA = "bptrace/check-v2"
CLASS_SCHEMA = "bptrace/class-v1"
# The parts of a sheet, each a column of points in the gradebook: the first key of a blank's path.
PARTS = ("forward", "loss", "step1", "step2", "step3", "step4", "step5", "loss_after")
GRADEBOOK = ("student", "exercise", "file", "points", "total", "percent")
STYLES = {"correct": "green", "carried": "yellow", "wrong": "bold red", "blank": "dim"}


def score_line(score: Score) -> str:
    return (f"Score: {score.points} of {score.total} ({score.percent:.1f} %) — {score.correct} correct, "
            f"{score.carried} carried, {score.wrong} wrong, {score.blank} blank")


def number_format(marking: Marking, sheet: Sheet) -> NumberFormat:
    """How ``bptrace run`` writes the numbers of the sheet's rounding (``-r N``), at the config's precision."""
    return NumberFormat(sheet.config.precision, Rounding(marking.rounding))


def written_as_run(value: float, blank: Blank, numbers: NumberFormat) -> str:
    """``value`` of ``blank`` as ``bptrace run`` prints it: a new weight or bias as a parameter, the rest as
    results (hand-rounded where the sheet has hand rounding)."""
    return numbers.write(value, PARAM if blank.quantity.kind in ("new_weights", "new_bias") else RESULT)


def expected_text(mark: Mark, numbers: NumberFormat) -> str:
    """The Expected column: the key as ``bptrace run`` prints it for the sheet's rounding; for a carried
    answer the value from the person's own earlier answers, labelled so."""
    if mark.verdict == "carried" and mark.from_answers is not None:
        return f"{written_as_run(mark.from_answers, mark.blank, numbers)} (yours)"
    return written_as_run(mark.expected, mark.blank, numbers)


def given_text(mark: Mark) -> str:
    """The answer as typed (0,61 stays 0,61), with the true minus sign the other columns have."""
    if mark.given is None:
        return "~"
    text = mark.given.text
    return MINUS + text[1:] if text.startswith("-") else text


def note(mark: Mark, numbers: NumberFormat) -> str:
    """The diagnosis of a wrong answer, or what the person's own earlier answers give."""
    key = written_as_run(mark.expected, mark.blank, numbers)
    if mark.verdict == "carried":
        return f"right from your earlier answers; the key is {key}"
    if mark.verdict != "wrong" or mark.given is None:  # a wrong answer is a filled one
        return ""
    if mark.diagnosis:
        return mark.diagnosis
    if mark.from_answers is not None:
        yours = written_as_run(mark.from_answers, mark.blank, numbers)
        if yours != key:
            return f"your earlier answers give {yours}"
    return ""


def step_name(section: Section) -> str:
    """The step of ``section`` as the summary names it: "Step 3", "Forward pass", "Step 1, sample 2"."""
    title, _, sample = section.title.partition(" — ")
    name = title.split(")")[0] if title.startswith("Step ") else title
    return f"{name}, {sample}" if sample else name


def place(section: Section, blank: Blank) -> str:
    """Where ``blank`` is, as the first-mistake line names it: "Step 1, ∂J/∂z of n1[out]"."""
    return f"{step_name(section)}, {blank.label}"


def first_mistake_line(marking: Marking, sheet: Sheet, numbers: NumberFormat) -> str | None:
    """"First mistake: Step 1, ∂J/∂z of n1[out] — sign: z − y, not y − z"; None for a sheet without one."""
    first = marking.first_mistake
    if first is None:
        return None
    section = next(s for s in sheet.sections if first.blank in s.blanks)
    key = written_as_run(first.expected, first.blank, numbers)
    said = note(first, numbers) or f"{given_text(first)}, the key is {key}"
    return f"First mistake: {place(section, first.blank)} — {said}"


def _title(marked: Marked) -> Text:
    filled = marked.filled
    title = Text(filled.source, style="bold underline")
    if filled.student is not None:
        title.append(f" ({filled.student})", style="bold")
    title.append(f"  marked against {marked.target.source}")
    return title


def write_table(stream: IO[str], marked: Sequence[Marked], color: bool | None = None, single: bool = True) -> None:
    """Every sheet's answers, step by step, with the score; a summary of the class for several sheets."""

    console = make_console(stream, color)
    for n, entry in enumerate(marked):
        sheet, marking = entry.filled.sheet, entry.marking
        numbers = number_format(marking, sheet)
        if n:
            console.print(Text(""))
        console.print(_title(entry))
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
                              Text(expected_text(mark, numbers)), Text(mark.verdict, style=STYLES[mark.verdict]),
                              Text(note(mark, numbers)))
            console.print(table)
        console.print(Text(score_line(marking.score), style="bold"))
        first = first_mistake_line(marking, sheet, numbers)
        if first is not None:
            console.print(Text(first))
    if len(marked) > 1:
        named = any(m.filled.student is not None for m in marked)
        summary = Table(box=box.HEAVY_HEAD, header_style="bold", title="Class", title_justify="left",
                        title_style="bold")
        columns = (["Student"] if named else []) + ([] if single else ["Exercise"]) + [
            "File", "Points", "Total", "%", "Correct", "Carried", "Wrong", "Blank"]
        for column in columns:
            summary.add_column(column, justify="left" if column in ("Student", "Exercise", "File") else "right",
                               overflow="fold")
        for entry in marked:
            s = entry.marking.score
            who = ([Text(entry.filled.student or "")] if named else []) + ([] if single else [Text(entry.target.id)])
            summary.add_row(*who, Text(entry.marking.source), *(str(v) for v in (s.points, s.total)),
                            f"{s.percent:.1f}", *(str(v) for v in (s.correct, s.carried, s.wrong, s.blank)))
        console.print(Text(""))
        console.print(summary)


def marking_data(marking: Marking, sheet: Sheet, config_source: str, exercise: str | None = None,
                 student: str | None = None) -> dict:
    """One marked sheet in the bptrace/check-v2 form."""
    s = marking.score
    numbers = number_format(marking, sheet)
    first = marking.first_mistake
    return {
        "schema": SCHEMA,
        "version": __version__,
        "file": marking.source,
        "config": config_source,
        "exercise": exercise,
        "student": student,
        "rounding": marking.rounding,
        "score": {"correct": s.correct, "carried": s.carried, "wrong": s.wrong, "blank": s.blank,
                  "total": s.total, "points": s.points, "percent": round(s.percent, 2)},
        "first_mistake": None if first is None else first.blank.where,
        "answers": [
            {"path": m.blank.where, "label": m.blank.label,
             "given": None if m.given is None else m.given.value,
             "written": None if m.given is None else m.given.text,
             "expected": m.expected, "expected_text": written_as_run(m.expected, m.blank, numbers),
             "exact": m.expected if m.exact is None else m.exact,
             "from_answers": m.from_answers if m.verdict in ("carried", "wrong") else None,
             "verdict": m.verdict, "diagnosis": m.diagnosis, "mistake": m.mistake}
            for m in marking.marks
        ],
    }


def _document(entry: Marked) -> dict:
    return marking_data(entry.marking, entry.filled.sheet, entry.target.source, entry.target.id,
                        entry.filled.student)


def write_json(stream: IO[str], marks: ClassMarks, exercises: Exercises, pretty: bool = False) -> None:
    """One document for one answers file, a list of documents for several; for a class marked against an
    exercise set, one document of schema bptrace/class-v1 with every sheet, sorted by student."""
    data: dict | list
    if exercises.single:
        documents = [_document(entry) for entry in marks.marked]
        data = documents[0] if len(documents) == 1 else documents
    else:
        data = {"schema": CLASS_SCHEMA, "version": __version__, "set": exercises.where,
                "exercises": sorted(exercises.targets),
                "sheets": [_document(entry) for entry in marks.by_student()],
                "skipped": [{"file": file, "reason": reason} for file, reason in marks.skipped]}
    stream.write(json.dumps(data, allow_nan=False, ensure_ascii=False, indent=2 if pretty else None))
    stream.write("\n")


def part_points(marking: Marking) -> dict[str, int]:
    """The points of each part of the sheet (forward, loss, step1, ...), by the first key of each blank's path
    (a sample's forward pass, J and Steps 1-2 count in their parts)."""
    points: dict[str, list[Mark]] = {}
    for mark in marking.marks:
        path = mark.blank.path
        part = str(path[2] if path[0] == "samples" else path[0])
        points.setdefault(part, []).append(mark)
    return {part: Marking(marking.source, tuple(marks)).score.points for part, marks in points.items()}


def write_csv(stream: IO[str], marks: ClassMarks, exercises: Exercises) -> None:
    """One config: one row per answers file, its score, then the verdict of every answer (a column per blank).
    An exercise set: the gradebook, one row per sheet sorted by student: student, exercise, file, points,
    total, percent, then the points of each part (empty where the exercise has no such part)."""
    writer = csv.writer(stream, lineterminator="\n")
    if exercises.single:
        sheet = exercises.made(next(iter(exercises.targets.values())))[0]
        paths = [blank.where for blank in sheet.blanks]
        writer.writerow(["file", "points", "total", "percent", "correct", "carried", "wrong", "blank", *paths])
        for entry in marks.marked:
            s = entry.marking.score
            writer.writerow([entry.marking.source, s.points, s.total, f"{s.percent:.1f}", s.correct, s.carried,
                             s.wrong, s.blank, *(m.verdict for m in entry.marking.marks)])
        return
    writer.writerow([*GRADEBOOK, *PARTS])
    for entry in marks.by_student():
        s = entry.marking.score
        parts = part_points(entry.marking)
        writer.writerow([entry.filled.student or "", entry.target.id, entry.marking.source, s.points, s.total,
                         f"{s.percent:.1f}", *(parts.get(part, "") for part in PARTS)])


def _table(stream: IO[str], marks: ClassMarks, exercises: Exercises, *, color: bool | None, pretty: bool) -> None:
    write_table(stream, marks.marked if exercises.single else marks.by_student(), color, exercises.single)


def _json(stream: IO[str], marks: ClassMarks, exercises: Exercises, *, color: bool | None, pretty: bool) -> None:
    write_json(stream, marks, exercises, pretty)


def _csv(stream: IO[str], marks: ClassMarks, exercises: Exercises, *, color: bool | None, pretty: bool) -> None:
    write_csv(stream, marks, exercises)


REPORTS = {"table": _table, "json": _json, "csv": _csv}
