"""The documents read by the real tools: pdflatex compiles every LaTeX document (every shipped config, with
and without --explain, and optimizer runs) and every math span of the Markdown; headless Chromium loads
the HTML, and the test reads the rendered page: its numbers, the size of its MathML, its figures, a page
no wider than a phone, a screenshot that is not blank, the printed page."""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import CONFIGS
from document_helpers import (
    OVERFULL,
    SHIPPED,
    assert_one_run,
    chromium,
    html_text,
    markdown_spans,
    numbers,
    pdflatex,
    pdflatex_all,
    pdftotext,
    png_ink,
    write,
)

HANDOUT = CONFIGS / "handout.yaml"
JS = Path(__file__).resolve().parent / "js"  # node's packages for the math check (package.json, check_math.js)
# The numbers the handout prints (hand rounding 2), as SPEC.md lists them.
HANDOUTS_NUMBERS = {"0.61", "−0.64", "−0.85", "−0.49", "0.30", "0.38", "0.60", "−1.24", "0.06", "0.077", "−1.4077"}


def variants(folder):
    """Configs beyond the shipped ones: optimizers (Adam with weight decay and hand rounding 3, momentum on
    Mazur's frozen shared biases) and awkward names."""
    handout = yaml.safe_load(HANDOUT.read_text(encoding="utf-8"))
    mazur = yaml.safe_load((CONFIGS / "mazur.yaml").read_text(encoding="utf-8"))
    odd = yaml.safe_load((CONFIGS / "deep.yaml").read_text(encoding="utf-8"))
    for layer, name in zip(odd["layers"], ["Ünïcödé Ødegård", "%_{}&#", "a^b~c", "out"]):
        layer["name"] = name
    odd["title"] = "50% <b>&</b> $x_1$ # {~} \\relax"
    out = []
    for name, data in (("adam", handout | {"optimizer": {"name": "adam", "weight_decay": 0.01},
                                          "display": {"hand_rounding": 3}}),
                       ("momentum", mazur | {"optimizer": "momentum"}), ("odd", odd)):
        path = folder / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        out.append(path)
    return out


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    """Every document: (config stem, --explain, format) → the file written by bptrace run."""
    folder = tmp_path_factory.mktemp("documents")
    written = {}
    for config in [*SHIPPED, *variants(folder)]:
        for explain in (False, True):
            for form in ("latex", "markdown", "html"):
                name = config.stem + ("-explain" if explain else "")
                written[config.stem, explain, form] = write(folder, config, form, *(["--explain"] if explain else []),
                                                            name=name)
    return written


@pytest.mark.slow
@pytest.mark.pdflatex
@pytest.mark.poppler
def test_every_latex_document_compiles_and_the_pdf_holds_the_tables_numbers(documents):
    tex = {key: path for key, path in documents.items() if key[2] == "latex"}
    pdfs = dict(zip(tex, pdflatex_all(list(tex.values()))))
    handout = pdftotext(pdfs["handout", False, "latex"])
    assert HANDOUTS_NUMBERS <= set(handout.split()), HANDOUTS_NUMBERS - set(handout.split())
    for (stem, explain, _), pdf in pdfs.items():
        assert_one_run(pdf, ODD_DEFINITIONS if stem == "odd" and explain else OVERFULL)
        text = pdftotext(pdf)
        html_numbers = numbers(html_text(documents[stem, explain, "html"].read_text(encoding="utf-8")))
        # pdftotext reads what was drawn: every number of the document's tables, also from the figure and curve
        assert html_numbers <= numbers(text) | {n.replace("−", "-") for n in numbers(text)}, stem
        if explain:  # every network here has a hidden layer: the handout's (4) to (6)
            assert "Derivation of the formulas" in text and {"(4)", "(5)", "(6)"} <= set(text.split()), stem


# The derivation's definitions of the layers with the odd names, one line each, stick out by 8pt.
ODD_DEFINITIONS = 10.0
# The options that change the tables of a LaTeX document: --working adds columns of formulas and words
# (the forward pass: the sum, p, z and g), --hand-rounding and --exact the digits of every number.
LATEX_OPTIONS = {"working": ["--explain", "--working"], "rounded": ["-r", "2", "--working"], "exact": ["--exact"]}


@pytest.mark.slow
@pytest.mark.pdflatex
def test_every_latex_document_with_its_working_sets_in_one_run_within_its_margins(tmp_path):
    """One pdflatex run sets the final PDF (fixed column widths: no longtable asks for a second run) and
    no table sticks out into the margin, for every config and every option that changes the tables."""
    written = [write(tmp_path, config, "latex", *options, name=f"{config.stem}-{name}")
               for config in [*SHIPPED, *variants(tmp_path)] for name, options in LATEX_OPTIONS.items()]
    for path, pdf in zip(written, pdflatex_all(written)):
        assert_one_run(pdf, ODD_DEFINITIONS if path.stem == "odd-working" else OVERFULL)


def wide(folder: Path, inputs: int) -> Path:
    """An INPUTS-8-4 tanh/softmax network whose weights are 4-decimal numbers, most of them negative: its
    matrices (with --working, the weights before the update with their biases) have INPUTS + 2 columns."""
    def weights(rows, columns, seed):
        return [[round(((seed + 7 * k + 5 * t) % 23 - 15) / 12.3, 3) for t in range(columns)] for k in range(rows)]

    config = {"title": f"{inputs} inputs", "x": [round(0.05 * t + 0.01, 2) for t in range(inputs)],
              "y": [1, 0, 0, 0], "alpha": 0.1, "loss": "cross_entropy",
              "layers": [{"activation": "tanh", "weights": weights(8, inputs, 0), "bias": [0.1] * 8},
                         {"activation": "softmax", "weights": weights(4, 8, 3), "bias": [0.0] * 4}]}
    path = folder / f"wide{inputs}.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def long_names(folder: Path) -> Path:
    """The handout's network with layer names of 35 and 33 letters (a superscript of every label)."""
    config = yaml.safe_load(HANDOUT.read_text(encoding="utf-8"))
    names = ["a_long_hidden_layer_name_for_labels", "the_output_layer_with_a_long_name"]
    for layer, name in zip(config["layers"], names):
        layer["name"] = name
    path = folder / "long-names.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


@pytest.mark.slow
@pytest.mark.pdflatex
@pytest.mark.poppler
def test_wide_matrices_and_long_layer_names_stay_on_the_page_in_one_run(tmp_path):
    """8 inputs: the matrices with their biases (10 columns) fit the line as one table each. 16 inputs: too
    many columns for one line, a matrix is set as tables one below the other, each with the neurons' labels,
    a note naming the columns that follow. Long layer names: the labels' superscripts are measured small.
    Each in one pdflatex run with no box in the margin, and every number of the matrices is in the PDF."""
    configs = {"wide8": wide(tmp_path, 8), "wide16": wide(tmp_path, 16), "long": long_names(tmp_path)}
    # (--explain with long names is left out: the derivation's one-line definitions do not break.)
    runs = [(stem, options) for stem in configs for options in (["--working"], ["--explain", "--working"])
            if stem != "long" or "--explain" not in options]
    written = [write(tmp_path, configs[stem], "latex", *options, name=f"{stem}-{'-'.join(options)}")
               for stem, options in runs]
    pdfs = dict(zip((path.stem for path in written), pdflatex_all(written)))
    for pdf in pdfs.values():
        assert_one_run(pdf)
    eight, sixteen = pdftotext(pdfs["wide8---working"]), pdftotext(pdfs["wide16---working"])
    assert "more column" not in eight
    assert re.search(r"\d+ more columns \(x\d+ \. \. \. bias\) below", sixteen), sixteen[:3000]  # … set as \ldots
    for count, text in ((8, eight), (16, sixteen)):
        matrix = yaml.safe_load(configs[f"wide{count}"].read_text(encoding="utf-8"))["layers"][0]["weights"]
        written_numbers = {f"{w:.4f}".replace("-", "−") for row in matrix for w in row}
        assert written_numbers <= set(text.split()), written_numbers - set(text.split())


@pytest.mark.slow
@pytest.mark.pdflatex
def test_every_math_span_of_the_markdown_is_valid_latex(documents, tmp_path):
    spans = []
    for key, path in documents.items():
        if key[2] == "markdown":
            spans += [f"\\begin{{equation*}}{tex}\\end{{equation*}}" if shown else f"${tex}$\\par"
                      for tex, shown in markdown_spans(path.read_text(encoding="utf-8"))]
    assert len(spans) > 500
    source = tmp_path / "spans.tex"
    source.write_text("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\begin{document}\n"
                      + "\n".join(spans) + "\n\\end{document}\n", encoding="utf-8")
    pdflatex(source)


@pytest.mark.slow
@pytest.mark.node
def test_every_math_span_of_the_markdown_renders_in_katex_and_in_mathjax(documents):
    """KaTeX (VS Code's preview, many static sites) and MathJax 3 (GitHub, Jupyter) both render every span
    of every Markdown document without an error, and neither shows a control sequence as text."""
    spans = sorted({span for key, path in documents.items() if key[2] == "markdown"
                    for span in markdown_spans(path.read_text(encoding="utf-8"))})
    assert len(spans) > 300
    proc = subprocess.run(["node", str(JS / "check_math.js")], input=json.dumps([{"tex": tex, "display": shown}
                                                                                for tex, shown in spans]),
                          capture_output=True, text=True, timeout=300, cwd=JS)
    assert proc.returncode == 0, proc.stderr[-2000:]
    failures = [f"{engine}: {message}\n  {tex}" for (tex, _), verdicts in zip(spans, json.loads(proc.stdout))
                for engine, message in verdicts.items() if message]
    assert not failures, f"{len(failures)} of {len(spans)} spans fail:\n" + "\n".join(failures[:20])


@pytest.mark.slow
@pytest.mark.pdflatex
@pytest.mark.poppler
def test_a_latex_fragment_is_input_into_a_document_of_ones_own(tmp_path):
    from conftest import run_cli

    (tmp_path / "trace.tex").write_text(run_cli("run", str(HANDOUT), "--format", "latex", "--fragment").stdout,
                                        encoding="utf-8")
    main = tmp_path / "notes.tex"
    main.write_text("\\documentclass{article}\n\\usepackage{amsmath,amssymb,longtable,array,tikz}\n"
                    "\\begin{document}\nMy notes.\n\\input{trace}\n\\end{document}\n", encoding="utf-8")
    assert "−1.4077" in pdftotext(pdflatex(main))


# A script in the test page only (the documents have none): the size of every <math>, and the width of the
# pages set in a column as wide as a phone (Chromium's window is never narrower than 500 pixels).
MEASURE = """
const sizes = [...document.querySelectorAll('math')].map(m => { const r = m.getBoundingClientRect();
  return [r.width, r.height]; });
const median = list => list.sort((a, b) => a - b)[Math.floor(list.length / 2)];
const frac = median([...document.querySelectorAll('mfrac')].map(m => m.getBoundingClientRect().height));
const mn = median([...document.querySelectorAll('mn')].map(m => m.getBoundingClientRect().height));
document.body.setAttribute('data-measured', JSON.stringify({sizes, frac, mn,
  width: document.getElementById('phone').scrollWidth,
  svgs: document.querySelectorAll('svg').length, docs: document.querySelectorAll('.bptrace').length}));
"""


@pytest.mark.slow
@pytest.mark.chromium
def test_chromium_renders_every_html_document_with_mathml_and_its_figures(documents, tmp_path):
    pages = {key: path.read_text(encoding="utf-8") for key, path in documents.items() if key[2] == "html"}
    for key, text in pages.items():  # self-contained: nothing fetched, no script
        assert not re.search(r"<script|<link|<img|<iframe|src=|href=|url\(|@import|@font-face", text), key
        assert text.count("<svg") >= 1 and "<math" in text and '<meta name="viewport"' in text, key
    # One page of them all, for one start of Chromium: every document's body, under the style they share.
    bodies = [re.search(r"<body>\n(.*)</body>", text, re.S).group(1) for text in pages.values()]
    style = re.search(r"<style>.*?</style>", pages["handout", False, "html"], re.S).group(0)
    assert all(style in text for text in pages.values())
    page = tmp_path / "all.html"
    page.write_text('<!DOCTYPE html><html><head><meta charset="utf-8">'
                    f'<meta name="viewport" content="width=device-width, initial-scale=1">{style}</head><body>'
                    + '<div id="phone" style="width:390px">' + "".join(bodies) + "</div>"
                    + f"<script>{MEASURE}</script></body></html>", encoding="utf-8")
    dom = chromium(page, "--window-size=800,800", "--dump-dom")
    measured = json.loads(html.unescape(re.search(r'data-measured="([^"]*)"', dom).group(1)))
    assert measured["docs"] == len(pages)
    assert measured["svgs"] == sum(text.count("<svg") for text in pages.values())
    assert all(w > 0 and h > 0 for w, h in measured["sizes"]) and len(measured["sizes"]) > 1000
    assert measured["frac"] > 1.5 * measured["mn"]  # fractions are laid out as MathML, not as a line of text
    assert measured["width"] <= 390  # on a phone only the tables and formulas scroll, not the page
    rendered = numbers(html_text(dom))
    assert HANDOUTS_NUMBERS <= rendered
    for text in pages.values():
        assert numbers(html_text(text)) <= rendered


@pytest.mark.slow
@pytest.mark.chromium
@pytest.mark.poppler
def test_the_html_page_is_drawn_at_phone_and_desktop_width_and_prints(documents, tmp_path):
    page = documents["handout", True, "html"]
    for width in (390, 1200):
        shot = tmp_path / f"handout-{width}.png"
        chromium(page, f"--window-size={width},900", f"--screenshot={shot}")
        found_width, height, ink = png_ink(shot)
        assert (found_width, height) == (width, 900) and 0.01 < ink < 0.5, (width, ink)
    printed = tmp_path / "handout.pdf"
    chromium(page, "--no-pdf-header-footer", f"--print-to-pdf={printed}")
    text = pdftotext(printed)
    assert HANDOUTS_NUMBERS <= numbers(text) | set(text.split()) and "Derivation of the formulas" in text
