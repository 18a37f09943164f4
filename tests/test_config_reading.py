"""Reading configs: YAML 1.2 numbers, explicit tags, merge keys, one line per error whatever the input,
the numbers of long lists read exactly and their errors placed where they are written, and bounds on
the file, errors and nesting."""

from __future__ import annotations

import json
import os
import re

import pytest
import yaml
from conftest import CONFIGS, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from test_bad_input import GOOD

TAIL = "y: [1]\nalpha: 0.1\nlayers:\n  - activation: identity\n    weights: [[1, 1, 1, 1]]\n"


def config_json(write_config, text: str) -> dict:
    """The config as the JSON trace echoes it."""
    result = run_cli("run", write_config(text), "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["config"]


def one_error(write_config, text: str, *args: str, name: str = "config.yaml") -> str:
    """The one line of a refused config (exit 2, nothing on stdout)."""
    result = run_cli(*(args or ("run",)), write_config(text, name))
    assert result.exit_code == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("bptrace: error: "), result.stderr
    return result.stderr


# --- Implicit YAML types: numbers as a person means them, dates and base 60 as text ---------------


def test_numbers_are_read_as_yaml_1_2(write_config):
    text = "x: [010, 0x1F, 0o17, -0]\ny: [1]\nalpha: 0.1\nepochs: 010\nlayers:\n" \
           "  - activation: identity\n    weights: [[1, 1, 1, 1]]\n"
    config = config_json(write_config, text)
    assert config["x"] == [10, 31, 15, 0] and config["epochs"] == 10  # YAML 1.1 read 010 as 8


@pytest.mark.parametrize("item, hint", [
    ("0b11", "YAML 1.2 has no binary numbers"),
    ("1:30", "base-60 notation is not read"),
    ("1_000", "without '_'"),
    ("-0x1F", "signed hexadecimal"),
])
def test_yaml_1_1_number_forms_are_refused_with_a_hint(write_config, item, hint):
    line = one_error(write_config, f"x: [1, {item}, 2, 3]\n" + TAIL)
    assert re.search(rf":1:8: x\[1\]: expected a number, got the text '{re.escape(item)}' \(.*{hint}", line), line


@pytest.mark.parametrize("title", ["2024-02-30", "2024-01-01", "1:30", "yes", "0b11", "2001-12-14t21:59:43.10-05:00"])
def test_a_title_is_the_text_as_written(write_config, title):
    # 2024-02-30 crashed YAML 1.1's date reading ("day is out of range for month")
    assert config_json(write_config, f"title: {title}\nx: [1, 1, 1, 1]\n" + TAIL)["title"] == title


def test_a_date_where_a_number_belongs_is_named(write_config):
    line = one_error(write_config, "x: [1, 1, 1, 1]\n" + TAIL.replace("alpha: 0.1", "alpha: 2024-02-30"))
    assert ":3:8: alpha: expected a number, got a date (2024-02-30)" in line


# --- Explicit tags: converted when they fit, one line when they do not ------------------------------


@pytest.mark.parametrize("value, message", [
    ("!!float abc", "the YAML tag '!!float' needs a number, got 'abc'"),
    ("!!float bce", "the YAML tag '!!float' needs a number, got 'bce'"),
    ("!!int 1.5", "the YAML tag '!!int' needs a whole number, got '1.5'"),
    ("!!bool maybe", "the YAML tag '!!bool' needs true or false, got 'maybe'"),
    ("!!bool 3", "the YAML tag '!!bool' needs true or false, got '3'"),
    ("!!null x", "the YAML tag '!!null' needs null, ~ or nothing, got 'x'"),
    ("!!timestamp x", "the YAML tag '!!timestamp' is not allowed"),
    ("!!timestamp 2024-01-01", "the YAML tag '!!timestamp' is not allowed"),
    ("!!binary aGk=", "the YAML tag '!!binary' is not allowed"),
    ("!!set {a: 1}", "the YAML tag '!!set' is not allowed"),
    ("!!seq 1", "the YAML tag '!!seq' does not fit a single value"),
    ("!!str [1]", "the YAML tag '!!str' does not fit a list"),
    ("!n 0", "the YAML tag '!n' is not allowed"),
])
def test_explicit_tags_that_do_not_convert_are_one_line(write_config, value, message):
    line = one_error(write_config, f"x: [1, 1, 1, 1]\n{TAIL}title: {value}\n", "validate")
    assert f":7:8: title: {message}" in line, line


def test_explicit_tags_that_fit_convert(write_config):
    text = "title: !!str 010\nx: [!!float 1, !!int 0x0A, 3, 4]\n" + TAIL.replace("0.1", "!!float 1e-1")
    config = config_json(write_config, text)
    assert config["title"] == "010" and config["x"] == [1.0, 10.0, 3.0, 4.0] and config["alpha"] == 0.1


# --- Merge keys -------------------------------------------------------------------------------------


def test_merge_keys_merge_and_explicit_keys_win(write_config):
    text = ("x: [1, 1]\ny: [0, 1]\nalpha: 0.1\nlayers:\n"
            "  - &hidden\n    name: hid\n    activation: relu\n    weights: [[0.4, 0.21], [-0.5, -0.14]]\n"
            "  - <<: *hidden\n    name: out\n    activation: sigmoid\n")
    layers = config_json(write_config, text)["layers"]
    assert [layer["activation"] for layer in layers] == ["relu", "sigmoid"]
    assert layers[1]["name"] == "out" and layers[1]["weights"] == [[0.4, 0.21], [-0.5, -0.14]]


def test_merge_keys_take_a_list_of_mappings_the_first_winning(write_config):
    text = ("x: [1, 1]\ny: [0, 1]\nalpha: 0.1\nlayers:\n"
            "  - &a {activation: relu, weights: [[1, 0], [0, 1]]}\n"
            "  - &b {activation: sigmoid, weights: [[2, 0], [0, 2]], bias: [1, 1]}\n"
            "  - <<: [*b, *a]\n    name: last\n")
    layers = config_json(write_config, text)["layers"]
    assert layers[2]["activation"] == "sigmoid" and layers[2]["bias"] == [1.0, 1.0]


@pytest.mark.parametrize("merge", ["<<: 1", "<<: [1, 2]", "<<: *self"])
def test_a_merge_key_without_a_mapping_is_named(write_config, merge):
    text = f"x: [1, 1]\ny: [0, 1]\nalpha: 0.1\nlayers:\n  - &self\n    activation: relu\n    {merge}\n"
    assert "a merge key '<<' takes" in one_error(write_config, text)


# --- One line per error, whatever the input -----------------------------------------------------------


def test_a_key_with_a_line_break_stays_on_one_line(write_config):
    line = one_error(write_config, GOOD + '"alp\\nha": 1\n')
    assert r"alp\nha: unknown key; did you mean 'alpha'?" in line


def test_the_count_of_further_errors_is_on_the_same_line(write_config):
    text = GOOD.replace("alpha: 0.1", "alpha: -1").replace("activation: sigmoid", "activation: sigmod")
    assert "(and 1 more; 'bptrace validate' lists them all)" in one_error(write_config, text)


@pytest.mark.parametrize("name, shown", [("new\nline.yaml", r"new\nline.yaml"),
                                         (os.fsdecode(b"bad\xff.yaml"), r"bad\udcff.yaml"),
                                         ("esc\x1b[2J.yaml", r"esc\x1b[2J.yaml")])
def test_file_names_are_escaped(write_config, name, shown):
    for command in ("run", "validate"):
        line = one_error(write_config, GOOD.replace("alpha: 0.1", "alpha: x"), command, name=name)
        assert shown + ":3:8: alpha: expected a number" in line
    result = run_cli("validate", write_config(GOOD, name))
    assert result.exit_code == 0 and shown + ": valid" in result.stdout


@pytest.mark.parametrize("where, value", [("title", r'"\e]0;PWNED\a\e[2J"'), ("title", r'"\u202Eevil"'),
                                          ("title", r'"tab\there"'), ("name", r'"hid\e[5m"'),
                                          ("name", r'"a\u200Bb"'), ("name", r'"two\nlines"')])
def test_control_and_bidi_characters_in_printed_names_are_refused(write_config, where, value):
    text = GOOD.replace("name: hid", f"name: {value}") if where == "name" else f"title: {value}\n{GOOD}"
    for command in ("run", "validate"):
        line = one_error(write_config, text, command)
        assert "without control or formatting characters" in line and "\x1b" not in line and "\u202e" not in line


def test_unicode_names_are_welcome(write_config):
    text = "title: Réseau à deux couches — σ\n" + GOOD.replace("name: hid", "name: verborgen_ß")
    result = run_cli("validate", write_config(text))
    assert result.exit_code == 0 and "Réseau à deux couches — σ" in result.stdout and "verborgen_ß" in result.stdout


# --- Errors about the file as a whole name it -------------------------------------------------------


@pytest.mark.parametrize("data, message", [
    (b"\x00\x01\x02", r"config\.yaml: this is a binary file"),
    (b"title: caf\xe9\n", r"config\.yaml:1:11: not UTF-8 text \(byte 10: 0xe9\)"),
    (b"", r"config\.yaml: the config is empty"),
    (b"   \n# only a comment\n", r"config\.yaml: the config is empty"),
    (b"title: a\x1bb\n", r"config\.yaml:1:9: the control character U\+001B is not allowed"),
    (b"x: [1]\ny: \x07\n", r"config\.yaml:2:4: the control character U\+0007 is not allowed"),
    ("x: [1]\ntitle: a\ufffeb\u0085\x1b\n".encode(), r"config\.yaml:2:9: the non-character U\+FFFE is not allowed"),
    ("x: [1]\ntitle: a\uffff\n".encode("utf-16"), r"config\.yaml:2:9: the non-character U\+FFFF is not allowed"),
])
def test_errors_about_the_whole_file_name_it(tmp_path, data, message):
    path = tmp_path / "config.yaml"
    path.write_bytes(data)
    for command in ("run", "validate"):
        result = run_cli(command, str(path))
        assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.stderr
        assert re.search(message, result.stderr), result.stderr


def test_the_characters_refused_in_a_file_are_those_yaml_refuses():
    """YAML 1.2's printable set, spelled from the standard: everything else is refused where it stands."""
    from backprop_cli.config.loader import _first_not_yaml

    def printable(c: int) -> bool:
        return (c in (0x09, 0x0A, 0x0D, 0x85) or 0x20 <= c <= 0x7E or 0xA0 <= c <= 0xD7FF
                or 0xE000 <= c <= 0xFFFD or 0x10000 <= c <= 0x10FFFF)

    surrogates = range(0xD800, 0xE000)  # never in a decoded file: strict UTF-8 and UTF-16 refuse them
    astral = [*range(0x10000, 0x110000, 251), 0x10FFFF]  # the same rule all the way: a sample
    for c in (c for c in [*range(0x10000), *astral] if c not in surrogates):
        assert (_first_not_yaml(f"ab{chr(c)}") is None) == printable(c), hex(c)
    assert _first_not_yaml("a\x85b\uffffc\x01") == 3


# --- Bounds: errors collected, values composed, nesting --------------------------------------------


def _layers_with_unknown_activations(count: int) -> str:
    return "x: [1, 2]\ny: [1, 2]\nalpha: 0.1\nlayers:\n" + "".join(
        "  - activation: relux\n    weights: [[1, 2], [3, 4]]\n" for _ in range(count))


def test_errors_are_collected_up_to_a_bound(write_config):
    from backprop_cli.config.read import MAX_ERRORS

    path = write_config(_layers_with_unknown_activations(MAX_ERRORS + 50))
    result = run_cli("validate", path)
    lines = result.stderr.splitlines()
    assert result.exit_code == 2 and len(lines) == MAX_ERRORS + 1
    assert lines[-1] == f"bptrace: {MAX_ERRORS} errors shown; there may be more after them"
    assert re.search(r":\d+:17: layers\[99\]\.activation: expected one of", lines[MAX_ERRORS - 1])
    line = one_error(write_config, _layers_with_unknown_activations(MAX_ERRORS + 50))
    assert f"(and more; 'bptrace validate' lists the first {MAX_ERRORS})" in line


def test_positions_come_from_one_parse(write_config, monkeypatch):
    """Errors used to re-parse the document each to find their line: quadratic in the errors."""
    calls = []
    original = yaml.compose
    monkeypatch.setattr(yaml, "compose", lambda *a, **k: calls.append(1) or original(*a, **k))
    result = run_cli("validate", write_config(_layers_with_unknown_activations(40)))
    assert result.stderr.count("expected one of") == 40
    assert len(calls) == 1


def test_too_many_yaml_values_are_refused_before_composing(write_config, monkeypatch):
    from backprop_cli.config import loader

    monkeypatch.setattr(yaml, "compose", lambda *a, **k: pytest.fail("composed"))
    text = "x:\n" + "  - 1\n" * (loader.MAX_VALUES + 1)
    assert "too many separate YAML values" in one_error(write_config, text, "validate")


@pytest.mark.parametrize("text, where", [
    ("x: " + "[" * 1500 + "]" * 1500 + "\n", ":1:1004: lists or mappings are nested more than 1,000 levels deep"),
    ("x: " + "{a: " * 1500 + "1" + "}" * 1500 + "\n", ":1:4004: lists or mappings are nested"),
    ("x:\n  " + "- " * 1500 + "1\n", ":2:1: block entries are nested more than 1,000 levels deep"),
    ("a:\n" + " " * 1001 + "b: 1\n", ":2:1: a line is indented by more than 1,000 spaces"),
])
def test_deep_nesting_is_refused_instead_of_crashing_the_parser(write_config, text, where):
    # 100,000 brackets overflowed the C parser's stack: a segmentation fault, exit 139
    assert where in one_error(write_config, text, "validate")


def test_nesting_deeper_than_a_config_goes_is_one_line(write_config):
    text = GOOD + "extra: " + "[" * 30 + "]" * 30 + "\n"
    assert "extra: unknown key" in one_error(write_config, text, "validate")
    text = GOOD + "extra: " + "[" * 70 + "]" * 70 + "\n"
    line = one_error(write_config, text, "validate")
    assert ":15:72: extra[0][0][0][0][0]…[0][0][0]: nested more than 64 levels deep" in line


# --- Long lists of numbers: read exactly, each error where its item is written ----------------------


@pytest.mark.parametrize("text, where", [
    ("x: [1, 2, 3, 4, 5, 6, 7, 8, .nan]\n", ":1:29: x[8]: expected a finite number, got nan"),
    ("x: [1, 2, 3, 4, 5, 6, 7, 8, true]\n", ":1:29: x[8]: expected a number, got a boolean (true)"),
    ("x: [1, 1e400, a, 4, 5, 6, 7, 8]\n", ":1:8: x[1]: expected a finite number, got inf"),
    ("x: [1, a, 1e400, 4, 5, 6, 7, 8]\n", ":1:8: x[1]: expected a number, got the text 'a'"),
    ("x: [1, 2 3, 4, 5, 6, 7, 8, 9]\n", ":1:8: x[1]: expected a number, got the text '2 3'"),
    ("x: [1, a\n   b, 3, 4, 5, 6, 7, 8]\n", ":1:8: x[1]: expected a number, got the text 'a b'"),
    ("x: [1, 2, 3, 4,\n 5, 6, 7, 8, 1e999]\n", ":2:14: x[8]: expected a finite number, got inf"),
    ("x: [1, 2,\r 3, 4, 5, 6, 7, x8]\n", ":2:17: x[7]: expected a number, got the text 'x8'"),
    ("x: [1, 2, 3, 4, 5, 6, 7, 8, ]\n",
     ":6:15: layers[0].weights[0]: expected 8 columns (the width of the input x), got 4"),
])
def test_a_list_item_is_read_and_placed_as_written(write_config, text, where):
    assert where in one_error(write_config, text + TAIL)


def test_numbers_of_every_form_in_a_long_list(write_config):
    text = ("x: [1, 2, -0, -0.0, 3, 0x1F, 0o17, 4, 1e3]\n"
            + TAIL.replace("[[1, 1, 1, 1]]", "[[1, 1, 1, 1, 1, 1, 1, 1, 1]]"))
    x = config_json(write_config, text)["x"]
    assert [repr(v) for v in x] == ["1.0", "2.0", "0.0", "-0.0", "3.0", "31.0", "15.0", "4.0", "1000.0"]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False) | st.integers(-10**30, 10**30),
                min_size=1, max_size=60),
       st.sampled_from([", ", ",", " ,\n    ", ",\t"]))
def test_long_lists_hold_the_numbers_python_reads(numbers, separator):
    from backprop_cli.config.loader import parse_yaml
    from backprop_cli.config.read import config_from_data

    written = [repr(n) if isinstance(n, float) else str(n) for n in numbers]
    text = "x: [" + separator.join(written) + "]\n" + TAIL.replace("[[1, 1, 1, 1]]", f"[{[1] * len(written)}]")
    values = config_from_data(parse_yaml(text, "<test>").data).x[0].tolist()
    expected = [float(text) for text in written]  # Python's own reading, correctly rounded
    assert values == expected
    assert [str(v) for v in values] == [str(e) for e in expected]  # the sign of zero too


@pytest.mark.parametrize("where", ["x", "weights"])
def test_a_bad_item_in_the_middle_of_a_long_list_names_its_own_line_and_column(write_config, where):
    items = [f"0.{i}5" for i in range(50)]
    items[25] = "0.2x5"
    long_list = "[" + ",\n        ".join(", ".join(items[i:i + 10]) for i in range(0, 50, 10)) + "]"
    ones = "[" + ", ".join(["1"] * 50) + "]"
    text = (f"x: {long_list if where == 'x' else ones}\ny: [1, 0]\nalpha: 0.1\nlayers:\n  - activation: identity\n"
            f"    weights:\n      - {ones}\n      - {long_list if where == 'weights' else ones}\n")
    at = text.index("0.2x5")
    line, column = text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
    path = "x[25]" if where == "x" else r"layers[0].weights[1][25]"
    assert f":{line}:{column}: {path}: expected a number, got the text '0.2x5'" in one_error(write_config, text)


def test_a_long_list_reports_its_item_where_it_is(write_config):
    line = one_error(write_config, "x: [1, 2, 3, 4,\n    5, 6, 7, 8,\n    9, .nan]\n" + TAIL)
    assert ":3:8: x[9]: expected a finite number, got nan" in line
    line = one_error(write_config, "x: [1, 2, 3, 4, 5, 6, 7, 8, 9, 1" + "0" * 400 + "]\n" + TAIL)
    assert ":1:32: x[9]: expected a finite number, got 100000… (401 digits)" in line


def test_a_long_list_where_text_belongs(write_config):
    text = "title: [" + ", ".join(map(str, range(100_000))) + "]\n" + GOOD
    assert ":1:8: title: expected text, got a list of 100000" in one_error(write_config, text, "validate")


def test_many_short_lists_under_an_unknown_key_are_one_line(write_config):
    text = GOOD + "extra: [" + ", ".join(f"[{i}]" for i in range(100_000)) + "]\n"
    for command in ("validate", "run"):
        assert "too many separate YAML values" in one_error(write_config, text, command)


def test_the_schema_refuses_the_same_names():
    import jsonschema

    from backprop_cli.schemas import load_schema

    schema = load_schema("config")
    data = yaml.safe_load((CONFIGS / "handout.yaml").read_text(encoding="utf-8"))
    for bad in ("a\x1b[2Jb", "\u202eevil", "a\u200bb", "two\nlines"):
        for where in ("title", "name"):
            changed = json.loads(json.dumps(data))
            (changed if where == "title" else changed["layers"][0])[where] = bad
            with pytest.raises(jsonschema.ValidationError):
                jsonschema.validate(changed, schema)
    data["title"], data["layers"][0]["name"] = "Réseau à deux couches — σ", "verborgen_ß"
    jsonschema.validate(data, schema)


def test_a_list_longer_than_allowed_is_refused():
    from backprop_cli.config.read import MAX_PARAMETERS, config_from_data
    from backprop_cli.errors import ConfigError

    data = yaml.safe_load(GOOD)
    data["x"] = [0] * (MAX_PARAMETERS + 1)  # data given to config_from_data: a file holds far fewer values
    with pytest.raises(ConfigError,
                       match=f"x: expected at most {MAX_PARAMETERS:,} numbers, got {MAX_PARAMETERS + 1:,}"):
        config_from_data(data)


def test_a_second_document_is_named(write_config):
    line = one_error(write_config, GOOD + "---\nx: [1]\n", "validate")
    assert ":15:1: invalid YAML: expected a single document in the stream, but found another document" in line


@pytest.mark.parametrize("text", ["0o17", "1e3", "0x1F", "010", ".5", "yes", "2024-02-30", "1:30", "true", "~", ""])
def test_a_saved_network_reads_back_its_title_and_names(write_config, tmp_path, text):
    quoted = json.dumps(text)
    config = write_config(f"title: {quoted}\n" + GOOD.replace("name: hid", f"name: {quoted if text else 'hid'}"))
    saved = tmp_path / "saved.yaml"
    result = run_cli("run", config, "--format", "json", "--save-updated", str(saved))
    assert result.exit_code == 0, result.stderr
    again = config_json(lambda _: str(saved), "")
    assert again["title"] == text and again["layers"][0]["name"] == (text or "hid")


def test_an_alias_of_a_long_list_is_read_once(write_config):
    from backprop_cli.config.loader import parse_yaml

    row = "[" + ", ".join(["0.5"] * 20) + "]"
    text = f"x: &r {row}\ny: [0]\nalpha: 0.1\nlayers:\n  - activation: relu\n    weights: [{', '.join(['*r'] * 50)}]\n"
    assert "y: expected 50 numbers per sample" in one_error(write_config, text, "validate")
    rows = parse_yaml(text, "<test>").data["layers"][0]["weights"]
    assert all(row is rows[0] for row in rows)  # one list, not 50 copies


def test_merge_keys_cannot_multiply_a_mapping_without_bound(write_config):
    from backprop_cli.config.yaml_document import MAX_MERGED

    keys = 1000
    big = "{" + ", ".join(f"k{i}: {i}" for i in range(keys)) + "}"
    text = f"big: &b {big}\nmany: [" + ", ".join(["{<<: *b}"] * (MAX_MERGED // keys + 1)) + "]\n"
    assert f"merge keys copy more than {MAX_MERGED:,} keys in all" in one_error(write_config, text, "validate")
