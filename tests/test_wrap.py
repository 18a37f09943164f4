"""Formulas broken across lines (render/wrap.py): between terms, never inside a number, inside a bracket only
where the bracket is longer than a line, continuation lines indented. Checked on every formula the shipped
configs print, at every width from the narrowest that needs no cut to a full line."""

from __future__ import annotations

import re

import pytest
from conftest import CONFIGS
from hypothesis import given, settings
from hypothesis import strategies as st

import backprop_cli as bptrace
from backprop_cli.engine.rounding import Rounding
from backprop_cli.model.build import document
from backprop_cli.model.document import FORMULA
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.render.unicode import spell
from backprop_cli.render.wrap import INDENT, narrowest, wrap_line

NUMBER = re.compile(r"−?\d+(?:\.\d+)?(?:e[+−]\d+)?")


def formulas() -> list[str]:
    """Every formula cell and general formula of the shipped configs, at precision 4 and 9."""
    found = set()
    for path in sorted(CONFIGS.glob("*.yaml")):
        run = bptrace.run(path, epochs=1)
        for precision in (4, 9):
            page = document(run.config, run.iterations[0], NumberFormat(precision, Rounding(None)), working=True)
            for section in page.sections:
                for block in section.blocks:
                    found.update(spell(f, page.fmt) for f in block.formula)
                    if block.table is not None:
                        kinds = [c.kind for c in block.table.columns[1:]]
                        for row in block.table.rows(6):
                            found.update(spell(cell, page.fmt) for cell, kind in zip(row.cells, kinds)
                                         if kind == FORMULA)
    return sorted(line for text in found for line in text.split("\n"))


FORMULAS = formulas()


def brackets(line: str) -> list[tuple[int, int, int]]:
    """Each bracket of ``line``: where it opens and closes, and how long it is with the characters glued to
    it (up to a space, and an operator with its space before it: "· 0.25·(0 − 0.24)]")."""
    spans, stack = [], []
    for i, char in enumerate(line):
        if char in "([":
            stack.append(i)
        elif char in ")]" and stack:
            a, b = stack.pop(), i + 1
            left = line.rfind(" ", 0, a) + 1
            if line[max(left - 2, 0):left] in ("+ ", "− ", "· ", "= "):
                left -= 2
            right = line.find(" ", b)
            spans.append((a, b, (len(line) if right < 0 else right) - left))
    return spans


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.sampled_from(FORMULAS), st.integers(min_value=0, max_value=60))
def test_a_formula_breaks_between_terms_only(line, extra):
    width = narrowest(line) + extra
    lines = wrap_line(line, width)
    assert all(len(part) <= width for part in lines), lines
    assert all(part.startswith(" " * INDENT) and not part[INDENT:].startswith(" ") for part in lines[1:]), lines
    # nothing lost, nothing added: the same words in the same order
    assert " ".join(part.strip() for part in lines).split() == line.split()
    # every number whole on one line
    shown = [m.group(0) for part in lines for m in NUMBER.finditer(part)]
    assert shown == [m.group(0) for m in NUMBER.finditer(line)]
    # a break inside a bracket only where the bracket (with the operator before it) does not fit on a line
    position = 0
    for part in lines[:-1]:
        position = line.index(part.strip(), position) + len(part.strip())
        inside = [length for a, b, length in brackets(line) if a < position < b]
        assert all(length > width - INDENT for length in inside), (part, line)


def test_narrower_than_any_piece_cuts_rather_than_overflows():
    assert all(len(part) <= 5 for part in wrap_line("0.123456789 · 1", 5))


@pytest.mark.parametrize("line, width, expected", [
    # the bce loss: its − [...] is longer than a line, so it breaks between its two brackets
    ("J(Θ) = −([0 · log 0.30 + (1 − 0) · log(1 − 0.30)] + [1 · log 0.38 + (1 − 1) · log(1 − 0.38)]) = 1.32", 80,
     ["J(Θ) = −([0 · log 0.30 + (1 − 0) · log(1 − 0.30)]", "  + [1 · log 0.38 + (1 − 1) · log(1 − 0.38)]) = 1.32"]),
    # XOR's Step 4 caption: before the note, not inside "(mean over 4 samples)"
    ("∂J/∂Θ_kt[hid] = ∂J/∂z_k · g'(p_k) · x_t;  ∂J/∂b_k = ∂J/∂z_k · g'(p_k)  (mean over 4 samples)", 80,
     ["∂J/∂Θ_kt[hid] = ∂J/∂z_k · g'(p_k) · x_t;  ∂J/∂b_k = ∂J/∂z_k · g'(p_k)", "  (mean over 4 samples)"]),
    # mazur at --precision 9: between the factors, never inside σ(…)·(1 − σ(…))
    ("0.741365069 · σ(1.105905967)·(1 − σ(1.105905967)) · 0.593269992", 45,
     ["0.741365069", "  · σ(1.105905967)·(1 − σ(1.105905967))", "  · 0.593269992"]),
])
def test_the_breaks_a_new_user_met(line, width, expected):
    assert wrap_line(line, width) == expected
