"""The example notebook runs from top to bottom in a real kernel, and shows the worked example as a teacher
opens it: HTML with MathML and the handout's numbers, a check with a carried verdict, and nbconvert's page of
it drawn by headless Chromium."""

from __future__ import annotations

import html
import re

import nbclient
import nbformat
import pytest
from conftest import ROOT
from document_helpers import chromium, png_ink

NOTEBOOK = ROOT / "examples" / "bptrace.ipynb"


def test_the_notebook_in_the_repository_holds_no_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(cell.outputs == [] and cell.execution_count is None for cell in code)


@pytest.fixture(scope="module")
def executed():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    return notebook


def outputs(cell, kind: str) -> str:
    return "".join(output.get("data", {}).get(kind, "") for output in cell.outputs)


@pytest.mark.slow
def test_every_cell_runs_and_shows_the_worked_example_and_a_carried_verdict(executed):
    code = [cell for cell in executed.cells if cell.cell_type == "code"]
    assert all(not any(o.output_type == "error" for o in cell.outputs) for cell in code)
    shown = "".join(outputs(cell, "text/html") for cell in code)
    assert "<math" in shown and "<mn>0.077</mn>" in shown and "<mn>−1.4077</mn>" in shown
    check_cell = next(cell for cell in code if "bptrace.check(" in cell.source)
    table = html.unescape(re.sub(r"<[^>]+>", "", outputs(check_cell, "text/html")))
    assert re.search(r"z of n1\[hid\] .* carried", table) and "Score:" in table
    assert any(outputs(cell, "image/svg+xml").count("<svg") == 1 for cell in code)  # the exercise's figure
    adam = outputs(code[-2], "text/html")
    assert "Adam" in adam and "Loss curve" in adam and adam.count("<svg") >= 2


@pytest.mark.slow
@pytest.mark.chromium
def test_nbconverts_page_of_the_executed_notebook_is_drawn(executed, tmp_path):
    from nbconvert import HTMLExporter

    exporter = HTMLExporter()
    body, _ = exporter.from_notebook_node(executed)
    page = tmp_path / "notebook.html"
    page.write_text(body, encoding="utf-8")
    dom = chromium(page, "--window-size=1100,1400", "--dump-dom")
    assert dom.count("<math") >= 20 and "−1.4077" in dom
    shot = tmp_path / "notebook.png"
    chromium(page, "--window-size=1100,1400", f"--screenshot={shot}")
    width, height, ink = png_ink(shot)
    assert (width, height) == (1100, 1400) and 0.01 < ink < 0.5
