"""The document's formulas and labels spelled as LaTeX math, as the handout writes them:
\\frac{\\partial \\mathcal{J}(\\Theta)}{\\partial z_{n_1^{[out]}}}, \\sigma(-0.85), \\Theta_{11}^{[out]}.
The LaTeX documents and the Markdown math ($…$) use it alike; every result is valid math mode."""

from __future__ import annotations

from functools import singledispatch

from backprop_cli.model import formula as f
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.render import common
from backprop_cli.render.tex import math_symbol, math_text, plain_name, tex_number, tex_text
from backprop_cli.render.unicode import number
from backprop_cli.render.unicode import spell as unicode_spell

SIGNS = {"=": "=", "←": r"\leftarrow", ":=": ":=", "≤": r"\leq", ">": ">", "+": "+"}
# Functions named as the handout names them; others by math_symbol.
FUNCTIONS = {"J": r"\mathcal{J}", "σ": r"\sigma", "tanh": r"\tanh", "tanh²": r"\tanh^2", "log": r"\log"}
COST = r"\mathcal{J}(\Theta)"  # what ∂ is taken of, where a Partial does not say


def layer_name(name: str) -> str:
    """[hid] as a superscript: in italic like the handout's where it is a plain word, else as text."""
    if plain_name(name):
        return rf"[\mathit{{{name}}}]"
    return math_text(f"[{name}]")


def label(node: f.Label) -> str:
    """n_1^{[hid]}, \\Theta_{11}^{[out]} (\\Theta_{10,1} where an index has two digits), b^{[out]}, x_t,
    z_{n_1^{[hid]}} (z and p of a neuron of a named layer), z_k."""
    indices = [str(i) for i in node.indices]
    sep = "," if any(len(i) > 1 and i.isdigit() for i in indices) else ""
    index = sep.join(indices)
    layer = "" if node.layer is None else f"^{{{layer_name(node.layer)}}}"
    if node.symbol in ("z", "p") and node.layer is not None:
        return f"{node.symbol}_{{n_{{{index}}}{layer}}}"
    body = math_symbol(node.symbol)
    return body + (f"_{{{index}}}" if index else "") + layer


def spell(node, fmt: NumberFormat) -> str:
    """``node`` in LaTeX math (a str is set as text)."""
    if isinstance(node, str):
        return math_text(node)
    return _spell(node, fmt)


def display(rows, fmt: NumberFormat, env: str = "aligned", end: str = "") -> str:
    """Formulas set apart, one a row (left, sign, right): one alone, several aligned at their sign in the
    environment ``env`` (a row without a left side goes on from the row above; its sign "+" continues a
    sum). ``end`` (a note, a \\tag) goes after the last formula."""
    if len(rows) == 1:
        left, sign, right = rows[0]
        alone = spell(right, fmt) if left is None else f"{spell(left, fmt)} {SIGNS[sign]} {spell(right, fmt)}"
        return alone + end
    lines = []
    for left, sign, right in rows:
        if left is None and sign == "+":
            lines.append(rf"&\quad + {spell(right, fmt)}")
        else:
            start = "" if left is None else spell(left, fmt) + " "
            lines.append(f"{start}&{SIGNS[sign] if sign else ''} {spell(right, fmt)}")
    return f"\\begin{{{env}}}\n" + " \\\\\n".join(lines) + f"{end}\n\\end{{{env}}}"


def ending(note: str, tag: int | None) -> str:
    """What follows a displayed formula: words in parentheses, and the handout's equation number."""
    return (rf"\quad {math_text(f'({note})')}" if note else "") + ("" if tag is None else rf" \tag{{{tag}}}")


def inline(items, fmt: NumberFormat, text, strong: bool = False) -> str:
    """Words (spelled by ``text``) and formulas as $…$, a formula alone in bold where ``strong`` (a column of
    results): for the LaTeX documents and the Markdown math alike."""
    if strong and not isinstance(items, (str, tuple)):
        return rf"$\boldsymbol{{{spell(items, fmt)}}}$"
    return common.inline(items, text, lambda node: f"${spell(node, fmt)}$")


def _bare(node, fmt: NumberFormat) -> str:
    """A part of a fraction or a root: its outer parentheses are not needed there."""
    return spell(node.body if isinstance(node, f.Group) and not node.square else node, fmt)


def _call(name: str) -> str:
    if name in FUNCTIONS:
        return FUNCTIONS[name]
    primes = len(name) - len(name.rstrip("'"))
    base = name.rstrip("'")
    return (math_symbol(base) if len(base) == 1 else rf"\operatorname{{{tex_text(base)}}}") + "'" * primes


def _sum(node: f.Sum, fmt: NumberFormat) -> str:
    terms = [spell(t, fmt) for t in node.terms]
    if node.omitted:
        terms.insert(-1, rf"\dots\text{{ {node.omitted:,} more }}\dots")
    return " + ".join(terms)


def _partial(node: f.Partial, fmt: NumberFormat) -> str:
    d = r"\partial" if node.d == "∂" else r"\mathrm{d}"
    wrt = rf"{d} {spell(node.wrt, fmt)}"
    if node.of is None or isinstance(node.of, f.Call):  # d/dx f(g(h(x))): the operator, then what it acts on
        return rf"\frac{{{d}}}{{{wrt}}}" + ("" if node.of is None else " " + spell(node.of, fmt))
    of = COST if node.of == f.Symbol("J") else spell(node.of, fmt)
    return rf"\frac{{{d} {of}}}{{{wrt}}}"


def _vector(node: f.Vector, fmt: NumberFormat) -> str:
    items = [tex_number(number(i, fmt)) for i in node.items]
    if node.omitted:
        items.insert(-1, rf"\dots\text{{ ({node.omitted:,} more)}}")
    return "(" + ", ".join(items) + ")"


def _equations(node: f.Equations, fmt: NumberFormat) -> str:
    joiner = r"\quad\text{and}\quad " if node.joiner.strip() == "and" else node.joiner.strip() + r"\quad "
    text = joiner.join(spell(r, fmt) for r in node.relations)
    return text + (rf"\quad {math_text(f'({node.note})')}" if node.note else "")


def _cases(node: f.Cases, fmt: NumberFormat) -> str:
    rows = [rf"{spell(v, fmt)} & \text{{if }} {spell(c, fmt)}" for v, c in node.cases]
    return r"\begin{cases} " + r" \\ ".join(rows) + r" \end{cases}"


def _jacobian(node: f.Jacobian, fmt: NumberFormat) -> str:
    delta = rf"\delta_{{{node.delta}}}" if node.same is None else str(int(node.same))
    return rf"{spell(node.zj, fmt)} \cdot ({delta} - {spell(node.zk, fmt)})"


TALL = (r"\frac", r"\overbrace", r"\sum")  # content that needs the brackets around it to grow
# A group up to this many characters (as the terminal writes it) is kept on one line: a bracketed term of
# Step 2, [0.60 · σ(−0.85)·(1 − σ(−0.85)) · (−1.40)], fits in the formula column of a document's table.
SHORT_GROUP = 44


def _group(node: f.Group, fmt: NumberFormat) -> str:
    """In brackets or parentheses; growing with their content only where it is tall, so that a long
    product in a table can still break after an operator. A short group is a subformula ({…}), which TeX
    does not break: a line breaks between the terms of a product rather than inside (1 − σ(p))."""
    body = spell(node.body, fmt)
    pair = "[]" if node.square else "()"
    if any(mark in body for mark in TALL):
        return rf"\left{pair[0]}{body}\right{pair[1]}"
    if len(unicode_spell(node, fmt)) <= SHORT_GROUP:
        return f"{{{pair[0]}{body}{pair[1]}}}"
    return f"{pair[0]}{body}{pair[1]}"


def _base(node, fmt: NumberFormat) -> str:
    """What a power is taken of, as a subformula {…} (a short group already is one)."""
    text = spell(node, fmt)
    return text if isinstance(node, f.Group) and text.startswith("{") else f"{{{text}}}"


@singledispatch
def _spell(node, fmt: NumberFormat) -> str:
    raise TypeError(f"cannot spell {type(node).__name__}")


_spell.register(f.Label, lambda node, fmt: label(node))
_spell.register(f.Num, lambda node, fmt: tex_number(number(node, fmt)))
_spell.register(f.Symbol, lambda node, fmt: math_symbol(node.name))
_spell.register(f.Call, lambda node, fmt: f"{_call(node.function)}({spell(node.argument, fmt)})")
_spell.register(f.Sqrt, lambda node, fmt: rf"\sqrt{{{_bare(node.body, fmt)}}}")
_spell.register(f.Power, lambda node, fmt: f"{_base(node.base, fmt)}^{{{spell(node.exponent, fmt)}}}")
_spell.register(f.Cases, _cases)
_spell.register(f.Vector, _vector)
_spell.register(f.Derivative, lambda node, fmt: spell(f.slope(node), fmt))
_spell.register(f.Jacobian, _jacobian)
_spell.register(f.Partial, _partial)
_spell.register(f.SumOver, lambda node, fmt: (rf"\sum_{{{node.index}}}" if node.upper is None else
                                              rf"\sum_{{{node.index}=1}}^{{{spell(node.upper, fmt)}}}")
                + " " + spell(node.body, fmt))
_spell.register(f.Relation, lambda node, fmt: f"{spell(node.left, fmt)} {SIGNS[node.sign]} {spell(node.right, fmt)}")
_spell.register(f.Equations, _equations)
_spell.register(f.Product, lambda node, fmt: r" \cdot ".join(spell(x, fmt) for x in node.factors))
_spell.register(f.Sum, _sum)
_spell.register(f.Difference, lambda node, fmt: f"{spell(node.left, fmt)} - {spell(node.right, fmt)}")
_spell.register(f.Quotient, lambda node, fmt: (f"{spell(node.top, fmt)}/{spell(node.bottom, fmt)}" if node.tight else
                                               rf"\dfrac{{{_bare(node.top, fmt)}}}{{{_bare(node.bottom, fmt)}}}"))
_spell.register(f.Negative, lambda node, fmt: "-" + spell(node.body, fmt))
_spell.register(f.Square, lambda node, fmt: f"{_base(node.body, fmt)}^2")
_spell.register(f.Log, lambda node, fmt: r"\log" + ("" if isinstance(node.body, f.Group) else " ")
                + spell(node.body, fmt))
_spell.register(f.Group, _group)
_spell.register(f.Kept, lambda node, fmt: rf"{spell(node.value, fmt)}\ {math_text(f'({node.reason})')}")
_spell.register(f.Brace, lambda node, fmt: rf"\overbrace{{{spell(node.body, fmt)}}}^{{{math_text(node.note)}}}")
