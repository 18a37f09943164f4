"""bptrace figure: the handout's network figure as SVG and TikZ.

The numbers are read back from the SVG (tests/figure_helpers.py) and compared with the handout's own
numbers and with what the terminal tables print; the label boxes of the layout are checked to be
disjoint for every shipped config and for random networks up to 6-6-6-6.
"""

from __future__ import annotations

import importlib
import math
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from itertools import combinations

import figure_helpers
import pytest
from conftest import CONFIGS, run_cli
from figure_helpers import figure_of, wide_config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import random_layer

from backprop_cli.config.read import config_from_data, load_config
from backprop_cli.engine.rounding import Rounding
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.render.figure import figure_text, svg, tikz_picture

SHIPPED = sorted(CONFIGS.glob("*.yaml"))


def handout_svg(*args: str) -> ET.Element:
    result = run_cli("figure", str(CONFIGS / "handout.yaml"), *args)
    assert result.exit_code == 0, result.stderr
    return figure_helpers.parse(result.stdout)


# --------------------------------------------------------------------------------------------------
# The numbers


def sigmoid_slope(p: float) -> float:
    s = 1 / (1 + math.exp(-p))
    return s * (1 - s)


def test_handout_figure_shows_the_handouts_numbers_below_each_neuron():
    stacks = figure_helpers.stacks(handout_svg())
    # The handout prints these (hand rounding to 2); ∂J/∂z of n2[hid] it does not print, so it is worked
    # out here from its formula with the handout's rounded numbers.
    dz2 = round(0.60 * sigmoid_slope(-0.85) * 0.57 + (-1.24) * sigmoid_slope(-0.49) * (-0.32), 2)
    assert stacks == {
        "x1": ["x = 1"], "x2": ["x = 1"],
        "n1[hid]": ["p = 0.61", "z = 0.61", "∂J/∂z = 0.06"],
        "n2[hid]": ["p = −0.64", "z = 0.00", f"∂J/∂z = {dz2:.2f}"],
        "n1[out]": ["p = −0.85", "z = 0.30", "∂J/∂z = 0.60"],
        "n2[out]": ["p = −0.49", "z = 0.38", "∂J/∂z = −1.24"],
    }


def test_handout_figure_labels_every_edge_with_its_weight_before_and_after_the_update():
    before = {("x1", "n1[hid]"): "0.40", ("x2", "n1[hid]"): "0.21", ("x1", "n2[hid]"): "−0.50",
              ("x2", "n2[hid]"): "−0.14", ("n1[hid]", "n1[out]"): "−1.40", ("n2[hid]", "n1[out]"): "0.57",
              ("n1[hid]", "n2[out]"): "−0.81", ("n2[hid]", "n2[out]"): "−0.32"}
    assert figure_helpers.edges(handout_svg()) == before
    after = figure_helpers.edges(handout_svg("--after"))
    # Step 5 of the handout: −1.40 − 0.1 · 0.077 = −1.4077 (the gradient 0.077 as the handout rounds it)
    expected = Decimal("-1.40") - Decimal("0.1") * Decimal("0.077")
    assert after[("n1[hid]", "n1[out]")] == str(expected).replace("-", "−")
    # n2[hid] has z = 0: the weights leaving it get no gradient and stay as they were
    assert after[("n2[hid]", "n1[out]")] == "0.57" and after[("n2[hid]", "n2[out]")] == "−0.32"
    assert set(after) == set(before)


def terminal_numbers(path) -> tuple[dict[str, list[str]], dict[tuple[str, str], tuple[str, str]]]:
    """From the tables of `bptrace run`: p, z and ∂J/∂z of each neuron for the first sample (∂J/∂p, from
    Step 1's second table, for a softmax neuron), and each parameter's value before and after the update
    (Step 5)."""
    out = run_cli("run", str(path), "--rows", "0").stdout
    values: dict[str, dict[str, str]] = {}
    params: dict[tuple[str, str], tuple[str, str]] = {}
    section = header = ""
    for line in out.splitlines():
        if line.startswith("┃"):
            header = line.strip("┃").split("┃")[-1].strip()  # the value column: ∂J/∂z, ∂J/∂p, ...
        if not line.startswith("│"):
            section = line.split(")")[0] if line.startswith(("Forward pass", "Step ")) else section
            continue
        cells = [cell.strip() for cell in line.strip("│").split("│")]
        name = cells[0]
        if section.startswith("Forward pass") and name:
            values.setdefault(name, {}).setdefault("p", cells[1])
            values[name].setdefault("z", cells[2])
            values[name].setdefault("g", cells[3])
        elif section in ("Step 1", "Step 2") and name:
            values.setdefault(name, {}).setdefault(header, cells[-1])
        elif section == "Step 5" and name:
            params[name] = (cells[1].split(" − ")[0].split(" (")[0], cells[-1])
    gradient = {name: "∂J/∂p" if v["g"] == "Softmax" else "∂J/∂z" for name, v in values.items()}
    stacks = {name: [f"p = {v['p']}", f"z = {v['z']}", f"{gradient[name]} = {v[gradient[name]]}"]
              for name, v in values.items()}
    return stacks, params


def weight_name(source: str, target: str) -> str:
    """Θ_kt[layer] as the tables write it, for the edge from ``source`` to ``target``."""
    k, layer = re.fullmatch(r"n(\d+)\[(.*)\]", target).groups()
    t = re.match(r"[xn](\d+)", source).group(1)
    sep = "," if int(k) >= 10 or int(t) >= 10 else ""
    return f"Θ_{k}{sep}{t}[{layer}]"


@pytest.mark.slow
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_figure_shows_the_digits_of_the_terminal_tables(path):
    table_stacks, params = terminal_numbers(path)
    result = run_cli("figure", str(path))
    stacks = figure_helpers.stacks(figure_helpers.parse(result.stdout))
    for name, lines in table_stacks.items():
        shown = [line for line in stacks[name] if not line.startswith("b = ")]
        assert shown == lines, name
        biases = [line for line in stacks[name] if line.startswith("b = ")]
        bias_name = re.sub(r"n(\d+)\[", r"b_\1[", name)
        assert biases == ([f"b = {params[bias_name][0]}"] if bias_name in params else []), name
    for after, which in ((False, 0), (True, 1)):
        root = figure_helpers.parse(run_cli("figure", str(path), *(["--after"] if after else [])).stdout)
        found = figure_helpers.edges(root)
        weights = {name: value[which] for name, value in params.items() if name.startswith("Θ")}
        assert {weight_name(*edge): text for edge, text in found.items()} == weights


def test_shared_bias_stands_above_its_layer():
    stdout = run_cli("figure", str(CONFIGS / "mazur.yaml")).stdout
    texts = [figure_helpers.text_of(t) for t, _ in figure_helpers.labels(figure_helpers.parse(stdout))]
    assert "b = 0.3500 (shared)" in texts and "b = 0.6000 (shared)" in texts
    assert not any(text.startswith("b = ") and "shared" not in text for text in texts)


def test_several_samples_show_the_first_and_say_so():
    stdout = run_cli("figure", str(CONFIGS / "xor.yaml")).stdout
    root = figure_helpers.parse(stdout)
    # XOR's first sample is x = (0, 0): n1[hid] gets its bias alone, p = 0.1, z = σ(0.1)
    z = 1 / (1 + math.exp(-0.1))
    assert figure_helpers.stacks(root)["n1[hid]"][:3] == ["b = 0.1000", "p = 0.1000", f"z = {z:.4f}"]
    texts = [figure_helpers.text_of(t) for t, _ in figure_helpers.labels(root)]
    assert "p, z and ∂J/∂z of sample 1 of the 4 in update 1." in texts


def softmax_gradients() -> tuple[list[float], list[float]]:
    """configs/softmax.yaml worked out here: ∂J/∂p_k = z_k − y_k of its softmax outputs (cross-entropy on a
    one-hot y) and ∂J/∂z_t[hid] = Σ_k ∂J/∂p_k · Θ_kt[out], which Step 2 takes from them."""
    hidden = [max(0.0, 0.50 * 1.0 - 0.20 * 0.5), max(0.0, 0.30 * 1.0 + 0.80 * 0.5)]  # ReLU: 0.4, 0.7
    theta = [[0.60, -0.40], [0.20, 0.90], [-0.50, 0.30]]
    exps = [math.exp(sum(w * h for w, h in zip(row, hidden))) for row in theta]
    dJ_dp = [e / sum(exps) - y for e, y in zip(exps, (0, 1, 0))]
    dJ_dz = [sum(d * row[t] for d, row in zip(dJ_dp, theta)) for t in range(2)]
    return dJ_dp, dJ_dz


def minus(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}".replace("-", "−")


def test_a_softmax_layer_shows_the_gradient_that_reaches_each_output():
    """With cross-entropy, ∂J/∂z_k = −y_k/z_k is 0 for the outputs other than the target; the gradient
    reaches them through the softmax, as ∂J/∂p_k = z_k − y_k, which Step 2 uses: the figure shows that."""
    dJ_dp, dJ_dz = softmax_gradients()
    root = figure_helpers.parse(run_cli("figure", str(CONFIGS / "softmax.yaml")).stdout)
    stacks = figure_helpers.stacks(root)
    for k in range(3):
        assert stacks[f"n{k + 1}[out]"][2] == f"∂J/∂p = {minus(dJ_dp[k], 3)}"
    assert [stacks["n1[out]"][2], stacks["n3[out]"][2]] == ["∂J/∂p = 0.240", "∂J/∂p = 0.252"]
    for t in range(2):  # the hidden layer keeps ∂J/∂z, and it is Σ_k ∂J/∂p_k · Θ_kt of the numbers shown
        assert stacks[f"n{t + 1}[hid]"][2] == f"∂J/∂z = {minus(dJ_dz[t], 3)}"
    texts = [figure_helpers.text_of(t) for t, _ in figure_helpers.labels(root)]
    assert "Below each neuron: p, z and, in bold blue, ∂J/∂z; ∂J/∂p in the softmax layer 'out'." in texts
    assert "In a softmax every z depends on every p, and the steps after Step 1 use ∂J/∂p." in texts
    assert not any(text.endswith("= 0.000") for text in texts)

    tikz = run_cli("figure", str(CONFIGS / "softmax.yaml"), "-f", "tikz").stdout
    for k in range(3):
        assert rf"{{$\partial J/\partial p = \mbox{{\boldmath${dJ_dp[k]:.3f}$}}$}}" in tikz
    assert r"\partial J/\partial z = \mbox{\boldmath$-0.081$}" in tikz
    assert r"\boldmath$0.000$" not in tikz and "softmax layer `out'." in tikz

    by_hand = figure_helpers.stacks(figure_helpers.parse(run_cli("figure", str(CONFIGS / "softmax.yaml"),
                                                                 "-r", "2").stdout))
    assert [by_hand[f"n{k + 1}[out]"][2] for k in range(3)] == ["∂J/∂p = 0.24", "∂J/∂p = −0.49", "∂J/∂p = 0.25"]


def test_a_network_of_one_softmax_layer_shows_dJ_dp_alone(write_config):
    path = write_config("x: [1.0, 2.0]\ny: [1, 0]\nalpha: 0.1\nloss: cross_entropy\nlayers:\n  - activation: softmax\n"
                        "    weights: [[0.1, 0.2], [0.3, -0.1]]\n")
    root = figure_helpers.parse(run_cli("figure", path).stdout)
    texts = [figure_helpers.text_of(t) for t, _ in figure_helpers.labels(root)]
    assert "Below each neuron: p, z and, in bold blue, ∂J/∂p." in texts
    assert not any("∂J/∂z" in text for text in texts)
    z1 = 1 / (1 + math.exp(0.1 - 0.5))  # softmax of p = (0.5, 0.1): z_1 = 1 / (1 + e^(p_2 − p_1))
    assert figure_helpers.stacks(root)["n1[out]"][2] == f"∂J/∂p = {minus(z1 - 1, 4)}"


def test_documents_point_to_the_figure_where_it_shows_the_examples_gradient():
    """The worked example of Step 1 computes ∂J/∂z: it points to the figure's bold blue number where the
    figure shows ∂J/∂z below that neuron, and not under a softmax, where the figure shows ∂J/∂p."""
    note = "see the bold blue number below the neuron in the figure above"
    handout = run_cli("run", str(CONFIGS / "handout.yaml"), "-f", "markdown").stdout
    softmax = run_cli("run", str(CONFIGS / "softmax.yaml"), "-f", "markdown").stdout
    assert f"Example for neuron $n_{{1}}^{{[\\mathit{{out}}]}}$ ({note}):" in handout
    assert "Example for neuron $n_{1}^{[\\mathit{out}]}$:" in softmax
    assert f"Example for neuron $n_{{1}}^{{[\\mathit{{hid}}]}}$ ({note}):" in softmax  # Step 2: ∂J/∂z


def test_rounding_options_are_runs():
    p = -1.40 * (0.40 + 0.21) + 0.57 * max(0.0, -0.50 - 0.14)  # n1[out] without rounding: −0.854
    exact = figure_helpers.stacks(handout_svg("--exact"))
    assert exact["n1[out]"][:2] == ["p = −0.8540", f"z = {1 / (1 + math.exp(-p)):.4f}"]  # 4 decimals: the default
    assert figure_helpers.stacks(handout_svg("--exact", "-p", "3"))["n1[out]"][1] == f"z = {1 / (1 + math.exp(-p)):.3f}"


# --------------------------------------------------------------------------------------------------
# Wide layers


def test_wide_layers_show_the_first_three_a_gap_and_the_last():
    figure = figure_of(wide_config())
    names = [label.item.text for label in figure.labels if label.item.kind == "name"]
    assert names == ["x1", "x2", "x3", "x784", "n1[hid1]", "n2[hid1]", "n3[hid1]", "n128[hid1]",
                     "n1[out]", "n2[out]", "n3[out]", "n10[out]"]
    texts = [label.item.text for label in figure.labels]
    assert texts.count("⋮") == 3 and {"780 more", "124 more", "6 more"} <= set(texts)
    assert sum(label.item.kind == "weight" for label in figure.labels) == 2 * 16
    assert figure.width < 1000 and figure.height < 1000  # a readable page, not a blur of 100,000 edges
    assert "first 3 and their last" in " ".join(label.item.text for label in figure.caption)


# --------------------------------------------------------------------------------------------------
# No label overlaps another


def assert_apart(figure) -> None:
    """Every label's box is disjoint from every other label's and from every circle (but a name's own
    circle, which it sits in), and everything lies inside the figure."""
    boxes = [(label.box, label) for label in (*figure.labels, *figure.caption)]
    for (a, la), (b, lb) in combinations(boxes, 2):
        assert not a.overlaps(b), f"{la.item.text!r} overlaps {lb.item.text!r}"
    for circle in figure.circles:
        for box, label in boxes:
            inside = label.item.kind == "name" and (label.x, label.y) == (circle.x, circle.y)
            if inside:
                assert circle.r >= label.width / 2, f"{label.item.text!r} is wider than its circle"
            else:
                assert not box.overlaps(circle.box), f"{label.item.text!r} overlaps a circle"
    for box, label in boxes:
        assert 0 <= box.left and box.right <= figure.width and 0 <= box.top and box.bottom <= figure.height, label


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
@pytest.mark.parametrize("after", [False, True])
def test_no_label_overlaps_another_in_shipped_configs(path, after):
    assert_apart(figure_of(load_config(str(path)), after=after))


def test_no_label_overlaps_another_in_a_wide_network():
    assert_apart(figure_of(wide_config()))
    assert_apart(figure_of(wide_config((9, 7, 12, 1)), precision=6))


names = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cf")), min_size=1,
                max_size=10).filter(lambda s: s.strip())
numbers = st.one_of(st.floats(-1, 1), st.floats(-9999, 9999), st.sampled_from([0.0, -0.5, 1e-7, -123456.789]))


@st.composite
def networks(draw):
    """Random networks up to 6-6-6-6 with names of any characters, numbers of any length, biases of
    every kind, one or two samples."""
    widths = draw(st.lists(st.integers(1, 6), min_size=2, max_size=4))
    layer_names = draw(st.lists(names, min_size=len(widths) - 1, max_size=len(widths) - 1, unique=True))
    layers = [dict(random_layer(draw, n, m, draw(st.sampled_from(["relu", "tanh", "sigmoid", "identity"])), numbers),
                   name=name) for m, n, name in zip(widths, widths[1:], layer_names)]
    samples = draw(st.integers(1, 2))
    rows = [[draw(numbers) for _ in range(widths[0])] for _ in range(samples)]
    targets = [[draw(numbers) for _ in range(widths[-1])] for _ in range(samples)]
    data = {"x": rows[0] if samples == 1 else rows, "y": targets[0] if samples == 1 else targets,
            "alpha": 0.1, "layers": layers}
    return config_from_data(data), draw(st.sampled_from([None, 1, 2, 4])), draw(st.integers(0, 6))


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(), st.booleans())
def test_no_label_overlaps_another_in_random_networks(network, after):
    config, hand, precision = network
    figure = figure_of(config, after=after, precision=precision, hand_rounding=hand)
    assert_apart(figure)
    widths = [config.x.shape[1], *(layer.width for layer in config.layers)]
    assert sum(label.item.kind == "weight" for label in figure.labels) == sum(m * n for m, n in zip(widths, widths[1:]))


# --------------------------------------------------------------------------------------------------
# SVG and TikZ as files


def assert_self_contained(svg_text: str) -> None:
    root = figure_helpers.parse(svg_text)
    tags = {element.tag.removeprefix(figure_helpers.SVG) for element in root.iter()}
    assert tags <= {"svg", "title", "g", "line", "circle", "rect", "text", "tspan"}, tags  # no script, image, style
    for element in root.iter():
        for name, value in element.attrib.items():
            assert "href" not in name and "url(" not in value and "@import" not in value, (name, value)
    assert svg_text.count("http") == 1  # the SVG namespace, which names a format and fetches nothing


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_svg_is_valid_and_self_contained(path):
    result = run_cli("figure", str(path))
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')
    assert_self_contained(result.stdout)


def test_any_layer_name_makes_valid_svg_and_tex(write_config):
    text = (CONFIGS / "handout.yaml").read_text(encoding="utf-8")
    text = text.replace("name: hid", 'name: "<b> & \\"é\\" {x}_%$#^~\\\\ Схема"')
    path = write_config(text)
    figure = run_cli("figure", path)
    assert figure.exit_code == 0, figure.stderr
    assert_self_contained(figure.stdout)
    assert 'n1[<b> & "é" {x}_%$#^~\\ Схема]' in figure_helpers.stacks(figure_helpers.parse(figure.stdout))
    # A name pdflatex cannot set (Cyrillic) is refused in TikZ, in one line; the SVG above holds it.
    refused = run_cli("figure", path, "-f", "tikz")
    assert refused.exit_code == 2 and refused.stdout == "" and "U+0421" in refused.stderr
    latin = write_config(text.replace(" Схема", ""))
    tex = run_cli("figure", latin, "-f", "tikz").stdout
    # TeX's specials escaped, an accented letter as written (with its character for text taken from the PDF)
    assert (r'\mbox{\fontsize{6}{7.2}\selectfont[\textless{}b\textgreater{} \& "\pdfliteral page{/Span<</ActualText'
            r'<FEFF00E9>>>BDC}é\pdfliteral page{EMC}" \{x\}\_\%\$\#\textasciicircum{}\textasciitilde{}'
            r"\textbackslash{}]}" in tex)


def test_tikz_document_and_fragment():
    document = run_cli("figure", str(CONFIGS / "handout.yaml"), "-f", "tikz").stdout
    assert document.startswith(r"\documentclass{article}") and document.rstrip().endswith(r"\end{document}")
    fragment = run_cli("figure", str(CONFIGS / "handout.yaml"), "-f", "tikz", "--fragment").stdout
    assert fragment.startswith(r"\begin{tikzpicture}") and fragment.rstrip().endswith(r"\end{tikzpicture}")
    assert fragment in document
    assert r"{$p = -0.85$}" in fragment and r"\boldmath$-1.24$" in fragment
    svg_fragment = run_cli("figure", str(CONFIGS / "handout.yaml"), "--fragment").stdout
    assert svg_fragment.startswith("<svg ")


def test_library_functions_give_the_cli_output():
    config = load_config(str(CONFIGS / "deep.yaml"))
    fmt = NumberFormat(config.precision, Rounding(config.hand_rounding))
    figure = figure_of(config)
    assert figure_text(config, fmt) == svg(figure) == run_cli("figure", str(CONFIGS / "deep.yaml")).stdout
    assert figure_text(config, fmt, form="tikz", fragment=True) == tikz_picture(figure)
    assert not svg(figure, caption=False).count("Weights Θ")


# --------------------------------------------------------------------------------------------------
# The command line


@pytest.mark.parametrize("name, start", [("f.svg", "<?xml"), ("f.SVG", "<?xml"), ("f.tex", r"\documentclass")])
def test_output_format_follows_the_extension(tmp_path, name, start):
    target = tmp_path / name
    result = run_cli("figure", str(CONFIGS / "handout.yaml"), "-o", str(target))
    assert result.exit_code == 0 and result.stdout == "" and result.stderr == ""
    assert target.read_text(encoding="utf-8").startswith(start)
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file left


@pytest.mark.parametrize("args, message", [
    (["-o", "f.png"], "f.png: cannot tell the format from the extension '.png'; use .svg or .tex"),
    (["-o", "figure"], "cannot tell the format from the extension '(none)'"),
    (["-o", "f.tex", "-f", "svg"], "--format svg contradicts the extension of f.tex, which means tikz"),
    (["-f", "png"], "'png' is not one of 'svg', 'tikz'"),
    (["--exact", "-r", "2"], "--exact and --hand-rounding contradict each other"),
])
def test_usage_errors_are_one_line(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = run_cli("figure", str(CONFIGS / "handout.yaml"), *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("bptrace: error: ")
    assert message in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_explicit_format_allows_any_extension(tmp_path):
    target = tmp_path / "net.pgf"
    result = run_cli("figure", str(CONFIGS / "handout.yaml"), "-f", "tikz", "--fragment", "-o", str(target))
    assert result.exit_code == 0
    assert target.read_text(encoding="utf-8").startswith(r"\begin{tikzpicture}")


def test_bad_config_and_bad_target_are_one_line_and_write_nothing(tmp_path, write_config):
    bad = write_config("x: [1, 2]\ny: [1]\nalpha: 0.1\nlayers: []\n")
    result = run_cli("figure", bad, "-o", str(tmp_path / "f.svg"))
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "layers" in result.stderr
    missing = run_cli("figure", str(CONFIGS / "handout.yaml"), "-o", str(tmp_path / "no" / "f.svg"))
    assert missing.exit_code == 2 and missing.stderr.count("\n") == 1 and "does not exist" in missing.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.yaml"]


def test_a_failure_while_drawing_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "f.svg"
    target.write_text("old\n", encoding="utf-8")
    # the module itself: the package's `layout` is the function
    layout_module = importlib.import_module("backprop_cli.model.figure_layout")

    def broken(*args, **kwargs):
        raise RuntimeError("simulated failure while drawing")

    monkeypatch.setattr(layout_module, "_strip", broken)
    result = run_cli("figure", str(CONFIGS / "handout.yaml"), "-o", str(target))
    assert result.exit_code == 1 and "simulated failure" in result.stderr
    assert target.read_text(encoding="utf-8") == "old\n" and [p.name for p in tmp_path.iterdir()] == ["f.svg"]


