"""Each loss as formula trees, with numbers or with symbols (z_k, y_k): its terms in J, J itself, ∂J/∂z_k
(Step 1, the handout's (1)), and the short form of ∂J/∂p_k that a loss and its output activation simplify
to (cross-entropy on softmax, bce on sigmoid). J's general formula (text) stays in ``backprop_cli.engine.losses``.
"""

from __future__ import annotations

from collections.abc import Callable

from backprop_cli.engine.kinds import GIVEN
from backprop_cli.model.formula import (
    ONE,
    Call,
    Difference,
    Group,
    Log,
    Negative,
    Node,
    Num,
    Partial,
    Quotient,
    Relation,
    Square,
    Sum,
    SumOver,
    Symbol,
    product,
    symbol,
)

TWO = Num(2.0, GIVEN)
COST = Call("J", Symbol("Θ"))  # J(Θ)


def _minus_one(z: Node) -> Group:
    return Group(Difference(ONE, z))


# One summand of J, from z_k and y_k (y_k in parentheses when negative).
TERMS: dict[str, Callable[[Node, Node], Node]] = {
    "sse": lambda z, y: Square(Group(Difference(z, y))),
    "half_sse": lambda z, y: Square(Group(Difference(z, y))),
    "mse": lambda z, y: Square(Group(Difference(z, y))),
    "cross_entropy": lambda z, y: product(y, Log(z)),
    "bce": lambda z, y: Group(Sum((product(y, Log(z)), product(_minus_one(y), Log(_minus_one(z))))), square=True),
}

# J from the sum of its terms and the number of outputs K.
TOTALS: dict[str, Callable[[Sum, int], Node]] = {
    "sse": lambda terms, k: terms,
    "half_sse": lambda terms, k: product(Symbol("½"), Group(terms, square=True)),
    "mse": lambda terms, k: product(Group(Quotient(ONE, Num(float(k), GIVEN), tight=True)), Group(terms, square=True)),
    "cross_entropy": lambda terms, k: Negative(Group(terms, square=True)),
    "bce": lambda terms, k: Negative(Group(terms)),
}

# J written with its sum over k, from that sum (backprop_cli.engine.losses has the same as text; a test keeps
# them alike).
GENERAL: dict[str, Callable[[Node], Node]] = {
    "sse": lambda total: total,
    "half_sse": lambda total: product(Symbol("½"), total),
    "mse": lambda total: product(Group(Quotient(ONE, Symbol("K"), tight=True)), total),
    "cross_entropy": lambda total: Negative(total),
    "bce": lambda total: Negative(total),
}

# ∂J/∂z_k from z_k, y_k and K (numbers or symbols) (Step 1, the handout's (1)).
GRADIENTS: dict[str, Callable[[Node, Node, Node], Node]] = {
    "sse": lambda z, y, k: product(TWO, Group(Difference(z, y))),
    "half_sse": lambda z, y, k: Difference(z, y),
    "mse": lambda z, y, k: Quotient(product(TWO, Group(Difference(z, y))), k),
    "cross_entropy": lambda z, y, k: Quotient(Negative(y), z),
    "bce": lambda z, y, k: Quotient(Group(Difference(z, y)), Group(product(z, _minus_one(z)))),
}

# The short form of ∂J/∂p_k, by (loss, output activation), from z_k, y_k and Σ_j y_j (None where that is 1).
SHORT_FORMS: dict[tuple[str, str], Callable[[Node, Node, Node | None], Node]] = {
    ("cross_entropy", "softmax"): lambda z, y, total: Difference(z, y) if total is None else Difference(
        product(z, total), y),
    ("cross_entropy", "sigmoid"): lambda z, y, total: product(Negative(y), _minus_one(z)),
    ("bce", "sigmoid"): lambda z, y, total: Difference(z, y),
}


def general_loss(loss: str, upper: Node | None = None, layer: str | None = None) -> Node:
    """J's general formula: J(Θ) = Σ_k (z_k − y_k)² (the sum up to ``upper`` where given, z of ``layer``)."""
    body = TERMS[loss](symbol("z", "k", layer), symbol("y", "k"))
    return Relation(COST, GENERAL[loss](SumOver("k", body, upper)))


def output_error(loss: str, k: int | str = "k", layer: str | None = None) -> Relation:
    """The general formula of Step 1 for neuron ``k`` (a letter, or a 1-based number): ∂J/∂z_k = 2 · (z_k − y_k)."""
    z = symbol("z", k, layer)
    return Relation(Partial(z), GRADIENTS[loss](z, symbol("y", k), Symbol("K")))


def short_form(loss: str, activation: str, unit: bool) -> Node | None:
    """The short form of ∂J/∂p_k, general (where Σ_j y_j = 1 if ``unit``), or None where there is none."""
    form = SHORT_FORMS.get((loss, activation))
    if form is None:
        return None
    return form(symbol("z", "k"), symbol("y", "k"), None if unit else SumOver("j", symbol("y", "j")))
