"""Explanations for ``--explain``, as data: before each phase, its general formula, why it holds, an example.

The formulas follow the handout's equations (1)-(3), the examples its chains (5) and (6). Everything is
written symbolically from the config; the only values read from the trace are the pre-activations,
to say which ReLU neurons let no gradient through. Nothing here computes a gradient.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from backprop_cli.engine.activations import Activation
from backprop_cli.engine.backprop import Iteration
from backprop_cli.engine.losses import LOSSES
from backprop_cli.engine.network import Config
from backprop_cli.model import general as formulas
from backprop_cli.model.document import Section
from backprop_cli.model.formula import Node, Relation, layer_input
from backprop_cli.model.losses import output_error
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.model.optimizer import optimizer_explanation

MAX_WARNINGS = 4  # notes about blocked neurons per layer before the rest are counted


@dataclass
class Explanation:
    """What is said before one phase: formulas, a reason, an example chain with its factors, notes."""

    formulas: list[Node | str]  # each a formula tree, or text
    reason: str
    source: str = ""  # where the handout has it, e.g. "the handout's (2)"
    example: str = ""  # a heading such as "Example Θ_11[out], as in the handout's (5):"
    chain: Node | str = ""  # the chain rule written out for the example
    factors: list[str] = field(default_factory=list)  # one line per factor: what it is, where it comes from
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # where no gradient (or only part of it) flows


def _act(config: Config, i: int) -> Activation:
    return config.layers[i].act


def _input(config: Config, i: int, t: str) -> str:
    """The t-th input of layer ``i``, written symbolically: x_t, or z_t of the layer before."""
    return f"x_{t}" if i == 0 else f"z_{t}[{config.layers[i - 1].name}]"


def _slope(act: Activation, p: str) -> str:
    """g'(p) written for the pre-activation ``p``, e.g. σ(p_1[out])·(1 − σ(p_1[out]))."""
    return act.derivative_text(p)


def _error_source(config: Config, i: int) -> str:
    """Where the error gradient ∂J/∂z of layer ``i`` was found."""
    return "Step 1" if i == len(config.layers) - 1 else f"Step 2 for '{config.layers[i].name}'"


def _bias_note(config: Config, i: int) -> list[str]:
    bias, name = config.layers[i].bias, config.layers[i].name
    if bias is None:
        return []
    if config.layers[i].shared_bias:
        return [f"The one bias b[{name}] is added to every p_k[{name}], so ∂p_k/∂b = 1 for each k and its "
                "gradient is the sum of ∂J/∂z_k · g'(p_k) over the layer's neurons."]
    return [f"A bias b_k[{name}] is added to p_k[{name}] directly, so ∂p_k/∂b_k = 1 and "
            "∂J/∂b_k = ∂J/∂z_k · g'(p_k)."]


def blocked(config: Config, it: Iteration, i: int, fmt: NumberFormat) -> list[tuple[int, str, str]]:
    """The neurons of layer ``i`` whose (leaky) ReLU sits at p ≤ 0: (index k, sample label, p as shown)."""
    act = _act(config, i)
    if act.name not in ("relu", "leaky_relu") or act.derivative is None:
        return []
    p = it.passes[i].p
    several = p.shape[0] > 1
    found = []
    # The activation's own derivative decides (its kink rule included): below 1, the gradient is cut.
    for s, k in zip(*np.nonzero(act.derivative(p) < 1)):
        sample = f" in sample {int(it.sample_indices[s]) + 1}" if several else ""
        found.append((int(k), sample, fmt.result(p[s, k])))
    return found


def _blocked_warnings(config: Config, it: Iteration, i: int, fmt: NumberFormat, where: str) -> list[str]:
    """Plain words for each neuron of layer ``i`` at p ≤ 0, seen from a weight step or from a Step 2 sum."""
    layer, notes = config.layers[i], []
    for k, sample, p in blocked(config, it, i, fmt):
        neuron = f"n{k + 1}[{layer.name}]{sample}"
        if layer.activation == "leaky_relu":
            slope = f"{layer.negative_slope:g}"
            notes.append(f"{neuron} has p = {p} ≤ 0: its leaky ReLU lets only the fraction {slope} of the "
                         f"gradient through (LReLU'(p) = {slope}).")
        elif where == "sum":
            notes.append(f"No gradient flows back through {neuron}: p = {p} ≤ 0, so ReLU'(p) = 0 and its "
                         "term in each sum below is 0.")
        else:
            earlier = "" if i == 0 else f", and it passes no error gradient back to '{config.layers[i - 1].name}'"
            notes.append(f"No gradient flows through {neuron}: p = {p} ≤ 0, so ReLU'(p) = 0. Every product "
                         f"with that factor is 0: the weights Θ_{k + 1}t[{layer.name}] get ∂J/∂Θ = 0 and keep "
                         f"their values in Step 5{earlier}.")
    if len(notes) > MAX_WARNINGS:  # a wide layer: a few examples say it; the tables show every ReLU'(p) = 0
        notes = notes[:MAX_WARNINGS - 1] + [f"… and {len(notes) - MAX_WARNINGS + 1} more neurons of "
                                             f"'{layer.name}' at p ≤ 0, alike."]
    return notes


def forward(config: Config) -> Explanation:
    bias = " + b_k" if any(l.bias is not None for l in config.layers) else ""
    return Explanation(
        formulas=[f"p_k = Σ_t Θ_kt · z_t{bias}   (z_t of the layer before; x_t for the first layer)",
                  "z_k = g(p_k)", LOSSES[config.loss].formula],
        reason="Each neuron weighs the outputs of the layer before with its row of Θ, adds them up and passes "
               "the sum p through its activation g; the output layer's z is then compared with y by the loss J. "
               "Every derivative in the steps that follow is taken at these p and z, so they come first.",
    )


def step1(config: Config) -> Explanation:
    out = config.layers[-1].name
    loss = LOSSES[config.loss]
    return Explanation(
        formulas=[output_error(config.loss), loss.formula],
        source="the handout's (1), for this loss",
        reason=f"J adds up one term per output neuron, and z_k[{out}] occurs in the k-th term only. So ∂J/∂z_k is "
               "the derivative of that single term; all the others are constants for z_k and drop out. A positive "
               "value means J grows with z_k, so z_k should come down; a negative one, that it should go up.",
        example=f"Example n1[{out}]:",
        chain=output_error(config.loss, 1, out),
    )


def step2(config: Config, it: Iteration, i: int, fmt: NumberFormat) -> Explanation:
    here, nxt = config.layers[i].name, config.layers[i + 1].name
    act = _act(config, i + 1)
    formula = formulas.error_gradient(here, nxt, through_dJ_dp=it.passes[i + 1].dJ_dp_shown)
    if act.elementwise:
        chain = f"∂J/∂z_1[{here}] = Σ_k ∂J/∂z_k[{nxt}] · ∂z_k[{nxt}]/∂p_k[{nxt}] · ∂p_k[{nxt}]/∂z_1[{here}]"
        factors = [f"∂J/∂z_k[{nxt}]: the error gradient of the next layer, from {_error_source(config, i + 1)}",
                   f"∂z_k[{nxt}]/∂p_k[{nxt}] = {_slope(act, f'p_k[{nxt}]')}: the slope of the activation at p_k"]
    else:
        chain = f"∂J/∂z_1[{here}] = Σ_k ∂J/∂p_k[{nxt}] · ∂p_k[{nxt}]/∂z_1[{here}]"
        factors = [f"∂J/∂p_k[{nxt}] = Σ_j ∂J/∂z_j · z_j·(δ_jk − z_k): {act.label} ties every z_j to every p_k, "
                   "so this factor is itself a sum over the outputs"]
    factors.append(f"∂p_k[{nxt}]/∂z_1[{here}] = Θ_k1[{nxt}]: p_k is a weighted sum, and z_1 enters it with "
                   "this weight")
    return Explanation(
        formulas=[formula],
        source="the handout's (2)" + ("" if act.elementwise else ", with ∂J/∂p_k for ∂J/∂z_k · g'(p_k)"),
        reason=f"z_t[{here}] is an input of every neuron of '{nxt}', so it reaches J along one path through "
               "each of them. Along a path the chain rule multiplies the local derivatives; J depends on z_t "
               "through all the paths at once, so their products add up: the sum over k.",
        example=f"Example n1[{here}], the bracket in the handout's (6):",
        chain=chain,
        factors=factors,
        warnings=_blocked_warnings(config, it, i + 1, fmt, "sum"),
    )


def _weight_chain(config: Config, i: int) -> tuple[str, list[str]]:
    """The chain rule for Θ_11 of layer ``i`` with its factors named, as the handout's (5) and (6)."""
    name, act, last = config.layers[i].name, _act(config, i), i == len(config.layers) - 1
    tail = [f"∂p_1[{name}]/∂Θ_11[{name}] = {_input(config, i, '1')}: the input that Θ_11[{name}] multiplies in p_1"]
    if not act.elementwise:
        chain = f"∂J/∂Θ_11[{name}] = Σ_j ∂J/∂z_j[{name}] · ∂z_j[{name}]/∂p_1[{name}] · ∂p_1[{name}]/∂Θ_11[{name}]"
        return chain, [f"∂J/∂z_j[{name}]: the error gradient, from {_error_source(config, i)}",
                       f"∂z_j[{name}]/∂p_1[{name}] = z_j·(δ_j1 − z_1): {act.label} ties every output to p_1"] + tail
    slope = f"∂z_1[{name}]/∂p_1[{name}] = {_slope(act, f'p_1[{name}]')}: the slope of the activation at p_1"
    if act.name == "relu":
        slope += " (1 if p_1 > 0, 0 if p_1 ≤ 0)"
    if last:
        chain = f"∂J/∂Θ_11[{name}] = ∂J/∂z_1[{name}] · ∂z_1[{name}]/∂p_1[{name}] · ∂p_1[{name}]/∂Θ_11[{name}]"
        return chain, [f"∂J/∂z_1[{name}]: the error gradient of the output, from Step 1 (1)", slope] + tail
    nxt, nact = config.layers[i + 1].name, _act(config, i + 1)
    inner = f"∂J/∂z_k[{nxt}] · ∂z_k[{nxt}]/∂p_k[{nxt}]" if nact.elementwise else f"∂J/∂p_k[{nxt}]"
    chain = (f"∂J/∂Θ_11[{name}] = (Σ_k {inner} · ∂p_k[{nxt}]/∂z_1[{name}]) · ∂z_1[{name}]/∂p_1[{name}] "
             f"· ∂p_1[{name}]/∂Θ_11[{name}]")
    return chain, [f"(Σ_k …) = ∂J/∂z_1[{name}]: the error gradient of n1[{name}], from "
                   f"{_error_source(config, i)} (2)", slope] + tail


def _weight_formula(config: Config, it: Iteration, i: int) -> Relation:
    source = layer_input("t", None if i == 0 else config.layers[i - 1].name)
    return formulas.weight_gradient(config.layers[i].name, source, it.passes[i].dJ_dp_shown)


def step3(config: Config, it: Iteration, fmt: NumberFormat) -> Explanation:
    i = len(config.layers) - 1
    name = config.layers[i].name
    chain, factors = _weight_chain(config, i)
    links = ("J to z_k, z_k to p_k and p_k to the weight: the error gradient of Step 1, the slope of the "
             "activation, and the input the weight multiplies.")
    if not _act(config, i).elementwise:  # softmax: p_k moves every output, so the first links sum over them
        links = ("J to each z_j, z_j to p_k and p_k to the weight; every z_j depends on p_k, so the first two "
                 "links are summed over j, and the last is the input the weight multiplies.")
    return Explanation(
        formulas=[_weight_formula(config, it, i)],
        source="the handout's (3)" + ("" if _act(config, i).elementwise else ", with ∂J/∂p_k"),
        reason=f"Θ_kt[{name}] enters J at one place only: it multiplies {_input(config, i, 't')} in "
               f"p_k[{name}]. So the chain rule has three links, {links}",
        example=f"Example Θ_11[{name}], as in the handout's (5):",
        chain=chain,
        factors=factors,
        notes=_bias_note(config, i),
        warnings=_blocked_warnings(config, it, i, fmt, "weights"),
    )


def step4(config: Config, it: Iteration, fmt: NumberFormat) -> Explanation:
    hidden = list(reversed(range(len(config.layers) - 1)))  # the order of the Step 4 tables
    chain, factors = _weight_chain(config, 0)
    with_bias = [i for i in range(len(config.layers) - 1) if config.layers[i].bias is not None]
    notes = _bias_note(config, with_bias[0]) if with_bias else []
    return Explanation(
        formulas=[_weight_formula(config, it, i) for i in hidden],
        source="the handout's (3), each layer with its own input",
        reason="The same three links as in Step 3, with two changes. A hidden neuron has no term of its own in J, "
               "so ∂J/∂z_k is the error gradient that Step 2 collected over all paths to the output. And the "
               "input the weight multiplies is the layer's own input: x_t for the first layer.",
        example=f"Example Θ_11[{config.layers[0].name}], as in the handout's (6):",
        chain=chain,
        factors=factors,
        notes=notes,
        warnings=[note for i in hidden for note in _blocked_warnings(config, it, i, fmt, "weights")],
    )


def step5(config: Config, it: Iteration) -> Explanation:
    out = config.layers[-1].name
    has_bias = any(l.bias is not None for l in config.layers)
    notes = ["update_bias: false keeps every bias as it is."] if has_bias and not config.update_bias else []
    if len(it.x) > 1:
        notes.append(f"With {len(it.x)} samples, ∂J/∂Θ is the {config.batch} of the per-sample gradients.")
    if not config.optimizer.plain:  # momentum, Adam, weight decay, ...
        said = optimizer_explanation(config)
        return Explanation(**{**said, "notes": said["notes"] + notes})
    return Explanation(
        formulas=[formulas.update_rule(config.alpha, bias=has_bias and config.update_bias)],
        reason="∂J/∂Θ says how fast J grows when Θ grows. A small step against it, the gradient scaled by the "
               "learning rate α, therefore lowers J, as long as α is small enough not to overshoot. Every "
               "parameter moves at once, with the gradients of the old values; the loss after the update shows "
               "the effect.",
        example=f"Example Θ_11[{out}]:",
        chain=f"Θ_11[{out}] ← Θ_11[{out}] − α · ∂J/∂Θ_11[{out}]   (the gradient from Step 3)",
        notes=notes,
    )


def _hidden(phase: Section) -> int:
    """The hidden layer that a "Step 2" section is about."""
    if phase.layer is None:
        raise ValueError(f"the section {phase.name!r} names no layer")
    return phase.layer


def explain(config: Config, it: Iteration, phase: Section, fmt: NumberFormat) -> Explanation | None:
    """The explanation of the section ``phase``, or None for a step it does not know."""
    known = {
        "Forward pass": lambda: forward(config),
        "Step 1": lambda: step1(config),
        "Step 2": lambda: step2(config, it, _hidden(phase), fmt),
        "Step 3": lambda: step3(config, it, fmt),
        "Step 4": lambda: step4(config, it, fmt),
        "Step 5": lambda: step5(config, it),
    }
    return known[phase.step]() if phase.step in known else None
