"""The first half of the document: the header, the forward pass with J, and Step 1 (∂J/∂z of the output
layer, then ∂J/∂p where Step 1 shows it: softmax, and the exact forms of cross-entropy and bce)."""

from __future__ import annotations

import numpy as np

from backprop_cli.engine.backprop import Iteration
from backprop_cli.engine.kinds import GIVEN, PARAM, RESULT
from backprop_cli.engine.losses import LOSSES
from backprop_cli.engine.network import Config
from backprop_cli.model.document import (
    FORMULA,
    LABEL,
    NUMBER,
    TEXT,
    VALUE,
    Block,
    Column,
    Equation,
    Header,
    Row,
    SampleRef,
    Table,
)
from backprop_cli.model.formula import (
    Derivative,
    Group,
    Jacobian,
    Node,
    Num,
    Partial,
    Relation,
    SumOver,
    neuron,
    product,
    shortened_sum,
    symbol,
    vector,
)
from backprop_cli.model.losses import (
    COST,
    GRADIENTS,
    SHORT_FORMS,
    TERMS,
    TOTALS,
    general_loss,
    output_error,
    short_form,
)

# Σ_j y_j this close to 1 counts as 1: y = (0.1, 0.2, 0.7) does not add up to exactly 1.0 in floating point.
UNIT = 1e-9


def long_form(activation: str, elementwise: bool):
    """∂J/∂p_k written out: ∂J/∂z_k · g'(p_k) with the activation's own g', or for softmax
    Σ_j ∂J/∂z_j · z_j·(δ_jk − z_k)."""
    if elementwise:
        return product(Partial(symbol("z", "k")), Derivative(activation, symbol("p", "k")))
    return SumOver("j", product(Partial(symbol("z", "j")), Jacobian(symbol("z", "j"), symbol("z", "k"))))


def formula_columns(first: str, *formulas, value: str) -> tuple[Column, ...]:
    """What a row is about, its formulas with numbers (one column each), then the value."""
    return (Column(first, LABEL), *(Column(f, FORMULA) for f in formulas), Column(value, VALUE))


def header(config: Config, hand_rounding: int | None) -> Header:
    """The network as given, and the hand rounding the run computes with."""
    single = config.single_sample
    return Header(
        title=config.title, inputs=config.x.shape[1],
        layers=tuple((layer.width, layer.act.label, layer.name) for layer in config.layers),
        x=vector(config.x[0]) if single else None, y=vector(config.y[0]) if single else None,
        samples=config.x.shape[0], alpha=Num(config.alpha, GIVEN), loss=config.loss,
        loss_formula=general_loss(config.loss), hand_rounding=hand_rounding,
        optimizer=None if config.optimizer.plain else config.optimizer.describe(),
    )


def sample_ref(config: Config, it: Iteration, s: int) -> SampleRef | None:
    """The sample a per-sample block is about, or None where the config has one sample only (the header
    shows its x and y); online training (one sample per update) names the sample it traces."""
    if config.x.shape[0] == 1:
        return None
    return SampleRef(int(it.sample_indices[s]) + 1, vector(it.x[s]), vector(it.y[s]))


def loss_equation(loss: str, z, y, value: float) -> Equation:
    """J with its numbers: J(Θ) = (0.30 − 0)² + (0.38 − 1)² = 0.47."""
    terms = shortened_sum(len(z), lambda k: TERMS[loss](Num(z[k]), Num(y[k], GIVEN, wrap=True)))
    return Equation(COST, TOTALS[loss](terms, len(z)), Num(value))


def preactivation_sum(config: Config, it: Iteration, i: int, s: int, k: int) -> Node:
    """p_k of layer ``i`` for sample ``s`` with its numbers: Θ_k1 · z_1 + Θ_k2 · z_2 (+ b_k)."""
    st, inputs = it.layers[i], it.layer_input(i)[s]
    kind = GIVEN if i == 0 else RESULT
    count = inputs.shape[0]
    bias = st.bias[k] if isinstance(st.bias, np.ndarray) else st.bias  # one per neuron, one shared, or None

    def term(t: int) -> Node:  # a negative weight after the first term in parentheses: + (−0.14) · 1
        if t == count and bias is not None:
            return Num(float(bias), PARAM, wrap=True)
        return product(Num(float(st.weights[k, t]), PARAM, wrap=t > 0), Num(float(inputs[t]), kind, wrap=True))

    return shortened_sum(count + (bias is not None), term)


def preactivation_column(config: Config) -> tuple:
    """The header of the column of sums: Σ_t Θ_kt · z_t (+ b_k) with numbers (z_t: the layer's input)."""
    general = SumOver("t", product(symbol("Θ", "kt"), symbol("z", "t")))
    with_bias = any(layer.bias is not None for layer in config.layers)
    return (general, " + b_k with numbers" if with_bias else " with numbers")


def forward_pass(config: Config, it: Iteration, s: int, working: bool = False) -> Block:
    """The forward pass of sample ``s``: p and z of every neuron, and J; with ``working``, each p's sum with
    its numbers as well."""
    columns = (Column("Neuron", LABEL), *([Column(preactivation_column(config), FORMULA)] if working else []),
               Column("Preactivation p", NUMBER), Column("Activation z", VALUE),
               Column("Activation function g(·)", TEXT))

    def rows():
        for i, (layer, lp) in enumerate(zip(config.layers, it.passes)):
            label = layer.act.label
            for k in range(lp.p.shape[1]):
                sums = (preactivation_sum(config, it, i, s, k),) if working else ()
                yield Row(neuron(k, layer.name), (*sums, Num(lp.p[s, k]), Num(lp.z[s, k]), label))

    total = sum(layer.width for layer in config.layers)
    loss = loss_equation(config.loss, it.passes[-1].z[s], it.y[s], it.sample_losses[s])
    return Block("forward", "Forward pass", table=Table(columns, total, rows), lines=(loss,),
                 sample=sample_ref(config, it, s))


def step1(config: Config, it: Iteration, s: int) -> list[Block]:
    """∂J/∂z_k of the output layer with its numbers, then ∂J/∂p where it is a result of its own."""
    out = it.passes[-1]
    K = out.z.shape[1]
    gradient = GRADIENTS[config.loss]

    def rows():
        for k in range(K):
            formula = gradient(Num(out.z[s, k]), Num(it.y[s, k], GIVEN, wrap=True), Num(float(K), GIVEN))
            yield Row(neuron(k, out.name), (formula, Num(out.dJ_dz[s, k])))

    table = Table(formula_columns("Neuron", "Formula with numbers", value="∂J/∂z"), K, rows)
    first = Block("step1", "Step 1) Error gradient in the output layer", (output_error(config.loss),),
                  table, sample=sample_ref(config, it, s), equation=1)
    return [first] + ([output_gradient(config, it, s)] if out.dJ_dp_shown else [])


def output_gradient(config: Config, it: Iteration, s: int) -> Block:
    """∂J/∂p of the output layer for sample ``s``: the long form with numbers and, where the loss has one for
    the output activation, the short form it simplifies to (z_k − y_k), so both can be compared."""
    layer, out = config.layers[-1], it.passes[-1]
    act = layer.act
    short = SHORT_FORMS.get((config.loss, layer.activation))
    K = out.z.shape[1]
    y = it.y[s]
    total = None if abs(float(sum(y)) - 1.0) <= UNIT else Num(float(sum(y)), GIVEN)

    def long(k: int):
        if act.elementwise:
            return product(Num(out.dJ_dz[s, k]), Derivative(layer.activation, Num(out.p[s, k])))
        return shortened_sum(K, lambda j: Group(product(
            Num(out.dJ_dz[s, j]), Jacobian(Num(out.z[s, j]), Num(out.z[s, k]), j == k)), square=True), stack=True)

    def rows():
        for k in range(K):
            simplified = (short(Num(out.z[s, k]), Num(y[k], GIVEN), total),) if short else ()
            yield Row(neuron(k, layer.name), (long(k), *simplified, Num(out.dJ_dp[s, k])))

    general = long_form(layer.activation, act.elementwise)
    title = f"∂J/∂p in the output layer '{layer.name}'"
    if not act.elementwise:
        title += f" ({act.label.lower()}: every z_j depends on every p_k)"
    lines: list = [Relation(Partial(symbol("p", "k")), general)]
    columns: list = [(general, " with numbers")]
    simple = short_form(config.loss, layer.activation, unit=total is None)  # None where ``short`` is
    if simple is not None:
        form = LOSSES[config.loss].fused[layer.activation]
        lines[0] = Relation(lines[0], simple)
        unit_only = simple != short_form(config.loss, layer.activation, unit=False)
        lines.append(f"why ({config.loss} on {layer.activation}): {form.why}"
                     + (", and Σ_j y_j = 1" if unit_only else ""))
        columns.append(("= ", simple))  # between the long form and the value, as a worked example's "="
    table = Table(formula_columns("Neuron", *columns, value="∂J/∂p"), K, rows)
    return Block("output_gradient", title, tuple(lines), table, sample=sample_ref(config, it, s))


