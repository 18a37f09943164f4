"""`bptrace worksheet` and `bptrace check` as a user meets them: the sheet, the verdicts on independent hand
calculations, the rule on digits, the outputs and bad answer files."""

from __future__ import annotations

import csv
import io
import json
import re

import jsonschema
import pytest
import yaml
from conftest import CONFIGS, run_cli
from hand import HandCalculation, decimals, full, sheet_yaml, significant

from backprop_cli.schemas import load_schema

SHIPPED = sorted(CONFIGS.glob("*.yaml"))
HANDOUT = str(CONFIGS / "handout.yaml")

# The handout's own numbers (hand rounding to 2 decimals); the new weights of the hidden layer, J and J after
# the update, which it does not print, follow its rule: 0.40 − 0.1 · 0.06 = 0.394.
HANDOUT_NUMBERS = """\
forward:
  hid: {p: [0.61, -0.64], z: [0.61, 0.00]}
  out: {p: [-0.85, -0.49], z: [0.30, 0.38]}
loss: 0.47
step1:
  out: {dJ_dz: [0.60, -1.24]}
step2:
  hid: {dJ_dz: [0.06, 0.17]}
step3:
  out: {dJ_dweights: [[0.077, 0.00], [-0.18, 0.00]]}
step4:
  hid: {dJ_dweights: [[0.06, 0.06], [0.00, 0.00]]}
step5:
  hid: {new_weights: [[0.394, 0.204], [-0.50, -0.14]]}
  out: {new_weights: [[-1.4077, 0.57], [-0.792, -0.32]]}
loss_after: 0.47
"""

STYLES = {"2 decimals": decimals(2), "2 significant digits": significant(2), "4 decimals": decimals(4),
          "full precision": full}


def check_json(config: str, *answers: str, args: tuple = ()) -> dict | list:
    result = run_cli("check", config, *answers, "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def verdicts(document: dict) -> dict[str, str]:
    return {a["path"]: a["verdict"] for a in document["answers"]}


def test_the_handouts_numbers_are_all_correct(write_config):
    document = check_json(HANDOUT, write_config(HANDOUT_NUMBERS, "answers.yaml"))
    assert set(verdicts(document).values()) == {"correct"}
    assert document["score"] == {"correct": 30, "carried": 0, "wrong": 0, "blank": 0, "total": 30, "points": 30,
                                 "percent": 100.0}


@pytest.mark.slow
@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("config", SHIPPED, ids=lambda p: p.stem)
def test_an_independent_hand_calculation_is_all_correct(config, style, write_config):
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    sheet = HandCalculation(data, STYLES[style]).texts
    answers = write_config(sheet_yaml(sheet, comma=style == "4 decimals"), "answers.yaml")
    document = check_json(str(config), answers)
    wrong = {path: v for path, v in verdicts(document).items() if v != "correct"}
    assert wrong == {}
    assert document["score"]["total"] == len(sheet)  # every quantity of the update is asked for


def test_a_person_who_rounds_the_derivative_first_is_correct(write_config):
    # σ'(−0.85) ≈ 0.21 and σ'(−0.49) ≈ 0.24 written down to 2 significant digits, then multiplied:
    # 0.60 · 0.21 · (−1.40) + (−1.24) · 0.24 · (−0.81) = 0.0647 → 0.065 (the key is 0.0617, the exact σ' give 0.0604).
    data = yaml.safe_load(open(HANDOUT, encoding="utf-8"))
    texts = HandCalculation(data, significant(2), round_factors=True).texts
    assert texts[("step2", "hid", "dJ_dz", 0)] == "0.065"
    document = check_json(HANDOUT, write_config(sheet_yaml(texts), "answers.yaml"))
    assert set(verdicts(document).values()) == {"correct"}


def handout_with(path: str, written: str) -> str:
    """The handout's sheet with the answer at ``path`` (as in the JSON: step3.out.dJ_dweights[0][0]) written
    as ``written``; every other number as the handout writes it."""
    texts: dict[str, str] = {}

    def flatten(node, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                flatten(value, f"{where}.{key}" if where else key)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                flatten(value, f"{where}[{i}]")
        else:
            texts[where] = node

    flatten(yaml.load(HANDOUT_NUMBERS, Loader=yaml.BaseLoader), "")  # every number as its text
    assert path in texts
    texts[path] = written
    return sheet_yaml({tuple(int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", where)): text
                       for where, text in texts.items()})


# The rule on digits, on the handout's sheet with one answer replaced. Key: ∂J/∂Θ_11[out] = 0.07629..., the
# handout's hand calculation 0.60 · σ'(−0.85) · 0.61 = 0.07677...; new Θ_11[out] = −1.40763 (key), −1.4077 (hand).
GRADIENT, UPDATE = "step3.out.dJ_dweights[0][0]", "step5.out.new_weights[0][0]"


@pytest.mark.parametrize("path, written, verdict", [
    (GRADIENT, "0.077", "correct"),   # the handout's: its own hand chain
    (GRADIENT, "0.076", "correct"),   # the exact value to 3 decimals
    (GRADIENT, "0.0763", "correct"),
    (GRADIENT, "0.08", "correct"),    # 2 decimals: 0.0763 and 0.0768 both round to 0.08
    (GRADIENT, "0.078", "wrong"),     # neither chain gives 0.078 at 3 decimals
    (GRADIENT, "0.075", "wrong"),
    (GRADIENT, "0.0770", "correct"),  # a trailing zero never makes a right number wrong: 0.077
    (GRADIENT, "0.0771", "wrong"),    # 4 decimals: 0.0763 or 0.0768, not 0.0771
    (GRADIENT, "0.1", "wrong"),       # too few digits to judge
    (UPDATE, "-1.4076", "correct"),
    (UPDATE, "-1.41", "correct"),
    (UPDATE, "-1.4", "correct"),      # 2 significant digits
    (UPDATE, "-1.4078", "wrong"),
    (UPDATE, "-1.40763", "correct"),
    (UPDATE, "-1.40770", "correct"),  # −1.40 − 0.1 · 0.077 to 5 decimals
    ("forward.hid.z[1]", "0", "correct"),  # exactly the key: 0 for a ReLU switched off
    ("forward.hid.p[0]", "0.62", "wrong"),
    ("forward.hid.p[0]", "0.6", "wrong"),  # 0.61 to 1 decimal, but 1 significant digit only
])
def test_the_rule_on_digits(path, written, verdict, write_config):
    document = check_json(HANDOUT, write_config(handout_with(path, written), "answers.yaml"))
    [mark] = [a for a in document["answers"] if a["path"] == path]
    assert (mark["written"], mark["verdict"]) == (written, verdict)
    if written in ("0.1", "0.6"):
        assert mark["diagnosis"].startswith("too few digits")


def test_decimal_commas_and_the_true_minus_sign(write_config):
    text = HANDOUT_NUMBERS.replace("  hid: {p: [0.61, -0.64], z: [0.61, 0.00]}",
                                   "  hid:\n    p:\n      - 0,61\n      - −0,64\n    z: [0.61, 0.00]")
    document = check_json(HANDOUT, write_config(text, "answers.yaml"))
    assert set(verdicts(document).values()) == {"correct"}
    first = document["answers"][0]
    assert (first["given"], first["written"]) == (0.61, "0,61")
    assert document["answers"][1]["given"] == -0.64


def test_blanks_and_left_out_keys_are_blank_not_wrong(write_config):
    text = "forward:\n  hid: {p: [0.61, ~], z: ~}\nloss: null\n"
    document = check_json(HANDOUT, write_config(text, "answers.yaml"))
    assert document["score"]["correct"] == 1 and document["score"]["blank"] == 29
    assert document["score"]["points"] == 1 and document["score"]["total"] == 30


def test_worksheet_has_the_shape_of_the_spec():
    result = run_cli("worksheet", HANDOUT)
    assert result.exit_code == 0, result.stderr
    pair, matrix = [None, None], [[None, None], [None, None]]
    sheet = yaml.safe_load(result.stdout)
    assert re.fullmatch(r"[A-Z2-7]{4}-[A-Z2-7]{4}", sheet["exercise"])
    assert sheet == {
        "exercise": sheet["exercise"],
        "student": None,
        "forward": {"hid": {"p": pair, "z": pair}, "out": {"p": pair, "z": pair}},
        "loss": None,
        "step1": {"out": {"dJ_dz": pair}},
        "step2": {"hid": {"dJ_dz": pair}},
        "step3": {"out": {"dJ_dweights": matrix}},
        "step4": {"hid": {"dJ_dweights": matrix}},
        "step5": {"hid": {"new_weights": matrix}, "out": {"new_weights": matrix}},
        "loss_after": None,
    }


def test_every_blank_says_what_it_is_and_its_formula():
    text = run_cli("worksheet", HANDOUT).stdout
    blanks = [line for line in text.splitlines() if re.search(r"(: |- )~ ", line) and not line.startswith("student:")]
    assert len(blanks) == 30
    assert all(re.search(r"~ +# \S.* = \S", line) for line in blanks), blanks
    assert "~                   # ∂J/∂z of n1[out] = 2 · (z_1 − y_1)" in text
    assert "# ∂J/∂Θ_11[out] = ∂J/∂z_1 · σ(p_1)·(1 − σ(p_1)) · z_1[hid]" in text
    assert "# new Θ_11[out] = −1.4 − 0.1 · ∂J/∂Θ_11[out]" in text


@pytest.mark.slow
@pytest.mark.parametrize("config", SHIPPED, ids=lambda p: p.stem)
def test_a_blank_worksheet_checks_as_all_blank(config, tmp_path):
    sheet = tmp_path / "sheet.yaml"
    assert run_cli("worksheet", str(config), "-o", str(sheet)).exit_code == 0
    document = check_json(str(config), str(sheet))
    assert document["score"]["blank"] == document["score"]["total"] > 0


def test_classification_sheets_ask_for_dJ_dp():
    softmax = yaml.safe_load(run_cli("worksheet", str(CONFIGS / "softmax.yaml")).stdout)
    assert softmax["step1"]["out"] == {"dJ_dz": [None] * 3, "dJ_dp": [None] * 3}
    text = run_cli("worksheet", str(CONFIGS / "bce.yaml")).stdout
    assert "# ∂J/∂p of n1[out] = z_1 − y_1" in text
    assert "# ∂J/∂z of n1[hid] = Σ_k ∂J/∂p_k[out] · Θ_k1[out]" in text


def test_several_samples_have_a_section_each():
    data = yaml.safe_load(run_cli("worksheet", str(CONFIGS / "xor.yaml")).stdout)
    assert len(data["samples"]) == 4
    assert set(data["samples"][0]) == {"forward", "loss", "step1", "step2"}
    assert set(data) == {"exercise", "student", "samples", "loss", "step3", "step4", "step5", "loss_after"}
    assert data["step3"]["out"] == {"dJ_dweights": [[None] * 3], "dJ_dbias": [None]}


def test_worksheet_file_is_never_overwritten_without_force(tmp_path):
    target = tmp_path / "answers.yaml"
    target.write_text("forward: {}\n", encoding="utf-8")
    result = run_cli("worksheet", HANDOUT, "-o", str(target))
    assert result.exit_code == 2 and "exists" in result.stderr and result.stderr.count("\n") == 1
    assert target.read_text(encoding="utf-8") == "forward: {}\n"
    assert run_cli("worksheet", HANDOUT, "-o", str(target), "--force").exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("# Answer sheet")


@pytest.mark.slow
def test_the_table_goes_by_step_in_the_handouts_order_with_a_score(write_config):
    data = yaml.safe_load(open(HANDOUT, encoding="utf-8"))
    step1 = frozenset({("step1", "out", "dJ_dz", 0), ("step1", "out", "dJ_dz", 1)})  # the rule forgotten throughout
    forgot = HandCalculation(data, significant(2), mistake=("factor-2", step1)).texts
    answers = write_config(sheet_yaml(forgot), "a.yaml")
    result = run_cli("check", HANDOUT, answers)
    assert result.exit_code == 0 and "\x1b[" not in result.stdout
    out = result.stdout
    titles = ["Forward pass", "Step 1) Error gradient in the output layer", "Step 2) Error gradient in the hidden",
              "Step 3) Weight gradient in the output layer", "Step 4) Weight gradient in the hidden", "Step 5) Update"]
    positions = [out.index(title) for title in titles]
    assert positions == sorted(positions)
    row = next(line for line in out.splitlines() if "∂J/∂z of n1[out]" in line)
    assert re.search(r"0\.30 │ +0\.60 │ wrong +│ the factor 2 of the squared", row), row
    assert "carried" in out and "right from your earlier answers" in out
    assert re.search(r"^Score: .*\nFirst mistake: ", out, re.MULTILINE)
    assert "First mistake: Step 1, ∂J/∂z of n1[out] — the factor 2 of the squared error forgotten" in out
    assert re.search(r"Score: \d+ of 30 \(\d+\.\d %\) — \d+ correct, \d+ carried, 2 wrong, 0 blank", out)
    coloured = run_cli("check", HANDOUT, answers, "--color").stdout
    assert "\x1b[" in coloured


@pytest.mark.slow
def test_json_follows_the_shipped_schema(write_config):
    schema = load_schema("check")
    jsonschema.Draft202012Validator.check_schema(schema)
    assert json.loads(run_cli("schema", "--check").stdout) == schema
    one = write_config(HANDOUT_NUMBERS, "one.yaml")
    two = write_config(HANDOUT_NUMBERS.replace("0.077", "0.1"), "two.yaml")
    document = check_json(HANDOUT, one)
    jsonschema.validate(document, schema)
    assert document["schema"] == "bptrace/check-v2" and document["file"] == one
    several = check_json(HANDOUT, one, two)
    jsonschema.validate(several, schema)
    assert [d["file"] for d in several] == [one, two]
    broken = dict(document, answers=[dict(document["answers"][0], verdict="nearly")])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_the_schema_names_every_mistake():
    import backprop_cli.course.check.mistakes as mistakes
    from backprop_cli.course.check.marking import TRUNCATED

    source = open(mistakes.__file__, encoding="utf-8").read()
    named = set(re.findall(r'Mistake\("([a-z0-9-]+)"', source)) | {TRUNCATED}
    enum = set(load_schema("check")["$defs"]["answer"]["properties"]["mistake"]["enum"]) - {None}
    assert named == enum


def test_csv_has_one_row_per_answers_file(write_config):
    files = [write_config(HANDOUT_NUMBERS, "ann.yaml"), write_config("loss: 0.47\n", "bob.yaml"),
             write_config(HANDOUT_NUMBERS.replace("loss: 0.47", "loss: 0.57", 1), "cem.yaml")]
    result = run_cli("check", HANDOUT, *files, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["file"] for row in rows] == files
    assert [(row["points"], row["total"], row["percent"]) for row in rows] == [
        ("30", "30", "100.0"), ("1", "30", "3.3"), ("29", "30", "96.7")]
    assert rows[2]["loss"] == "wrong" and rows[1]["loss"] == "correct" and rows[1]["loss_after"] == "blank"


def test_fail_under_exits_with_3_below_the_threshold(write_config):
    good = write_config(HANDOUT_NUMBERS, "good.yaml")
    poor = write_config("loss: 0.47\n", "poor.yaml")
    assert run_cli("check", HANDOUT, good, "--fail-under", "90").exit_code == 0
    result = run_cli("check", HANDOUT, good, poor, "--fail-under", "90", "--format", "csv")
    assert result.exit_code == 3
    assert result.stderr == f"bptrace: {poor} scored below 90 %\n"
    assert len(result.stdout.splitlines()) == 3  # the marks are written all the same


def test_answers_from_standard_input():
    result = run_cli("check", HANDOUT, "-", "--format", "json", input=HANDOUT_NUMBERS)
    assert result.exit_code == 0 and json.loads(result.stdout)["file"] == "<stdin>"
    result = run_cli("check", "-", "-", input=HANDOUT_NUMBERS)
    assert result.exit_code == 2 and "once" in result.stderr


# (id, the answer file, the message expected after "FILE:" as a regular expression)
BAD = [
    ("three numbers for two neurons", "forward:\n  hid:\n    p: [0.61, -0.64, 0.1]\n",
     r"3:8: forward\.hid\.p: expected 2 numbers \(one per neuron of layer 'hid'\), got 3$"),
    ("a row too short", "step3:\n  out:\n    dJ_dweights:\n      - [0.077]\n      - [-0.18, 0]\n",
     r"4:9: step3\.out\.dJ_dweights\[0\]: expected 2 numbers \(one per input of layer 'out'\), got 1$"),
    ("decimal commas in brackets", "forward:\n  hid: {p: [0,61, -0,64]}\n",
     r"2:12: forward\.hid\.p: expected 2 numbers .*got 4; in \[\.\.\.\] a comma separates the numbers"),
    ("an unknown key", "step1:\n  out: {dJ_dx: [0.6, 1.2]}\n",
     r"2:9: step1\.out\.dJ_dx: unknown key; did you mean 'dJ_dz'\?$"),
    ("an unknown layer", "forward:\n  hidden: {p: [0.61, -0.64]}\n",
     r"2:3: forward\.hidden: unknown key; did you mean 'hid'\?$"),
    ("text for a number", "loss: about half\n",
     r"1:7: loss: expected a number or ~ \(a blank\) for J\(Θ\), got the text 'about half'$"),
    ("a list for a number", "loss: [0.47]\n",
     r"1:7: loss: expected a number or ~ \(a blank\) for J\(Θ\), got a list of 1$"),
    ("a number for a list", "step1:\n  out:\n    dJ_dz: 0.6\n",
     r"3:12: step1\.out\.dJ_dz: expected a list of 2 numbers .*, got the number 0\.6$"),
    ("not a mapping", "- 0.61\n",
     r"1:1: expected a mapping with the keys exercise, student, forward, loss, .*, got a list of 1$"),
    ("invalid YAML", "forward: {hid: [\n", r"\d+:\d+: invalid YAML"),
    ("a duplicate key", "loss: 0.47\nloss: 0.48\n", r"2:1: duplicate key 'loss'$"),
]


@pytest.mark.parametrize("text, pattern", [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_a_sheet_that_does_not_fit_is_a_bad_file(text, pattern, write_config, tmp_path):
    answers = write_config(text, "answers.yaml")
    output = tmp_path / "marks.json"
    result = run_cli("check", HANDOUT, answers, "-o", str(output))
    assert result.exit_code == 2
    assert result.stdout == "" and not output.exists()
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith(f"bptrace: error: {answers}:")
    assert re.search(pattern, lines[0][len(f"bptrace: error: {answers}:"):]), lines[0]


def test_a_missing_answers_file(tmp_path):
    result = run_cli("check", HANDOUT, str(tmp_path / "nowhere.yaml"))
    assert result.exit_code == 2 and result.stderr == f"bptrace: error: {tmp_path / 'nowhere.yaml'}: no such file\n"
