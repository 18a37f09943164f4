"""The JSON trace (schema bptrace/trace-v1): one document, or one iteration per line (JSON Lines).

Strict JSON only: a NaN or an infinity is an error here, never a token in the output.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO

import numpy as np

from backprop_cli._version import __version__
from backprop_cli.engine.backprop import Iteration
from backprop_cli.engine.network import Config, config_to_data
from backprop_cli.engine.optimizer_state import state_data

SCHEMA = "bptrace/trace-v1"


def _plain(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    return None if value is None else float(value)


def iteration_data(it: Iteration) -> dict:
    """One iteration as plain data, in the trace-v1 form."""
    samples = []
    for s, index in enumerate(it.sample_indices.tolist()):
        samples.append({
            "index": index,
            "x": it.x[s].tolist(),
            "y": it.y[s].tolist(),
            "loss": float(it.sample_losses[s]),
            "layers": [
                {"name": lp.name, "p": lp.p[s].tolist(), "z": lp.z[s].tolist(),
                 "dJ_dz": lp.dJ_dz[s].tolist(), "dJ_dp": lp.dJ_dp[s].tolist(),
                 "dg_dp": None if lp.dg_dp is None else lp.dg_dp[s].tolist()}
                for lp in it.passes
            ],
        })
    layers = [
        {"name": st.name, "activation": st.activation,
         "weights": st.weights.tolist(), "dJ_dweights": st.dJ_dweights.tolist(),
         "new_weights": st.new_weights.tolist(),
         "bias": _plain(st.bias), "dJ_dbias": _plain(st.dJ_dbias), "new_bias": _plain(st.new_bias)}
        for st in it.layers
    ]
    for st, layer in zip(it.layers, layers):
        if st.state is not None:  # an optimizer that keeps a state: as it is after this update
            layer["state"], layer["bias_state"] = state_data(st.state.weights), state_data(st.state.bias)
    return {"iteration": it.number, "epoch": it.epoch, "loss": it.loss, "loss_after": it.loss_after,
            "samples": samples, "layers": layers}


# One encoder for every line: json.dumps with options builds a new one per call, a cost per update.
_ENCODER = json.JSONEncoder(allow_nan=False, ensure_ascii=False)


def dumps(data) -> str:
    return _ENCODER.encode(data)


def trace_head(config: Config, precision: int, hand_rounding: int | None) -> dict:
    """Every field of the document but its iterations."""
    return {
        "schema": SCHEMA,
        "version": __version__,
        "config": config_to_data(config),
        "rounding": {"precision": precision, "hand_rounding": hand_rounding},
    }


def trace_document(config: Config, iterations: Iterable[Iteration], precision: int, hand_rounding: int | None) -> dict:
    return {**trace_head(config, precision, hand_rounding), "iterations": [iteration_data(it) for it in iterations]}


def write_json(out: IO[str], config: Config, iterations: Iterable[Iteration], precision: int,
               hand_rounding: int | None, pretty: bool = False) -> None:
    """The whole trace as one document; indented for a person at a terminal, compact for programs.

    Written as it is computed, an iteration at a time, so a long run needs no more memory than a short
    one: the text is the one ``json.dumps`` gives for the whole document (with ``indent=2`` when
    ``pretty``), framed by hand around the iterations array (the last field, two levels deep).
    """
    encoder = json.JSONEncoder(allow_nan=False, ensure_ascii=False, indent=2 if pretty else None)
    head = encoder.encode({**trace_head(config, precision, hand_rounding), "iterations": []})
    opening, closing = head[:head.rindex("[]")], head[head.rindex("[]") + 2:]
    # Inside the array an item is two levels deep: pretty, each of its lines is indented by two more levels.
    first, between, end = ("[\n    ", ",\n    ", "\n  ]") if pretty else ("[", ", ", "]")
    separator = opening + first  # written with the first iteration: a run that fails at once writes nothing
    for it in iterations:
        text = encoder.encode(iteration_data(it))
        out.write(separator + (text.replace("\n", "\n    ") if pretty else text))  # strings hold no raw newline
        out.flush()
        separator = between
    out.write((end if separator is between else opening + "[]") + closing + "\n")


def write_jsonl(out: IO[str], iterations: Iterable[Iteration]) -> None:
    """One iteration per line, flushed as each is computed, so a reader sees it at once."""
    for it in iterations:
        out.write(dumps(iteration_data(it)))
        out.write("\n")
        out.flush()
