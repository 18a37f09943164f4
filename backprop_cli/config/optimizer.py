"""The config keys ``optimizer`` and ``optimizer_state``, checked with config.py's validator.

``optimizer`` is a name (``sgd``, ``momentum``, ``nesterov``, ``rmsprop``, ``adam``) or a mapping with
``name`` and the optimizer's hyper-parameters (PyTorch's names and defaults; ``weight_decay`` for all).
``optimizer_state`` is what ``--save-updated`` writes: one entry per layer, ``{weights: {...}, bias: {...}}``,
each with the optimizer's state keys (velocity, square_avg, or m, v and t), so a saved run continues as
one long run would. Errors go through the validator ``v`` (``fail``, ``choice``, ``number``, ...).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from backprop_cli.config.describe import kind
from backprop_cli.engine.optimizer_rules import HYPERS
from backprop_cli.engine.optimizer_state import LayerState, OptimizerSpec, make_spec
from backprop_cli.engine.optimizers import OPTIMIZERS
from backprop_cli.words import counted

NAMES = tuple(OPTIMIZERS)
# PyTorch's own names for what is spelled differently here, with what to write instead.
TORCH_NAMES = {
    "betas": "give beta1 and beta2 as two keys (PyTorch's betas=(beta1, beta2))",
    "alpha": "the smoothing constant is called rho here; alpha is the learning rate, a top-level key",
    "lr": "the learning rate is the top-level key alpha",
}


def read_optimizer(v, value: Any, path: tuple = ("optimizer",)) -> OptimizerSpec:
    """The optimizer a config asks for (``value`` is the key's value), with defaults filled in."""
    if isinstance(value, str):
        return make_spec(v.choice(value, path, NAMES))
    if not isinstance(value, dict):
        v.choice(value, path, NAMES)  # fails: expected one of the names, got ...
    name = v.choice(v.require(value, "name", path, "the optimizer's name, e.g. adam"), path + ("name",), NAMES)
    allowed = ("name", *OPTIMIZERS[name].hypers, "weight_decay")
    for key in value:
        if key in TORCH_NAMES:
            v.fail(path + (key,), f"unknown key: {TORCH_NAMES[key]}", key=True)
        if key in HYPERS and key not in allowed:
            takes = ", ".join(allowed[1:])
            v.fail(path + (key,), f"{name} has no hyper-parameter '{key}'; it takes {takes}", key=True)
    v.mapping(value, path, allowed, "the optimizer's settings")  # unknown keys, with a suggestion
    given = {key: _hyper(v, key, value[key], path + (key,)) for key in allowed[1:] if key in value}
    if name == "nesterov" and given.get("momentum", 1.0) == 0:
        v.fail(path + ("momentum",), "nesterov needs a momentum above 0 (PyTorch refuses 0 too), got 0")
    return make_spec(name, given)


def _hyper(v, key: str, value: Any, path: tuple) -> float:
    """One hyper-parameter: a finite number ≥ 0, below 1 for a smoothing constant, above 0 for ε."""
    number = v.number(value, path, minimum=0)
    hyper = HYPERS[key]
    if hyper.below_one and number >= 1:
        v.fail(path, f"expected a number from 0 up to (not including) 1, got {value!r}")
    if hyper.positive and number == 0:
        v.fail(path, "expected a number above 0 (it keeps the division finite), got 0")
    return number


def read_state(v, value: Any, spec: OptimizerSpec | None, layers: list, update_bias: Any,
               path: tuple = ("optimizer_state",)) -> tuple[LayerState, ...] | None:
    """The optimizer's state to start from, one LayerState per layer, of the key ``optimizer_state`` given
    as ``value``; None (a fresh state) when it is null.

    Refused, even null, with an optimizer that keeps no state. Checked against the optimizer (its state
    keys) and the layers (each array shaped like the parameter it belongs to). Nothing is checked while
    the optimizer or a layer has an error of its own.
    """
    if spec is None:
        return None
    if not spec.keeps_state:
        v.fail(path, f"expected no state: {spec.name} keeps none between updates (remove the key, or give the "
                     f"optimizer that wrote it), got {kind(value)}")
    if value is None or not layers or any(layer is None for layer in layers):
        return None
    if not isinstance(value, list) or len(value) != len(layers):
        found = f"{len(value)} entries" if isinstance(value, list) else "something else"
        v.fail(path, f"expected a list of {len(layers)} entries (one per layer, as --save-updated writes it), "
                     f"got {found}")
    states = []
    for i, (entry, layer) in enumerate(zip(value, layers)):
        here = path + (i,)
        kept = layer.bias is not None and update_bias is not False
        entry = v.mapping(entry, here, ("weights", "bias") if kept else ("weights",),
                          f"the state of layer '{layer.name}'")
        weights = _state(v, v.require(entry, "weights", here, "the state of the weights"), here + ("weights",),
                         spec, layer.weights)
        bias = None
        if kept:
            bias = _state(v, v.require(entry, "bias", here, "the state of the bias"), here + ("bias",),
                          spec, layer.bias)
        states.append(LayerState(weights, bias))
    return tuple(states)


def _state(v, value: Any, path: tuple, spec: OptimizerSpec, like) -> dict[str, Any]:
    """One parameter's state: each key of the optimizer's state, shaped like ``like`` (t a count ≥ 0)."""
    keys = tuple(key for key, _ in spec.optimizer.state)
    value = v.mapping(value, path, keys, f"the {spec.name} state")
    state: dict[str, Any] = {}
    for key in keys:
        found = v.require(value, key, path, f"the state '{key}'")
        where = path + (key,)
        if key == "t":
            state[key] = v.integer(found, where, minimum=0)
        elif isinstance(like, np.ndarray) and like.ndim == 2:
            array = v.matrix(found, where, f"the state '{key}'", columns=like.shape[1], why="like the weights")
            if array.shape[0] != like.shape[0]:
                v.fail(where, f"expected {counted(like.shape[0], 'row')} (like the weights), got {array.shape[0]}")
            state[key] = array
        elif isinstance(like, np.ndarray):
            array = v.vector(found, where, f"the state '{key}'")
            if array.size != like.size:
                v.fail(where, f"expected {counted(like.size, 'number')} (like the biases), got {array.size}")
            state[key] = array
        else:
            state[key] = v.number(found, where)  # a bias shared by the layer: one number
        if key in ("v", "square_avg") and np.any(np.asarray(state[key]) < 0):
            v.fail(where, "expected numbers ≥ 0 (an average of squares), got a negative one")
    return state
