"""What bptrace writes to be read back (a saved network, a YAML answer sheet) is read back by bptrace, up to the
size limits of a config, or is refused before anything is written."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from conftest import run_cli

from backprop_cli.api.running import run
from backprop_cli.config.loader import MAX_BYTES, MAX_VALUES, STATE_SHARE, _values, parse_yaml, read_text, state_span
from backprop_cli.config.read import config_from_data, load_config
from backprop_cli.config.save import _widest, saved_config_text
from backprop_cli.course.check import worksheet as sheet_of
from backprop_cli.course.check.answers import read_answers
from backprop_cli.errors import ConfigError


def network_yaml(sizes: tuple[int, ...], seed: int = 7) -> str:
    """A dense network (ReLU hidden layers, a sigmoid output) with seeded weights written to four decimals."""
    rng = np.random.default_rng(seed)

    def numbers(values) -> str:
        return "[" + ", ".join(f"{v:.4f}" for v in values) + "]"

    lines = [f"x: {numbers(rng.random(sizes[0]))}", f"y: {numbers(np.eye(sizes[-1])[0])}", "alpha: 0.1", "layers:"]
    for i, (inputs, width) in enumerate(zip(sizes, sizes[1:])):
        lines.append(f"  - activation: {'sigmoid' if i == len(sizes) - 2 else 'relu'}")
        lines.append("    weights:")
        lines += [f"      - {numbers(row)}" for row in rng.normal(0, inputs ** -0.5, (width, inputs))]
        lines.append(f"    bias: {numbers(rng.normal(0, 0.1, width))}")
    return "\n".join(lines) + "\n"


def largest_yaml(spare: int = 0) -> str:
    """One sigmoid neuron with as many inputs as a config may hold (2 · inputs + 19 YAML values), less
    ``spare`` values."""
    inputs = (MAX_VALUES - 19 - spare) // 2
    return (f"x: [{', '.join(['0.5'] * inputs)}]\ny: [0.5]\nalpha: 0.1\nlayers:\n  - activation: sigmoid\n"
            f"    weights: [[{', '.join(['0.25'] * inputs)}]]\n    bias: [0.0]\n")


def body(path) -> str:
    """A saved file without its first comment line (which says how many updates it holds)."""
    return path.read_text(encoding="utf-8").split("\n", 1)[1]


# --------------------------------------------------------------------------------------------------
# The limits of the loader: optimizer_state counted apart, with twice the room


def test_the_optimizer_state_is_the_text_from_its_key_to_the_next_key():
    text = "x: [1]\noptimizer_state:\n- weights:\n    m: [1, 2]\n# a comment\n  \nepochs: 2\n"
    start, end = state_span(text)
    assert text[start:end] == "optimizer_state:\n- weights:\n    m: [1, 2]\n# a comment\n  \n"
    assert state_span("x: [1]\nepochs: 2\n") == (0, 0)
    assert state_span("{optimizer_state: [1]}\n") == (0, 0)  # only at the start of a line


def test_an_optimizer_state_may_hold_more_values_than_a_config_but_not_the_rest_of_the_file():
    many = ", ".join(["0"] * (MAX_VALUES + 1000))
    assert len(parse_yaml(f"x: [1]\noptimizer_state: [{many}]\n", "saved.yaml").data["optimizer_state"]) > MAX_VALUES
    with pytest.raises(ConfigError, match="too many separate YAML values outside its optimizer_state"):
        parse_yaml(f"title: [{many}]\noptimizer_state: [1]\n", "saved.yaml")
    too_many = ", ".join(["0"] * (STATE_SHARE * MAX_VALUES + 1))
    with pytest.raises(ConfigError, match=f"optimizer_state of the file holds too many .* at most "
                                          f"{STATE_SHARE * MAX_VALUES:,} there") as caught:
        parse_yaml(f"x: [1]\ny: [1]\noptimizer_state: [{too_many}]\n", "saved.yaml")
    assert str(caught.value).startswith("saved.yaml:3: ")  # the line of optimizer_state


def half_network(inputs: int) -> tuple[str, str]:
    """The x and the layers of a one-neuron network of ``inputs`` inputs, in flow style: together more
    values than a config may hold when ``inputs`` is over half of MAX_VALUES."""
    numbers = ", ".join(["0.5"] * inputs)
    return f"x: [{numbers}]", f"layers: [{{activation: sigmoid, weights: [[{numbers}]], bias: [0.0]}}]"


@pytest.mark.parametrize("layout", ["flow", "block"])
def test_only_the_value_of_the_top_level_optimizer_state_has_the_allowance(tmp_path, layout):
    x, layers = half_network(MAX_VALUES // 2 + 10)
    if layout == "flow":  # every line after the key starts with a space: the text alone takes it all for the state
        text = f"{{\noptimizer_state: ~,\n {x},\n y: [0.5], alpha: 0.1,\n {layers}}}\n"
    else:  # a key starting with "-" does not end the state's text
        text = f"optimizer_state: ~\n-junk: [{x}, {layers}]\ny: [0.5]\n"
    start, end = state_span(text)
    assert end - start > len(text) // 2  # what the text alone takes for the state
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_cli("validate", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"bptrace: error: {path}: the file holds too many separate YAML values outside "
                                    f"its optimizer_state (about 120,0")
    assert f"bptrace reads at most {MAX_VALUES:,}, enough for a 784-128-10 network)" in result.stderr


def test_an_optimizer_state_inside_another_value_has_no_allowance():
    many = ", ".join(["0"] * MAX_VALUES)
    nested = f"title: [1,\noptimizer_state: [{many}]]\n"  # at the start of a line, in the title's list
    assert state_span(nested)[0] > 0
    with pytest.raises(ConfigError, match=r"the file holds too many separate YAML values \(about 120,00"):
        parse_yaml(nested, "config.yaml")
    # the value of the top-level key is counted apart, in flow style too
    assert parse_yaml(f"{{x: [1],\noptimizer_state: [{many}]}}\n", "saved.yaml").data["x"] == [1]


def test_an_optimizer_state_may_hold_more_bytes_than_a_config(tmp_path):
    path = tmp_path / "saved.yaml"
    path.write_text("x: [1]\noptimizer_state: '" + "a" * (MAX_BYTES + 1) + "'\n", encoding="utf-8")
    text, _ = read_text(str(path))
    assert len(text) > MAX_BYTES
    path.write_text("title: '" + "a" * MAX_BYTES + "'\noptimizer_state: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="without its optimizer_state is larger than 5 MB; refusing to read it"):
        read_text(str(path))
    path.write_text("x: [1]\noptimizer_state: '" + "a" * (STATE_SHARE * MAX_BYTES) + "'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="optimizer_state of the file is larger than 10 MB"):
        read_text(str(path))
    # once composed, what is not the state's value counts against the 5 MB of the rest
    text = "{\noptimizer_state: ~,\n title: '" + "a" * MAX_BYTES + "'}\n"
    with pytest.raises(ConfigError, match="without its optimizer_state is larger than 5 MB; refusing to read it"):
        parse_yaml(text, "config.yaml")


# --------------------------------------------------------------------------------------------------
# --save-updated


@pytest.mark.slow
def test_a_784_128_10_network_saved_with_adams_state_runs_on_as_one_longer_run(tmp_path):
    config = tmp_path / "net.yaml"
    config.write_text(network_yaml((784, 128, 10)) + "optimizer: adam\n", encoding="utf-8")
    once, twice, direct = (tmp_path / f"{name}.yaml" for name in ("once", "twice", "direct"))
    for args in ((config, "--save-updated", once), (once, "--save-updated", twice),
                 (config, "--epochs", "2", "--save-updated", direct)):
        result = run_cli("run", *map(str, args), "--format", "json")
        assert result.exit_code == 0, result.stderr
    assert once.read_text(encoding="utf-8").count(",") > MAX_VALUES  # more than a config may hold: the state
    assert body(twice) == body(direct)


def test_a_network_whose_saved_file_would_be_too_large_is_refused_before_the_run(tmp_path):
    config, saved = tmp_path / "largest.yaml", tmp_path / "saved.yaml"
    config.write_text(largest_yaml(), encoding="utf-8")
    assert run_cli("validate", str(config)).exit_code == 0
    result = run_cli("run", str(config), "--save-updated", str(saved))
    assert result.exit_code == 2
    assert result.stdout == ""  # refused before the trace
    assert not saved.exists()
    assert f"--save-updated {saved}: the saved network would hold too many separate YAML values" in result.stderr
    assert "bptrace could not read it back, so it is not written" in result.stderr


def test_a_network_just_within_the_limit_is_saved_and_read_back(tmp_path):
    config, saved = tmp_path / "large.yaml", tmp_path / "saved.yaml"
    config.write_text(largest_yaml(spare=40), encoding="utf-8")
    result = run_cli("run", str(config), "--save-updated", str(saved))
    assert result.exit_code == 0, result.stderr
    assert run_cli("validate", str(saved)).exit_code == 0


@pytest.mark.parametrize("spare, saved", [(15, False), (16, True)])
def test_near_the_limit_a_network_is_either_refused_before_the_run_or_saved_and_read_back(tmp_path, spare, saved):
    # the saved file writes the display mapping and a header of two comment lines: counted before the run too
    config, trace, target = tmp_path / "near.yaml", tmp_path / "trace.md", tmp_path / "saved.yaml"
    config.write_text(largest_yaml(spare=spare) + "display: {hand_rounding: 2}\n", encoding="utf-8")
    result = run_cli("run", str(config), "-o", str(trace), "--save-updated", str(target))
    assert result.stdout == ""
    if saved:
        assert result.exit_code == 0, result.stderr
        assert trace.exists() and run_cli("validate", str(target)).exit_code == 0
    else:
        assert result.exit_code == 2
        assert result.stderr.startswith(f"bptrace: error: --save-updated {target}: the saved network would hold too "
                                        "many separate YAML values (about 120,001; bptrace reads at most 120,000)")
        assert not trace.exists() and not target.exists()  # refused before the run: nothing written


def test_the_file_counted_before_the_run_is_the_saved_one_at_its_widest():
    text = network_yaml((3, 4, 2)) + "optimizer: adam\nepochs: 12\ndisplay: {precision: 3}\n"
    given = config_from_data(yaml.safe_load(text), "net.yaml")
    trained = run(given, exact=True).trained
    saved = saved_config_text(trained, None, updates=12, origin="net.yaml")
    widest = saved_config_text(_widest(given, 12), None, updates=12, origin="net.yaml")
    assert "t: 12" in saved and "t: 12" in widest
    assert _values(widest) == _values(saved) and len(widest) > len(saved)
    assert widest.count("-2.2250738585072014e-308") == 3 * (4 * 3 + 4 + 2 * 4 + 2)  # the parameters, m and v


# --------------------------------------------------------------------------------------------------
# bptrace worksheet


@pytest.mark.parametrize("form", [(), ("--interactive",)])
def test_a_worksheet_check_could_not_read_is_refused_at_once(tmp_path, form):
    config, sheet = tmp_path / "net.yaml", tmp_path / ("sheet.html" if form else "sheet.yaml")
    config.write_text(network_yaml((784, 128, 10)), encoding="utf-8")
    result = run_cli("worksheet", str(config), "-o", str(sheet), *form)
    assert result.exit_code == 2
    assert not sheet.exists()
    named = "" if form else f" {sheet}"  # the page is not the sheet it saves
    assert result.stderr.strip() == (
        f"bptrace: error: {config}: the answer sheet{named} would be larger than 5 MB: bptrace check could not read it "
        "back, so it is not written (a worksheet is for a network worked by hand; this one has 101,632 weights)")


def test_a_worksheet_just_over_the_limit_is_refused_once_written_out(tmp_path):
    config, sheet = tmp_path / "net.yaml", tmp_path / "sheet.yaml"
    config.write_text(network_yaml((130, 100, 20)), encoding="utf-8")
    result = run_cli("worksheet", str(config), "-o", str(sheet))
    assert result.exit_code == 2
    assert not sheet.exists()
    assert result.stderr.startswith(f"bptrace: error: {config}: the answer sheet {sheet} would hold about 1")
    assert (" separate YAML values once filled in with decimal commas (0,61), more than bptrace reads (120,000), "
            "so it is not written (a worksheet is for a network worked by hand; this one has 15,000 weights)\n"
            in result.stderr)


@pytest.mark.slow
def test_a_worksheet_near_the_limit_is_read_back_filled_in(tmp_path):
    config, sheet = tmp_path / "net.yaml", tmp_path / "sheet.yaml"
    config.write_text(network_yaml((90, 100, 20)), encoding="utf-8")  # 11,000 weights
    result = run_cli("worksheet", str(config), "-o", str(sheet))
    assert result.exit_code == 0, result.stderr
    text = sheet.read_text(encoding="utf-8")
    assert len(text) > MAX_BYTES // 3
    filled = tmp_path / "filled.yaml"
    # every answer with a decimal comma, which the loader counts as one more value
    filled.write_text(text.replace("- ~ ", "- 0,12345678").replace(": ~ ", ": 0,1234567"), encoding="utf-8")
    blanks = list(sheet_of(load_config(str(config))).blanks)
    answers = read_answers(str(filled), sheet_of(load_config(str(config))))
    assert len(answers) == len(blanks) and len(blanks) > 22_000
