"""The Python API: the rounding it resolves, its dict as the JSON trace, its trained network (its documented
examples run in tests/test_docs.py)."""

from __future__ import annotations

import doctest
import os

import pytest
from conftest import CONFIGS, ROOT

import backprop_cli as bptrace


def test_the_config_hand_rounding_is_honoured_unless_told_otherwise():
    path = CONFIGS / "handout.yaml"
    assert bptrace.run(path).loss == 0.47
    exact = bptrace.run(path, exact=True)
    # J by hand from the config's numbers, in full precision: independent of the engine.
    import math

    def sigmoid(p):
        return 1 / (1 + math.exp(-p))

    hid = [max(0.0, 0.40 + 0.21), max(0.0, -0.50 - 0.14)]
    out = [sigmoid(-1.40 * hid[0] + 0.57 * hid[1]), sigmoid(-0.81 * hid[0] - 0.32 * hid[1])]
    assert math.isclose(exact.loss, (out[0] - 0) ** 2 + (out[1] - 1) ** 2, rel_tol=1e-12)
    assert bptrace.run(path, hand_rounding=3).rounding.digits == 3


def test_to_dict_is_what_the_json_trace_holds():
    import json

    from conftest import run_cli

    printed = json.loads(run_cli("run", str(CONFIGS / "mazur.yaml"), "--format", "json").stdout)
    assert json.loads(json.dumps(bptrace.run(CONFIGS / "mazur.yaml").to_dict())) == printed


@pytest.mark.slow
def test_trained_network_equals_the_saved_one(tmp_path):
    import yaml
    from conftest import run_cli

    saved = tmp_path / "trained.yaml"
    assert run_cli("run", str(CONFIGS / "xor.yaml"), "--epochs", "5", "--save-updated", str(saved)).exit_code == 0
    trained = bptrace.run(CONFIGS / "xor.yaml", epochs=5).trained
    data = yaml.safe_load(saved.read_text())
    assert [layer.weights.tolist() for layer in trained.layers] == [l["weights"] for l in data["layers"]]




@pytest.mark.parametrize("wrong", ["config", 0, 16, True, 2.5])
def test_the_api_refuses_a_hand_rounding_the_command_line_would(wrong):
    from backprop_cli.errors import BptraceError

    with pytest.raises(BptraceError, match="hand_rounding: expected a whole number from 1 to 15"):
        bptrace.run(CONFIGS / "handout.yaml", hand_rounding=wrong)


# ------------------------------------------------------------------------------------------------
# What a reader of the API sees, and the Run written by bptrace run's own writers

PUBLIC_FUNCTIONS = ("run", "trace", "load_config", "config_from_data", "check", "worksheet", "exercise", "gradcheck",
                    "figure")


def test_dir_lists_every_public_name_and_each_function_says_how_to_call_it():
    import inspect
    import subprocess
    import sys

    fresh = "import backprop_cli as b; print(sorted(set(b.__all__) - set(dir(b))))"  # before any name is used
    assert subprocess.run([sys.executable, "-c", fresh], capture_output=True, text=True).stdout == "[]\n"
    assert set(bptrace.__all__) <= set(dir(bptrace))
    assert set(PUBLIC_FUNCTIONS) <= set(bptrace.__all__)
    for name in PUBLIC_FUNCTIONS:
        function = getattr(bptrace, name)
        signature = inspect.signature(function)
        assert signature.return_annotation is not inspect.Signature.empty, name
        assert all(p.annotation is not inspect.Parameter.empty for p in signature.parameters.values()), name
        assert function.__doc__ and (">>>" in function.__doc__ or name in ("load_config", "config_from_data")), name


def test_the_examples_in_the_api_docstrings_run_as_written():
    import backprop_cli.api.course
    import backprop_cli.api.running

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        for module in (backprop_cli.api.running, backprop_cli.api.course):
            failed, tried = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
            assert tried >= 5 and failed == 0, module.__name__
    finally:
        os.chdir(cwd)


FORMS = {"latex": ".tex", "markdown": ".md", "html": ".html", "json": ".json", "table": ".txt"}


def _written_by_cli(tmp_path, config, form, *options) -> str:
    from conftest import run_cli

    out = tmp_path / f"out{FORMS[form]}"
    result = run_cli("run", str(config), "--format", form, "-o", str(out), *options)
    assert result.exit_code == 0, result.stderr
    return out.read_bytes().decode("utf-8")


@pytest.mark.parametrize("name", sorted(path.stem for path in CONFIGS.glob("*.yaml")))
def test_every_format_of_a_run_is_the_bytes_bptrace_run_writes(tmp_path, name):
    config = CONFIGS / f"{name}.yaml"
    result = bptrace.run(config)
    made = {"latex": result.to_latex(), "markdown": result.to_markdown(), "html": result.to_html(),
            "json": result.to_json(), "table": result.to_text(width=100)}
    for form, text in made.items():
        assert text == _written_by_cli(tmp_path, config, form), form
    assert result.to_text(width=72) == _written_by_cli(tmp_path, config, "table", "--width", "72")


@pytest.mark.parametrize("form", ["html", "table", "latex"])
def test_the_options_of_a_run_are_those_of_the_command_line(tmp_path, form):
    config = CONFIGS / "xor.yaml"
    result = bptrace.run(config, epochs=3, explain=True, working=True, rows=3, show=2, precision=3)
    write = {"html": result.to_html, "table": lambda: result.to_text(width=100), "latex": result.to_latex}[form]
    cli = _written_by_cli(tmp_path, config, form, "--epochs", "3", "--explain", "--working", "--rows", "3",
                          "--show", "2", "--precision", "3")
    assert write() == cli
    assert result.with_options(rows=0).with_options(rows=3) == result  # the same run, shown otherwise and back


def test_a_run_displays_in_a_notebook_as_the_worked_example_with_mathml_and_the_figure():
    result = bptrace.run(CONFIGS / "handout.yaml")
    html = result._repr_html_()
    assert html == result.to_html(fragment=True) and html.startswith('<div class="bptrace">')
    assert "<math" in html and "<svg" in html and "<mn>0.077</mn>" in html and "<mn>−1.4077</mn>" in html
    assert result._repr_markdown_() == result.to_markdown(fragment=True) and "$$" in result._repr_markdown_()
    assert "\\documentclass" not in result._repr_latex_() and "0.077" in result._repr_latex_()
    assert repr(result).startswith("<Run of ") and "\x1b" not in result.to_text()


def test_one_update_displays_alone_with_the_runs_options():
    full = bptrace.run(CONFIGS / "xor.yaml", epochs=2, working=True)
    one = bptrace.run(CONFIGS / "xor.yaml", epochs=1, working=True)
    second = full.update(2)
    assert second.iteration is full.iterations[1] and second.to_dict()["iteration"] == 2
    assert full.update(1).to_html() == one.to_html()  # the first update alone is a run of one update
    assert full.update(1).to_text() == one.to_text()
    assert "<math" in second._repr_html_() and second.to_latex() != full.update(1).to_latex()


def test_display_options_are_refused_as_the_command_line_refuses_them():
    from backprop_cli.errors import BptraceError

    result = bptrace.run(CONFIGS / "handout.yaml")
    for wrong, message in (({"rows": -1}, "rows: expected a whole number of at least 0"),
                           ({"show": 2}, "show=2: the run has only 1 update"),
                           ({"precision": 16}, "precision: expected a whole number from 0 to 15")):
        with pytest.raises(BptraceError, match=message):
            result.with_options(**wrong)
    with pytest.raises(BptraceError, match="--precision 2 changes nothing with hand rounding to 2"):
        result.with_options(precision=2).to_text()
    with pytest.raises(BptraceError, match="width: expected a whole number of at least 60"):
        result.to_text(width=20)


def test_the_per_layer_records_are_layers_and_the_old_name_warns():
    it = bptrace.run(CONFIGS / "handout.yaml").iterations[0]
    assert [layer.name for layer in it.layers] == ["hid", "out"]
    with pytest.warns(DeprecationWarning, match="use Iteration.layers"):
        assert it.steps is it.layers
