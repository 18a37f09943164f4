"""The working of ``--working``: the intermediate values a person writes down on the way to each result.

The weights and biases before the forward pass (a matrix typed transposed shows at once), the sum of each
p with its numbers (p = 0.40·1 + 0.21·1 = 0.61; ``forward.preactivation_sum``), and for each layer the
value of every derivative factor g'(p) and of ∂J/∂p = ∂J/∂z · g'(p), which Steps 2-4 use as a product.
These values are not rounded by hand (the run does not round them), so they are written as parameters
are, to ``precision`` decimals.
"""

from __future__ import annotations

from dataclasses import replace

from backprop_cli.engine.backprop import Iteration
from backprop_cli.engine.kinds import PARAM
from backprop_cli.engine.network import Config
from backprop_cli.model.document import NUMBER, Block, Column, Equation, Row, Table
from backprop_cli.model.formula import (
    Derivative,
    Num,
    Partial,
    Relation,
    neuron,
    product,
    symbol,
)
from backprop_cli.model.forward import formula_columns, sample_ref
from backprop_cli.model.weights import input_names, layer_weights

# A value the run does not round (g'(p), and ∂J/∂p where it is a product) is written as a parameter is:
# to at least the hand-rounding decimals, and up to ``precision``.
UNROUNDED = PARAM


def weights_before(config: Config, it: Iteration) -> list[Block]:
    """One block per layer: its weights (a row per neuron, a column per input) and biases, as the update
    found them."""
    blocks = []
    for i, (layer, st) in enumerate(zip(config.layers, it.layers)):
        tables = layer_weights(layer.name, st.weights, st.bias, input_names(config, i))
        lines = () if tables.shared_bias is None else (Equation(f"b[{layer.name}]", None, tables.shared_bias),)
        title = f"Θ[{layer.name}] before the update" + (", with its biases" if st.bias is not None else "")
        blocks.append(Block("weights_before", title, ("row k = neuron k, column t = input t (as in the config)",),
                            replace(tables.table, title=""), lines=lines))
    return blocks


# Under the values of g'(p) and ∂J/∂p of a hand-rounded run: why they have more digits than the results.
NOT_ROUNDED = ("g'(p) and ∂J/∂p are not rounded by hand: the hand calculation keeps them inside the products of "
               "Steps 2 to 4 (shown to --precision decimals)")


def derivatives(config: Config, it: Iteration, s: int, i: int, by_hand: bool = False) -> Block | None:
    """The derivative factor g'(p_k) of every neuron of layer ``i`` and ∂J/∂p_k = ∂J/∂z_k · g'(p_k), with
    their numbers; None where ∂J/∂p is a result of its own (shown in Step 1: softmax, the exact forms).
    ``by_hand``: the run rounds by hand, and a line says that these values are not rounded."""
    lp, layer = it.passes[i], config.layers[i]
    if lp.dg_dp is None or lp.dJ_dp_shown:
        return None

    def rows():
        for k in range(lp.p.shape[1]):
            factor = Num(float(lp.dg_dp[s, k]), UNROUNDED)
            yield Row(neuron(k, layer.name), (Derivative(layer.activation, Num(float(lp.p[s, k]))), factor,
                                              product(Num(float(lp.dJ_dz[s, k])), factor),
                                              Num(float(lp.dJ_dp[s, k]), UNROUNDED)))

    g = Derivative("g", symbol("p", "k"))
    columns = list(formula_columns("Neuron", (g, " with numbers"), "∂J/∂z · g'(p) with numbers", value="∂J/∂p"))
    columns.insert(2, Column("g'(p)", NUMBER))
    where = "output" if i == len(config.layers) - 1 else "hidden"
    general = Relation(Partial(symbol("p", "k")), product(Partial(symbol("z", "k")), g))
    return Block("working", f"∂J/∂p = ∂J/∂z · g'(p) in the {where} layer '{layer.name}'",
                 (general, NOT_ROUNDED) if by_hand else (general,),
                 Table(tuple(columns), lp.p.shape[1], rows), sample=sample_ref(config, it, s))
