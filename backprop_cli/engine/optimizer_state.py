"""The optimizer a config asks for (``OptimizerSpec``: its name and hyper-parameters) and the state it
carries from one update to the next (``LayerState``), as the engine, a saved config and the JSON trace
hold them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from backprop_cli.engine.optimizers import OPTIMIZERS, Optimizer
from backprop_cli.engine.rounding import Rounding


@dataclass(frozen=True)
class OptimizerSpec:
    """The optimizer a config asks for: its name and the value of every hyper-parameter."""

    name: str = "sgd"
    hyper: Mapping[str, float] = field(default_factory=lambda: {"weight_decay": 0.0})

    @property
    def optimizer(self) -> Optimizer:
        return OPTIMIZERS[self.name]

    @property
    def plain(self) -> bool:
        """Plain gradient descent Θ ← Θ − α·∂J/∂Θ, which Step 5 has always shown (no state, no decay)."""
        return self.name == "sgd" and not self.hyper.get("weight_decay")

    @property
    def keeps_state(self) -> bool:
        return not self.plain and bool(self.optimizer.state)

    def describe(self) -> str:
        """E.g. 'Adam, as torch.optim.Adam (beta1 0.9, beta2 0.999, eps 1e-08)'; weight_decay where not 0."""
        settings = ", ".join(f"{key} {value:g}" for key, value in self.hyper.items() if key != "weight_decay" or value)
        return f"{self.optimizer.label}, as {self.optimizer.torch}" + (f" ({settings})" if settings else "")

    def to_data(self) -> str | dict:
        """As a config writes it: the name alone for plain gradient descent, else a mapping."""
        return self.name if self.plain else {"name": self.name, **self.hyper}

    def initial_states(self, layers, update_bias: bool) -> list[LayerState | None]:
        """The state before the first update, per layer (a ``weights`` and a ``bias`` each); None for
        an optimizer that keeps none. A bias that is kept fixed, or missing, has no state."""
        if not self.keeps_state:
            return [None] * len(layers)
        opt = self.optimizer
        return [LayerState(opt.init_state(layer.weights),
                           None if layer.bias is None or not update_bias else opt.init_state(layer.bias))
                for layer in layers]

    def update_layer(self, before: LayerState | None, alpha: float, weights: np.ndarray, grad_w: np.ndarray,
                     bias: tuple | None, r: Rounding | None = None) -> tuple[Any, Any, LayerState | None]:
        """One layer's step: (new weights, new bias, state after). ``bias`` is (b, ∂J/∂b), or None when
        there is none or it is kept fixed (then the new bias is None too: the caller keeps its own)."""
        opt, before = self.optimizer, before or LayerState({}, {})  # sgd with weight decay keeps no state
        new_w, w_state = opt.step(weights, grad_w, before.weights, alpha, self.hyper, r)
        new_b, b_state = None, None
        if bias is not None:
            new_b, b_state = opt.step(bias[0], bias[1], before.bias or {}, alpha, self.hyper, r)
        return new_w, new_b, LayerState(w_state, b_state) if self.keeps_state else None


def make_spec(name: str, given: Mapping[str, float] | None = None) -> OptimizerSpec:
    """The optimizer ``name`` with the hyper-parameters ``given`` and PyTorch's defaults for the rest."""
    hyper = OPTIMIZERS[name].defaults()
    hyper.update({key: float(value) for key, value in (given or {}).items()})
    return OptimizerSpec(name, hyper)


@dataclass(frozen=True)
class LayerState:
    """The optimizer's state of one layer: of its weights, and of its bias (None if it has none or it is
    kept fixed). Each maps the state's keys (velocity, square_avg, m, v, t) to arrays, numbers or counts."""

    weights: dict[str, Any]
    bias: dict[str, Any] | None

    def to_data(self) -> dict:
        """As a saved config holds it: {weights: {...}, bias: {...}} (no bias key without a bias state)."""
        data = {"weights": state_data(self.weights)}
        if self.bias is not None:
            data["bias"] = state_data(self.bias)
        return data


def state_data(state: Mapping[str, Any] | None) -> dict | None:
    """One parameter's state as plain lists and numbers, as the JSON trace and a saved config hold it."""
    if state is None:
        return None
    # .tolist() also makes a numpy scalar (a shared bias's state) a Python number, which YAML and JSON can write
    return {key: value.tolist() if isinstance(value, np.ndarray | np.generic) else value
            for key, value in state.items()}
