"""The general formulas of Steps 2-5, written once as formula trees for the headings, the explanations and
every format (the handout's (2) and (3), and the update rule).

``through_dJ_dp`` says whether a layer's ∂J/∂p is a number of its own (shown in Step 1: softmax, and the
exact forms of cross-entropy and bce) or the product ∂J/∂z_k · g'(p_k) written out. ``shown_gradient`` is
the gradient the figure sets below a neuron, which the documents' worked examples point to.
"""

from __future__ import annotations

from backprop_cli.engine.kinds import GIVEN
from backprop_cli.engine.network import Layer
from backprop_cli.model.formula import (
    Brace,
    Derivative,
    Difference,
    Equations,
    Label,
    Node,
    Num,
    Partial,
    Relation,
    SumOver,
    Symbol,
    product,
    symbol,
)

DJ_DZ, DJ_DP = "∂J/∂z", "∂J/∂p"


def shown_gradient(layer: Layer) -> str:
    """The gradient set in bold blue below a neuron of ``layer``: ∂J/∂z, as in the handout's figure, but ∂J/∂p
    for an activation that is not element-wise (softmax). There each z_j depends on every p_k, so ∂J/∂z_k says
    little of what reaches neuron k (with cross-entropy it is −y_k/z_k: exactly 0 for every output but the
    target, while ∂J/∂p_k = z_k − y_k is not), and the steps after Step 1 take ∂J/∂p_k as one number."""
    return DJ_DZ if layer.act.elementwise else DJ_DP


def delta(through_dJ_dp: bool, layer: str | None = None, seen: str = "") -> Node:
    """∂J/∂p_k of a neuron, as Steps 2-4 use it: ∂J/∂p_k, or ∂J/∂z_k · g'(p_k); the error gradient labelled
    with the step it comes from where ``seen`` says so ("see Step 1)", as the handout's braces)."""
    if through_dJ_dp:
        return _seen(Partial(symbol("p", "k", layer)), seen)
    return product(_seen(Partial(symbol("z", "k", layer)), seen), Derivative("g", symbol("p", "k")))


def _seen(node: Node, seen: str) -> Node:
    return Brace(node, seen) if seen else node


def error_gradient(here: str, nxt: str, through_dJ_dp: bool, seen: str = "") -> Relation:
    """Step 2, the handout's (2): the error gradient of hidden layer ``here`` from the layer ``nxt`` after it
    (found in the step ``seen`` names)."""
    return Relation(Partial(symbol("z", "t", here)),
                    SumOver("k", product(delta(through_dJ_dp, nxt, seen), symbol("Θ", "kt", nxt))))


def weight_gradient(name: str, source: Label, through_dJ_dp: bool, seen: str = "") -> Relation:
    """Steps 3 and 4, the handout's (3): the gradient of weight Θ_kt of layer ``name``, whose t-th input is
    ``source`` (x_t, or z_t of the layer before); ∂J/∂z_k · g'(p_k) labelled as found in the step ``seen``."""
    return Relation(Partial(symbol("Θ", "kt", name)), product(_seen(delta(through_dJ_dp), seen), source))


def bias_gradient(shared: bool, through_dJ_dp: bool) -> Relation:
    """∂J/∂b_k = ∂J/∂p_k; for one bias shared by the layer, ∂J/∂b = Σ_k ∂J/∂p_k."""
    if shared:
        return Relation(Partial(symbol("b")), SumOver("k", delta(through_dJ_dp)))
    return Relation(Partial(symbol("b", "k")), delta(through_dJ_dp))


def update_relation(name: str = "Θ", label: Label | None = None, source: str = "") -> Relation:
    """Θ ← Θ − α · ∂J/∂Θ for the parameter ``name`` (or the one parameter ``label``, Θ_11[out]), its
    gradient labelled with where it comes from (``source``)."""
    theta = label or symbol(name)
    gradient = Brace(Partial(theta), source) if source else Partial(theta)
    return Relation(theta, Difference(theta, product(Symbol("α"), gradient)), "←")


def update_rule(alpha: float | None = None, bias: bool = False, label: Label | None = None,
                source: str = "") -> Equations:
    """Step 5: Θ ← Θ − α · ∂J/∂Θ (and b likewise), with the learning rate's value where given; for one
    parameter ``label`` (Θ_11[out]), its gradient labelled with where it comes from (``source``)."""
    def rule(name: str) -> Relation:
        return update_relation(name, label, source)

    rules = Equations((rule("Θ"), rule("b")), joiner="  and  ") if bias else rule("Θ")
    if alpha is not None:
        return Equations((rules, Relation(Symbol("α"), Num(alpha, GIVEN))), joiner=",  ")
    return Equations((rules,))
