"""The network figure drawn by real tools: Chromium renders the SVG, pdflatex compiles the TikZ.

What the layout estimated is checked against what they draw: in Chromium every text's box (getBBox)
lies inside the white ground the layout gave it (a name inside its circle) and no two texts overlap;
in the PDF no two words overlap (pdftotext's word boxes) and the handout's numbers are there.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from itertools import combinations

import figure_helpers
import pytest
from conftest import CONFIGS, run_cli
from document_helpers import assert_one_run

from backprop_cli.config.read import load_config
from backprop_cli.render.figure import svg, tikz_document, tikz_picture

SHIPPED = sorted(CONFIGS.glob("*.yaml"))
TOLERANCE = 0.5  # pixels (SVG) or points (PDF): rounding of coordinates, not a real overlap


def figures():
    """Every shipped config, the handout after the update, a wide network and one with awkward names."""
    out = [(path.stem, figure_helpers.figure_of(load_config(str(path)))) for path in SHIPPED]
    out.append(("handout-after", figure_helpers.figure_of(load_config(str(CONFIGS / "handout.yaml")), after=True)))
    out.append(("784-128-10", figure_helpers.figure_of(figure_helpers.wide_config())))
    names = load_config(str(CONFIGS / "deep.yaml"))
    from dataclasses import replace

    layers = tuple(replace(layer, name=name) for layer, name in
                   zip(names.layers, ["MWMWMW", "Ünïcödé Ødegård", "%_{}&#", "mm"]))
    out.append(("names", figure_helpers.figure_of(replace(names, layers=layers))))
    return out


def overlapping(boxes):
    """The pairs of (left, top, right, bottom, what) boxes that overlap by more than the tolerance."""
    return [(a[4], b[4]) for a, b in combinations(boxes, 2)
            if min(a[2], b[2]) - max(a[0], b[0]) > TOLERANCE and min(a[3], b[3]) - max(a[1], b[1]) > TOLERANCE]


def inside(inner, outer) -> bool:
    return (inner[0] >= outer[0] - TOLERANCE and inner[1] >= outer[1] - TOLERANCE
            and inner[2] <= outer[2] + TOLERANCE and inner[3] <= outer[3] + TOLERANCE)


@pytest.mark.slow
@pytest.mark.chromium
def test_chromium_draws_every_text_inside_its_estimated_box_and_apart(tmp_path):
    drawn = figures()
    page = tmp_path / "figures.html"
    script = ("document.body.setAttribute('data-boxes', JSON.stringify([...document.querySelectorAll('svg')]"
              ".map(s => [...s.querySelectorAll('text')].map(t => { const b = t.getBBox(); "
              "return [b.x, b.y, b.x + b.width, b.y + b.height]; }))));")
    page.write_text('<!doctype html><html><head><meta charset="utf-8"></head><body>'
                    + "".join(svg(figure, standalone=False) for _, figure in drawn)
                    + f"<script>{script}</script></body></html>", encoding="utf-8")
    proc = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
                          capture_output=True, text=True, timeout=180)
    found = re.search(r'data-boxes="([^"]*)"', proc.stdout)
    assert found, proc.stderr[-2000:]
    rendered = json.loads(html.unescape(found.group(1)))
    assert len(rendered) == len(drawn)
    for (name, figure), boxes in zip(drawn, rendered):
        root = figure_helpers.parse(svg(figure))
        texts = figure_helpers.labels(root)
        assert len(texts) == len(boxes) and len(texts) > 10
        circles = figure_helpers.circles(root)
        for (text, ground), box in zip(texts, boxes):
            what = f"{name}: {figure_helpers.text_of(text)!r}"
            if ground is not None:
                assert inside(box, figure_helpers.rect_box(ground)), f"{what} is wider than its ground"
            else:
                x, y = float(text.get("x")), float(text.get("y"))
                cx, cy, r = min(circles, key=lambda c: (c[0] - x) ** 2 + (c[1] - y) ** 2)
                assert inside(box, (cx - r, cy - r, cx + r, cy + r)), f"{what} sticks out of its circle"
        named = [(*box, figure_helpers.text_of(text)) for (text, _), box in zip(texts, boxes)]
        assert overlapping(named) == [], name


def pdflatex(tmp_path, name: str, source: str) -> list[list[tuple[float, float, float, float, str]]]:
    """Compile ``source`` with pdflatex -halt-on-error; the words of each page with their boxes."""
    (tmp_path / f"{name}.tex").write_text(source, encoding="utf-8")
    proc = subprocess.run(["pdflatex", "-halt-on-error", "-interaction=nonstopmode", f"{name}.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:]
    words = subprocess.run(["pdftotext", "-bbox", f"{name}.pdf", "-"], cwd=tmp_path, capture_output=True, text=True,
                           timeout=60, check=True).stdout
    pages = []
    for page in re.findall(r"<page .*?</page>", words, re.S):
        pages.append([(float(a), float(b), float(c), float(d), html.unescape(w)) for a, b, c, d, w in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page)])
    return pages


@pytest.mark.slow
@pytest.mark.pdflatex
@pytest.mark.poppler
def test_tikz_of_every_figure_compiles_in_a_document_and_no_words_overlap(tmp_path):
    drawn = figures()
    # The idiom a document uses for a picture that may be wider than the text: shrink it, never enlarge it.
    body = "\n\\clearpage\n".join(
        r"\noindent\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{%" + "\n"
        + tikz_picture(figure) + "}" for _, figure in drawn)
    pages = pdflatex(tmp_path, "figures", "\\documentclass{article}\n\\usepackage{tikz}\n\\usepackage{graphicx}\n"
                     f"\\begin{{document}}\n{body}\n\\end{{document}}\n")
    assert len(pages) == len(drawn)
    for (name, _), words in zip(drawn, pages):
        # \vdots (the gap marker) is three stacked periods, which pdftotext reads as words of dots
        words = [word for word in words if word[4].strip(".")]
        assert len(words) > 10 and overlapping(words) == [], name
    handout = {word for *_, word in pages[[n for n, _ in drawn].index("handout")]}
    assert {"0.61", "−0.64", "−0.85", "−0.49", "0.30", "0.38", "0.00", "0.60", "−1.24", "0.06"} <= handout


@pytest.mark.slow
@pytest.mark.pdflatex
@pytest.mark.poppler
def test_tikz_document_compiles_on_its_own_to_a_page_of_the_figures_size(tmp_path):
    figure = figure_helpers.figure_of(load_config(str(CONFIGS / "handout.yaml")), after=True)
    pages = pdflatex(tmp_path, "handout", tikz_document(figure))
    assert len(pages) == 1
    assert "−1.4077" in {word for *_, word in pages[0]}  # Step 5 of the handout
    info = subprocess.run(["pdfinfo", "handout.pdf"], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert abs(width - figure.width * 0.75) < 1 and abs(height - figure.height * 0.75) < 2


@pytest.mark.slow
@pytest.mark.pdflatex
@pytest.mark.poppler
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_cli_writes_a_tex_file_that_compiles(tmp_path, path):
    target = tmp_path / f"{path.stem}.tex"
    assert run_cli("figure", str(path), "-o", str(target)).exit_code == 0
    assert len(pdflatex(tmp_path, path.stem, target.read_text(encoding="utf-8"))) == 1
    assert_one_run(target.with_suffix(".pdf"))
