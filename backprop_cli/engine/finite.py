"""Numbers beyond floating point: every update is checked as it is produced, before anything shows it.

A NaN or an infinity would make the JSON invalid, a table meaningless and a saved config unusable, so a
run stops at the first update that has one, with one line saying what overflowed, where, and what can
help. The check is one pass over the update's arrays in the order they were computed, so the quantity
named is the first that overflowed, not one that merely inherited a NaN.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from backprop_cli.engine.backprop import Iteration
from backprop_cli.engine.network import Config
from backprop_cli.errors import BptraceError, one_line

if TYPE_CHECKING:  # for annotations only: numpy.typing takes a moment to import
    from numpy.typing import ArrayLike


def _quantities(it: Iteration) -> Iterator[tuple[str, str | None, ArrayLike | None]]:
    """(what, layer, values) of one update, in the order the engine computes them."""
    for lp in it.passes:
        yield "p (the preactivation)", lp.name, lp.p
        yield "z (the activation)", lp.name, lp.z
    yield "the loss J", None, it.sample_losses
    yield "the loss J", None, it.loss
    for lp, st in zip(reversed(it.passes), reversed(it.layers)):
        yield "∂J/∂z", lp.name, lp.dJ_dz
        yield "∂J/∂p", lp.name, lp.dJ_dp
        yield "∂J/∂Θ", st.name, st.sample_dJ_dweights
        yield "∂J/∂Θ", st.name, st.dJ_dweights
        yield "∂J/∂b", st.name, st.sample_dJ_dbias
        yield "∂J/∂b", st.name, st.dJ_dbias
    for st in it.layers:
        if st.state is not None:  # an optimizer's velocity, m, v, ...
            for part, state in (("weights", st.state.weights), ("bias", st.state.bias or {})):
                for key, values in state.items():
                    yield f"the optimizer's {key} of the {part}", st.name, values
        yield "the new weights Θ", st.name, st.new_weights
        yield "the new bias b", st.name, st.new_bias
    yield "the loss after the update", None, it.loss_after


def all_finite(it: Iteration) -> bool:
    """Whether every number of the update is finite: one test over all of them, as it runs every update
    (concatenate flattens arrays and numbers alike)."""
    values = [values for _, _, values in _quantities(it) if values is not None]
    return bool(np.isfinite(np.concatenate(values, axis=None)).all())


def first_not_finite(it: Iteration) -> tuple[str, str | None, float] | None:
    """The first quantity of the update that is not finite: what, its layer, a value that is not finite."""
    for what, layer, values in _quantities(it):
        if values is None:
            continue
        flat = np.ravel(np.asarray(values, dtype=float))
        bad = flat[~np.isfinite(flat)]
        if bad.size:
            return what, layer, float(bad[0])
    return None


def _advice(config: Config, it: Iteration, what: str) -> str:
    """What can help: smaller numbers in the config, or a smaller alpha where the updates made them grow."""
    stepped = it.number > 1 or what.startswith(("the new ", "the loss after"))  # what alpha has moved
    if stepped and config.alpha > 0:
        return "the training diverged; try a smaller alpha"
    return "the network as given already overflows floating point; use smaller inputs x or weights"


def not_finite_error(config: Config, it: Iteration) -> BptraceError | None:
    """The error for an update with a number that is not finite, or None when every number is finite."""
    found = first_not_finite(it)
    if found is None:
        return None
    what, layer, value = found
    kind = "not a number (NaN)" if math.isnan(value) else "infinite (beyond ±1.8e308, the largest float)"
    where = f", layer '{one_line(layer)}'" if layer is not None else ""
    return BptraceError(f"{one_line(config.source)}: update {it.number:,} (epoch {it.epoch:,}){where}: "
                        f"{what} is {kind}: {_advice(config, it, what)}")


def finite(config: Config, iterations) -> Iterator[Iteration]:
    """The iterations, stopping with a clear error at the first that has a number that is not finite.

    numpy's warnings of an overflow are silenced here: the error says what happened instead.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for it in iterations:
            if not all_finite(it):
                error = not_finite_error(config, it)
                if error is not None:
                    raise error
            yield it
