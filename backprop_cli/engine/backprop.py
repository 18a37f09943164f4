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

import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np

import backprop_cli.engine.steps as steps
from backprop_cli.engine.losses import LOSSES
from backprop_cli.engine.network import Config, Layer, Parameters
from backprop_cli.engine.optimizer_state import LayerState
from backprop_cli.engine.rounding import Rounding


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
    # g'(p), the derivative factor of each neuron (samples, neurons); None for softmax, whose ∂z/∂p is a
    # Jacobian. Not rounded: hand rounding evaluates it on the rounded p.
    dg_dp: np.ndarray | None = None


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
    passes: tuple[LayerPass, ...]  # forward order: p, z and the error gradients of every layer
    layers: tuple[LayerStep, ...]  # forward order: every layer's parameters, their gradients and new values

    @property
    def steps(self) -> tuple[LayerStep, ...]:
        """The old name of ``layers`` (the handout's Steps are something else)."""
        warnings.warn("Iteration.steps is deprecated; use Iteration.layers (the same records: each layer's "
                      "parameters, their gradients and new values)", DeprecationWarning, stacklevel=2)
        return self.layers

    def layer_input(self, index: int) -> np.ndarray:
        """What layer ``index`` received: x for the first layer, else the previous layer's z."""
        return self.x if index == 0 else self.passes[index - 1].z

    def sample_gradients(self, index: int, sample: int) -> tuple[np.ndarray, np.ndarray | float | None]:
        """∂J/∂Θ and ∂J/∂b of one sample alone, for layer ``index`` (the terms a batch combines)."""
        step = self.layers[index]
        if step.sample_dJ_dweights is not None:
            bias = None if step.sample_dJ_dbias is None else step.sample_dJ_dbias[sample]
            return step.sample_dJ_dweights[sample], bias
        dJ_dp = self.passes[index].dJ_dp[sample]
        weights = np.outer(dJ_dp, self.layer_input(index)[sample])
        return weights, steps.sample_bias_gradients(step.bias, dJ_dp, Rounding())


class Network:
    """The parameters being trained (one ``Layer`` record each), with the loss and the rounding of the run."""

    def __init__(self, config: Config, hand_rounding: int | None | Rounding = None) -> None:
        self.config = config
        self.rounding = hand_rounding if isinstance(hand_rounding, Rounding) else Rounding(hand_rounding)
        self.loss = LOSSES[config.loss]
        self.layers: list[Layer] = list(config.layers)
        self._activations = [layer.act for layer in config.layers]  # bound once: a layer's act builds one
        # The forward pass that gave the last J after an update: (sample indices, the layers, (p, z) of each,
        # J per sample and combined), which the next update over the same samples (full-batch training) starts
        # from as it is.
        self._after: tuple[np.ndarray, list[Layer], list[tuple[np.ndarray, np.ndarray]],
                           tuple[np.ndarray, float]] | None = None
        self.states: list[LayerState | None] = list(
            config.optimizer_state or config.optimizer.initial_states(config.layers, config.update_bias))

    @property
    def activations(self) -> list:
        """The activation function of each layer, with its parameters bound."""
        return self._activations

    def forward(self, x: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """The forward pass: (p, z) of every layer, in forward order."""
        out, z = [], x
        for layer, activation in zip(self.layers, self._activations):
            p, z = steps.forward(layer.weights, layer.bias, activation, z, self.rounding)
            out.append((p, z))
        return out

    def exact_output(self, p: np.ndarray, z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """J per sample and ∂J/∂p of the output layer where the loss has an exact form for its activation
        (cross-entropy on softmax, bce on sigmoid, ...: no log of 0, ∂J/∂p = z − y), else None."""
        return self.loss.exact(self._activations[-1].name, p, z, y, by_hand=self.rounding.digits is not None)

    def losses(self, p: np.ndarray, z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
        """J per sample and combined, from the output layer's p and z; exactly from p where the loss can
        (see exact_output), so a saturated output still gives its true loss."""
        exact = self.exact_output(p, z, y)
        per_sample = self.rounding(self.loss.value(z, y) if exact is None else exact[0])
        return per_sample, float(self.rounding(steps.combine(per_sample, self.config.batch)))

    def loss_of(self, x: np.ndarray, y: np.ndarray) -> float:
        """J over the samples ``x``, ``y`` with the current parameters."""
        p, z = self.forward(x)[-1]
        return self.losses(p, z, y)[1]

    def _backward_layer(self, i: int, p, z, dJ_dz, y, layer_in) -> tuple[LayerPass, LayerStep]:
        """Steps 1-4 for layer ``i``, given its ∂J/∂z: ∂J/∂p, then the gradients of its parameters."""
        rounding, batch, layer = self.rounding, self.config.batch, self.layers[i]
        exact = self.exact_output(p, z, y) if i == len(self.layers) - 1 else None
        dg_dp = steps.derivative_factor(self._activations[i], p)
        if exact is not None:
            dJ_dp = exact[1]  # e.g. z − y, from the (rounded) z
        elif dg_dp is not None:
            dJ_dp = dJ_dz * dg_dp  # ∂J/∂p = ∂J/∂z · g'(p)
        else:
            dJ_dp = steps.local_gradient(self._activations[i], p, z, dJ_dz)
        shown = exact is not None or not self._activations[i].elementwise
        if shown:
            dJ_dp = rounding(dJ_dp)
        grad_w, sample_w, grad_b, sample_b = steps.parameter_gradients(dJ_dp, layer_in, layer.bias, batch, rounding)
        new_w, new_b, state = self.update(i, grad_w, grad_b)
        step = LayerStep(
            name=layer.name, activation=layer.activation,
            weights=layer.weights, dJ_dweights=grad_w, new_weights=new_w,
            bias=layer.bias, dJ_dbias=grad_b, new_bias=new_b,
            sample_dJ_dweights=sample_w, sample_dJ_dbias=sample_b,
            state=state, state_before=self.states[i],
        )
        return LayerPass(layer.name, p, z, dJ_dz, dJ_dp, shown, dg_dp), step

    def step(self, number: int, epoch: int, indices: np.ndarray) -> Iteration:
        """Forward pass, backpropagation and update over the samples ``indices``."""
        x, y = self.config.x[indices], self.config.y[indices]
        after = self._after
        if after is not None and after[1] is self.layers and np.array_equal(after[0], indices):
            outputs, (sample_losses, loss) = after[2], after[3]  # the same samples through the same layers
        else:
            outputs = self.forward(x)
            sample_losses, loss = self.losses(*outputs[-1], y)
        dJ_dz = steps.output_error(self.loss, outputs[-1][1], y, self.rounding)  # Step 1
        count = len(self.layers)
        passes: list[LayerPass] = [None] * count  # type: ignore[list-item]
        layer_steps: list[LayerStep] = [None] * count  # type: ignore[list-item]
        for i in reversed(range(count)):  # the error flows backwards, layer by layer
            layer_in = x if i == 0 else outputs[i - 1][1]
            passes[i], layer_steps[i] = self._backward_layer(i, *outputs[i], dJ_dz, y, layer_in)
            if i > 0:
                dJ_dz = steps.hidden_error(passes[i].dJ_dp, self.layers[i].weights, self.rounding)  # Step 2
        self.layers = [_updated(layer, s) for layer, s in zip(self.layers, layer_steps)]  # Step 5
        self.states = [s.state for s in layer_steps]
        after_outputs = self.forward(x)
        self._after = (indices, self.layers, after_outputs, self.losses(*after_outputs[-1], y))
        return Iteration(
            number=number, epoch=epoch, sample_indices=indices, x=x, y=y,
            sample_losses=sample_losses, loss=loss, loss_after=self._after[3][1],
            passes=tuple(passes), layers=tuple(layer_steps),
        )

    def update(self, i: int, grad_w: np.ndarray, grad_b):
        """Step 5 for layer ``i``: (new weights, new bias, the optimizer's state after the update).

        Plain gradient descent is Θ ← Θ − α·∂J/∂Θ; any other optimizer (or weight decay) takes its step
        from optimizers.py with the layer's state from the update before. ``update_bias: false`` keeps
        the bias, and no state for it.
        """
        alpha, spec, layer = self.config.alpha, self.config.optimizer, self.layers[i]
        frozen = layer.bias is None or not self.config.update_bias
        if spec.plain:
            new_b = layer.bias if frozen else steps.update(layer.bias, grad_b, alpha)
            return steps.update(layer.weights, grad_w, alpha), new_b, None
        rounding = None if self.rounding.digits is None else self.rounding
        new_w, new_b, state = spec.update_layer(self.states[i], alpha, layer.weights, grad_w,
                                                None if frozen else (layer.bias, grad_b), rounding)
        return new_w, layer.bias if frozen else new_b, state

    def updated_config(self) -> Config:
        """The config with the current parameters (and the optimizer's state), as a new starting point."""
        # An optimizer that keeps state has it for every layer.
        states = tuple(s for s in self.states if s is not None) if self.config.optimizer.keeps_state else None
        return replace(self.config, layers=tuple(self.layers), optimizer_state=states)


def full_precision_losses(config: Config, it: Iteration) -> tuple[float, float]:
    """J over the samples of update ``it`` with its parameters before and after the update, computed
    without rounding: what hand rounding to few digits may write alike."""
    net = Network(config)

    def loss(after: bool) -> float:
        net.layers = [replace(layer, weights=st.new_weights if after else st.weights,
                              bias=st.new_bias if after else st.bias) for layer, st in zip(config.layers, it.layers)]
        return net.loss_of(it.x, it.y)

    return loss(False), loss(True)


def _updated(layer: Layer, step: LayerStep) -> Layer:
    """``layer`` with the new parameters of ``step``."""
    return replace(layer, weights=step.new_weights, bias=step.new_bias)


def batches(config: Config) -> list[np.ndarray]:
    """The sample indices of each update in one epoch, in order."""
    count = config.x.shape[0]
    size = config.batch_size or count
    return [np.arange(start, min(start + size, count)) for start in range(0, count, size)]


def trace(config: Config, *, hand_rounding: int | None | Rounding = None,
          network: Network | None = None) -> Iterator[Iteration]:
    """Yield every update of the run: ``config.epochs`` passes over the samples, rounded by
    ``hand_rounding`` (an int N, a ``Rounding``, or None for exact).

    Pass a ``network`` (made with the rounding to use) to read its parameters (``updated_config()``)
    after the run.
    """
    net = network or Network(config, hand_rounding)
    number = 0
    for epoch in range(1, config.epochs + 1):
        for indices in batches(config):
            number += 1
            yield net.step(number, epoch, indices)
