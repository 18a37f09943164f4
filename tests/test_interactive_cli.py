"""The interactive answer sheet from the command line: what the page holds, without a browser (its marking
in a browser is tests/test_interactive_page.py)."""

from __future__ import annotations

import json
import re

from conftest import CONFIGS, run_cli

from backprop_cli.config.read import load_config
from backprop_cli.course.check import worksheet
from backprop_cli.course.identity import config_id as exercise_id


def page_data(text: str) -> dict:
    found = re.search(r'<script type="application/json" id="bptrace-data">(.*?)</script>', text, re.S)
    return json.loads(found.group(1).replace("<\\/", "</"))


def test_every_blank_is_a_named_field_with_its_verdict_element_in_the_sheets_order(tmp_path):
    out = tmp_path / "sheet.html"
    result = run_cli("worksheet", str(CONFIGS / "handout.yaml"), "--interactive", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    paths = [b.where for b in worksheet(load_config(str(CONFIGS / "handout.yaml"))).blanks]
    assert re.findall(r'<input id="f\d+" name="([^"]+)"', text) == paths
    assert re.findall(r'data-for="([^"]+)" data-verdict="blank"', text) == paths
    assert '<input id="student" name="student"' in text and "<math>" in text and "<svg" in text
    data = page_data(text)
    assert [b["path"] for b in data["marking"]["blanks"]] == paths
    assert data["id"] == exercise_id(load_config(str(CONFIGS / "handout.yaml")))
    assert "http://" not in text.replace("http://www.w3.org/", "") and "https://" not in text


def test_the_figure_of_a_sheet_shows_what_is_given_and_none_of_the_key(tmp_path):
    out = tmp_path / "sheet.html"
    run_cli("worksheet", str(CONFIGS / "handout.yaml"), "--interactive", "--no-feedback", "-o", str(out))
    figure = re.search(r"<svg.*?</svg>", out.read_text(encoding="utf-8"), re.S).group(0)
    assert "−1.40" in figure or "-1.40" in figure  # a weight
    assert "p =" not in figure and "∂J/∂z" not in figure


def test_the_options_that_do_not_go_together_are_refused():
    for args, words in [(("--no-feedback",), "add --interactive"), (("--interactive", "--format", "yaml"), "HTML")]:
        result = run_cli("worksheet", str(CONFIGS / "handout.yaml"), *args)
        assert result.exit_code == 2 and words in result.output, result.output
    result = run_cli("exercise", "--interactive", "--variants", "2", "-o", "x")
    assert result.exit_code == 2 and "--format html" in result.output


def test_an_exercise_set_with_interactive_worksheets(tmp_path):
    folder = tmp_path / "set"
    result = run_cli("exercise", "--variants", "2", "--seed", "s", "--format", "html", "--interactive", "--no-feedback",
                     "-o", str(folder))
    assert result.exit_code == 0, result.output
    for name in ("s-01", "s-02"):
        text = (folder / f"{name}-worksheet.html").read_text(encoding="utf-8")
        assert page_data(text)["marking"] is None and 'name="forward.hid.p[0]"' in text
        assert page_data(text)["id"] == exercise_id(load_config(str(folder / f"{name}.yaml")))
    assert "--interactive --no-feedback" in (folder / "index.md").read_text(encoding="utf-8")
