"""The config: validated once into frozen records of numpy arrays, with precise errors.

``load_config(source)`` reads and validates a config file; ``config_from_data(data)`` validates data
already loaded. Every error is a ``ConfigError`` naming the key path, what was expected and what was found.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import backprop_cli.config.hints as hints
from backprop_cli.config.describe import is_list as _is_list
from backprop_cli.config.describe import kind as _kind
from backprop_cli.config.loader import parse_yaml, paused_gc, read_text
from backprop_cli.config.optimizer import read_optimizer, read_state
from backprop_cli.config.validator import MAX_ERRORS, MAX_PARAMETERS, Collector, Stop
from backprop_cli.config.yaml_scalars import YES_NO
from backprop_cli.engine.activations import ACTIVATIONS
from backprop_cli.engine.limits import too_many_updates
from backprop_cli.engine.losses import LOSSES
from backprop_cli.engine.network import Config, Layer
from backprop_cli.engine.optimizer_state import OptimizerSpec
from backprop_cli.errors import ConfigError
from backprop_cli.words import counted

__all__ = ["MAX_ERRORS", "MAX_PARAMETERS", "config_from_data", "default_names", "load_config"]

TOP_KEYS = ("title", "id", "x", "y", "alpha", "loss", "layers", "update_bias", "batch", "batch_size", "epochs",
            "display", "optimizer", "optimizer_state")
LAYER_KEYS = ("name", "activation", "negative_slope", "weights", "bias")
DISPLAY_KEYS = ("precision", "hand_rounding")
BATCH_MODES = ("mean", "sum")
# Output activations whose values lie in (0, 1), so that log z (and log(1 − z)) exist.
PROBABILITY_OUTPUTS = ("sigmoid", "softmax")
# What the other activations can give, which is why a log of their outputs may not exist.
OUTPUT_RANGES = {"identity": "negative or 0", "leaky_relu": "negative or 0", "relu": "0 (or above 1)",
                 "tanh": "negative (tanh lies between −1 and 1)"}


def default_names(count: int) -> list[str]:
    """The names of layers without a name: hid1, hid2, ... and out (hid and out for two layers)."""
    if count == 1:
        return ["out"]
    if count == 2:
        return ["hid", "out"]
    return [f"hid{i}" for i in range(1, count)] + ["out"]


def config_from_data(data: Any, source: str = "<config>") -> Config:
    """Validate loaded config data into a Config.

    Raises ConfigError (without line and column) for the first problem; its ``others`` attribute lists
    the problems found in the other parts of the config (up to MAX_ERRORS in all; ``more`` says whether
    validation stopped there).
    """
    if data is None:
        raise ConfigError("the config is empty; expected a mapping with x, y, alpha and layers", source=source)
    v = Collector()
    try:
        return _validate(v, data, source)
    except Stop:
        _raise(v.errors, more=True)
        raise  # unreachable: _raise always raises


def _validate(v: Collector, data: Any, source: str) -> Config:
    """The checks of config_from_data, section by section."""
    values: dict[str, Any] = {}
    with v.section():
        v.mapping(data, (), TOP_KEYS, "a config")
    if v.errors and not isinstance(data, dict):
        _raise(v.errors)
    top = data if isinstance(data, dict) else {}
    with v.section():
        title = top.get("title")
        if title is not None:
            v.text(title, ("title",), "text", blank=True)
        values["title"] = title
    with v.section():
        ident = top.get("id")
        if ident is not None:
            ident = v.identifier(ident, ("id",))
        values["id"] = ident
    for key, what in (("x", "the input x"), ("y", "the desired output y")):
        with v.section():
            values[key] = v.samples(v.require(top, key, (), what), (key,), what)
    with v.section():
        values["alpha"] = v.number(v.require(top, "alpha", (), "the learning rate"), ("alpha",), minimum=0)
    with v.section():
        values["loss"] = v.choice(top.get("loss", "sse"), ("loss",), tuple(LOSSES))
    x, x_single = values.get("x", (None, None))
    y, y_single = values.get("y", (None, None))
    if x is not None and y is not None:
        with v.section():
            if x_single != y_single:
                v.fail(("y",), "expected the same form as x: one list of numbers, or a list of rows (one per sample)")
            if x.shape[0] != y.shape[0]:
                v.fail(("y",), f"expected {counted(x.shape[0], 'row')} (one per sample of x), got {y.shape[0]}")
    layers = _layers(v, top, x)
    if layers and y is not None and layers[-1] is not None:
        with v.section():
            if layers[-1].width != y.shape[1]:
                v.fail(("y",), f"expected {counted(layers[-1].width, 'number')} per sample (the width of the output "
                               f"layer '{layers[-1].name}'), got {y.shape[1]}")
    if layers and layers[-1] is not None and values.get("loss") in ("cross_entropy", "bce"):
        with v.section():
            loss, output = values["loss"], layers[-1].activation
            if output not in PROBABILITY_OUTPUTS:
                logs = "log z and log(1 − z)" if loss == "bce" else "log z"
                found = OUTPUT_RANGES.get(output, "outside (0, 1)")
                v.fail(("loss",), f"{loss} takes {logs} of the outputs, so the output layer must give "
                                  f"probabilities (sigmoid or softmax), not {output}: its outputs can be {found}, "
                                  "and the log of a number ≤ 0 does not exist")
            if loss == "bce" and output == "softmax" and layers[-1].width == 1:
                v.fail(("loss",), "bce on a softmax of one output is not defined: that output is always 1, so "
                                  "log(1 − z) = log 0; use a sigmoid output for one yes/no probability")
            if y is not None and np.any((y < 0) | (y > 1)):
                v.fail(("y",), f"expected probabilities between 0 and 1 for {loss}, got {y.min():g} to {y.max():g}")
    with v.section():
        values["update_bias"] = flag = top.get("update_bias", True)
        if not isinstance(flag, bool):
            yes_no = isinstance(flag, str) and flag.lower() in YES_NO
            v.fail(("update_bias",), f"expected true or false, got {_kind(flag)}"
                                     + (" (YAML 1.2 reads it as text)" if yes_no else ""))
    with v.section():
        values["batch"] = v.choice(top.get("batch", "mean"), ("batch",), BATCH_MODES)
    with v.section():
        size = top.get("batch_size")
        if size is not None:
            most = x.shape[0] if x is not None else None
            size = v.integer(size, ("batch_size",), minimum=1, maximum=most)
        values["batch_size"] = size
    with v.section():
        values["epochs"] = v.integer(top.get("epochs", 1), ("epochs",), minimum=1)
        samples = x.shape[0] if x is not None else 1
        too_long = too_many_updates(values["epochs"], -(-samples // (values.get("batch_size") or samples)))
        if too_long:
            v.fail(("epochs",), too_long)
    with v.section():
        display = v.mapping(top.get("display", {}), ("display",), DISPLAY_KEYS, "display options")
        values["precision"] = v.integer(display.get("precision", 4), ("display", "precision"), minimum=0, maximum=15)
        rounding = display.get("hand_rounding")
        if rounding is not None:
            rounding = v.integer(rounding, ("display", "hand_rounding"), minimum=1, maximum=15)
        values["hand_rounding"] = rounding
    if "optimizer" in top or "optimizer_state" in top:  # read by config/optimizer.py
        with v.section():
            values["optimizer"] = read_optimizer(v, top.get("optimizer", "sgd"))
        with v.section():
            if "optimizer_state" in top:
                values["optimizer_state"] = read_state(v, top["optimizer_state"], values.get("optimizer"), layers,
                                                       values.get("update_bias"))
    if v.errors:
        _raise(hints.annotate(v.errors, top))
    read = tuple(layer for layer in layers if layer is not None)  # all of them: a layer is None after an error
    return Config(
        x=x, y=y, alpha=values["alpha"], layers=read, loss=values["loss"], title=values["title"],
        id=values["id"], single_sample=x_single, update_bias=values["update_bias"], batch=values["batch"],
        batch_size=values["batch_size"], epochs=values["epochs"], precision=values["precision"],
        hand_rounding=values["hand_rounding"], optimizer=values.get("optimizer", OptimizerSpec()),
        optimizer_state=values.get("optimizer_state"), source=source,
    )


def _raise(errors: list[ConfigError], more: bool = False) -> None:
    first = errors[0]
    first.others, first.more = errors[1:], more
    raise first


def _layers(v: Collector, top: dict, x: np.ndarray | None) -> list[Layer | None]:
    """The layers, each checked on its own; a layer with an error is None (its width is then unknown)."""
    raw_layers = None
    with v.section():
        raw_layers = v.require(top, "layers", (), "the list of layers")
        if not isinstance(raw_layers, list) or not raw_layers:
            v.fail(("layers",), f"expected a non-empty list of layers, got {_kind(raw_layers)}")
    if not isinstance(raw_layers, list):
        return []
    names = default_names(len(raw_layers))
    layers: list[Layer | None] = []
    taken: set[str] = set()
    inputs: int | None = x.shape[1] if x is not None else None
    input_name = "the input x"
    total = 0
    for i, raw in enumerate(raw_layers):
        path = ("layers", i)
        layer = None
        with v.section():
            spec = v.mapping(raw, path, LAYER_KEYS, "a layer")
            name = v.text(spec.get("name", names[i]), path + ("name",), "a non-empty name")
            if name in taken:
                v.fail(path + ("name",), f"duplicate layer name '{name}'; each layer needs its own")
            activation = v.choice(v.require(spec, "activation", path, "the activation function"),
                                  path + ("activation",), tuple(ACTIVATIONS))
            if activation == "softmax" and i != len(raw_layers) - 1:
                v.fail(path + ("activation",),
                       "softmax is only allowed in the last layer (its outputs form one distribution)")
            slope = 0.01
            if "negative_slope" in spec:
                if activation != "leaky_relu":
                    v.fail(path + ("negative_slope",), f"applies to leaky_relu only, not {activation}", key=True)
                slope = v.number(spec["negative_slope"], path + ("negative_slope",))
            weights = v.matrix(v.require(spec, "weights", path, "the weight matrix"), path + ("weights",),
                               "the weights", columns=inputs, why=f"the width of {input_name}")
            total += weights.size
            if total > MAX_PARAMETERS:
                v.fail(path + ("weights",),
                       f"the network has more than {MAX_PARAMETERS:,} parameters; refusing to trace it")
            bias = spec.get("bias")
            if _is_list(bias):
                bias = v.vector(bias, path + ("bias",), "the biases")
                if bias.size != weights.shape[0]:
                    v.fail(path + ("bias",), f"expected {counted(weights.shape[0], 'bias', 'biases')} (one per neuron "
                                             f"of layer '{name}'), got {bias.size}")
            elif bias is not None:
                bias = v.number(bias, path + ("bias",))
            layer = Layer(name=name, activation=activation, weights=weights, bias=bias, negative_slope=slope)
            total += layer.parameters - weights.size
            if total > MAX_PARAMETERS:
                v.fail(path + ("bias",),
                       f"the network has more than {MAX_PARAMETERS:,} parameters; refusing to trace it")
            taken.add(name)
        layers.append(layer)
        inputs = layer.width if layer is not None else None
        input_name = f"layer '{layer.name}'" if layer is not None else ""
    return layers


def load_config(source: str) -> Config:
    """Read, parse and validate the config at ``source`` (a path or ``-``)."""
    text, name = read_text(source)
    typed = text if len(text) <= hints.TYPED else ""  # a config typed by hand, kept for the hints of an error
    with paused_gc():
        document = parse_yaml(text, name)
        del text  # the document holds what it needs; a big file's text need not stay in memory
        try:
            return config_from_data(document.data, source=name)
        except ConfigError as error:
            _raise(_located(error, document, name, typed), more=error.more)
            raise  # unreachable: _raise always raises


def _located(error: ConfigError, document, name: str, text: str = "") -> list[ConfigError]:
    """The error and the others found with it, each with its line and column filled in (and where ``text``
    shows a decimal comma, which makes one number two, the hint)."""
    located = []
    for each in [error, *error.others]:
        where = document.locate(getattr(each, "yaml_path", ()), key=getattr(each, "yaml_key", False))
        each.message += hints.count_hint(each.message, text)
        located.append(each.located(name, *(where or (None, None))))
    return located
