"""What makes a network a good exercise to work by hand, judged on the engine's hand-rounded trace.

``broken_rules(config, decimals)`` runs one step of the engine with hand rounding to ``decimals`` (the
numbers the student will write) and returns the keys of ``RULES`` the network breaks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from backprop_cli.engine.backprop import Iteration, Network, trace
from backprop_cli.engine.network import Config
from backprop_cli.engine.rounding import Rounding, decimals_for, round_half_away

KINK_MARGIN = 0.05  # a ReLU p at least this far from 0
SATURATION = 3.0  # a sigmoid, tanh or softmax p no further from 0 than this
# How close (in units of the last digit kept) a number may come to a tie such as 0.305 → 0.31 or 0.30.
TIE_MARGIN = 1e-6

RULES = {
    "kink": f"every ReLU and leaky ReLU p at least {KINK_MARGIN} from the kink at 0",
    "saturation": f"no sigmoid, tanh or softmax saturated (|p| ≤ {SATURATION:g})",
    "inactive": "at least one inactive ReLU neuron (p < 0) in a hidden layer",
    "gradients": "no ∂J/∂Θ or ∂J/∂b that rounds to 0, except through an inactive neuron, "
                 "and in every layer a gradient that does not",
    "ties": "no number that lands on a rounding tie (a 5 just after the last digit kept)",
}


@dataclass(frozen=True)
class _TieWatch(Rounding):
    """Hand rounding to ``digits`` as the engine does it, noting whether a number it rounds sits on a tie.

    On a tie (0.305 to 2 decimals) the last bit of a floating-point product decides the rounding, so the
    computer, another computer and a calculator could disagree; an exercise never asks for one.
    """

    ties: list[float] = field(default_factory=list, compare=False)  # the first number found on a tie

    @property
    def tie(self) -> bool:
        return bool(self.ties)

    def __call__(self, values):
        if not self.ties:
            self.ties.extend(v for v in np.ravel(values).tolist() if _on_tie(v, self.digits))
        return super().__call__(values)


def _on_tie(value: float, n: int) -> bool:
    """Whether hand rounding ``value`` to ``n`` meets a 5 just after the last digit it keeps."""
    if value == 0 or not math.isfinite(value):
        return False
    scaled = abs(value) * 10.0 ** decimals_for(value, n)
    return abs(scaled - math.floor(scaled) - 0.5) < TIE_MARGIN


def broken_rules(config: Config, decimals: int) -> list[str]:
    """The keys of ``RULES`` that ``config`` breaks, worked by hand to ``decimals``.

    The forward pass is judged first, on its own: most candidates fail there, and it is a third of a step.
    """
    watch = _TieWatch(decimals)
    network = Network(config, watch)
    ps = [p for p, _ in network.forward(config.x)]
    broken = [key for key, holds in (("kink", _clear_of_kinks), ("saturation", _unsaturated),
                                     ("inactive", _has_inactive)) if not holds(config, ps)]
    if not broken and not watch.tie:
        step = next(trace(config, network=network))
        if not _gradients_show(config, step, decimals):
            broken.append("gradients")
    if watch.tie:
        broken.append("ties")
    return broken


def _layers_with(config: Config, names: tuple[str, ...], *, hidden: bool = False) -> list[int]:
    last = len(config.layers) - 1
    return [i for i, layer in enumerate(config.layers) if layer.activation in names and not (hidden and i == last)]


def _clear_of_kinks(config: Config, ps: list[np.ndarray]) -> bool:
    return all(np.all(np.abs(ps[i]) >= KINK_MARGIN) for i in _layers_with(config, ("relu", "leaky_relu")))


def _unsaturated(config: Config, ps: list[np.ndarray]) -> bool:
    squashing = ("sigmoid", "tanh", "softmax")
    return all(np.all(np.abs(ps[i]) <= SATURATION) for i in _layers_with(config, squashing))


def _has_inactive(config: Config, ps: list[np.ndarray]) -> bool:
    relu = _layers_with(config, ("relu",), hidden=True)
    return not relu or any(np.any(ps[i] <= 0) for i in relu)


def _blocked(config: Config, step: Iteration, index: int) -> np.ndarray:
    """Per neuron of layer ``index``: whether g'(p) is 0 there (an inactive ReLU), so no gradient flows."""
    act = config.layers[index].act
    p = step.passes[index].p[0]
    if act.elementwise and act.derivative is not None:
        return act.derivative(p) == 0
    return np.zeros(p.shape, dtype=bool)


def _shows(value: float, decimals: int) -> bool:
    return round_half_away(float(value), decimals) != 0


def _gradients_show(config: Config, step: Iteration, decimals: int) -> bool:
    """Every ∂J/∂Θ_kt and ∂J/∂b_k is non-zero at ``decimals`` unless neuron k is blocked or input t is 0;
    every layer has at least one that is."""
    for index, layer_step in enumerate(step.layers):
        blocked = _blocked(config, step, index)
        silent = step.layer_input(index)[0] == 0
        shown = [[_shows(g, decimals) for g in row] for row in layer_step.dJ_dweights]
        if any(not shown[k][t] and not (blocked[k] or silent[t])
               for k in range(len(shown)) for t in range(len(shown[k]))):
            return False
        learns = any(map(any, shown))
        if layer_step.bias is not None and layer_step.dJ_dbias is not None:  # a bias has its gradient
            bias_grads = np.atleast_1d(layer_step.dJ_dbias)
            bias_blocked = [bool(np.all(blocked))] if layer_step.shared_bias else blocked
            bias_shown = [_shows(g, decimals) for g in bias_grads]
            if any(not s and not b for s, b in zip(bias_shown, bias_blocked)):
                return False
            learns = learns or any(bias_shown)
        if not learns:
            return False
    return True
