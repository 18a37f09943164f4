"""The document model: the handout's worked example as data (formula trees, labels, numbers with their kind),
checked against the numbers the handout prints, and the walk over a trace's quantities."""

from __future__ import annotations

from dataclasses import fields, is_dataclass

import pytest
from conftest import CONFIGS

import backprop_cli as bptrace
from backprop_cli.engine import kinds
from backprop_cli.engine.rounding import Rounding
from backprop_cli.model import formula as f
from backprop_cli.model.build import document
from backprop_cli.model.document import TEXT
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.model.walk import quantities

HANDOUT = CONFIGS / "handout.yaml"


@pytest.fixture(scope="module")
def handout():
    run = bptrace.run(HANDOUT)
    return run, document(run.config, run.iterations[0], NumberFormat(4, Rounding(2)))


def section(doc, name):
    return next(s for s in doc.sections if s.name == name)


def test_step3_example_is_the_handouts_product_with_its_derivative_labelled(handout):
    _, doc = handout
    example = section(doc, "Step 3").blocks[0].example
    assert example.target == f.Label("Θ", (1, 1), "out")
    dz, braced, z = example.formula.factors
    assert (dz.value, dz.kind) == (0.60, kinds.RESULT)  # from Step 1
    assert braced.note == "Derivative Sigmoid σ"
    assert braced.body == f.Derivative("sigmoid", f.Num(-0.85))
    assert (z.value, z.kind, z.wrap) == (0.61, kinds.RESULT, True)  # z_1[hid], a result, bracketed when negative
    assert example.value == f.Num(0.077)


def test_step2_row_is_the_handouts_sum_of_bracketed_terms(handout):
    _, doc = handout
    row = next(section(doc, "Step 2 [hid]").blocks[0].table.rows())
    formula, value = row.cells
    assert row.label == f.Label("n", (1,), "hid") and value == f.Num(0.06)
    assert isinstance(formula, f.Sum) and formula.stack and formula.omitted == 0
    first, second = (term.body.factors for term in formula.terms)
    assert first == (f.Num(0.60), f.Derivative("sigmoid", f.Num(-0.85)), f.Num(-1.40, kinds.PARAM, wrap=True))
    assert second == (f.Num(-1.24), f.Derivative("sigmoid", f.Num(-0.49)), f.Num(-0.81, kinds.PARAM, wrap=True))


def test_step5_row_and_general_formula(handout):
    _, doc = handout
    block = section(doc, "Step 5").blocks[0]
    rows = {row.label: row for row in block.table.rows()}
    formula, new = rows[f.Label("Θ", (1, 1), "out")].cells
    assert formula == f.Difference(f.Num(-1.40, kinds.PARAM),
                                   f.Product((f.Num(0.1, kinds.GIVEN), f.Num(0.077, wrap=True))))
    assert new == f.Num(-1.4077, kinds.PARAM)
    assert block.lines[0].value == f.Num(bptrace.run(HANDOUT).iterations[0].loss_after)


def test_long_sums_are_shortened_with_a_count():
    term = f.shortened_sum(10, lambda j: f.Num(float(j)))
    assert [t.value for t in term.terms] == [0.0, 1.0, 9.0] and term.omitted == 7


def leaves(node):
    """Every part of a formula tree."""
    yield node
    if is_dataclass(node):
        for field in fields(node):
            value = getattr(node, field.name)
            for item in value if isinstance(value, tuple) else (value,):
                if is_dataclass(item):
                    yield from leaves(item)


@pytest.mark.parametrize("path", sorted(CONFIGS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_cell_is_data_not_text(path):
    """Apart from text columns (the activation's name) and the "…" of a cut table, cells are formula trees."""
    run = bptrace.run(path, epochs=1)
    doc = document(run.config, run.iterations[0], NumberFormat())
    for part in doc.sections:
        for block in part.blocks:
            for row in block.table.rows():
                for column, cell in zip(block.table.columns[1:], row.cells):
                    assert not isinstance(cell, str) or column.kind == TEXT, (part.name, cell)
                    assert all(not isinstance(leaf, str) for leaf in leaves(cell) if column.kind != TEXT)


def test_quantities_have_the_answer_sheet_paths_and_the_handouts_values(handout):
    run, _ = handout
    found = {q.path: q.value for q in quantities(run.iterations[0])}
    assert found["forward.hid.p[1]"] == -0.64 and found["forward.out.z[0]"] == 0.30
    assert found["loss"] == 0.47
    assert found["step1.out.dJ_dz[1]"] == -1.24
    assert found["step2.hid.dJ_dz[0]"] == 0.06
    assert found["step3.out.dJ_dweights[0][0]"] == 0.077
    assert found["step5.out.new_weights[0][0]"] == -1.4077
    # p and z of 4 neurons, J, 2 + 2 error gradients, 8 weight gradients, 8 new weights, J after
    assert len(found) == 8 + 1 + 4 + 8 + 8 + 1
    assert list(found)[-1] == "loss_after"


def test_a_long_vector_makes_only_the_numbers_it_shows(monkeypatch):
    """The header's x of a layer with a million inputs is seven numbers and a count, not a million nodes."""
    import numpy as np

    made = []

    class Counted(f.Num):
        def __init__(self, *args, **kwargs):
            made.append(args)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(f, "Num", Counted)
    shown = f.vector(np.arange(1_000_000.0))
    assert [n.value for n in shown.items] == [0, 1, 2, 3, 4, 5, 999_999] and shown.omitted == 999_993
    assert len(made) == 7
    assert [n.value for n in f.vector([1.0, 2.0]).items] == [1.0, 2.0] and f.vector([1.0, 2.0]).omitted == 0
