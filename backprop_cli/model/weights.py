"""A layer's parameters as tables: the weight matrix as the config writes it (a row per neuron, a column per
input, then the bias), and the same parameters one row each, for where the matrix is too wide to show.

Used for the weights before an update (``--working``) and after a training run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from backprop_cli.engine.kinds import PARAM
from backprop_cli.engine.network import Config, is_shared
from backprop_cli.model.document import LABEL, NUMBER, VALUE, Column, Row, Table
from backprop_cli.model.formula import Num, neuron
from backprop_cli.model.walk import parameters


@dataclass(frozen=True)
class LayerWeights:
    """The parameters of one layer: ``table`` (the matrix, with a bias per neuron as its last column; its
    ``entries`` one row per weight and bias), and a bias shared by the layer apart (``shared_bias``)."""

    name: str
    table: Table
    shared_bias: Num | None


def input_names(config: Config, i: int) -> list[str]:
    """The column of each input of layer ``i`` in a weights table: x1, x2, … or z1[hid], z2[hid], …"""
    count = config.x.shape[1] if i == 0 else config.layers[i - 1].width
    return [f"x{t + 1}" if i == 0 else f"z{t + 1}[{config.layers[i - 1].name}]" for t in range(count)]


def layer_weights(name: str, weights: np.ndarray, bias, inputs: Sequence[str]) -> LayerWeights:
    """The tables of layer ``name`` with ``weights`` and ``bias``; ``inputs`` names the columns."""
    n, m = weights.shape
    per_neuron = bias is not None and not is_shared(bias)
    heads = ([Column("Neuron", LABEL)] + [Column(input, NUMBER) for input in inputs]
             + ([Column("bias", NUMBER)] if per_neuron else []))

    def rows():
        for k in range(n):
            cells = [Num(float(w), PARAM) for w in weights[k]]
            yield Row(neuron(k, name), (*cells, *([Num(float(bias[k]), PARAM)] if per_neuron else [])))

    def entries():
        for param in parameters(name, weights, bias):
            yield Row(param.label, (Num(float(param.of(weights if param.field == "weights" else bias)), PARAM),))

    shared = Num(float(bias), PARAM) if bias is not None and not per_neuron else None
    count = n * m + (n if per_neuron else 0)
    one_each = Table((Column("Parameter", LABEL), Column("Value", VALUE)), count, entries, title=f"Θ[{name}]")
    return LayerWeights(name, Table(tuple(heads), n, rows, title=f"Θ[{name}]", entries=one_each), shared)
