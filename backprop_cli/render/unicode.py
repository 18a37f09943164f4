"""The document's formulas and labels spelled in plain unicode, as the terminal shows them:
Θ_11[out], 0.60 · σ(−0.85)·(1 − σ(−0.85)) · 0.61, [… ] + […]. No rich here: only text."""

from __future__ import annotations

from functools import singledispatch

from backprop_cli.model import formula as f
from backprop_cli.model.numbers import MINUS, NumberFormat

LINE = 60  # a stacked sum longer than this is set one term per line


def label(node: f.Label) -> str:
    """n1[hid], Θ_11[out] (Θ_10,1[out] where an index has two digits), b_1[out], b[out], x_t, z_t[hid]."""
    indices = [str(i) for i in node.indices]
    if node.symbol == "sample":  # a row per sample: its number
        return " ".join(indices)
    if node.symbol == "n":
        body = f"n{''.join(indices)}"
    else:
        sep = "," if any(len(i) > 1 for i in indices) else ""
        body = node.symbol + (f"_{sep.join(indices)}" if indices else "")
    return body if node.layer is None else f"{body}[{node.layer}]"


def number(node: f.Num, fmt: NumberFormat) -> str:
    """A number as the tables write it; in parentheses when negative where ``wrap`` asks for it."""
    text = fmt.write(node.value, node.kind)
    return f"({text})" if node.wrap and text.startswith(MINUS) else text


def spell(node, fmt: NumberFormat, top: bool = True) -> str:
    """``node`` in unicode. A stacked sum that is the whole formula (``top``) may be set one term per line."""
    if isinstance(node, f.Sum):
        return _sum(node, fmt, top)
    if isinstance(node, str):
        return node
    return _spell(node, fmt)


def _join(node: f.Sum, fmt: NumberFormat, sep: str) -> str:
    terms = [spell(t, fmt, False) for t in node.terms]
    if node.omitted:
        terms.insert(-1, f"… {node.omitted} more …")
    return sep.join(terms)


def _sum(node: f.Sum, fmt: NumberFormat, top: bool) -> str:
    text = _join(node, fmt, " + ")
    if node.stack and top and len(text) > LINE:
        return _join(node, fmt, "\n+ ")
    return text


@singledispatch
def _spell(node, fmt: NumberFormat) -> str:
    raise TypeError(f"cannot spell {type(node).__name__}")


_spell.register(f.Label, lambda node, fmt: label(node))
_spell.register(f.Num, lambda node, fmt: number(node, fmt))
_spell.register(f.Symbol, lambda node, fmt: node.name)
_spell.register(f.Vector, lambda node, fmt: "(" + ", ".join(
    [number(i, fmt) for i in node.items[:-1]] + ([f"… ({node.omitted} more)"] if node.omitted else [])
    + [number(node.items[-1], fmt)] if node.items else []) + ")")
_spell.register(f.Derivative, lambda node, fmt: spell(f.slope(node), fmt, False))


@_spell.register(f.Jacobian)
def _jacobian(node: f.Jacobian, fmt: NumberFormat) -> str:
    delta = f"δ_{node.delta}" if node.same is None else str(int(node.same))
    return f"{spell(node.zj, fmt, False)}·({delta} − {spell(node.zk, fmt, False)})"


@_spell.register(f.Equations)
def _equations(node: f.Equations, fmt: NumberFormat) -> str:
    text = node.joiner.join(spell(r, fmt, False) for r in node.relations)
    return text + (f"  ({node.note})" if node.note else "")


_spell.register(f.Partial, lambda node, fmt: (node.d + ("" if node.of is None else spell(node.of, fmt, False))
                                              + f"/{node.d}{spell(node.wrt, fmt, False)}"))
_spell.register(f.SumOver, lambda node, fmt: f"Σ_{node.index} {spell(node.body, fmt, False)}")
_spell.register(f.Call, lambda node, fmt: f"{node.function}({spell(node.argument, fmt, False)})")
_spell.register(f.Sqrt, lambda node, fmt: "√" + spell(node.body, fmt, False))
_spell.register(f.Power, lambda node, fmt: f"{spell(node.base, fmt, False)}^{spell(node.exponent, fmt, False)}")
_spell.register(f.Cases, lambda node, fmt: ", ".join(f"{spell(v, fmt, False)} if {spell(c, fmt, False)}"
                                                     for v, c in node.cases))
_spell.register(f.Relation, lambda node, fmt: f"{spell(node.left, fmt, False)} {node.sign} "
                                              f"{spell(node.right, fmt, False)}")
_spell.register(f.Product, lambda node, fmt: ("·" if node.tight else " · ").join(spell(x, fmt, False)
                                                                               for x in node.factors))
_spell.register(f.Difference, lambda node, fmt: f"{spell(node.left, fmt, False)} − {spell(node.right, fmt, False)}")
_spell.register(f.Quotient, lambda node, fmt: (spell(node.top, fmt, False) + ("/" if node.tight else " / ")
                                               + spell(node.bottom, fmt, False)))
_spell.register(f.Negative, lambda node, fmt: MINUS + spell(node.body, fmt, False))
_spell.register(f.Square, lambda node, fmt: spell(node.body, fmt, False) + "²")
_spell.register(f.Log, lambda node, fmt: "log" + ("" if isinstance(node.body, f.Group) else " ")
                + spell(node.body, fmt, False))
_spell.register(f.Group, lambda node, fmt: ("[{}]" if node.square else "({})").format(spell(node.body, fmt, False)))
_spell.register(f.Kept, lambda node, fmt: f"{spell(node.value, fmt, False)} ({node.reason})")
_spell.register(f.Brace, lambda node, fmt: spell(node.body, fmt, False))


# Labels and formulas as plain text, for what is written outside the document (answer sheets, checks).
def neuron_text(k: int, layer: str) -> str:
    """n1[hid] for ``k`` = 0."""
    return label(f.neuron(k, layer))


def weight_text(k: int, t: int, layer: str) -> str:
    """Θ_11[out] for ``k``, ``t`` = 0, 0."""
    return label(f.weight(k, t, layer))


def bias_text(k: int | None, layer: str) -> str:
    """b_1[out] for ``k`` = 0, or b[out] for the one bias shared by the layer (``k`` None)."""
    return label(f.bias(k, layer))


def vector_text(values, fmt: NumberFormat) -> str:
    """(1, 1): given numbers as the header writes them."""
    return spell(f.vector(values), fmt)
