"""Marking as a fair teacher marks: trailing zeros, blanks worked on scrap paper, the key that `bptrace run`
prints, and names given only to mistakes that explain the answer. The numbers are the handout's."""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import CONFIGS, run_cli
from hand import HandCalculation, decimals, sheet_yaml
from test_check_mistakes import TANH

from backprop_cli.config.read import config_from_data
from backprop_cli.course.check import hand_trace, marker
from backprop_cli.course.check.digits import parse
from backprop_cli.course.check.report import number_format, written_as_run
from backprop_cli.course.check.sheet import path_text

HANDOUT = yaml.safe_load((CONFIGS / "handout.yaml").read_text(encoding="utf-8"))


def with_rounding(data: dict, n: int) -> dict:
    return {**data, "display": {"hand_rounding": n}}


def run_prints(data: dict) -> dict[tuple, str]:
    """Every number of the sheet as `bptrace run -r N` prints it, N the config's hand rounding."""
    config = config_from_data(data)
    mark = marker(config)
    empty = mark.mark({}, "-")
    numbers = number_format(empty, mark.sheet)
    hand = mark.shown
    return {blank.path: written_as_run(hand.get(blank.quantity), blank, numbers).replace("−", "-")
            for blank in mark.sheet.blanks}


def marks_of(data: dict, texts: dict, tmp_path, *args: str) -> dict:
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    answers = tmp_path / "answers.yaml"
    answers.write_text(sheet_yaml(texts), encoding="utf-8")
    result = run_cli("check", str(config), str(answers), "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return {a["path"]: a for a in json.loads(result.stdout)["answers"]}


def test_run_prints_the_handouts_numbers():
    texts = run_prints(HANDOUT)
    assert [texts[p] for p in [("forward", "out", "z", 0), ("step2", "hid", "dJ_dz", 1),
                               ("step3", "out", "dJ_dweights", 0, 0), ("step5", "out", "new_weights", 0, 0)]] == [
        "0.30", "0.17", "0.077", "-1.4077"]


def test_trailing_zeros_never_make_a_right_number_wrong(tmp_path):
    texts = run_prints(HANDOUT)
    padded = {p: t + "0" if "." in t else t for p, t in texts.items()}  # −0.850 for −0.85
    stripped = {p: t.rstrip("0").rstrip(".") if "." in t else t for p, t in texts.items()}  # 0.3 for 0.30
    assert padded[("forward", "out", "p", 0)] == "-0.850" and stripped[("forward", "out", "z", 0)] == "0.3"
    for sheet in (padded, stripped):
        verdicts = {path: a["verdict"] for path, a in marks_of(HANDOUT, sheet, tmp_path).items()}
        assert set(verdicts.values()) == {"correct"}, verdicts


def test_too_few_digits_is_said_and_expected_differs_from_given(tmp_path):
    texts = {**run_prints(HANDOUT), ("step3", "out", "dJ_dweights", 0, 0): "0.1"}
    mark = marks_of(HANDOUT, texts, tmp_path)["step3.out.dJ_dweights[0][0]"]
    assert (mark["verdict"], mark["expected_text"]) == ("wrong", "0.077")
    assert mark["diagnosis"].startswith("too few digits")


def blank_steps(texts: dict, *steps: str) -> dict:
    return {p: t for p, t in texts.items() if p[0] not in steps}


@pytest.mark.parametrize("data, blank, path, written", [
    # Step 2 left blank at 3 decimals: Step 4 from what `run -r 3` prints for Step 2 (the key is 0.0617).
    (with_rounding(HANDOUT, 3), "step2", ("step4", "hid", "dJ_dweights", 0, 0), "0.0614"),
    # Step 3 left blank: −1.40 − 0.1 · 0.077 (the key is −1.40763).
    (HANDOUT, "step3", ("step5", "out", "new_weights", 0, 0), "-1.4077"),
    # A tanh network with biases at 3 decimals: the new weight as `run -r 3` prints it.
    (with_rounding(TANH, 3), "step3", ("step5", "out", "new_weights", 1, 1), "0.3317"),
])
def test_after_a_blank_step_the_hand_chain_that_run_prints_is_correct(data, blank, path, written, tmp_path):
    texts = run_prints(data)
    assert texts[path] == written
    marks = marks_of(data, blank_steps(texts, blank), tmp_path)
    assert {p: a["verdict"] for p, a in marks.items() if a["verdict"] not in ("correct", "blank")} == {}
    assert marks[path_text(path)]["verdict"] == "correct"


def test_the_key_the_student_sees_is_what_run_prints(tmp_path):
    marks = marks_of(HANDOUT, {("forward", "hid", "p", 0): "0.61", ("forward", "hid", "p", 1): "~"}, tmp_path)
    shown = {p: (a["expected"], a["expected_text"]) for p, a in marks.items()}
    assert shown["step3.out.dJ_dweights[0][0]"] == (0.077, "0.077")
    assert shown["step2.hid.dJ_dz[1]"] == (0.17, "0.17")
    assert shown["step5.out.new_weights[0][0]"][1] == "−1.4077"
    assert marks["step3.out.dJ_dweights[0][0]"]["exact"] == pytest.approx(0.0762944, abs=1e-7)
    given = "step3:\n  out:\n    dJ_dweights: [[-0.1, ~], ~]\n"
    table = run_cli("check", str(CONFIGS / "handout.yaml"), "-", input=given)
    row = next(line for line in table.stdout.splitlines() if "∂J/∂Θ_11[out]" in line)
    assert "−0.1 │    0.077 │ wrong" in row, row  # not −8.1e−02 beside a given −0.1


def test_a_carried_answer_shows_the_value_from_your_own_numbers(tmp_path):
    texts = {**run_prints(HANDOUT), ("forward", "out", "z", 0): "0.40"}
    texts[("step1", "out", "dJ_dz", 0)] = "0.80"
    marks = marks_of(HANDOUT, texts, tmp_path)
    assert marks["step1.out.dJ_dz[0]"]["verdict"] == "carried"
    assert marks["step1.out.dJ_dz[0]"]["from_answers"] == pytest.approx(0.8)
    answers = tmp_path / "answers.yaml"
    result = run_cli("check", str(CONFIGS / "handout.yaml"), str(answers), env={"COLUMNS": "200"})
    row = next(line for line in result.stdout.splitlines() if "∂J/∂z of n1[out]" in line)
    assert "0.80 (yours)" in row and "the key is 0.60" in row, row


def test_the_old_weights_copied_are_never_alpha_misread(tmp_path):
    # Where α misread by a tenth gives the old weight at the digits written, the two are not told apart: no name.
    texts = run_prints(HANDOUT)
    for k in range(2):
        for t in range(2):
            texts[("step5", "out", "new_weights", k, t)] = str(HANDOUT["layers"][1]["weights"][k][t])
            texts[("step5", "hid", "new_weights", k, t)] = str(HANDOUT["layers"][0]["weights"][k][t])
    marks = marks_of(HANDOUT, texts, tmp_path)
    wrong = {p: a["mistake"] for p, a in marks.items() if a["verdict"] == "wrong"}
    # −1.4 for −1.4077 and 0.57, −0.5, −0.14 for unchanged weights are right; 0.4, 0.21 and −0.81 are not.
    assert len(wrong) == 3 and set(wrong.values()) <= {"no-update", None}, wrong


def test_step_5_with_the_other_layers_gradient_has_no_name(tmp_path):
    # The hidden layer updated with the output layer's gradients: a mistake of no name.
    texts = run_prints(HANDOUT)
    for k in range(2):
        for t in range(2):
            gradient = float(texts[("step3", "out", "dJ_dweights", k, t)])
            old = HANDOUT["layers"][0]["weights"][k][t]
            texts[("step5", "hid", "new_weights", k, t)] = f"{old - 0.1 * gradient:.4f}"
    marks = marks_of(HANDOUT, texts, tmp_path)
    wrong = {p: a["mistake"] for p, a in marks.items() if a["verdict"] == "wrong"}
    assert wrong and set(wrong.values()) == {None}, wrong


def test_answers_at_one_decimal_right_by_hand_get_no_name(tmp_path):
    texts = {p: f"{float(t):.1f}" for p, t in HandCalculation(HANDOUT, decimals(1)).texts.items()}
    marks = marks_of(HANDOUT, texts, tmp_path)
    named = {p: a["mistake"] for p, a in marks.items() if a["mistake"] is not None}
    assert named == {}


@pytest.mark.parametrize("written, verdict", [("0.081", "correct"), ("0.082", "correct"), ("0.085", "wrong")])
def test_a_strict_rounder_gets_loss_after_right(written, verdict):
    # Every number to 3 decimals strictly, on the deep network, the second forward pass too: J after the
    # update comes out as 0.081 (the key from the same new weights is 0.0816).
    data = yaml.safe_load((CONFIGS / "deep.yaml").read_text(encoding="utf-8"))
    texts = {**HandCalculation(data, decimals(3)).texts, ("loss_after",): written}
    marking = marker(config_from_data(data), 3).mark({p: parse(t) for p, t in texts.items()}, "-")
    assert {m.blank.where: m.verdict for m in marking.marks if m.verdict != "correct"} == (
        {} if verdict == "correct" else {"loss_after": "wrong"})


def test_the_summary_points_to_the_first_mistake(write_config):
    sheet = "forward:\n  hid: {p: [0.61, -0.64], z: [0.61, 0.00]}\n  out: {p: [-0.85, -0.49], z: [0.30, 0.38]}\n" \
            "loss: 0.47\nstep1:\n  out: {dJ_dz: [-0.60, 1.24]}\n"
    answers = write_config(sheet, "answers.yaml")
    result = run_cli("check", str(CONFIGS / "handout.yaml"), answers, env={"COLUMNS": "200"})
    assert "First mistake: Step 1, ∂J/∂z of n1[out] — sign: z − y, not y − z" in result.stdout
    document = json.loads(run_cli("check", str(CONFIGS / "handout.yaml"), write_config(sheet, "a.yaml"),
                                  "--format", "json").stdout)
    assert document["first_mistake"] == "step1.out.dJ_dz[0]"
    assert document["answers"][9]["mistake"] == "step1-sign"


def test_check_takes_the_rounding_of_the_sheet():
    texts = run_prints(with_rounding(HANDOUT, 3))
    sheet = sheet_yaml(blank_steps(texts, "step2"))
    result = run_cli("check", str(CONFIGS / "handout.yaml"), "-", "-r", "3", "--format", "json", input=sheet)
    document = json.loads(result.stdout)
    assert document["rounding"] == 3 and document["score"]["wrong"] == 0
    assert run_cli("check", str(CONFIGS / "handout.yaml"), "-", "-r", "0", input=sheet).exit_code == 2


def test_hand_trace_is_none_without_a_rounding():
    config = config_from_data({**HANDOUT, "display": {}})
    assert hand_trace(config) is None and hand_trace(config, 2) is not None
