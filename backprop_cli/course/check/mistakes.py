"""Known mistakes of a hand calculation, each a variant of the handout's rules for the step it is made in.

``mistakes_for(q, problem)`` lists the mistakes that can be made in computing quantity ``q``, in the order
they are tried. The marking recomputes a wrong answer under each (from the person's own earlier numbers)
and names the first that reproduces it. The list:

- Step 1: the factor 2 of a squared error forgotten.
- Steps 2-4, where g'(p) is a factor: z = σ(p) (or tanh(p)) used for the derivative; the derivative taken
  at z instead of p; ReLU'(p) (or LReLU'(p)) taken as 1 for p ≤ 0.
- The forward pass and Step 2: Θ_tk used for Θ_kt (transposed weights, square matrices only).
- Step 2: the updated weights of Step 5 used; the sum over k left out (one term only, each k is tried).
- Steps 3-4: x and the z of the hidden layer swapped (where their sizes allow it).
- Step 5: +α · ∂J/∂Θ; α misread as α/10, 10·α or 1 (α left out).
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
SMOOTH = ("sigmoid", "tanh")  # activations whose derivative differs at z and at p, and from z itself
KINKED = ("relu", "leaky_relu")


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


def _update(pb: Problem) -> Iterator[Mistake]:
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
    if q.kind == "dJ_dz" and q.layer == last and pb.config.loss in SQUARED_ERRORS:
        formula = spell(output_error(pb.config.loss), NumberFormat())
        yield Mistake("factor-2", f"the factor 2 of the squared error forgotten: {formula}", Rules(gradient_factor=0.5))
    elif q.kind == "dJ_dz" and q.in_layer < last:
        yield from _step2(q, pb)
    elif q.kind == "p" and _square(pb.config.layers[q.in_layer].weights):
        yield Mistake("transposed", TRANSPOSED, Rules(transposed=True))
    elif q.kind in ("dJ_dweights", "dJ_dbias"):
        yield from _gradient(q, pb)
    elif q.kind in ("new_weights", "new_bias"):
        yield from _update(pb)
