"""An exercise as a network (to judge it) and as config text in the style of the shipped configs.

Numbers are written from the whole numbers drawn, never through a float: a weight has exactly
``decimals`` decimals (0.40, −0.05), an input one (0.3), a target one or none (0.7; 0 or 1).
"""

from __future__ import annotations

import numpy as np
import yaml

from backprop_cli.config.read import default_names
from backprop_cli.course.exercise.draw import Drawn, y_is_binary
from backprop_cli.course.exercise.options import ALPHA, LEAKY_SLOPE, ExerciseOptions
from backprop_cli.engine.activations import make_activation
from backprop_cli.engine.losses import LOSSES
from backprop_cli.engine.network import Config, Layer

COMMENT_COLUMN = 33  # where the comments of the shipped configs start


def exercise_config(drawn: Drawn, options: ExerciseOptions) -> Config:
    """The network the config text describes, built directly (no YAML to parse while searching)."""
    unit = 10.0**options.decimals
    y_unit = 1.0 if y_is_binary(options.activations[-1]) else 10.0
    layers = []
    for name, activation, weights, bias in zip(default_names(len(options.activations)), options.activations,
                                               drawn.weights, drawn.biases):
        layers.append(Layer(name=name, activation=activation, weights=np.array(weights, dtype=float) / unit,
                            bias=_bias_value(bias, unit), negative_slope=LEAKY_SLOPE))
    return Config(x=np.array([drawn.x], dtype=float) / 10.0, y=np.array([drawn.y], dtype=float) / y_unit,
                  alpha=ALPHA, layers=tuple(layers), loss=options.loss, title=None,
                  hand_rounding=options.decimals)


def _bias_value(bias: tuple[int, ...] | int | None, unit: float) -> np.ndarray | float | None:
    if bias is None:
        return None
    if isinstance(bias, int):
        return bias / unit
    return np.array(bias, dtype=float) / unit


def decimal_text(k: int, decimals: int) -> str:
    """The whole number ``k`` divided by 10^decimals, written with exactly that many decimals."""
    if decimals == 0:
        return str(k)
    sign = "-" if k < 0 else ""
    whole, fraction = divmod(abs(k), 10**decimals)
    return f"{sign}{whole}.{fraction:0{decimals}d}"


def _row(values, decimals: int) -> str:
    return "[" + ", ".join(decimal_text(k, decimals) for k in values) + "]"


def _line(text: str, comment: str | None = None) -> str:
    if comment is None:
        return text
    return f"{text.ljust(COMMENT_COLUMN - 1)} # {comment}" if len(text) < COMMENT_COLUMN else f"{text}  # {comment}"


def _network_line(options: ExerciseOptions, names: list[str]) -> str:
    """2 inputs → 2 ReLU [hid] → 2 Sigmoid σ [out], as `bptrace validate` describes a network."""
    parts = [f"{options.shape[0]} input{'s' if options.shape[0] != 1 else ''}"]
    for width, name, activation in zip(options.shape[1:], names, options.activations):
        parts.append(f"{width} {make_activation(activation, LEAKY_SLOPE).label} [{name}]")
    return " → ".join(parts)


def exercise_text(drawn: Drawn, options: ExerciseOptions, seed: str, ident: str) -> str:
    """The config of the exercise: a comment that says how to make it again, then the keys."""
    d = options.decimals
    names = default_names(len(options.activations))
    loss = LOSSES[options.loss]
    lines = [
        "# A backpropagation exercise made by `bptrace exercise`:",
        f"# {_network_line(options, names)}; loss {options.loss}, learning rate α = {ALPHA:g}.",
        f"# Work one step by hand, rounding every result to {d} decimal{'s' if d != 1 else ''} "
        "(as many significant digits",
        "# where that keeps more); `bptrace run` on this file shows the same numbers. Seed and options:",
        f"#   {options.command(seed)}",
        yaml.safe_dump({"title": f"Exercise {options.shape_text} (seed {seed})"}, allow_unicode=True,
                       width=1_000_000).rstrip("\n"),
        _line(f"id: {ident}", "the exercise's id: its answer sheets name it"),
        _line(f"x: {_row(drawn.x, 1)}", "input x"),
        _line(f"y: {_row(drawn.y, 0 if y_is_binary(options.activations[-1]) else 1)}", "desired output y"),
        _line(f"alpha: {ALPHA:g}", "learning rate α"),
        _line(f"loss: {options.loss}", loss.formula),
        "display:",
        _line(f"  hand_rounding: {d}", f"round every result to {d} decimal{'s' if d != 1 else ''}, as by hand"),
        "layers:",
    ]
    for i, (name, activation, weights, bias) in enumerate(zip(names, options.activations, drawn.weights,
                                                              drawn.biases)):
        lines.append(f"  - name: {name}")
        lines.append(f"    activation: {activation}")
        if activation == "leaky_relu":
            lines.append(_line(f"    negative_slope: {LEAKY_SLOPE:g}", "slope for p ≤ 0"))
        what = "row k = neuron k of this layer, column t = input t" if i == 0 else None
        lines.append(_line("    weights:", None if what is None else f"Θ[{name}]: {what}"))
        lines.extend(f"      - {_row(row, d)}" for row in weights)
        if isinstance(bias, int):
            lines.append(_line(f"    bias: {decimal_text(bias, d)}", f"b[{name}]: one bias shared by the layer"))
        elif bias is not None:
            lines.append(_line(f"    bias: {_row(bias, d)}", f"b[{name}]: one per neuron"))
    return "\n".join(lines) + "\n"
