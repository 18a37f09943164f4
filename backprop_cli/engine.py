"""The computation: forward pass, backpropagation and updates (optimizers.py for all but plain gradient
descent), as plain data.

``trace(config)`` yields one ``Iteration`` per update. Every array is computed for all samples of an
update at once (rows are samples). The engine knows nothing of tables, JSON or terminals.

With hand rounding N, every quantity a table shows as a result (p, z, J, ∂J/∂z, ∂J/∂Θ, ∂J/∂b, and
∂J/∂p where Step 1 shows it: softmax, and the exact forms of cross-entropy and bce) is rounded as a
person would, and every later step uses the rounded value; g'(p) is evaluated on the
rounded p and not rounded itself; the new parameters are computed from the rounded gradients (and an
optimizer's shown state, such as Adam's m and v, is rounded too).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterator

import numpy as np

from backprop_cli.activations import Activation
from backprop_cli.network import Config, Layer, Parameters, is_shared
from backprop_cli.losses import LOSSES
from backprop_cli.optimizers import LayerState
from backprop_cli.rounding import hand_round


@dataclass(frozen=True)
class LayerPass:
    """One layer for all samples of an update: arrays of shape (samples, neurons)."""

    name: str
    p: np.ndarray
    z: np.ndarray
    dJ_dz: np.ndarray
    dJ_dp: np.ndarray
    # ∂J/∂p is a result of its own, shown in Step 1 and used as one number by Steps 2 and 3 (and so
    # hand-rounded): for an activation that is not element-wise, or an output whose loss has an exact form.
    # Otherwise it is the product ∂J/∂z · g'(p) that those steps write out.
    dJ_dp_shown: bool = False


@dataclass(frozen=True)
class LayerStep(Parameters):
    """One layer's parameters, their gradient combined over the samples, and their new values."""

    name: str
    activation: str
    weights: np.ndarray
    dJ_dweights: np.ndarray
    new_weights: np.ndarray
    bias: np.ndarray | float | None
    dJ_dbias: np.ndarray | float | None
    new_bias: np.ndarray | float | None
    # Per-sample gradients (samples, neurons, inputs) and (samples, neurons) or (samples,); kept only
    # when hand rounding makes them differ from what the passes give (see Iteration.sample_gradients).
    sample_dJ_dweights: np.ndarray | None = None
    sample_dJ_dbias: np.ndarray | None = None
    # The optimizer's state of the layer after and before this update (None for plain gradient descent).
    state: LayerState | None = None
    state_before: LayerState | None = None


@dataclass(frozen=True)
class Iteration:
    """One update: the forward and backward pass over its samples, then the step of every layer."""

    number: int  # 1-based
    epoch: int  # 1-based
    sample_indices: np.ndarray  # which samples of the config, in order
    x: np.ndarray  # (samples, inputs)
    y: np.ndarray  # (samples, outputs)
    sample_losses: np.ndarray  # (samples,)
    loss: float  # J over the samples, combined by the batch mode
    loss_after: float  # the same J with the new parameters
    passes: tuple[LayerPass, ...]  # forward order
    steps: tuple[LayerStep, ...]  # forward order

    def layer_input(self, index: int) -> np.ndarray:
        """What layer ``index`` received: x for the first layer, else the previous layer's z."""
        return self.x if index == 0 else self.passes[index - 1].z

    def sample_gradients(self, index: int, sample: int) -> tuple[np.ndarray, np.ndarray | float | None]:
        """∂J/∂Θ and ∂J/∂b of one sample alone, for layer ``index`` (the terms a batch combines)."""
        step = self.steps[index]
        if step.sample_dJ_dweights is not None:
            bias = None if step.sample_dJ_dbias is None else step.sample_dJ_dbias[sample]
            return step.sample_dJ_dweights[sample], bias
        dJ_dp = self.passes[index].dJ_dp[sample]
        weights = np.outer(dJ_dp, self.layer_input(index)[sample])
        return weights, _bias_gradient(step.bias, dJ_dp)


def _bias_gradient(bias: np.ndarray | float | None, dJ_dp: np.ndarray) -> np.ndarray | float | None:
    """∂J/∂b from ∂J/∂p (last axis = neurons): per neuron, or summed for one shared bias."""
    if bias is None:
        return None
    if not is_shared(bias):
        return dJ_dp
    shared = np.sum(dJ_dp, axis=-1)
    return float(shared) if np.ndim(shared) == 0 else shared


class Network:
    """The parameters being trained, with the functions bound to them."""

    def __init__(self, config: Config, hand_rounding: int | None) -> None:
        self.config = config
        self.activations: list[Activation] = [layer.act for layer in config.layers]
        self.loss = LOSSES[config.loss]
        self.n = hand_rounding
        self.weights = [layer.weights for layer in config.layers]
        self.biases = [layer.bias for layer in config.layers]
        self.states: list[LayerState | None] = list(
            config.optimizer_state or config.optimizer.initial_states(config.layers, config.update_bias))

    def r(self, values):
        """Hand-round (a no-op without hand rounding)."""
        if self.n is None:
            return values
        rounded = hand_round(np.asarray(values, dtype=float), self.n)
        return float(rounded) if np.ndim(values) == 0 else rounded

    def combine(self, values: np.ndarray) -> np.ndarray:
        """Per-sample values (first axis) combined by the batch mode."""
        # The sum divided by the count is what np.mean computes, bit for bit, without its overhead per call
        # (it adds up over a long training run).
        total = np.add.reduce(np.asarray(values, dtype=float), axis=0)
        return total / len(values) if self.config.batch == "mean" else total

    def forward(self, x: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        ps, zs, z = [], [], x
        for weights, bias, activation in zip(self.weights, self.biases, self.activations):
            p = z @ weights.T
            if bias is not None:
                p = p + bias
            p = self.r(p)
            z = self.r(activation.forward(p))
            ps.append(p)
            zs.append(z)
        return ps, zs

    def exact_output(self, p: np.ndarray, z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """J per sample and ∂J/∂p of the output layer where the loss has an exact form for its activation
        (cross-entropy on softmax, bce on sigmoid, ...: no log of 0, ∂J/∂p = z − y), else None."""
        return self.loss.exact(self.activations[-1].name, p, z, y, by_hand=self.n is not None)

    def losses(self, p: np.ndarray, z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
        """J per sample and combined, from the output layer's p and z; exactly from p where the loss can
        (see exact_output), so a saturated output still gives its true loss."""
        exact = self.exact_output(p, z, y)
        per_sample = self.r(self.loss.value(z, y) if exact is None else exact[0])
        return per_sample, float(self.r(self.combine(per_sample)))

    def step(self, number: int, epoch: int, indices: np.ndarray) -> Iteration:
        """Forward pass, backpropagation and update over the samples ``indices``."""
        x, y = self.config.x[indices], self.config.y[indices]
        ps, zs = self.forward(x)
        sample_losses, loss = self.losses(ps[-1], zs[-1], y)
        dJ_dz = self.r(self.loss.gradient(zs[-1], y))
        count = len(self.weights)
        passes: list[LayerPass] = [None] * count  # type: ignore[list-item]
        steps: list[LayerStep] = [None] * count  # type: ignore[list-item]
        for i in reversed(range(count)):
            layer_in = x if i == 0 else zs[i - 1]
            exact = self.exact_output(ps[i], zs[i], y) if i == count - 1 else None
            if exact is not None:
                dJ_dp = exact[1]  # e.g. z − y, from the (rounded) z
            else:
                dJ_dp = self.activations[i].backward(ps[i], zs[i], dJ_dz)
            shown = exact is not None or not self.activations[i].elementwise
            if shown:
                dJ_dp = self.r(dJ_dp)
            passes[i] = LayerPass(self.config.layers[i].name, ps[i], zs[i], dJ_dz, dJ_dp, shown)
            weights, bias = self.weights[i], self.biases[i]
            sample_w = sample_b = None
            if self.n is None:
                scale = 1.0 / len(indices) if self.config.batch == "mean" else 1.0
                grad_w = (dJ_dp.T @ layer_in) * scale
                grad_b = _bias_gradient(bias, dJ_dp)
                grad_b = None if grad_b is None else self.combine(np.asarray(grad_b))
            else:
                sample_w = self.r(dJ_dp[:, :, None] * layer_in[:, None, :])
                grad_w = self.r(self.combine(sample_w))
                sample_b = None if bias is None else self.r(np.asarray(_bias_gradient(bias, dJ_dp)))
                grad_b = None if sample_b is None else self.r(self.combine(sample_b))
            if is_shared(bias):
                grad_b = float(grad_b)
            new_w, new_b, state = self.update(i, weights, grad_w, bias, grad_b)
            steps[i] = LayerStep(
                name=self.config.layers[i].name, activation=self.config.layers[i].activation,
                weights=weights, dJ_dweights=grad_w, new_weights=new_w,
                bias=bias, dJ_dbias=grad_b, new_bias=new_b,
                sample_dJ_dweights=sample_w, sample_dJ_dbias=sample_b,
                state=state, state_before=self.states[i],
            )
            if i > 0:
                dJ_dz = self.r(dJ_dp @ weights)
        self.weights = [s.new_weights for s in steps]
        self.biases = [s.new_bias for s in steps]
        self.states = [s.state for s in steps]
        ps_after, zs_after = self.forward(x)
        _, loss_after = self.losses(ps_after[-1], zs_after[-1], y)
        return Iteration(
            number=number, epoch=epoch, sample_indices=indices, x=x, y=y,
            sample_losses=sample_losses, loss=loss, loss_after=loss_after,
            passes=tuple(passes), steps=tuple(steps),
        )

    def update(self, i: int, weights: np.ndarray, grad_w: np.ndarray, bias, grad_b):
        """Step 5 for layer ``i``: (new weights, new bias, the optimizer's state after the update).

        Plain gradient descent is Θ ← Θ − α·∂J/∂Θ; any other optimizer (or weight decay) takes its step
        from optimizers.py with the layer's state from the update before. ``update_bias: false`` keeps
        the bias, and no state for it.
        """
        alpha, spec = self.config.alpha, self.config.optimizer
        frozen = bias is None or not self.config.update_bias
        if spec.plain:
            return weights - alpha * grad_w, bias if frozen else bias - alpha * grad_b, None
        new_w, new_b, state = spec.update_layer(self.states[i], alpha, weights, grad_w,
                                                None if frozen else (bias, grad_b), None if self.n is None else self.r)
        return new_w, bias if frozen else new_b, state

    def updated_config(self) -> Config:
        """The config with the current parameters, as a new starting point."""
        layers = tuple(
            Layer(name=l.name, activation=l.activation, weights=w, bias=b, negative_slope=l.negative_slope)
            for l, w, b in zip(self.config.layers, self.weights, self.biases)
        )
        states = tuple(self.states) if self.config.optimizer.keeps_state else None
        return replace(self.config, layers=layers, optimizer_state=states)


def batches(config: Config) -> list[np.ndarray]:
    """The sample indices of each update in one epoch, in order."""
    count = config.x.shape[0]
    size = config.batch_size or count
    return [np.arange(start, min(start + size, count)) for start in range(0, count, size)]


def trace(config: Config, *, hand_rounding: int | None = None, network: Network | None = None) -> Iterator[Iteration]:
    """Yield every update of the run: ``config.epochs`` passes over the samples.

    Pass a ``network`` (made with the hand rounding to use) to read its parameters (``updated_config()``)
    after the run.
    """
    net = network or Network(config, hand_rounding)
    number = 0
    for epoch in range(1, config.epochs + 1):
        for indices in batches(config):
            number += 1
            yield net.step(number, epoch, indices)
