"""Printed worksheets (``bptrace worksheet --format markdown|latex|html``) and the documents of an exercise set:
every blank of the YAML sheet is an empty cell, once, in each format; the LaTeX compiles, the HTML loads in
Chromium; a set's solutions are what ``bptrace run`` writes, and a sheet filled from their trace is all correct.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import CONFIGS, run_cli
from document_helpers import SHIPPED, assert_one_run, chromium, pdflatex_all, pdftotext
from hand import sheet_yaml

from backprop_cli.config.read import load_config
from backprop_cli.course.check import worksheet
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.render.documents import writer

EXTENSIONS = {"markdown": ".md", "latex": ".tex", "html": ".html"}


def yaml_labels(config: str) -> list[str]:
    """The label of every blank of the YAML sheet, in order: the comment of each ~ up to its ' = '."""
    result = run_cli("worksheet", config)
    assert result.exit_code == 0, result.stderr
    return [line.split("# ", 1)[1].split(" = ", 1)[0] for line in result.stdout.splitlines()
            if re.match(r"\s*(- )*([^#:]+: )?~\s+#", line) and not line.startswith("student:")]


def printed_labels(config: str, form: str) -> list[str]:
    """The name of every blank of the sheet as the document format ``form`` spells it (formulas as math)."""
    return [writer(form).parts(blank.name, NumberFormat()) for blank in worksheet(load_config(config)).blanks]


def answer_rows(text: str, form: str) -> list[str]:
    """The first cell of every row with an empty answer cell, as the document writes it."""
    if form == "markdown":
        return [line[2:].split(" | ", 1)[0] for line in text.splitlines()
                if line.startswith("| ") and line.endswith(" |  |")]
    if form == "html":
        return re.findall(r'<tr><td class="label">(.*?)</td>.*?<td class="answer"></td></tr>', text)
    return [line.split(" & ", 1)[0] for line in text.splitlines() if re.search(r" & +\\\\\*?( \\hline)?$", line)]


@pytest.fixture(scope="module")
def sheets(tmp_path_factory):
    """(config stem, format) → the printed worksheet written with -o (the extension names the format)."""
    folder = tmp_path_factory.mktemp("sheets")
    written = {}
    for config in SHIPPED:
        for form, extension in EXTENSIONS.items():
            target = folder / f"{config.stem}{extension}"
            result = run_cli("worksheet", str(config), "-o", str(target))
            assert result.exit_code == 0, result.stderr
            written[config.stem, form] = target
    return written


@pytest.mark.slow
@pytest.mark.parametrize("config", SHIPPED, ids=lambda p: p.stem)
def test_every_blank_of_the_yaml_sheet_is_one_empty_cell_in_each_format(config, sheets):
    labels = yaml_labels(str(config))
    assert len(labels) >= 20
    assert [blank.label for blank in worksheet(load_config(str(config))).blanks] == labels
    for form in EXTENSIONS:
        text = sheets[config.stem, form].read_text(encoding="utf-8")
        assert answer_rows(text, form) == printed_labels(str(config), form), form


@pytest.mark.slow
def test_the_header_names_the_network_and_the_rounding(sheets):
    text = sheets["handout", "markdown"].read_text(encoding="utf-8")
    for fact in ("**Network**", "**Input x**: $(1, 1)$", "**Desired output y**: $(0, 1)$", "**Learning rate α**: $0.1$",
                 "**Rounding**: by hand: 2 decimals", "| Quantity | Formula | Your answer |"):
        assert fact in text
    assert "0.61" not in text and "0.077" not in text  # no answer given away
    assert "**Rounding**: none asked for" in sheets["mazur", "markdown"].read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.pdflatex
@pytest.mark.poppler
@pytest.mark.chromium
def test_the_latex_sheets_compile_and_the_html_sheets_load(sheets):
    tex = [path for (_, form), path in sheets.items() if form == "latex"]
    for pdf in pdflatex_all(tex):
        assert_one_run(pdf)
        assert "Your answer" in pdftotext(pdf) and "Step 5) Update" in pdftotext(pdf)
    for (stem, form), path in sheets.items():
        if form == "html":
            dom = chromium(path, "--dump-dom")
            # A cell per blank, and the two of the student's name and number.
            assert dom.count('<td class="answer"></td>') == len(yaml_labels(str(CONFIGS / f"{stem}.yaml"))) + 2


def test_the_format_must_agree_with_the_extension(tmp_path):
    result = run_cli("worksheet", str(SHIPPED[0]), "--format", "latex", "-o", str(tmp_path / "s.md"))
    assert result.exit_code == 2 and "contradicts the extension" in result.stderr


# An exercise set: a worksheet and a solution next to each config


def trace_sheet(config: str) -> dict[tuple, str]:
    """The answers of the first update as ``bptrace run --format json`` gives them (the solution's numbers)."""
    it = json.loads(run_cli("run", config, "--format", "json").stdout)["iterations"][0]
    sample, layers = it["samples"][0]["layers"], it["layers"]
    out, names = layers[-1]["name"], [layer["name"] for layer in layers]
    texts: dict[tuple, str] = {}

    def put(path, values):
        if isinstance(values, list):
            for i, value in enumerate(values):
                put(path + (i,), value)
        else:
            places = len(repr(float(values)).partition(".")[2])  # as the solution shows it: 0.5 as 0.50
            texts[path] = f"{values:.{max(2, places)}f}"

    for name, layer in zip(names, sample):
        put(("forward", name, "p"), layer["p"])
        put(("forward", name, "z"), layer["z"])
    put(("loss",), it["loss"])
    put(("step1", out, "dJ_dz"), sample[-1]["dJ_dz"])
    for name, layer in zip(names[-2::-1], sample[-2::-1]):
        put(("step2", name, "dJ_dz"), layer["dJ_dz"])
    for name, layer in zip(names, layers):
        step = "step3" if name == out else "step4"
        put((step, name, "dJ_dweights"), layer["dJ_dweights"])
        put(("step5", name, "new_weights"), layer["new_weights"])
        if layer["bias"] is not None:
            put((step, name, "dJ_dbias"), layer["dJ_dbias"])
            put(("step5", name, "new_bias"), layer["new_bias"])
    put(("loss_after",), it["loss_after"])
    return texts


@pytest.mark.slow
@pytest.mark.parametrize("options", [("--bias", "neuron"),
                                     ("--shape", "2-3-2-2", "--activations", "relu,relu,sigmoid")])
def test_each_variant_has_its_worksheet_and_solution(options, tmp_path):
    folder = tmp_path / "class"
    result = run_cli("exercise", "--variants", "3", "--seed", "term", *options, "-o", str(folder))
    assert result.exit_code == 0, result.stderr
    index = (folder / "index.md").read_text(encoding="utf-8")
    for n in (1, 2, 3):
        name = f"term-{n:02d}"
        config, sheet, solution = (folder / f"{name}{end}" for end in (".yaml", "-worksheet.md", "-solution.md"))
        assert f"[{sheet.name}]({sheet.name}) | [{solution.name}]({solution.name})" in index
        text = solution.read_text(encoding="utf-8")
        assert text == run_cli("run", str(config), "--format", "markdown").stdout
        grad = json.loads(run_cli("run", str(config), "--format", "json").stdout)["iterations"][0]["layers"][-1]
        first = next(v for row in grad["dJ_dweights"] for v in row if v)  # an input z = 0 gives 0: the next one
        value = f"{first:g}"  # the hand-rounded ∂J/∂Θ of an output weight, in bold as a result
        assert re.search(re.escape(r"\boldsymbol{" + value) + r"0*\}", text), value
        assert answer_rows(sheet.read_text(encoding="utf-8"), "markdown") == printed_labels(str(config), "markdown")
        answers = tmp_path / f"{name}-answers.yaml"
        texts = trace_sheet(str(config))
        answers.write_text(sheet_yaml(texts), encoding="utf-8")
        marked = json.loads(run_cli("check", str(config), str(answers), "--format", "json").stdout)
        assert marked["score"]["correct"] == marked["score"]["total"] == len(texts) == len(yaml_labels(str(config)))


@pytest.mark.slow
@pytest.mark.pdflatex
def test_a_set_in_latex_compiles_in_one_run_and_a_format_without_a_set_is_refused(tmp_path):
    folder = tmp_path / "set"
    assert run_cli("exercise", "--variants", "2", "--seed", "s", "--format", "latex", "-o", str(folder)).exit_code == 0
    documents = sorted(folder.glob("*.tex"))
    assert [p.name for p in documents] == ["class-answers.tex", "class-worksheets.tex", "s-01-solution.tex",
                                           "s-01-worksheet.tex", "s-02-solution.tex", "s-02-worksheet.tex"]
    assert "--format latex" in (folder / "index.md").read_text(encoding="utf-8")
    # Sets of other shapes and losses: their solutions have other tables (softmax, biases, a deeper network).
    for seed, options in (("c", ["--shape", "2-3-3", "--loss", "cross_entropy", "--bias", "neuron"]),
                          ("d", ["--shape", "3-3-2-2", "--bias", "shared", "--decimals", "3"])):
        assert run_cli("exercise", "--variants", "1", "--seed", seed, "--format", "latex", *options,
                       "-o", str(tmp_path / seed)).exit_code == 0
        documents += sorted((tmp_path / seed).glob("*-solution.tex"))
    for pdf in pdflatex_all(documents):
        assert_one_run(pdf)
    result = run_cli("exercise", "--seed", "s", "--format", "html")
    assert result.exit_code == 2 and "--format chooses the documents of a set" in result.stderr
