"""The Python API: load or build a config, run it, and read the trace, the trained network and the JSON dict.

    >>> import backprop_cli as bptrace
    >>> result = bptrace.run(bptrace.load_config("configs/handout.yaml"))  # its display.hand_rounding: 2
    >>> result.loss
    0.47

Everything here is what the command line does, without a terminal: ``bptrace run`` is this plus a renderer.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

from backprop_cli.config.read import config_from_data, load_config
from backprop_cli.engine.backprop import Iteration, Network
from backprop_cli.engine.backprop import trace as _engine_trace
from backprop_cli.engine.finite import finite
from backprop_cli.engine.network import Config
from backprop_cli.engine.rounding import Rounding
from backprop_cli.engine.training import with_epochs
from backprop_cli.render.json import trace_document
from backprop_cli.render.settings import Settings

__all__ = ["Rounding", "Run", "Settings", "config_from_data", "load_config", "run", "trace"]


def trace(config: Config | str | os.PathLike, *, hand_rounding: int | Rounding | None = None, exact: bool = False,
          epochs: int | None = None, network: Network | None = None) -> Iterator[Iteration]:
    """Yield every update of the run, as ``bptrace run`` computes it: with the config's hand rounding, unless
    ``hand_rounding`` (an int N: round by hand to N) or ``exact=True`` (full precision) says otherwise;
    ``epochs`` overrides the config's. A NaN or an infinity stops it with a BptraceError that names it, as
    ``bptrace run`` does."""
    config = _config(config, epochs)
    rounding = Settings.resolve(config, hand_rounding=hand_rounding, exact=exact).rounding
    return finite(config, _engine_trace(config, hand_rounding=rounding, network=network))


@dataclass(frozen=True)
class Run:
    """A finished run: every update, and the network after the last one."""

    config: Config
    rounding: Rounding
    iterations: tuple[Iteration, ...]
    network: Network

    @property
    def loss(self) -> float:
        """J of the first update, before its step (the loss of the forward pass)."""
        return self.iterations[0].loss

    @property
    def trained(self) -> Config:
        """The config with the weights and biases after the last update (what ``--save-updated`` writes)."""
        return self.network.updated_config()

    def to_dict(self) -> dict:
        """The JSON trace (schema bptrace/trace-v1) as a dict: what ``bptrace run --format json`` writes."""
        return trace_document(self.config, self.iterations, self.config.precision, self.rounding.digits)


def run(config: Config | str | os.PathLike, *, hand_rounding: int | Rounding | None = None, exact: bool = False,
        epochs: int | None = None) -> Run:
    """Run ``config`` (a Config, or the path of a config file) to the end and keep every update; the rounding
    as for ``trace``."""
    config = _config(config, epochs)
    rounding = Settings.resolve(config, hand_rounding=hand_rounding, exact=exact).rounding
    network = Network(config, rounding)
    iterations = tuple(finite(config, _engine_trace(config, network=network)))
    return Run(config, rounding, iterations, network)


def _config(config: Config | str | os.PathLike, epochs: int | None) -> Config:
    if not isinstance(config, Config):
        config = load_config(os.fspath(config))
    return with_epochs(config, epochs)
