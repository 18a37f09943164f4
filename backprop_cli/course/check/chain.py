"""Each quantity of the first update recomputed from the numbers it is computed from.

``recompute(q, values, problem, rules, r)`` computes one quantity the way a person does on paper: from the
numbers of the step before as ``values`` holds them (the numbers a person wrote, the key where they left a
blank), by one small pure function per kind of quantity. The formulas are those of the activation and loss
registries. ``rules`` are the handout's (``HANDOUT``) or a known mistake's variant of one of them (see
mistakes.py); ``r`` rounds the intermediate numbers a person does not write on the sheet or keeps them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from backprop_cli.course.check.sheet import Quantity
from backprop_cli.engine.activations import Activation
from backprop_cli.engine.backprop import Iteration
from backprop_cli.engine.losses import LOSSES, Loss
from backprop_cli.engine.network import Config
from backprop_cli.engine.rounding import hand_round, round_half_away

Rounder = Callable[[np.ndarray], np.ndarray]


def scalar(value) -> float:
    """A number of a recomputation as a Python float (or, where recipe.py records the recomputation, the
    expression it stands for): ``float()`` of a numpy scalar or 0-d array."""
    return np.asarray(value).item()


def _keep(values: np.ndarray) -> np.ndarray:
    return values


@dataclass(frozen=True)
class Rounding:
    """How the numbers a quantity is computed through, but that the sheet does not ask for, are taken."""

    results: Rounder = _keep  # per-sample gradients of a batch, p and z of the forward pass after the update
    factors: Rounder = _keep  # g'(p), where it is a factor


exact = Rounding()  # a calculator's memory


def by_hand(digits: int, results: bool = True, factors: bool = False, strict: bool = False) -> Rounding:
    """Rounded to ``digits`` as bptrace's hand rounding rounds: the ``results`` it rounds, and (``factors``)
    g'(p) as well, which a person may write down before multiplying (σ'(−0.85) ≈ 0.21). ``strict``: to
    ``digits`` decimals whatever the size (0.0768 → 0.08 for 2), as a person who always keeps N decimals."""
    n = max(1, min(digits, 15))

    def rounded(values: np.ndarray) -> np.ndarray:
        if strict:
            flat = [round_half_away(v, n) for v in np.asarray(values, dtype=float).ravel().tolist()]
            return np.array(flat, dtype=float).reshape(np.shape(values))
        return hand_round(np.asarray(values, dtype=float), n)

    return Rounding(rounded if results else _keep, rounded if factors else _keep)


def _derivative(act: Activation, p: np.ndarray, z: np.ndarray) -> np.ndarray:
    """g'(p), as the handout takes it."""
    return act.slope(p)


@dataclass(frozen=True)
class Rules:
    """How each quantity is computed: the handout's rules, unless a known mistake changes one of them."""

    derivative: Callable[[Activation, np.ndarray, np.ndarray], np.ndarray] = _derivative  # (g, p, z) → g'(p)
    gradient_factor: float = 1.0  # ½: the factor 2 of a squared error forgotten in Step 1; −1: y − z for z − y
    delta_sign: float = 1.0  # −1: y − z for z − y in the ∂J/∂p that Step 1 shows
    loss_factor: float = 1.0  # ½: J as ½·Σ(z − y)² where the loss is the plain sum of squares
    transposed: bool = False  # Θ_tk for Θ_kt, in p and in Step 2
    updated_weights: bool = False  # Step 2 with the new weights of Step 5
    only_term: int | None = None  # Step 2 with the one term k of the sum over k
    swapped_input: bool = False  # Steps 3-4: x for the z of the layer before, the layer's own z for x
    update_sign: float = -1.0  # +1: Θ + α·∂J/∂Θ
    alpha: float | None = None  # α as misread (0: no update at all); None: the config's
    neuron: int | None = None  # the value of this neuron of the layer written for the one asked (neurons swapped)


HANDOUT = Rules()


@dataclass(frozen=True)
class Problem:
    """What every recomputation needs besides the numbers: the config, the samples of the first update and
    which layers show ∂J/∂p as a number of its own (softmax, and the exact forms of cross-entropy and bce)."""

    config: Config
    x: np.ndarray  # (samples, inputs)
    y: np.ndarray
    shown: tuple[bool, ...]

    @staticmethod
    def of(config: Config, key: Iteration) -> Problem:
        return Problem(config, key.x, key.y, tuple(lp.dJ_dp_shown for lp in key.passes))

    @property
    def samples(self) -> range:
        return range(len(self.x))

    def act(self, l: int) -> Activation:
        """The activation of layer ``l``."""
        return self.config.layers[l].act

    @property
    def loss(self) -> Loss:
        """The config's loss."""
        return LOSSES[self.config.loss]

    def combine(self, terms: list[float]) -> float:
        """Per-sample terms combined as the config's ``batch`` says: their mean or their sum."""
        total = scalar(np.sum(terms))
        return total / len(terms) if self.config.batch == "mean" else total


class Values:
    """Every quantity of the first update: the key, with a person's answers put in its place."""

    def __init__(self, key: Iteration) -> None:
        self.arrays: dict[tuple, np.ndarray] = {}
        for l, (lp, st) in enumerate(zip(key.passes, key.layers)):
            for s in range(len(key.x)):
                for kind in ("p", "z", "dJ_dz", "dJ_dp"):
                    self.arrays[(kind, s, l)] = np.array(getattr(lp, kind)[s], dtype=float)
            for kind in ("dJ_dweights", "new_weights", "dJ_dbias", "new_bias"):
                value = getattr(st, kind)
                if value is not None:
                    self.arrays[(kind, None, l)] = np.array(value, dtype=float)
        for s, loss in enumerate(key.sample_losses):
            self.arrays[("loss", s, None)] = np.array(float(loss))
        if len(key.x) > 1:
            self.arrays[("loss", None, None)] = np.array(float(key.loss))
        self.arrays[("loss_after", None, None)] = np.array(float(key.loss_after))

    def copy(self) -> Values:
        other = Values.__new__(Values)
        other.arrays = {name: array.copy() for name, array in self.arrays.items()}
        return other

    def get(self, q: Quantity) -> float:
        return float(self.arrays[(q.kind, q.sample, q.layer)][q.index])

    def set(self, q: Quantity, value: float) -> None:
        self.arrays[(q.kind, q.sample, q.layer)][q.index] = value

    def of(self, kind: str, sample: int | None, layer: int | None) -> np.ndarray:
        """The vector (or matrix) of ``kind`` in ``layer`` of ``sample``."""
        return self.arrays[(kind, sample, layer)]


# --------------------------------------------------------------------------------------------------
# One function per kind of quantity: (q, values, problem, rules, r) → the value.


def _layer_input(v: Values, pb: Problem, s: int, l: int, rules: Rules = HANDOUT) -> np.ndarray:
    """What layer l received in sample s: x, or the z of the layer before (swapped by that mistake)."""
    if rules.swapped_input:
        return v.of("z", s, 0) if l == 0 else pb.x[s]
    return pb.x[s] if l == 0 else v.of("z", s, l - 1)


def _bias(bias, k: int) -> float:
    if bias is None:
        return 0.0
    return scalar(bias) if np.ndim(bias) == 0 else scalar(bias[k])


def preactivation(q: Quantity, v: Values, pb: Problem, rules: Rules, r: Rounding) -> float:
    """p_k = Σ_t Θ_kt · z_t + b_k."""
    layer = pb.config.layers[q.in_layer]
    k = q.index[0]
    row = layer.weights[:, k] if rules.transposed else layer.weights[k]
    return scalar(row @ _layer_input(v, pb, q.in_sample, q.in_layer)) + _bias(layer.bias, k)


def activation(q: Quantity, v: Values, pb: Problem, rules: Rules, r: Rounding) -> float:
    """z_k = g(p)_k."""
    return scalar(pb.act(q.in_layer).forward(v.of("p", q.sample, q.layer))[q.index[0]])


def _sample_loss(pb: Problem, z: np.ndarray, s: int, rules: Rules = HANDOUT) -> float:
    return rules.loss_factor * scalar(pb.loss.value(z[None, :], pb.y[s][None, :])[0])


def loss(q: Quantity, v: Values, pb: Problem, rules: Rules, r: Rounding) -> float:
    """J of one sample from its output z; J over the samples from theirs."""
    if q.sample is not None:
        return _sample_loss(pb, v.of("z", q.sample, len(pb.config.layers) - 1), q.sample, rules)
    return pb.combine([scalar(v.of("loss", s, None)) for s in pb.samples])


def _delta(v: Values, pb: Problem, s: int, l: int, rules: Rules, r: Rounding) -> np.ndarray:
    """∂J/∂p of layer l: the number Step 1 shows, or ∂J/∂z · g'(p) (g'(p) as the rules take it)."""
    if pb.shown[l]:
        return v.of("dJ_dp", s, l)
    act = pb.act(l)
    return v.of("dJ_dz", s, l) * r.factors(rules.derivative(act, v.of("p", s, l), v.of("z", s, l)))


def error(q: Quantity, v: Values, pb: Problem, rules: Rules, r: Rounding) -> float:
    """∂J/∂z: from the loss in the output layer (Step 1); Σ_k ∂J/∂p_k · Θ_kt in a hidden one (Step 2)."""
    s, l, k = q.in_sample, q.in_layer, q.index[0]
    layers = pb.config.layers
    if l == len(layers) - 1:
        gradient = pb.loss.gradient(v.of("z", s, l)[None, :], pb.y[s][None, :])[0]
        return rules.gradient_factor * scalar(gradient[k])
    theta = v.of("new_weights", None, l + 1) if rules.updated_weights else layers[l + 1].weights
    column = theta[k, :] if rules.transposed else theta[:, k]
    terms = _delta(v, pb, s, l + 1, rules, r) * column
    if rules.only_term is not None:
        terms = terms[rules.only_term:rules.only_term + 1]
    return scalar(np.sum(terms))


def output_delta(q: Quantity, v: Values, pb: Problem, rules: Rules, r: Rounding) -> float:
    """∂J/∂p of the output layer where Step 1 shows it: the loss's short form (z − y), else the Jacobian
    product Σ_j ∂J/∂z_j · z_j·(δ_jk − z_k) of softmax."""
    s, l = q.in_sample, q.in_layer
    act = pb.act(l)
    p, z = v.of("p", s, l)[None, :], v.of("z", s, l)[None, :]
    form = pb.loss.fused.get(act.name)
    if form is not None:
        value = form.gradient(p, z, pb.y[s][None, :])
    else:
        value = act.backward(p, z, v.of("dJ_dz", s, l)[None, :])
    return rules.delta_sign * scalar(value[0][q.index[0]])


def _combined(pb: Problem, terms: list[float], r: Rounding) -> float:
    """The batch combination of per-sample terms; by hand each term is rounded first, as written down."""
    return pb.combine([scalar(r.results(np.array(t))) for t in terms] if len(terms) > 1 else terms)


def weight_gradient(q: Quantity, v: Values, pb: Problem, rules: Rules, r: Rounding) -> float:
    """∂J/∂Θ_kt = ∂J/∂p_k · z_t (x_t in the first layer), combined over the samples."""
    l, (k, t) = q.in_layer, q.index
    return _combined(pb, [scalar(_delta(v, pb, s, l, rules, r)[k] * _layer_input(v, pb, s, l, rules)[t])
                          for s in pb.samples], r)


def bias_gradient(q: Quantity, v: Values, pb: Problem, rules: Rules, r: Rounding) -> float:
    """∂J/∂b_k = ∂J/∂p_k; a bias shared by the layer takes Σ_k ∂J/∂p_k. Combined over the samples."""
    l = q.in_layer
    deltas = [_delta(v, pb, s, l, rules, r) for s in pb.samples]
    return _combined(pb, [scalar(np.sum(d)) if not q.index else scalar(d[q.index[0]]) for d in deltas], r)


def new_parameter(q: Quantity, v: Values, pb: Problem, rules: Rules, r: Rounding) -> float:
    """Θ − α · ∂J/∂Θ (and b likewise), from the gradient of Steps 3-4."""
    layer = pb.config.layers[q.in_layer]
    if q.kind == "new_weights":
        old, gradient = layer.weights[q.index], v.of("dJ_dweights", None, q.layer)[q.index]
    else:
        old, gradient = _bias(layer.bias, q.index[0] if q.index else 0), v.of("dJ_dbias", None, q.layer)[q.index]
    alpha = pb.config.alpha if rules.alpha is None else rules.alpha
    return scalar(old + rules.update_sign * alpha * gradient)


def loss_after(q: Quantity, v: Values, pb: Problem, rules: Rules, r: Rounding) -> float:
    """J with the new parameters of Step 5: a second forward pass (by hand, p and z rounded)."""
    layers = pb.config.layers
    terms = []
    for s in pb.samples:
        z = pb.x[s]
        for l, layer in enumerate(layers):
            bias = v.arrays.get(("new_bias", None, l), 0.0)  # the key's new bias is the old one if not updated
            p = r.results(v.of("new_weights", None, l) @ z + bias)
            z = r.results(pb.act(l).forward(p))
        terms.append(_sample_loss(pb, z, s, rules))
    return pb.combine(terms)


RECOMPUTE: dict[str, Callable[[Quantity, Values, Problem, Rules, Rounding], float]] = {
    "p": preactivation,
    "z": activation,
    "loss": loss,
    "dJ_dz": error,
    "dJ_dp": output_delta,
    "dJ_dweights": weight_gradient,
    "dJ_dbias": bias_gradient,
    "new_weights": new_parameter,
    "new_bias": new_parameter,
    "loss_after": loss_after,
}


def recompute(q: Quantity, v: Values, pb: Problem, rules: Rules = HANDOUT, r: Rounding = exact) -> float:
    """Quantity ``q`` computed from the numbers in ``v`` by ``rules``, intermediate results rounded by ``r``."""
    if rules.neuron is not None:
        q = replace(q, index=(rules.neuron,) + q.index[1:])
    return RECOMPUTE[q.kind](q, v, pb, rules, r)
