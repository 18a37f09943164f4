"""The second half of the document: Step 2 (error gradient of each hidden layer), Steps 3 and 4 (weight
gradients) and Step 5 (the update), each row a formula tree with its numbers."""

from __future__ import annotations

from collections.abc import Callable

from backprop_cli.engine.backprop import Iteration, full_precision_losses
from backprop_cli.engine.kinds import GIVEN, PARAM, RESULT
from backprop_cli.engine.network import Config
from backprop_cli.model import general
from backprop_cli.model.document import Block, Equation, Example, Row, Table
from backprop_cli.model.formula import (
    Derivative,
    Difference,
    Equations,
    Group,
    Kept,
    Node,
    Num,
    Quotient,
    SumOver,
    layer_input,
    neuron,
    product,
    shortened_sum,
    symbol,
)
from backprop_cli.model.forward import formula_columns, sample_ref
from backprop_cli.model.losses import COST
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.model.walk import parameters


def step2(config: Config, it: Iteration, s: int, i: int) -> Block:
    """The error gradient of hidden layer ``i`` for sample ``s``, from the layer after it (the handout's (2))."""
    here, nxt = it.passes[i], it.passes[i + 1]
    activation = config.layers[i + 1].activation
    theta = it.layers[i + 1].weights
    chain = not nxt.dJ_dp_shown  # else ∂J/∂p_k of the next layer is one number, from Step 1
    general_sum = SumOver("k", product(general.delta(not chain), symbol("Θ", "kt")))

    def term(k: int, t: int) -> Node:
        w = Num(theta[k, t], PARAM, wrap=True)
        if chain:
            return Group(product(Num(nxt.dJ_dz[s, k]), Derivative(activation, Num(nxt.p[s, k])), w), square=True)
        return Group(product(Num(nxt.dJ_dp[s, k]), w), square=True)

    def rows():
        for t in range(here.z.shape[1]):
            formula = shortened_sum(nxt.z.shape[1], lambda k: term(k, t), stack=True)
            yield Row(neuron(t, here.name), (formula, Num(here.dJ_dz[s, t])))

    table = Table(formula_columns("Neuron", (general_sum, " with numbers"), value="∂J/∂z"), here.z.shape[1], rows)
    seen = "see Step 1)" if i + 1 == len(config.layers) - 1 else f"see Step 2 [{nxt.name}])"
    formula = general.error_gradient(here.name, nxt.name, through_dJ_dp=not chain, seen=seen)
    return Block("step2", f"Step 2) Error gradient in the hidden layer '{here.name}'", (formula,), table,
                 sample=sample_ref(config, it, s), equation=2)


def _gradient_cells(config: Config, it: Iteration, i: int):
    """One (label, formula, value) per weight (then per bias) of layer ``i``: the chain with numbers, or
    the batch combination of the per-sample gradients."""
    layer, lp, st = config.layers[i], it.passes[i], it.layers[i]
    inputs = it.layer_input(i)
    samples = len(it.x)
    input_kind = GIVEN if i == 0 else RESULT  # x is given; a previous layer's z is a result
    chain = not lp.dJ_dp_shown  # else ∂J/∂p_k is one number, from Step 1

    def delta(k: int) -> Node:
        if chain:
            return product(Num(lp.dJ_dz[0, k]), Derivative(layer.activation, Num(lp.p[0, k])))
        return Num(lp.dJ_dp[0, k])

    def combined(part: Callable[[int], float]) -> Node:
        terms = shortened_sum(samples, lambda s: Num(part(s), RESULT, wrap=True))
        return Quotient(Group(terms), Num(samples, GIVEN)) if config.batch == "mean" else terms

    for param in parameters(layer.name, st.weights, st.bias):
        index = param.index
        formula: Node
        if param.field == "weights":
            k, t = index
            if samples == 1:
                formula = product(delta(k), Num(inputs[0, t], input_kind, wrap=True))
            else:
                formula = combined(lambda s: it.sample_gradients(i, s)[0][k, t])
            yield param.label, formula, param.of(st.dJ_dweights)
        elif samples == 1:
            shared = index == ()
            formula = (shortened_sum(st.weights.shape[0], lambda j: Group(delta(j), square=True), stack=True)
                       if shared else delta(index[0]))
            yield param.label, formula, param.of(st.dJ_dbias)
        else:
            yield param.label, combined(lambda s: param.of(it.sample_gradients(i, s)[1])), param.of(st.dJ_dbias)


def weight_gradient(config: Config, it: Iteration, i: int) -> Block:
    """∂J/∂Θ (and ∂J/∂b) of layer ``i``: Step 3 for the output layer, Step 4 for a hidden one (the handout's (3))."""
    layer, st = config.layers[i], it.layers[i]
    last = i == len(config.layers) - 1
    source = layer_input("t", None if i == 0 else config.layers[i - 1].name)
    shown = it.passes[i].dJ_dp_shown
    relations = [general.weight_gradient(layer.name, source, shown, "see Step 1)" if last else "see Step 2)")]
    if st.bias is not None:  # one bias shared by the layer: every neuron's term adds up
        relations.append(general.bias_gradient(st.shared_bias, shown))
    note = f"{config.batch} over {len(it.x)} samples" if len(it.x) > 1 else ""
    formula = Equations(tuple(relations), note=note)
    title = "Step 3) Weight gradient in the output layer" if last else (
        f"Step 4) Weight gradient in the hidden layer '{layer.name}'")
    column = "Formula with numbers" if len(it.x) == 1 else f"{config.batch} of the per-sample gradients"

    def rows():
        for label, formula_, value in _gradient_cells(config, it, i):
            yield Row(label, (formula_, Num(value)))

    table = Table(formula_columns("Parameter", column, value="∂J/∂Θ"), st.parameters, rows)
    return Block("weights", title, (formula,), table, equation=3)


def _update_row(config: Config, st, param) -> Row:
    """One parameter's new value: Θ − α · ∂J/∂Θ with its numbers."""
    return Row(param.label, _update_cells(config, st, param))


def _update_cells(config: Config, st, param) -> tuple[Node, Num]:
    """The formula with numbers of one parameter's update, and its new value."""
    value = param.of(getattr(st, param.field))
    new = param.of(getattr(st, "new_" + param.field))
    formula: Node
    if param.field == "bias" and not config.update_bias:
        formula = Kept(Num(value, PARAM), "update_bias: false keeps it")
    else:
        gradient = param.of(getattr(st, "dJ_d" + param.field))
        formula = Difference(Num(value, PARAM), product(Num(config.alpha, GIVEN), Num(gradient, RESULT, wrap=True)))
    return formula, Num(new, PARAM)


def loss_after(config: Config, it: Iteration, fmt: NumberFormat) -> Equation:
    """J after the update, with J before it; where the digits shown write both alike although they differ,
    both in full precision as well, so that the change can be seen."""
    change = None
    if fmt.result(it.loss) == fmt.result(it.loss_after):
        exact = (it.loss, it.loss_after) if fmt.rounding.exact else full_precision_losses(config, it)
        if exact[0] != exact[1]:
            change = (Num(exact[0]), Num(exact[1]))
    return Equation(COST, None, Num(it.loss_after), before=Num(it.loss), strong=True, note="after the update",
                    change=change)


def update(config: Config, it: Iteration, fmt: NumberFormat) -> Block:
    """Step 5: every parameter's new value, Θ − α · ∂J/∂Θ, then J after the update. The worked example is
    Θ_11 of the output layer, as in the handout, with the gradient it takes from Step 3."""
    def rows():
        for st in it.layers:
            for param in parameters(st.name, st.weights, st.bias):
                yield _update_row(config, st, param)

    total = sum(st.parameters for st in it.layers)
    table = Table(formula_columns("Parameter", (general.update_relation().right, " with numbers"),
                                  value="New value"), total, rows)
    out = it.layers[-1]
    param = next(parameters(out.name, out.weights, out.bias))
    example = Example(param.label, *_update_cells(config, out, param), update=True, left=param.label, about="weight",
                      general=general.update_relation(label=param.label, source="see Step 3)").right)
    return Block("update", "Step 5) Update", (general.update_rule(config.alpha),), table,
                 lines=(loss_after(config, it, fmt),), example=example)


