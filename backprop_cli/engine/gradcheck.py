"""The gradient check: backpropagation's ∂J/∂Θ against central differences of J, parameter by parameter.

For the samples of the first update, every weight and bias Θ is nudged by ±ε and J computed again; the
central difference (J(Θ+ε) − J(Θ−ε)) / 2ε must agree with the ∂J/∂Θ (∂J/∂b) that Steps 3 and 4 give.
Always in full precision: hand rounding would change J by far more than ε does.

Where a ReLU or leaky-ReLU neuron sits at its kink (p = 0), J has no derivative: backpropagation takes
ReLU'(0) = 0 while the central difference sees half of each side, so the two may rightly differ. Such
neurons are reported by name: every one with |p| ≤ ε, and every one a nudge of ±ε moves across the kink.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

import backprop_cli.engine.steps as steps
from backprop_cli.engine.activations import KINK
from backprop_cli.engine.backprop import Network, batches
from backprop_cli.engine.network import Config
from backprop_cli.errors import BptraceError, one_line

RTOL = 1e-5  # relative agreement asked of backpropagation and the central difference
# J is computed to a few units in the last place; divided by 2ε that is the noise of the difference quotient,
# so two gradients closer than this agree whatever their relative error (gradients of 0, say).
NOISE = 100 * 2.0**-52
KINKED = ("relu", "leaky_relu")


@dataclass(frozen=True)
class Check:
    """One parameter: its layer, 'weight' or 'bias', its index (k, t), (k,) or () for a shared bias."""

    layer: int
    kind: str
    index: tuple[int, ...]
    backprop: float
    numerical: float
    relative_error: float  # |backprop − numerical| / max(|backprop|, |numerical|); 0 when both are 0
    agree: bool
    kink: bool  # a nudge of ±ε moved some ReLU neuron across its kink


@dataclass(frozen=True)
class Kink:
    """A (leaky) ReLU neuron at or near its kink: layer, neuron k, sample (index in the config), p."""

    layer: int
    neuron: int
    sample: int
    p: float


@dataclass(frozen=True)
class GradCheck:
    """The result: every parameter's check, the neurons at a kink, and what was checked with what."""

    config: Config
    eps: float
    samples: tuple[int, ...]  # the samples of the first update
    loss: float  # J over them, before any update
    tolerance: float  # the absolute noise floor of the difference quotient (see NOISE)
    checks: tuple[Check, ...]
    kinks: tuple[Kink, ...]

    @property
    def agree(self) -> bool:
        return all(c.agree for c in self.checks)

    @property
    def differing(self) -> list[Check]:
        return [c for c in self.checks if not c.agree]

    @property
    def largest_error(self) -> float:
        return max((c.relative_error for c in self.checks), default=0.0)


class _Probe:
    """J of the first update's samples with the pre-activations of one layer changed, computed onwards
    from that layer with the network's own activations, weights and loss."""

    def __init__(self, config: Config, indices: np.ndarray) -> None:
        self.net = Network(config, None)
        self.x, self.y = config.x[indices], config.y[indices]
        self.ps, self.zs = (list(values) for values in zip(*self.net.forward(self.x)))

    def loss(self, i: int, p: np.ndarray) -> tuple[float, list[np.ndarray]]:
        """J with layer ``i``'s pre-activations set to ``p``, and the pre-activations from layer i on."""
        net, ps = self.net, [p]
        z = net.activations[i].forward(p)
        for layer, activation in zip(net.layers[i + 1:], net.activations[i + 1:]):
            p, z = steps.forward(layer.weights, layer.bias, activation, z, net.rounding)
            ps.append(p)
        return net.losses(p, z, self.y)[1], ps


def _relative(a: float, b: float) -> float:
    scale = max(abs(a), abs(b))
    return 0.0 if scale == 0 else abs(a - b) / scale


def _moves(probe: _Probe, i: int) -> list[tuple[str, tuple[int, ...], np.ndarray]]:
    """Each parameter of layer ``i`` with ∂p/∂Θ: how a nudge of 1 moves the layer's p (samples × neurons)."""
    layer_in = probe.x if i == 0 else probe.zs[i - 1]
    shape = probe.ps[i].shape
    weights, bias = probe.net.layers[i].weights, probe.net.layers[i].bias
    out: list[tuple[str, tuple[int, ...], np.ndarray]] = []
    for k, t in np.ndindex(*weights.shape):
        move = np.zeros(shape)
        move[:, k] = layer_in[:, t]
        out.append(("weight", (k, t), move))
    if bias is not None and not isinstance(bias, np.ndarray):
        out.append(("bias", (), np.ones(shape)))  # one bias shared by the layer moves every p
    elif bias is not None:
        for k in range(shape[1]):
            move = np.zeros(shape)
            move[:, k] = 1.0
            out.append(("bias", (k,), move))
    return out


def gradcheck(config: Config, eps: float = 1e-6) -> GradCheck:
    """Compare every ∂J/∂Θ and ∂J/∂b of the first update with the central difference of J."""
    indices = batches(config)[0]
    with np.errstate(over="ignore", invalid="ignore"):
        first = Network(config, None).step(1, 1, indices)  # backpropagation, as `bptrace run --exact` shows it
    if not math.isfinite(first.loss):
        raise BptraceError(f"{one_line(config.source)}: the loss of the network as given is not a finite number: its "
                           "values are too large for floating point, so there is no gradient to check")
    probe = _Probe(config, indices)
    kinked = [a.name in KINKED for a in probe.net.activations]
    tolerance = NOISE * max(1.0, abs(first.loss)) / eps
    checks, crossed = [], set()
    for i, step in enumerate(first.layers):
        for kind, index, move in _moves(probe, i):
            up, ps_up = probe.loss(i, probe.ps[i] + eps * move)
            down, ps_down = probe.loss(i, probe.ps[i] - eps * move)
            numerical = (up - down) / (2 * eps)
            backprop = float(np.asarray(step.dJ_dweights if kind == "weight" else step.dJ_dbias)[index])
            here: set[tuple[int, int, int]] = set()
            for j, (a, b) in enumerate(zip(ps_up, ps_down), start=i):
                if kinked[j]:
                    here.update((j, int(s), int(k)) for s, k in zip(*np.nonzero((a > KINK) != (b > KINK))))
            crossed |= here
            error = abs(backprop - numerical)
            checks.append(Check(i, kind, index, backprop, numerical, _relative(backprop, numerical),
                                error <= max(RTOL * max(abs(backprop), abs(numerical)), tolerance), bool(here)))
    near = {(j, int(s), int(k)) for j, p in enumerate(probe.ps) if kinked[j]
            for s, k in zip(*np.nonzero(np.abs(p) <= eps))}
    kinks = tuple(Kink(j, k, int(indices[s]), float(probe.ps[j][s, k])) for j, s, k in sorted(near | crossed))
    return GradCheck(config, eps, tuple(int(s) for s in indices), float(first.loss), tolerance, tuple(checks), kinks)
