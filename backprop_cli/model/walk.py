"""The walk over a network's parameters and over the quantities of a trace, each with its name and path.

One place decides the order (weights row by row, then the biases) and the names (Θ_11[out], b_1[out],
b[out] for a shared bias, and paths such as ``step3.out.dJ_dweights[0][0]``), for the tables, the
documents and the checking of answers alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from backprop_cli.engine.network import is_shared
from backprop_cli.model.formula import Label, bias, weight


@dataclass(frozen=True)
class Parameter:
    """One weight or bias of a layer: its label, which array it is in ("weights" or "bias") and where."""

    label: Label
    field: str
    index: tuple[int, ...]  # (k, t) for a weight, (k,) for a bias per neuron, () for a shared bias

    def of(self, values):
        """This parameter's entry in ``values`` (a layer's weights or bias, or their gradient)."""
        return values if self.index == () else values[self.index]


def parameters(name: str, weights: np.ndarray, bias_value) -> Iterator[Parameter]:
    """Every parameter of layer ``name``: the weights row by row, then the bias (one, or one per neuron)."""
    n, m = weights.shape
    for k in range(n):
        for t in range(m):
            yield Parameter(weight(k, t, name), "weights", (k, t))
    if bias_value is None:
        return
    if is_shared(bias_value):
        yield Parameter(bias(None, name), "bias", ())
        return
    for k in range(n):
        yield Parameter(bias(k, name), "bias", (k,))


@dataclass(frozen=True)
class Quantity:
    """One number of the trace that a student computes: its path in an answer sheet and its value."""

    path: str
    value: float


def _cells(path: str, values) -> Iterator[Quantity]:
    array = np.asarray(values, dtype=float)
    if array.ndim == 0:
        yield Quantity(path, float(array))
        return
    for index in np.ndindex(*array.shape):
        yield Quantity(path + "".join(f"[{i}]" for i in index), float(array[index]))


def quantities(it, sample: int = 0) -> Iterator[Quantity]:
    """Every quantity of one update for ``sample``, in the order of the handout, with its answer-sheet path:
    ``forward.hid.p[0]``, ``loss``, ``step1.out.dJ_dz[0]``, ``step2.hid.dJ_dz[1]``,
    ``step3.out.dJ_dweights[0][0]``, ``step4.hid.dJ_dbias[0]``, ``step5.out.new_weights[1][0]``, ``loss_after``.
    """
    for lp in it.passes:
        yield from _cells(f"forward.{lp.name}.p", lp.p[sample])
        yield from _cells(f"forward.{lp.name}.z", lp.z[sample])
    yield Quantity("loss", float(it.sample_losses[sample]) if len(it.x) > 1 else float(it.loss))
    out = it.passes[-1]
    yield from _cells(f"step1.{out.name}.dJ_dz", out.dJ_dz[sample])
    if out.dJ_dp_shown:
        yield from _cells(f"step1.{out.name}.dJ_dp", out.dJ_dp[sample])
    for lp in reversed(it.passes[:-1]):
        yield from _cells(f"step2.{lp.name}.dJ_dz", lp.dJ_dz[sample])
    last = len(it.layers) - 1
    for i in [last, *reversed(range(last))]:
        st = it.layers[i]
        step = "step3" if i == last else "step4"
        yield from _cells(f"{step}.{st.name}.dJ_dweights", st.dJ_dweights)
        if st.bias is not None:
            yield from _cells(f"{step}.{st.name}.dJ_dbias", st.dJ_dbias)
    for st in it.layers:
        yield from _cells(f"step5.{st.name}.new_weights", st.new_weights)
        if st.bias is not None:
            yield from _cells(f"step5.{st.name}.new_bias", st.new_bias)
    yield Quantity("loss_after", float(it.loss_after))
