"""A class: exercise ids, sheets that name their exercise and student, `bptrace check SET SHEETS` with a bad
or foreign sheet skipped (one line each, exit 2 after the rest is written), the gradebook CSV and the class
JSON, and the class documents of a set (every worksheet, the answer key)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import CONFIGS, run_cli
from document_helpers import assert_one_run, pdflatex_all, pdftotext
from hand import sheet_yaml
from test_worksheet_documents import trace_sheet

from backprop_cli.course.check.spelling import VALUES, text
from backprop_cli.engine.activations import ACTIVATIONS
from backprop_cli.model import formula as f
from backprop_cli.schemas import load_schema

HANDOUT = str(CONFIGS / "handout.yaml")
STUDENTS = ["José García", "Zoë Müller", "Bjørn Ødegaard", "Ana Núñez", "20231234"]
ID = re.compile(r"[A-Z2-7]{4}-[A-Z2-7]{4}")


def header(exercise: str | None, student: str | None) -> str:
    lines = [] if exercise is None else [f"exercise: {exercise}"]
    return "\n".join(lines + [f"student: {json.dumps(student, ensure_ascii=False) if student else '~'}"]) + "\n"


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """A set made from a class list, and a sheet per student filled with what `bptrace run` prints; the
    first student's Step 1 is wrong."""
    root = tmp_path_factory.mktemp("class")
    (root / "students.txt").write_text("\n".join(STUDENTS) + "\n", encoding="utf-8")
    result = run_cli("exercise", "--seeds", str(root / "students.txt"), "--format", "latex", "-o", str(root / "set"))
    assert result.exit_code == 0, result.stderr
    sheets = root / "sheets"
    sheets.mkdir()
    ids = {}
    for n, student in enumerate(STUDENTS):
        config = root / "set" / f"{student.replace(' ', '-')}.yaml"
        ids[student] = yaml.safe_load(config.read_text(encoding="utf-8"))["id"]
        texts = trace_sheet(str(config))
        if n == 0:
            path = ("step1", "out", "dJ_dz", 0)
            texts[path] = str(-float(texts[path]) + 0.5)
        (sheets / f"s{n}.yaml").write_text(header(ids[student], student) + sheet_yaml(texts), encoding="utf-8")
    return root, ids


def test_an_exercise_has_a_stable_id_and_its_sheet_names_it():
    first = run_cli("exercise", "--seed", "7").stdout
    assert first == run_cli("exercise", "--seed", "7").stdout
    ident = yaml.safe_load(first)["id"]
    assert ID.fullmatch(ident)
    assert yaml.safe_load(run_cli("exercise", "--seed", "8").stdout)["id"] != ident
    assert yaml.safe_load(run_cli("exercise", "--seed", "7", "--decimals", "3").stdout)["id"] != ident


def test_the_value_of_each_activation_reads_as_the_engine_writes_it():
    for name, activation in ACTIVATIONS.items():
        assert text((VALUES[name](f.symbol("p")),)) == activation.symbol, name


def test_a_config_without_an_id_gets_one_from_its_numbers(write_config):
    sheet = yaml.safe_load(run_cli("worksheet", HANDOUT).stdout)
    assert ID.fullmatch(sheet["exercise"]) and sheet["student"] is None
    text = (CONFIGS / "handout.yaml").read_text(encoding="utf-8")
    reworded = write_config("# another comment\n" + text.replace("Handout example", "Another title"))
    assert yaml.safe_load(run_cli("worksheet", reworded).stdout)["exercise"] == sheet["exercise"]
    changed = write_config(text.replace("0.40", "0.41"))
    assert yaml.safe_load(run_cli("worksheet", changed).stdout)["exercise"] != sheet["exercise"]
    given = write_config("id: week-3\n" + text)
    assert yaml.safe_load(run_cli("worksheet", given).stdout)["exercise"] == "week-3"
    bad = run_cli("validate", write_config("id: 'a b'\n" + text))
    assert bad.exit_code == 2 and "id: expected an id" in bad.stderr


def test_a_class_is_marked_each_sheet_against_its_exercise(klass, tmp_path):
    root, ids = klass
    sheets = root / "sheets"
    extra = tmp_path / "extra"
    extra.mkdir()
    other = yaml.safe_load(run_cli("exercise", "--seed", "not in the set").stdout)["id"]
    own = (sheets / "s1.yaml").read_text(encoding="utf-8")
    (extra / "foreign.yaml").write_text(own.replace(ids["Zoë Müller"], other), encoding="utf-8")
    (extra / "no-id.yaml").write_text(own.replace(f"exercise: {ids['Zoë Müller']}\n", ""), encoding="utf-8")
    (extra / "dash.yaml").write_text(own.replace("-0.", "–0.", 1), encoding="utf-8")
    (extra / "notes.yaml").write_text("notes: worked on paper\n" + own.replace("Zoë Müller", "Zoë Notes"),
                                      encoding="utf-8")
    grades = tmp_path / "grades.csv"
    result = run_cli("check", str(root / "set"), str(sheets), str(extra), "--format", "csv", "-o", str(grades))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    skipped = [line for line in lines if "not marked" in line]
    assert len(skipped) == 3, lines
    assert any("foreign.yaml" in line and other in line and "expected one of the 5 ids" in line for line in skipped)
    assert any("no-id.yaml" in line and "names no exercise" in line for line in skipped)
    assert any("dash.yaml:" in line and "en dash, not a minus sign" in line for line in skipped)
    assert any("notes.yaml" in line and "notes: not part of the answer sheet" in line and "ignored" in line
               for line in lines)
    rows = list(csv.reader(io.StringIO(grades.read_text(encoding="utf-8"))))
    assert rows[0] == ["student", "exercise", "file", "points", "total", "percent", "forward", "loss", "step1",
                       "step2", "step3", "step4", "step5", "loss_after"]
    body = rows[1:]
    assert len(body) == len(STUDENTS) + 1 and sum(row[0] == "student" for row in rows) == 1
    assert [row[0] for row in body] == sorted((row[0] for row in body), key=str.casefold)
    by = {row[0]: row for row in body}
    for student in STUDENTS:
        row = by[student]
        assert row[1] == ids[student]
        points, total = int(row[3]), int(row[4])
        assert sum(int(v) for v in row[6:]) == points
        if student == "José García":  # Step 1 of n1 wrong, what follows it carried
            assert row[8] == "1" and points == total - 1 and row[5] == f"{100 * (total - 1) / total:.1f}"
        else:
            assert points == total and row[5] == "100.0"
    assert by["Zoë Notes"][3] == by["Zoë Notes"][4]


def test_the_class_json_follows_the_shipped_schema(klass):
    root, ids = klass
    result = run_cli("check", str(root / "set" / "index.md"), str(root / "sheets"), "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    jsonschema.validate(data, load_schema("check"))
    assert data["schema"] == "bptrace/class-v1" and sorted(data["exercises"]) == sorted(ids.values())
    assert [s["student"] for s in data["sheets"]] == sorted(STUDENTS, key=str.casefold)
    assert all(s["exercise"] == ids[s["student"]] for s in data["sheets"]) and data["skipped"] == []


def test_a_sheet_for_another_exercise_is_not_marked_against_a_config(klass, write_config):
    root, ids = klass
    sheet = root / "sheets" / "s1.yaml"
    result = run_cli("check", HANDOUT, str(sheet))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and ids["Zoë Müller"] in result.stderr and "handout.yaml" in result.stderr
    # A sheet made before sheets had ids is marked against the config given.
    old = write_config("forward: {hid: {p: [0.61, -0.64]}}\n", "old.yaml")
    assert run_cli("check", HANDOUT, old).exit_code == 0


def test_printed_sheets_name_the_config_by_its_file_name_only(tmp_path):
    for form in ("markdown", "latex", "html"):
        text = run_cli("worksheet", str(Path(HANDOUT).resolve()), "--format", form).stdout
        assert str(CONFIGS) not in text and "handout.yaml" in text
        assert "Student number" in text and ID.search(text)


def test_a_name_pdflatex_cannot_set_is_refused_in_latex(write_config, tmp_path):
    text = (CONFIGS / "handout.yaml").read_text(encoding="utf-8")
    path = write_config(text.replace("Handout example", "Пример"))
    target = tmp_path / "sheet.tex"
    result = run_cli("worksheet", path, "-o", str(target))
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "U+041F" in result.stderr
    assert not target.exists()
    assert run_cli("worksheet", path, "--format", "html").exit_code == 0  # HTML sets any name
    kept = run_cli("worksheet", write_config(text.replace("Handout example", "Zoë Ødegaard")), "-f", "latex")
    assert kept.exit_code == 0 and "}ë\\pdfliteral" in kept.stdout and "}Ø\\pdfliteral" in kept.stdout


@pytest.mark.slow
@pytest.mark.pdflatex
@pytest.mark.poppler
def test_the_class_documents_compile_in_one_run_with_every_name(klass):
    root, ids = klass
    documents = [root / "set" / "class-worksheets.tex", root / "set" / "class-answers.tex"]
    index = (root / "set" / "index.md").read_text(encoding="utf-8")
    assert all(f"({d.name})" in index for d in documents)
    worksheets, answers = pdflatex_all(documents)
    for pdf in (worksheets, answers):
        assert_one_run(pdf)
    pages = pdftotext(worksheets).split("\f")
    for student in STUDENTS:
        page = next(p for p in pages if f"(seed {student})" in p)
        assert ids[student] in page and "Student number" in page
    key = pdftotext(answers)
    assert all(ident in key for ident in ids.values())
