"""The trained network saved as a config (``--save-updated``): a file that loads back bit for bit, so that
training it further continues the very same computation. A network whose file bptrace could not read
back (over the limits of config.loader) is refused before the run, and its text checked again before it
is written."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import numpy as np
import yaml

from backprop_cli._version import __version__
from backprop_cli.config.loader import check_bytes, check_values
from backprop_cli.config.yaml_scalars import Dumper
from backprop_cli.engine.network import Config, config_to_data
from backprop_cli.engine.optimizer_state import LayerState
from backprop_cli.errors import BptraceError, ConfigError, one_line
from backprop_cli.output import PendingFile, cannot_write, check_target, same_file

# The most characters a float is written with (a sign, 17 digits, a point and a three-digit exponent).
_WIDEST = -2.2250738585072014e-308


def reserve_save_target(path: str, config_source: str, output: str | None, force: bool) -> PendingFile:
    """Refuse, before any work is done, a FILE that ``--save-updated`` must not overwrite; then make its
    temporary file, so that a folder that cannot be written is known before the run too.

    Without ``force`` the file is later given its name exclusively: one that appeared during the run is
    never replaced.
    """
    shown = one_line(path)
    if not path or path == "-":
        raise BptraceError("--save-updated needs a file name; standard output carries the trace")
    if config_source != "-" and same_file(path, config_source):
        raise BptraceError(f"--save-updated {shown}: that is the config being run; save the trained network "
                           "to another file (the config stays as it is)")
    if output not in (None, "-") and same_file(path, output):
        raise BptraceError(f"--save-updated {shown}: the same file as --output; give two different files")
    with _saving():
        mode = check_target(path, force=force)  # a folder, a missing folder, a loop of links, write-protected
    if mode is not None and not stat.S_ISREG(mode):
        # A rename would replace a device or a pipe (/dev/null, say) with a regular file.
        raise BptraceError(f"--save-updated {shown}: not a regular file; give a file name to save to")
    if mode is not None and not force:
        raise BptraceError(f"--save-updated {shown}: the file exists; use --force to overwrite it")
    with _saving():
        return PendingFile(path, mode, exclusive=not force)


def refuse_unreadable(given: Config, hand_rounding: int | None, updates: int, path: str) -> None:
    """Refuse, before the run, a network whose saved file bptrace could not read back. The file is written
    as it will be after ``updates`` updates, with every number the run changes at its widest, and checked
    as save_network checks the real one: a network let through here is saved after the run."""
    _check_readable(saved_config_text(_widest(given, updates), hand_rounding, updates=updates, origin=given.source),
                    path)


def _widest(config: Config, updates: int) -> Config:
    """``config`` after ``updates`` updates as its saved file is at its largest: the same YAML values, each
    weight, bias and number of the optimizer's state written with as many characters as a float takes,
    each count (Adam's t, one more an update) as large as it gets. A trained file is never larger."""
    def wide(value):
        if isinstance(value, np.ndarray):
            return np.full(value.shape, _WIDEST)
        return value + updates if isinstance(value, int | np.integer) else _WIDEST

    def wide_state(state: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if state is None else {key: wide(value) for key, value in state.items()}

    states = config.optimizer_state
    if states is None and config.optimizer.keeps_state:
        states = tuple(state for state in config.optimizer.initial_states(config.layers, config.update_bias)
                       if state is not None)
    layers = tuple(replace(layer, weights=wide(layer.weights), bias=None if layer.bias is None else wide(layer.bias))
                   for layer in config.layers)
    return replace(config, layers=layers, optimizer_state=None if states is None else tuple(
        LayerState(wide_state(state.weights) or {}, wide_state(state.bias)) for state in states))


def _check_readable(text: str, path: str) -> None:
    """Refuse the saved network ``text`` if bptrace could not read it back (the limits of config.loader)."""
    try:
        check_bytes(text.encode("utf-8"), path, written="the saved network")
        check_values(text, path, written="the saved network")
    except ConfigError as error:
        raise BptraceError(f"--save-updated {error}: bptrace could not read it back, so it is not written "
                           "(a network with fewer weights can be saved)") from None


@contextmanager
def _saving() -> Iterator[None]:
    """Errors about the file, said as errors of --save-updated."""
    try:
        yield
    except BptraceError as error:
        raise BptraceError(f"--save-updated {error}") from None


def _given(value: float) -> float | int:
    """A number the user gave (x, y): whole numbers written without '.0' (they read back the same)."""
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else value


def saved_config_data(trained: Config, hand_rounding: int | None) -> dict:
    """The trained network as config data: the keys of the config it came from, new weights and biases.

    The hand rounding written is the one the run computed with (none after ``--exact``), not the
    config's setting: a saved network then trains on exactly as one longer run would have.
    Weights and biases are written in full, never rounded; the table precision is kept as it was.
    """
    data = config_to_data(trained)
    for key in ("x", "y"):
        rows = data[key]
        data[key] = ([_given(v) for v in rows] if trained.single_sample
                     else [[_given(v) for v in row] for row in rows])
    for layer in data["layers"]:
        if layer.get("bias") is None:
            layer.pop("bias", None)
    if data.get("batch_size") is None:
        data.pop("batch_size", None)
    display = {}
    if trained.precision != 4:
        display["precision"] = trained.precision
    if hand_rounding is not None:
        display["hand_rounding"] = hand_rounding
    if display:
        data["display"] = display
    return data


def saved_config_text(trained: Config, hand_rounding: int | None, *, updates: int, origin: str) -> str:
    """The trained network as YAML text, with a comment saying where it came from."""
    body = yaml.dump(saved_config_data(trained, hand_rounding), Dumper=Dumper, sort_keys=False,
                     default_flow_style=None, allow_unicode=True, width=100)
    origin = one_line(origin)  # a line break must not end the comment, nor a byte that is no UTF-8 the file
    rounding = f"hand rounding {hand_rounding}" if hand_rounding is not None else "full precision"
    kept = ", and the optimizer's state (optimizer_state)," if trained.optimizer_state is not None else ""
    head = (f"# The network of {origin} after {updates:,} update{'s' if updates != 1 else ''} ({rounding}), "
            f"saved by bptrace {__version__}.\n"
            f"# Weights and biases{kept} are written in full; running this file continues the training.\n")
    return head + body


def save_network(pending: PendingFile, text: str) -> None:
    """Write ``text`` to the file reserved by reserve_save_target and put it in place, if bptrace can read
    it back (refuse_unreadable let through before the run only a network whose file can be)."""
    _check_readable(text, pending.path)
    with _saving():
        try:
            pending.stream.write(text)
        except OSError as error:
            raise cannot_write(pending.path, error) from None
        pending.commit()
