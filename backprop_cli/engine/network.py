"""The network as bptrace holds it: frozen records of numpy arrays, and their plain-data form.

``config.py`` reads and validates a config file into these; the engine trains them; ``config_to_data``
gives them back as the keys of a config (what the JSON trace echoes and what a saved network holds).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from backprop_cli.engine.activations import Activation, make_activation
from backprop_cli.engine.optimizer_state import LayerState, OptimizerSpec


def is_shared(bias: np.ndarray | float | None) -> bool:
    """True for one bias shared by a layer (a number), False for one per neuron or none."""
    return bias is not None and not isinstance(bias, np.ndarray)


class Parameters:
    """What a layer's ``weights`` and ``bias`` tell: the kind of bias and how many numbers there are."""

    weights: np.ndarray
    bias: np.ndarray | float | None

    @property
    def shared_bias(self) -> bool:
        return is_shared(self.bias)

    @property
    def parameters(self) -> int:
        bias = self.bias
        return self.weights.size + (bias.size if isinstance(bias, np.ndarray) else 0 if bias is None else 1)


@dataclass(frozen=True)
class Layer(Parameters):
    """One fully connected layer: p = Θ·z_prev + b, z = g(p)."""

    name: str
    activation: str
    weights: np.ndarray  # (neurons, inputs)
    bias: np.ndarray | float | None  # per neuron, one shared number, or none
    negative_slope: float = 0.01

    @property
    def width(self) -> int:
        return self.weights.shape[0]

    @property
    def act(self) -> Activation:
        """The activation function with this layer's parameters bound."""
        return make_activation(self.activation, self.negative_slope)


@dataclass(frozen=True)
class Config:
    """A validated config. ``x`` and ``y`` always hold rows (samples × features)."""

    x: np.ndarray
    y: np.ndarray
    alpha: float
    layers: tuple[Layer, ...]
    loss: str = "sse"
    title: str | None = None
    id: str | None = None  # an exercise's id, which its answer sheets name (``exercise: ID``)
    single_sample: bool = True  # x and y were given as one row, not a list of rows
    update_bias: bool = True
    batch: str = "mean"
    batch_size: int | None = None
    epochs: int = 1
    precision: int = 4
    hand_rounding: int | None = None
    optimizer: OptimizerSpec = field(default_factory=OptimizerSpec)
    # The optimizer's state to start from (a saved run's `optimizer_state`), one per layer; None: fresh.
    optimizer_state: tuple[LayerState, ...] | None = None
    source: str = field(default="<config>", compare=False)


def _plain(value: np.ndarray | float | None):
    """Arrays as lists and numpy scalars (a shared bias after an update) as Python numbers: what YAML writes."""
    return value.tolist() if isinstance(value, np.ndarray | np.generic) else value


def config_to_data(config: Config) -> dict:
    """The config as plain data with every key spelled out: what the JSON trace echoes and what a
    saved network holds (it loads back as the same Config)."""
    data: dict[str, Any] = {}
    if config.title is not None:
        data["title"] = config.title
    data["x"] = config.x[0].tolist() if config.single_sample else config.x.tolist()
    data["y"] = config.y[0].tolist() if config.single_sample else config.y.tolist()
    data["alpha"] = config.alpha
    data["loss"] = config.loss
    layers = []
    for layer in config.layers:
        entry: dict[str, Any] = {"name": layer.name, "activation": layer.activation}
        if layer.activation == "leaky_relu":
            entry["negative_slope"] = layer.negative_slope
        entry["weights"] = layer.weights.tolist()
        entry["bias"] = _plain(layer.bias)
        layers.append(entry)
    data["layers"] = layers
    data["update_bias"] = config.update_bias
    data["batch"] = config.batch
    data["batch_size"] = config.batch_size
    data["epochs"] = config.epochs
    if not config.optimizer.plain:
        data["optimizer"] = config.optimizer.to_data()
    if config.optimizer_state is not None:
        data["optimizer_state"] = [state.to_data() for state in config.optimizer_state]
    return data
