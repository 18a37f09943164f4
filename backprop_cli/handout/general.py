"""The general formulas of Steps 2-5, written once as formula trees for the headings, the explanations and
every format (the handout's (2) and (3), and the update rule).

``through_dJ_dp`` says whether a layer's ∂J/∂p is a number of its own (shown in Step 1: softmax, and the
exact forms of cross-entropy and bce) or the product ∂J/∂z_k · g'(p_k) written out.
"""

from __future__ import annotations

from backprop_cli.handout.formula import (GIVEN, Derivative, Difference, Equations, Label, Node, Num, Partial, Relation,
                                          SumOver, Symbol, product, symbol)


def delta(through_dJ_dp: bool, layer: str | None = None) -> Node:
    """∂J/∂p_k of a neuron, as Steps 2-4 use it: ∂J/∂p_k, or ∂J/∂z_k · g'(p_k)."""
    if through_dJ_dp:
        return Partial(symbol("p", "k", layer))
    return product(Partial(symbol("z", "k", layer)), Derivative("g", symbol("p", "k")))


def error_gradient(here: str, nxt: str, through_dJ_dp: bool) -> Relation:
    """Step 2, the handout's (2): the error gradient of hidden layer ``here`` from the layer ``nxt`` after it."""
    return Relation(Partial(symbol("z", "t", here)),
                    SumOver("k", product(delta(through_dJ_dp, nxt), symbol("Θ", "kt", nxt))))


def weight_gradient(name: str, source: Label, through_dJ_dp: bool) -> Relation:
    """Steps 3 and 4, the handout's (3): the gradient of weight Θ_kt of layer ``name``, whose t-th input is
    ``source`` (x_t, or z_t of the layer before)."""
    return Relation(Partial(symbol("Θ", "kt", name)), product(delta(through_dJ_dp), source))


def bias_gradient(shared: bool, through_dJ_dp: bool) -> Relation:
    """∂J/∂b_k = ∂J/∂p_k; for one bias shared by the layer, ∂J/∂b = Σ_k ∂J/∂p_k."""
    if shared:
        return Relation(Partial(symbol("b")), SumOver("k", delta(through_dJ_dp)))
    return Relation(Partial(symbol("b", "k")), delta(through_dJ_dp))


def update_rule(alpha: float | None = None, bias: bool = False) -> Equations:
    """Step 5: Θ ← Θ − α · ∂J/∂Θ (and b likewise), with the learning rate's value where given."""
    def rule(name: str) -> Relation:
        return Relation(symbol(name), Difference(symbol(name), product(Symbol("α"), Partial(symbol(name)))), "←")

    rules = Equations((rule("Θ"), rule("b")), joiner="  and  ") if bias else rule("Θ")
    if alpha is not None:
        return Equations((rules, Relation(Symbol("α"), Num(alpha, GIVEN))), joiner=",  ")
    return Equations((rules,))
