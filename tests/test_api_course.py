"""The course commands as Python functions: each returns what its command writes, and displays as it shows."""

from __future__ import annotations

import json
import os

import pytest
import yaml
from conftest import CONFIGS, run_cli

import backprop_cli as bptrace
from backprop_cli.errors import BptraceError, ConfigError

HANDOUT = CONFIGS / "handout.yaml"


def cli(*args: str) -> str:
    result = run_cli(*args, env={"COLUMNS": os.environ.get("COLUMNS", "")})  # the tables as wide as the API's
    assert result.exit_code in (0, 3), result.stderr
    return result.stdout


def test_worksheet_is_the_yaml_sheet_as_a_dict_and_each_form_is_what_the_command_writes():
    sheet = bptrace.worksheet(HANDOUT)
    yaml_text = cli("worksheet", str(HANDOUT))
    assert sheet == yaml.safe_load(yaml_text) and sheet.to_yaml() == yaml_text
    for form in ("markdown", "latex", "html"):
        assert getattr(sheet, f"to_{form}")() == cli("worksheet", str(HANDOUT), "--format", form), form
    shown = sheet._repr_html_()
    assert shown.startswith('<div class="bptrace">') and "Your answer" in shown


def test_check_of_a_file_is_what_check_format_json_writes(tmp_path):
    answers = tmp_path / "answers.yaml"
    text = cli("worksheet", str(HANDOUT)).replace("p:\n    - ~", "p:\n    - 0.61", 1)
    answers.write_text(text, encoding="utf-8")
    marked = bptrace.check(HANDOUT, answers)
    assert marked == json.loads(cli("check", str(HANDOUT), str(answers), "--format", "json"))
    assert marked.to_text() == cli("check", str(HANDOUT), str(answers))
    assert marked.to_csv() == cli("check", str(HANDOUT), str(answers), "--format", "csv")
    several = bptrace.check(HANDOUT, [answers, answers])
    assert several == json.loads(cli("check", str(HANDOUT), str(answers), str(answers), "--format", "json"))


def test_a_filled_worksheet_dict_is_marked_with_error_carried_forward(tmp_path):
    sheet = bptrace.worksheet(HANDOUT)
    sheet["forward"]["hid"]["p"] = [0.71, -0.64]  # a slip in p, then z consistent with it
    sheet["forward"]["hid"]["z"] = [0.71, 0]
    marked = bptrace.check(HANDOUT, sheet)
    verdicts = {a["path"]: a["verdict"] for a in marked["answers"]}
    assert verdicts["forward.hid.p[0]"] == "wrong" and verdicts["forward.hid.z[0]"] == "carried"
    assert verdicts["forward.hid.p[1]"] == "correct" and verdicts["step3.out.dJ_dweights[0][0]"] == "blank"
    # The same answers in a file are marked the same; only the name of the answers differs.
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(dict(sheet)), encoding="utf-8")
    from_file = json.loads(cli("check", str(HANDOUT), str(path), "--format", "json"))
    assert {**marked, "file": str(path)} == from_file and marked["file"] == "<answers>"
    html = marked._repr_html_()
    assert "carried" in html and "<pre" in html and "\x1b" not in html


def test_answers_that_do_not_fit_the_sheet_are_refused_with_their_path():
    sheet = bptrace.worksheet(HANDOUT)
    sheet["forward"]["hid"]["p"] = [0.61, -0.64, 1.0]
    with pytest.raises(ConfigError, match="expected 2") as error:
        bptrace.check(HANDOUT, sheet)
    assert error.value.path == "forward.hid.p"
    with pytest.raises(BptraceError, match="no answers given"):
        bptrace.check(HANDOUT, [])


def test_exercise_is_the_config_the_command_writes_for_the_same_seed(tmp_path):
    from backprop_cli.engine.network import config_to_data

    path = tmp_path / "ex.yaml"
    assert run_cli("exercise", "--seed", "ann-2027", "--shape", "2-3-2", "--bias", "neuron", "-o", str(path)
                   ).exit_code == 0
    made = bptrace.exercise(seed="ann-2027", shape="2-3-2", bias="neuron")
    assert config_to_data(made) == config_to_data(bptrace.load_config(str(path)))
    assert config_to_data(bptrace.exercise()) != config_to_data(bptrace.exercise())  # a random seed each time
    with pytest.raises(BptraceError, match="--loss"):
        bptrace.exercise(seed="1", loss="hinge")


def test_gradcheck_and_figure_are_what_their_commands_write():
    checked = bptrace.gradcheck(CONFIGS / "deep.yaml")
    assert checked == json.loads(cli("gradcheck", str(CONFIGS / "deep.yaml"), "--format", "json"))
    assert checked["agree"] is True and len(checked["parameters"]) > 10
    assert "All " in checked.to_text() and "agree" in checked._repr_html_()
    with pytest.raises(BptraceError, match="eps"):
        bptrace.gradcheck(HANDOUT, eps=0)
    svg = bptrace.figure(HANDOUT)
    assert svg == cli("figure", str(HANDOUT)) and svg._repr_svg_() == svg
    tikz = bptrace.figure(HANDOUT, "tikz", after=True, exact=True)
    assert tikz == cli("figure", str(HANDOUT), "-f", "tikz", "--after", "--exact") and tikz._repr_svg_() is None


def test_an_interactive_worksheet_is_the_page_the_command_writes_shown_in_a_frame():
    sheet = bptrace.worksheet(HANDOUT, interactive=True)
    for feedback, flags in ((True, ()), (False, ("--no-feedback",))):
        written = run_cli("worksheet", str(HANDOUT), "--interactive", *flags).stdout
        assert sheet.to_page(feedback) == written
    shown = sheet._repr_html_()
    assert shown.startswith("<iframe srcdoc=") and 'name=&quot;forward.hid.p[0]&quot;' in shown
    assert "<iframe" not in bptrace.worksheet(HANDOUT)._repr_html_()
    assert bptrace.worksheet(HANDOUT, interactive=True, feedback=False).to_page() == written
