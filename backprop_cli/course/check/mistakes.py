"""Known mistakes of a hand calculation, each a variant of the handout's rules for the step it is made in.

``mistakes_for(q, problem)`` lists the mistakes that can be made in computing quantity ``q``, in the order
they are tried. The marking recomputes a wrong answer under each (from the person's own earlier numbers)
and names the first that reproduces it. The list:

- J: ½·Σ(z − y)² where the loss is the plain sum of squares (also J after the update).
- Step 1: the factor 2 of a squared error forgotten; the sign turned (y − z for z − y).
- Steps 2-4, where g'(p) is a factor: z = σ(p) (or tanh(p)) used for the derivative; the derivative taken
  at z instead of p; g'(p) left out (sigmoid, tanh); ReLU'(p) (or LReLU'(p)) taken as 1 for p ≤ 0.
- The forward pass and Step 2: Θ_tk used for Θ_kt (transposed weights, square matrices only).
- Step 2: the updated weights of Step 5 used; the sum over k left out (one term only, each k is tried).
- Steps 3-4: x and the z of the hidden layer swapped (where their sizes allow it).
- The forward pass and Steps 1-4: two neurons of a layer swapped (the value of the other neuron written).
- Step 5: no update at all (the old weight copied); +α · ∂J/∂Θ; α misread as α/10, 10·α or 1 (α left out).

A number truncated instead of rounded is recognised by the marking itself (``TRUNCATED``): it is no
variant of a rule.

Most of these are a rule worked wrongly, which a person who holds it does at every place of the step it
changes; the marking names them only where they show so (``marking.name_mistakes``). ``AT_ONE_PLACE`` are
slips of one place (a term, a neuron, a copied weight), named where they are made.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from backprop_cli.course.check.chain import Problem, Rules
from backprop_cli.course.check.sheet import Quantity
from backprop_cli.engine.activations import Activation
from backprop_cli.model.losses import output_error
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.render.unicode import neuron_text as neuron
from backprop_cli.render.unicode import spell

SQUARED_ERRORS = ("sse", "mse")  # the losses whose gradient has a factor 2
DIFFERENCES = ("sse", "half_sse", "mse")  # the losses whose gradient is a multiple of z − y
SMOOTH = ("sigmoid", "tanh")  # activations whose derivative differs at z and at p, and from z itself
KINKED = ("relu", "leaky_relu")
AT_ONE_PLACE = ("sum-left-out", "neurons-swapped", "no-update")  # slips of one place, not rules of a step


@dataclass(frozen=True)
class Mistake:
    """One known mistake: a name that stays the same (for programs), what is said, and its rules."""

    name: str
    diagnosis: str
    rules: Rules


def _derivative_mistakes(act: Activation) -> Iterator[Mistake]:
    """The mistakes in g'(p) of ``act``."""
    if act.name in SMOOTH:
        said = f"z = {act.symbol} used for the derivative {act.derivative_text('p')}"
        yield Mistake("z-for-derivative", said, Rules(derivative=lambda g, p, z: g.forward(p)))
        yield Mistake("z-for-derivative", said, Rules(derivative=lambda g, p, z: z))
        yield Mistake("derivative-at-z", "the derivative taken at z instead of p: "
                      + act.derivative_text("z"), Rules(derivative=lambda g, p, z: g.slope(z)))
    if act.name in SMOOTH:
        yield Mistake("derivative-left-out", f"the derivative {act.derivative_text('p')} left out",
                      Rules(derivative=lambda g, p, z: np.ones_like(p)))
    if act.name in KINKED:
        below = f"{float(act.slope(np.array([-1.0]))[0]):g}"  # 0, or the slope of leaky_relu
        said = f"{act.derivative_text('p')} taken as 1 for p ≤ 0 (it is {below} there)"
        yield Mistake("derivative-one", said, Rules(derivative=lambda g, p, z: np.ones_like(p)))


def _square(weights) -> bool:
    return weights.shape[0] == weights.shape[1]


TRANSPOSED = "Θ_tk used for Θ_kt (the weight matrix transposed)"
SWAPPED = "x and the z of the hidden layer swapped between Steps 3 and 4"


def _step2(q: Quantity, pb: Problem) -> Iterator[Mistake]:
    layers, l = pb.config.layers, q.in_layer
    nxt = layers[l + 1]
    if not pb.shown[l + 1]:
        yield from _derivative_mistakes(nxt.act)
    if _square(nxt.weights):
        yield Mistake("transposed", TRANSPOSED, Rules(transposed=True))
    yield Mistake("updated-weights", "the updated weights of Step 5 used in Step 2 (it takes the weights before "
                  "the update)", Rules(updated_weights=True))
    if nxt.width > 1:
        for k in range(nxt.width):
            yield Mistake("sum-left-out", f"the sum over k in Step 2 left out: only the term of {neuron(k, nxt.name)}",
                          Rules(only_term=k))


def _gradient(q: Quantity, pb: Problem) -> Iterator[Mistake]:
    layers, l = pb.config.layers, q.in_layer
    if not pb.shown[l]:
        yield from _derivative_mistakes(layers[l].act)
    if q.kind != "dJ_dweights":
        return
    inputs = pb.x.shape[1]
    if l == 0 and layers[0].width == inputs:
        yield Mistake("x-z-swapped", f"z[{layers[0].name}] used for x: {SWAPPED}", Rules(swapped_input=True))
    elif l > 0 and layers[l - 1].width == inputs:
        yield Mistake("x-z-swapped", f"x used for z[{layers[l - 1].name}]: {SWAPPED}", Rules(swapped_input=True))


def _swapped(q: Quantity, pb: Problem) -> Iterator[Mistake]:
    """The value of another neuron of the layer written for this one (its row, for a weight gradient)."""
    layer = pb.config.layers[q.in_layer]
    if not q.index or layer.width < 2:
        return
    k = q.index[0]
    what = "the row" if len(q.index) == 2 else "the value"
    for other in range(layer.width):
        if other != k:
            mine, theirs = neuron(k, layer.name), neuron(other, layer.name)
            yield Mistake("neurons-swapped", f"{mine} and {theirs} swapped: {what} of {theirs} written for {mine}",
                          Rules(neuron=other))


def _update(pb: Problem) -> Iterator[Mistake]:
    yield Mistake("no-update", "no update: the weight before the update copied, not Θ − α · ∂J/∂Θ",
                  Rules(alpha=0.0))
    yield Mistake("plus-alpha", "+α · ∂J/∂Θ: the update goes against the gradient, Θ − α · ∂J/∂Θ",
                  Rules(update_sign=1.0))
    alpha = pb.config.alpha
    given = NumberFormat().given
    for misread in (alpha / 10, alpha * 10, 1.0):
        if misread != alpha:
            yield Mistake("alpha-misread", f"α misread: {given(misread)} used for α = {given(alpha)}",
                          Rules(alpha=misread))


def mistakes_for(q: Quantity, pb: Problem) -> Iterator[Mistake]:
    """The known mistakes in computing ``q``, in the order they are tried."""
    last = len(pb.config.layers) - 1
    loss = pb.config.loss
    if q.kind in ("loss", "loss_after") and loss == "sse" and (q.kind == "loss_after" or q.sample is not None):
        yield Mistake("half-sse", "J taken as ½ · Σ_k (z_k − y_k)²: the loss here is Σ_k (z_k − y_k)², without ½",
                      Rules(loss_factor=0.5))
    if q.kind == "dJ_dz" and q.layer == last:
        formula = spell(output_error(loss), NumberFormat())
        if loss in SQUARED_ERRORS:
            yield Mistake("factor-2", f"the factor 2 of the squared error forgotten: {formula}",
                          Rules(gradient_factor=0.5))
        said = f"sign: z − y, not y − z ({formula})" if loss in DIFFERENCES else f"sign turned: {formula}"
        yield Mistake("step1-sign", said, Rules(gradient_factor=-1.0))
    elif q.kind == "dJ_dp" and q.layer == last:
        yield Mistake("step1-sign", "sign turned: ∂J/∂p is the one Step 1 shows, not its negative",
                      Rules(delta_sign=-1.0))
    elif q.kind == "dJ_dz":
        yield from _step2(q, pb)
    elif q.kind == "p" and _square(pb.config.layers[q.in_layer].weights):
        yield Mistake("transposed", TRANSPOSED, Rules(transposed=True))
    elif q.kind in ("dJ_dweights", "dJ_dbias"):
        yield from _gradient(q, pb)
    elif q.kind in ("new_weights", "new_bias"):
        yield from _update(pb)
    if q.kind in ("p", "z", "dJ_dz", "dJ_dp", "dJ_dweights", "dJ_dbias"):
        yield from _swapped(q, pb)
