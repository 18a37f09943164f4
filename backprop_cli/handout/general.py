"""The general formulas of Steps 2-4, written once for the tables' headings and the explanations.

``through_dJ_dp`` says whether a layer's ∂J/∂p is a number of its own (shown in Step 1: softmax, and the
exact forms of cross-entropy and bce) or the product ∂J/∂z_k · g'(p_k) written out.
"""

from __future__ import annotations


def delta(through_dJ_dp: bool) -> str:
    """∂J/∂p_k of a neuron, as Steps 3 and 4 use it."""
    return "∂J/∂p_k" if through_dJ_dp else "∂J/∂z_k · g'(p_k)"


def error_gradient(here: str, nxt: str, through_dJ_dp: bool) -> str:
    """Step 2: the error gradient of hidden layer ``here`` from the layer ``nxt`` after it."""
    middle = f"∂J/∂p_k[{nxt}]" if through_dJ_dp else f"∂J/∂z_k[{nxt}] · g'(p_k)"
    return f"∂J/∂z_t[{here}] = Σ_k {middle} · Θ_kt[{nxt}]"


def weight_gradient(name: str, source: str, through_dJ_dp: bool) -> str:
    """Steps 3 and 4: the gradient of weight Θ_kt of layer ``name``, whose t-th input is ``source``."""
    return f"∂J/∂Θ_kt[{name}] = {delta(through_dJ_dp)} · {source}"
