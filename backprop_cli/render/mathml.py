"""The document's formulas and labels as MathML (MathML Core, which current browsers render natively):
fractions for ∂J(Θ)/∂z, n₁ with its layer [hid] as a superscript, the handout's braces over a part.
Every piece of text is escaped; nothing here fetches or needs a script."""

from __future__ import annotations

import re
from functools import singledispatch
from html import escape

from backprop_cli.model import formula as f
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.render.unicode import number

SIGNS = {"=": "=", "←": "←", ":=": "≔", "≤": "≤", ">": "&gt;", "+": "+"}
COST = ('<mi>𝒥</mi><mrow><mo stretchy="false">(</mo><mi mathvariant="normal">Θ</mi><mo stretchy="false">)</mo>'
        '</mrow>')  # J(Θ)
SYMBOLS = {"J": "<mi>𝒥</mi>", "½": "<mfrac><mn>1</mn><mn>2</mn></mfrac>", "⋮": "<mo>⋮</mo>",
           "Θ": '<mi mathvariant="normal">Θ</mi>'}


def row(*items: str) -> str:
    return "<mrow>" + "".join(items) + "</mrow>"


def mo(text: str) -> str:
    return f"<mo>{escape(text)}</mo>"


def fenced(body: str, pair: str = "()") -> str:
    """``body`` in parentheses (or brackets) that grow with it only where it is tall: a stretchy fence of
    normal height gets the spacing of a large one in Chromium."""
    tall = any(mark in body for mark in ("<mfrac", "<munderover", "<mover", "<mtable"))
    attributes = "" if tall else ' stretchy="false"'
    return f"<mrow><mo{attributes}>{pair[0]}</mo>{body}<mo{attributes}>{pair[1]}</mo></mrow>"


SPACE = '<mspace width="0.3em"/>'  # a space between words and math: an <mtext> drops its own at either end
GAP = '<mspace width="1em"/>'  # between a formula and words about it (\\quad)


def text(words: str) -> str:
    """Words inside a formula; a space at either end as an <mspace>, which MathML keeps (0 if p ≤ 0)."""
    core = words.strip(" ")
    if not core:
        return SPACE if words else ""
    before = SPACE if words.startswith(" ") else ""
    after = SPACE if words.endswith(" ") else ""
    return f"{before}<mtext>{escape(core)}</mtext>{after}"


def cell(body: str, align: str) -> str:
    """A cell of an <mtable>, aligned ``left`` or ``right``: MathML Core (Chromium) aligns a cell by its CSS
    text-align, other renderers by columnalign; both are given."""
    return f'<mtd columnalign="{align}" style="text-align:{align}">{body}</mtd>'


def symbol(name: str) -> str:
    """α, β1 (β with index 1), m̂ (m with a hat), K, a word upright."""
    if name in SYMBOLS:
        return SYMBOLS[name]
    if name.endswith("\u0302"):
        return f'<mover accent="true">{symbol(name[:-1])}<mo>^</mo></mover>'
    match = re.fullmatch(r"(\D+?)(\d+)", name)
    if match:
        return f"<msub>{symbol(match.group(1))}<mn>{match.group(2)}</mn></msub>"
    return f"<mi>{escape(name)}</mi>"


def label(node: f.Label) -> str:
    """n₁^[hid], Θ₁₁^[out] (Θ₁₀,₁ where an index has two digits), b^[out], x_t, z of a neuron as z_{n₁^[hid]}."""
    indices = [str(i) for i in node.indices]
    sep = "," if any(len(i) > 1 and i.isdigit() for i in indices) else ""
    index = sep.join(indices)
    index_ml = f"<mn>{index}</mn>" if index.replace(",", "").isdigit() else f"<mi>{escape(index)}</mi>"
    layer = None if node.layer is None else text(f"[{node.layer}]")
    if node.symbol in ("z", "p") and layer is not None:
        return f"<msub><mi>{node.symbol}</mi><msubsup><mi>n</mi>{index_ml}{layer}</msubsup></msub>"
    body = symbol(node.symbol)
    if index and layer:
        return f"<msubsup>{body}{index_ml}{layer}</msubsup>"
    if index:
        return f"<msub>{body}{index_ml}</msub>"
    return f"<msup>{body}{layer}</msup>" if layer else body


def spell(node, fmt: NumberFormat) -> str:
    """``node`` as MathML (the content of a <math> element); a str is set as text."""
    if isinstance(node, str):
        return text(node)
    return _spell(node, fmt)


def _num(node: f.Num, fmt: NumberFormat) -> str:
    written = number(node, fmt)
    if written.startswith("("):
        return fenced(f"<mn>{escape(written[1:-1])}</mn>")
    return f"<mn>{escape(written)}</mn>"


def _bare(node, fmt: NumberFormat) -> str:
    return row(spell(node.body if isinstance(node, f.Group) and not node.square else node, fmt))


def _call(node: f.Call, fmt: NumberFormat) -> str:
    name = node.function
    primes = len(name) - len(name.rstrip("'"))
    base = name.rstrip("'")
    head = f"<msup><mi>{escape(base[:-1])}</mi><mn>2</mn></msup>" if base.endswith("²") else symbol(base)
    head += mo("′" * primes) if primes else ""
    return row(head, fenced(spell(node.argument, fmt)))


def _partial(node: f.Partial, fmt: NumberFormat) -> str:
    d = mo("∂") if node.d == "∂" else "<mi>d</mi>"
    below = row(d, spell(node.wrt, fmt))
    if node.of is None or isinstance(node.of, f.Call):
        return row(f"<mfrac>{d}{below}</mfrac>", "" if node.of is None else spell(node.of, fmt))
    of = COST if node.of == f.Symbol("J") else spell(node.of, fmt)
    return f"<mfrac>{row(d, of)}{below}</mfrac>"


def _sum(node: f.Sum, fmt: NumberFormat) -> str:
    terms = [spell(t, fmt) for t in node.terms]
    if node.omitted:
        terms.insert(-1, row(mo("…"), text(f" {node.omitted:,} more "), mo("…")))
    return row(mo("+").join(terms))


def _sum_over(node: f.SumOver, fmt: NumberFormat) -> str:
    if node.upper is None:
        head = f"<munder>{mo('∑')}<mi>{escape(node.index)}</mi></munder>"
    else:
        head = f"<munderover>{mo('∑')}{row(f'<mi>{escape(node.index)}</mi>', mo('='), '<mn>1</mn>')}" \
               f"{spell(node.upper, fmt)}</munderover>"
    return row(head, spell(node.body, fmt))


def _vector(node: f.Vector, fmt: NumberFormat) -> str:
    items = [f"<mn>{escape(number(i, fmt))}</mn>" for i in node.items]
    if node.omitted:
        items.insert(-1, row(mo("…"), text(f" ({node.omitted:,} more)")))
    return fenced(mo(",").join(items))


def _equations(node: f.Equations, fmt: NumberFormat) -> str:
    gap = '<mspace width="1em"/>'
    joiner = gap + text("and") + gap if node.joiner.strip() == "and" else mo(node.joiner.strip()) + gap
    note = gap + text(f"({node.note})") if node.note else ""
    return row(joiner.join(spell(r, fmt) for r in node.relations), note)


def _cases(node: f.Cases, fmt: NumberFormat) -> str:
    rows = "".join(f"<mtr>{cell(spell(v, fmt), 'left')}{cell(GAP + text('if ') + spell(c, fmt), 'left')}</mtr>"
                   for v, c in node.cases)
    return row(mo("{"), f'<mtable columnalign="left left">{rows}</mtable>')


def _jacobian(node: f.Jacobian, fmt: NumberFormat) -> str:
    delta = f"<msub><mi>δ</mi><mi>{node.delta}</mi></msub>" if node.same is None else f"<mn>{int(node.same)}</mn>"
    return row(spell(node.zj, fmt), mo("·"), fenced(delta + mo("−") + spell(node.zk, fmt)))


def _brace(node: f.Brace, fmt: NumberFormat) -> str:
    """The handout's \\overbrace: a curly brace stretched over the part (⏞, a stretchy accent), the note above it."""
    brace = f'<mover accent="true">{row(spell(node.body, fmt))}<mo stretchy="true">⏞</mo></mover>'
    return f'<mover>{brace}<mtext class="brace-note">{escape(node.note)}</mtext></mover>'


@singledispatch
def _spell(node, fmt: NumberFormat) -> str:
    raise TypeError(f"cannot spell {type(node).__name__}")


_spell.register(f.Label, lambda node, fmt: label(node))
_spell.register(f.Num, _num)
_spell.register(f.Symbol, lambda node, fmt: symbol(node.name))
_spell.register(f.Call, _call)
_spell.register(f.Sqrt, lambda node, fmt: f"<msqrt>{_bare(node.body, fmt)}</msqrt>")
_spell.register(f.Power, lambda node, fmt: f"<msup>{row(spell(node.base, fmt))}{row(spell(node.exponent, fmt))}</msup>")
_spell.register(f.Cases, _cases)
_spell.register(f.Vector, _vector)
_spell.register(f.Derivative, lambda node, fmt: spell(f.slope(node), fmt))
_spell.register(f.Jacobian, _jacobian)
_spell.register(f.Partial, _partial)
_spell.register(f.SumOver, _sum_over)
_spell.register(f.Relation, lambda node, fmt: row(spell(node.left, fmt), f"<mo>{SIGNS[node.sign]}</mo>",
                                                  spell(node.right, fmt)))
_spell.register(f.Equations, _equations)
_spell.register(f.Product, lambda node, fmt: row(mo("·").join(spell(x, fmt) for x in node.factors)))
_spell.register(f.Sum, _sum)
_spell.register(f.Difference, lambda node, fmt: row(spell(node.left, fmt), mo("−"), spell(node.right, fmt)))
_spell.register(f.Quotient, lambda node, fmt: (row(spell(node.top, fmt), mo("/"), spell(node.bottom, fmt)) if node.tight
                                               else f"<mfrac>{_bare(node.top, fmt)}{_bare(node.bottom, fmt)}</mfrac>"))
_spell.register(f.Negative, lambda node, fmt: row(mo("−"), spell(node.body, fmt)))
_spell.register(f.Square, lambda node, fmt: f"<msup>{row(spell(node.body, fmt))}<mn>2</mn></msup>")
_spell.register(f.Log, lambda node, fmt: row("<mi>log</mi>", spell(node.body, fmt)))
_spell.register(f.Group, lambda node, fmt: fenced(spell(node.body, fmt), "[]" if node.square else "()"))
_spell.register(f.Kept, lambda node, fmt: row(spell(node.value, fmt), text(f" ({node.reason})")))
_spell.register(f.Brace, _brace)
