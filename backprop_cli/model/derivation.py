"""The handout's "Derivation of the formulas" for a network of its own, as data: the chain rule (4), J written
out with the network's names and what every z and p is, then the chain for Θ_11 of the output layer (5) and of
the hidden layer before it (6), each factor worked out. The documents show it with ``--explain``.

Everything here is symbolic: no number of the trace, only the config's names, sizes and activations.
"""

from __future__ import annotations

from dataclasses import dataclass

from backprop_cli.engine.kinds import GIVEN
from backprop_cli.engine.network import Config
from backprop_cli.model.formula import (
    ONE,
    Brace,
    Call,
    Cases,
    Derivative,
    Group,
    Jacobian,
    Label,
    Node,
    Num,
    Partial,
    Power,
    Quotient,
    Relation,
    Sum,
    SumOver,
    Symbol,
    bias,
    product,
    shortened_sum,
    symbol,
    weight,
)
from backprop_cli.model.losses import COST, GENERAL, TERMS, TOTALS, output_error

# z = g(p) as the handout writes it, by activation (identity: z = p; softmax: below).
FUNCTIONS = {"sigmoid": "σ", "relu": "ReLU", "tanh": "tanh", "leaky_relu": "LReLU"}
ZERO = Num(0.0, GIVEN)
GAP = Symbol("⋮")  # a line standing for the neurons left out of a wide layer


@dataclass(frozen=True)
class Paragraph:
    """Words (text, and formulas set inline), then formulas displayed one under the other, aligned at
    their sign; ``equation`` numbers the display as the handout does, (4) to (6)."""

    text: tuple[str | Node, ...]
    display: tuple[Node, ...] = ()
    equation: int | None = None


def z_of(k: int | str, layer: str) -> Label:
    """z of neuron n_k of ``layer`` (1-based k, or a letter): z_{n_k^[layer]}."""
    return Label("z", (k,), layer)


def p_of(k: int | str, layer: str) -> Label:
    return Label("p", (k,), layer)


def input_of(config: Config, i: int, t: int | str) -> Label:
    """The t-th input of layer ``i``: x_t, or z of neuron t of the layer before."""
    return Label("x", (t,)) if i == 0 else z_of(t, config.layers[i - 1].name)


def shown(count: int) -> list[int | None]:
    """The neurons of a layer written out: all of up to four, else the first two, a gap and the last."""
    return list(range(count)) if count <= 4 else [0, 1, None, count - 1]


def activation(config: Config, i: int, k: int) -> Node:
    """z = g(p) of neuron k (0-based) of layer ``i``: σ(p), ReLU(p), p, e^p_k / Σ_j e^p_j."""
    layer = config.layers[i]
    p = p_of(k + 1, layer.name)
    if layer.activation == "identity":
        return p
    if layer.activation == "softmax":
        return Quotient(Power(Symbol("e"), p), SumOver("j", Power(Symbol("e"), p_of("j", layer.name)),
                                                      Num(float(layer.width), GIVEN)))
    return Call(FUNCTIONS[layer.activation], p)


def preactivation(config: Config, i: int, k: int) -> Node:
    """p of neuron k of layer ``i``: z_1 · Θ_k1 + z_2 · Θ_k2 (+ b_k), with the layer's inputs."""
    layer = config.layers[i]
    width = config.x.shape[1] if i == 0 else config.layers[i - 1].width
    terms = shortened_sum(width, lambda t: product(input_of(config, i, t + 1), weight(k, t, layer.name)))
    if layer.bias is None:
        return terms
    return Sum((*terms.terms, bias(None if layer.shared_bias else k, layer.name)), omitted=terms.omitted)


def definitions(config: Config) -> tuple[Node, ...]:
    """What every z and p is, from the output layer back to the first, as the handout lists them."""
    lines: list[Node] = []
    for i in reversed(range(len(config.layers))):
        name, width = config.layers[i].name, config.layers[i].width
        for what, formula in (("z", activation), ("p", preactivation)):
            lines += [GAP if k is None else Relation(Label(what, (k + 1,), name), formula(config, i, k), ":=")
                      for k in shown(width)]
    return tuple(lines)


def cost(config: Config) -> Paragraph:
    """J with its sum over the outputs, then written out with the network's names."""
    out, loss = config.layers[-1], config.loss
    general = GENERAL[loss](SumOver("k", TERMS[loss](z_of("k", out.name), symbol("y", "k")),
                                    Num(float(out.width), GIVEN)))
    written = TOTALS[loss](shortened_sum(out.width, lambda k: TERMS[loss](z_of(k + 1, out.name), symbol("y", k + 1))),
                           out.width)
    # Written out on a row of its own (a left side of None goes on from the row above): J of bce is long.
    return Paragraph(("The cost function ", COST, " of the network depicted above is given by:"),
                     (Relation(COST, general, ":="), Relation(None, written)))


def chain_rule() -> Paragraph:
    """The handout's (4)."""
    x, f, g, h = (Symbol(name) for name in "xfgh")
    inner = Call("h", x)
    left = Partial(x, Call("f", Call("g", inner)), d="d")
    steps = product(Partial(g, f, d="d"), Partial(h, g, d="d"), Partial(x, h, d="d"))
    right = product(Call("f'", Call("g", inner)), Call("g'", inner), Call("h'", x))
    return Paragraph(("It is essential to remember the chain rule for derivatives: let f, g, h : ℝ → ℝ be "
                      "real-valued functions. The derivative of f(g(h(x))) is given by:",),
                     (Relation(left, Relation(steps, right)),), equation=4)


def _slope(activation_name: str, p: Label) -> Node:
    """g'(p), and for ReLU and leaky ReLU its two cases."""
    derivative = Derivative(activation_name, p)
    if activation_name == "relu":
        return Relation(derivative, Cases(((ZERO, Relation(p, ZERO, "≤")), (ONE, Relation(p, ZERO, ">")))))
    return derivative


def output_weight(config: Config) -> list[Paragraph]:
    """∂J/∂Θ_11 of the output layer, the handout's (5), and its three factors."""
    i = len(config.layers) - 1
    layer = config.layers[i]
    name, theta = layer.name, weight(0, 0, layer.name)
    z1, p1 = z_of(1, name), p_of(1, name)
    source = input_of(config, i, 1)
    said: tuple[str | Node, ...]
    chain: Node
    if layer.act.elementwise:
        others = (" Therefore, the other addends of the cost function are constant with respect to this parameter "
                  "and their derivative is equal to zero." if layer.width > 1 else "")
        said = ("We notice that this parameter is only relevant for the computation of ", z1, "." + others)
        chain = product(Brace(Partial(z1), "Error gradient, cf. (1)"), Partial(p1, z1), Partial(theta, p1))
        factors = (output_error(config.loss, 1, name), Relation(Partial(p1, z1), Derivative(layer.activation, p1)))
    else:
        zj = z_of("j", name)
        said = (f"{layer.act.label} ties every output ", zj, " to ", p1, ", so the chain runs through each of them:")
        chain = SumOver("j", product(Brace(Partial(zj), "Error gradient, cf. (1)"), Partial(p1, zj),
                                     Partial(theta, p1)))
        factors = (output_error(config.loss, "j", name), Relation(Partial(p1, zj), Jacobian(zj, z1, delta="j1")))
    return [
        Paragraph(("Let us now compute the partial derivative of the cost function ", COST,
                   " with respect to the model parameter ", theta, " (in the output layer). ", *said),
                  (Relation(Partial(theta), chain),), equation=5),
        Paragraph(("We compute the partial derivatives appearing in the equation:",),
                  (*factors, Relation(Partial(theta, p1), source))),
        Paragraph(("Please compare the result with equation (3).",)),
    ]


def hidden_weight(config: Config) -> list[Paragraph]:
    """∂J/∂Θ_11 of the hidden layer before the output, the handout's (6), and its factors."""
    if len(config.layers) < 2:
        return []
    i = len(config.layers) - 2
    here, nxt = config.layers[i], config.layers[i + 1]
    theta = weight(0, 0, here.name)
    z1, p1 = z_of(1, here.name), p_of(1, here.name)
    zk, pk = z_of("k", nxt.name), p_of("k", nxt.name)
    upper = Num(float(nxt.width), GIVEN)
    if nxt.act.elementwise:
        inner = product(Partial(zk), Partial(pk, zk), Partial(z1, pk))
        factors = [output_error(config.loss, "k", nxt.name),
                   Relation(Partial(pk, zk), Derivative(nxt.activation, pk))]
    else:
        zj = z_of("j", nxt.name)
        inner = product(Partial(pk), Partial(z1, pk))
        factors = [Relation(Partial(pk), SumOver("j", product(Partial(zj), Jacobian(zj, zk))))]
    error = Brace(Group(SumOver("k", inner, upper)), "Error gradient, cf. (2)")
    chain = product(error, Partial(p1, z1), Partial(theta, p1))
    factors += [Relation(Partial(z1, pk), Label("Θ", ("k", 1), nxt.name)),
                Relation(Partial(p1, z1), _slope(here.activation, p1)),
                Relation(Partial(theta, p1), input_of(config, i, 1))]
    out = [
        Paragraph(("Let us now compute the weight gradient for ", theta, ". We notice that the parameter is relevant "
                   "to every addend of the cost function: it reaches ", COST, " through ", z1,
                   ", an input of every neuron of '", nxt.name, "'."), (Relation(Partial(theta), chain),), equation=6),
        Paragraph(("Again we compute the partial derivatives occurring in the formula:",), tuple(factors)),
    ]
    if i > 0:
        out.append(Paragraph((f"The layers before '{here.name}' follow the same pattern one layer further back: the "
                              "error gradient of each of their neurons is the sum over the layer after it (Step 2), "
                              "and the last factor is the layer's own input.",)))
    return out


def derivation(config: Config) -> tuple[Paragraph, ...]:
    """The derivation of the formulas for ``config``'s network, in the handout's order."""
    return (chain_rule(), cost(config), Paragraph(("where:",), definitions(config)),
            *output_weight(config), *hidden_weight(config))
