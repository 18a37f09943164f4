"""The documents of a run (``bptrace run --format latex|markdown|html``): the format chosen by the extension
of -o, the options that go with them, the content in the handout's order with the terminal's numbers, the
derivation of --explain, and the escaping of user text. The real tools that read them: test_documents_render.py.
"""

from __future__ import annotations

import figure_helpers
import pytest
import yaml
from conftest import CONFIGS, run_cli
from document_helpers import SHIPPED, html_text, numbers, write

from backprop_cli.config.read import load_config
from backprop_cli.engine.activations import ACTIVATIONS
from backprop_cli.engine.backprop import trace
from backprop_cli.engine.losses import LOSSES
from backprop_cli.engine.rounding import Rounding
from backprop_cli.model import formula as f
from backprop_cli.model.build import document
from backprop_cli.model.derivation import derivation
from backprop_cli.model.losses import general_loss
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.model.page import page
from backprop_cli.render.html import write_page as write_html
from backprop_cli.render.unicode import spell

HANDOUT = CONFIGS / "handout.yaml"


@pytest.mark.slow
@pytest.mark.parametrize("extension, start", [
    (".tex", "\\documentclass{article}"), (".md", "# Handout example"), (".html", "<!DOCTYPE html>"),
    (".json", '{"schema": "bptrace/trace-v1"'), (".jsonl", '{"iteration": 1'), (".txt", "Handout example\n"),
    (".HTML", "<!DOCTYPE html>"),
])
def test_the_extension_of_output_chooses_the_format(tmp_path, extension, start):
    target = tmp_path / f"out{extension}"
    result = run_cli("run", str(HANDOUT), "-o", str(target))
    assert result.exit_code == 0 and result.stdout == "", result.stderr
    assert target.read_text(encoding="utf-8").startswith(start)


@pytest.mark.parametrize("args, message", [
    (("--format", "json", "-o", "out.md"), "--format json contradicts the extension of out.md, which means markdown"),
    (("--format", "latex", "-o", "out.txt"), "--format latex contradicts the extension of out.txt, which means table"),
    (("-o", "out.log"), "out.log: cannot tell the format from the extension '.log'; use .txt, .json"),
    (("--format", "json", "--fragment"), "--fragment is for the documents (latex, markdown, html), not --format json"),
    (("--fragment",), "--fragment is for the documents"),
    (("--format", "html", "--step"), "--step works on the tables; it cannot be combined with --format html"),
    (("--format", "json", "--explain"), "--explain works on the tables and documents; it cannot be combined"),
])
def test_a_bad_pairing_is_a_one_line_usage_error_and_writes_nothing(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = run_cli("run", str(HANDOUT), *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_explicit_format_wins_over_an_unknown_extension(tmp_path):
    target = tmp_path / "notes.handout"
    assert run_cli("run", str(HANDOUT), "--format", "markdown", "-o", str(target)).exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("# Handout example")


def test_fragments_are_the_body_only(tmp_path):
    latex = run_cli("run", str(HANDOUT), "--format", "latex", "--fragment").stdout
    assert "\\documentclass" not in latex and "\\begin{document}" not in latex
    assert "\\section*{Handout example}" in latex
    page_html = run_cli("run", str(HANDOUT), "--format", "html", "--fragment").stdout
    assert page_html.startswith('<div class="bptrace">\n<style>')
    assert "<html" not in page_html and "<head" not in page_html
    assert page_html.rstrip().endswith("</div>")
    markdown = run_cli("run", str(HANDOUT), "--format", "markdown", "--fragment").stdout
    assert not markdown.startswith("# ") and markdown.startswith("- **Network**")


def test_the_handout_in_the_handouts_order_with_its_numbered_equations_and_examples():
    text = run_cli("run", str(HANDOUT), "--format", "latex", "--explain").stdout
    order = ["\\section*{Handout example}", "\\begin{tikzpicture}", "\\subsection*{Forward pass}",
             "\\mathcal{J}(\\Theta) = {(0.30 - 0)}^2 + {(0.38 - 1)}^2 = 0.47", "Step 1) Error gradient", "\\tag{1}",
             "Example for neuron $n_{1}^{[\\mathit{out}]}$", "= 2 \\cdot {(0.30 - 0)}", "&= 0.60", "Step 2)",
             "\\tag{2}",
             "\\overbrace{\\sigma(-0.85) \\cdot {(1 - \\sigma(-0.85))}}"
             "^{\\text{Derivative Sigmoid }{\\sigma}}",
             "&\\quad + \\left[-1.24", "&= 0.06", "Step 3)", "\\tag{3}", "&= 0.077", "Step 4)", "Step 5) Update",
             "\\overbrace{\\frac{\\partial \\mathcal{J}(\\Theta)}{\\partial \\Theta_{11}^{[\\mathit{out}]}}}"
             "^{\\text{see Step 3)}}",
             "&\\leftarrow -1.40 - 0.1 \\cdot 0.077", "&\\leftarrow -1.4077", "after the update",
             "Derivation of the formulas", "\\tag{4}", "\\tag{5}", "\\tag{6}", "\\end{document}"]
    positions = [text.find(part) for part in order]
    assert all(p >= 0 for p in positions), [part for part, p in zip(order, positions) if p < 0]
    assert positions == sorted(positions)
    assert "^{\\text{see Step 1)}}" in text  # over ∂J/∂z_k in (2) and (3), as the handout's "see step 1)"


@pytest.mark.slow
def test_every_number_the_tables_show_is_in_every_document():
    """The same NumberFormat writes both: each number of the terminal's tables appears in the HTML and, with
    an ASCII minus, in the LaTeX and the Markdown. The weights before the update, which the tables show above
    the forward pass, are the figure's in a document (the figure's own test holds them)."""
    for path in SHIPPED:
        tables = run_cli("run", str(path)).stdout
        shown = numbers(tables[:tables.index("\nΘ[")] + tables[tables.index("\nForward pass"):])
        assert len(shown) > 10, path.stem
        page_text = html_text(run_cli("run", str(path), "--format", "html").stdout)
        assert shown <= numbers(page_text), (path.stem, shown - numbers(page_text))
        for form in ("latex", "markdown"):
            text = run_cli("run", str(path), "--format", form).stdout
            ascii_shown = {n.replace("−", "-") for n in shown}
            assert ascii_shown <= numbers(text), (path.stem, form, ascii_shown - numbers(text))


def test_hand_rounding_precision_and_rows_apply_as_in_the_tables():
    exact = run_cli("run", str(HANDOUT), "--format", "markdown", "--exact", "--precision", "3").stdout
    assert "0.076" in exact and "0.077" not in exact  # Step 3 without hand rounding: 0.0763 at 3 decimals
    cut = run_cli("run", str(CONFIGS / "deep.yaml"), "--format", "html", "--rows", "2").stdout
    assert "more rows (--rows 0 shows all)" in cut
    assert "more rows" not in run_cli("run", str(CONFIGS / "deep.yaml"), "--format", "html", "--rows", "0").stdout


def test_user_text_is_escaped_in_every_format(tmp_path):
    data = yaml.safe_load(HANDOUT.read_text(encoding="utf-8"))
    data["title"] = "50% <b>&</b> $x_1$ # {~} --rows"
    data["layers"][0]["name"] = "h_1&<i>"
    source = tmp_path / "odd.yaml"
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    page_html = write(tmp_path, source, "html").read_text(encoding="utf-8")
    assert "<b>" not in page_html and "<i>" not in page_html and "&lt;b&gt;&amp;&lt;/b&gt;" in page_html
    latex = write(tmp_path, source, "latex").read_text(encoding="utf-8")
    assert "50\\% \\textless{}b\\textgreater{}\\&" in latex
    assert "\\$x\\_1\\$ \\# \\{\\textasciitilde{}\\} -{}-rows" in latex
    markdown = write(tmp_path, source, "markdown").read_text(encoding="utf-8")
    assert "# 50% \\<b\\>&\\</b\\> \\$x\\_1\\$ \\# {\\~} --rows" in markdown


def test_a_wide_network_is_cut_to_rows_with_a_note():
    config = figure_helpers.wide_config()
    it = next(iter(trace(config)))
    from io import StringIO

    out = StringIO()
    write_html(out, page(config, it, NumberFormat()), rows=16)
    text = out.getvalue()
    assert text.count("more rows (--rows 0 shows all)") >= 5 and len(text) < 2_000_000
    assert f"{784 * 128 + 128 - 16:,} more rows" in text  # Step 4: 784 × 128 weights and 128 biases, 16 shown


# ---------------------------------------------------------------------------------------------------
# The model behind them: what the terminal spelled as text is a formula tree, spelled alike


def test_the_general_formula_of_every_loss_is_the_one_the_tables_print():
    for loss in LOSSES:
        assert spell(general_loss(loss), NumberFormat()) == LOSSES[loss].formula


def test_every_activations_derivative_tree_reads_as_its_text():
    for name, activation in ACTIVATIONS.items():
        for p in (f.Num(-0.85), f.symbol("p", "k", "out")):
            assert spell(f.slope(f.Derivative(name, p)), NumberFormat(4, Rounding(2))) == activation.derivative_text(
                spell(p, NumberFormat(4, Rounding(2))))


def test_an_optimizers_step5_is_a_table_of_formula_nodes_with_every_line_of_a_parameter():
    data = yaml.safe_load(HANDOUT.read_text(encoding="utf-8"))
    config = load_config_from(data | {"optimizer": {"name": "adam", "weight_decay": 0.01}})
    it = next(iter(trace(config, hand_rounding=None)))
    block = document(config, it, NumberFormat()).sections[-1].blocks[0]
    table = block.table
    assert table.group == 6 and table.total == 8 * 6  # g, m, v, m̂, v̂, Θ for each of 8 weights
    rows = list(table.rows(2))
    assert len(rows) == 12 and [r.label for r in rows if r.label] == [f.weight(0, 0, "hid"), f.weight(0, 1, "hid")]
    news = [row.cells[-1].value for row in table.rows() if row.cells[0] == f.Symbol("Θ")]
    assert news == [float(w) for step in it.layers for w in step.new_weights.ravel()]
    assert all(not isinstance(cell, str) for row in rows for cell in row.cells)
    assert block.example.target == f.weight(0, 0, "out") and len(block.example.before) == 5


def load_config_from(data):
    from backprop_cli.config.read import config_from_data

    return config_from_data(data)


def test_the_derivation_writes_the_networks_own_names():
    config = load_config(str(HANDOUT))
    said = derivation(config)
    numbered = {p.equation: p for p in said if p.equation}
    assert sorted(numbered) == [4, 5, 6]
    fmt = NumberFormat()
    five = spell(numbered[5].display[0], fmt)
    assert five == "∂J/∂Θ_11[out] = ∂J/∂z_1[out] · ∂z_1[out]/∂p_1[out] · ∂p_1[out]/∂Θ_11[out]"
    six = spell(numbered[6].display[0], fmt)
    assert six.startswith("∂J/∂Θ_11[hid] = (Σ_k ∂J/∂z_k[out] · ∂z_k[out]/∂p_k[out] · ∂p_k[out]/∂z_1[hid])")
    where = [spell(line, fmt) for p in said if p.text == ("where:",) for line in p.display]
    assert "p_1[hid] := x_1 · Θ_11[hid] + x_2 · Θ_12[hid]" in where and "z_1[out] := σ(p_1[out])" in where


@pytest.mark.slow
def test_a_training_run_adds_the_loss_per_epoch_its_curve_and_the_weights_and_show_picks_the_update():
    text = run_cli("run", str(CONFIGS / "xor.yaml"), "--format", "html", "--epochs", "30", "--show", "3").stdout
    order = ["Trace of update 3 of 30 — epoch 3", "Step 5) Update", "Training: 30 epochs", "Loss per epoch",
             "Loss curve", "<polyline", "Weights after 30 updates", "J after training = "]
    positions = [text.find(part) for part in order]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), list(zip(order, positions))
    latex = run_cli("run", "-", "--format", "latex", input=(CONFIGS / "xor.yaml").read_text(encoding="utf-8")).stdout
    assert latex.count("\\begin{tikzpicture}") == 2  # the network, and the loss curve in plain TikZ
    assert "\\documentclass{article}" in latex and "pgfplots" not in latex


@pytest.mark.parametrize("config", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_the_html_math_is_built_so_that_chromium_aligns_spaces_and_braces_it(config):
    """MathML Core as Chromium renders it: an aligned derivation is an <mtable> whose left cells are aligned
    right and right cells left by CSS text-align (Chromium reads no columnalign), so every row's sign
    lines up; words keep their spaces as <mspace> (an <mtext> drops its own at either end: "0if p ≤ 0");
    a brace is a stretchy ⏞ over the part, with its note above."""
    import re
    from xml.etree import ElementTree

    page_html = run_cli("run", str(config), "--format", "html", "--explain").stdout
    aligned = [table for math in re.findall(r'<math display="block">.*?</math>', page_html)
               for table in ElementTree.fromstring(math).iter("mtable") if table.get("displaystyle") == "true"]
    assert aligned
    for table in aligned:
        for mtr in table.findall("mtr"):
            left, right = mtr.findall("mtd")
            assert (left.get("style"), right.get("style")) == ("text-align:right", "text-align:left")
    assert not re.search(r"<mtext[^>]*>\s|\s</mtext>", page_html), "an <mtext> with a space at an end"
    assert 'class="brace"' not in page_html
    notes = re.findall(r'<mover><mover accent="true"><mrow>.*?</mrow><mo stretchy="true">⏞</mo></mover>'
                       r'<mtext class="brace-note">([^<]*)</mtext></mover>', page_html)
    assert "see Step 1)" in notes
    cases = page_html.count('<mtable columnalign="left left">')  # ReLU'(p) = 0 if p ≤ 0, 1 if p > 0
    assert page_html.count('<mspace width="1em"/><mtext>if</mtext><mspace width="0.3em"/>') == 2 * cases
