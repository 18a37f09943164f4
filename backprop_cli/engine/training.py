"""Training runs: many updates summarised as plain data.

The engine yields one ``Iteration`` per update; ``summarize`` consumes them one at a time and keeps only
what a table shows (the loss of every epoch and the one update traced in full), so memory stays flat
however long the run. (The trained network is saved as a config by ``config/save.py``.)
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np

from backprop_cli.engine.backprop import Iteration, Network, batches
from backprop_cli.engine.limits import too_many_updates
from backprop_cli.engine.network import Config
from backprop_cli.errors import BptraceError, one_line


@dataclass(frozen=True)
class Plan:
    """How a run is cut into updates."""

    epochs: int
    updates_per_epoch: int
    samples: int
    batch_size: int

    @property
    def updates(self) -> int:
        return self.epochs * self.updates_per_epoch

    def describe(self) -> str:
        """E.g. '2,000 epochs × 1 update (all 4 samples)'."""
        epochs = f"{self.epochs:,} epoch{'s' if self.epochs != 1 else ''}"
        per = f"{self.updates_per_epoch:,} update{'s' if self.updates_per_epoch != 1 else ''}"
        if self.updates_per_epoch == 1:
            of = f"all {self.samples} samples" if self.samples > 1 else "1 sample"
        elif self.batch_size == 1:
            of = "1 sample each, in order: online"
        else:
            of = f"{self.batch_size} samples each, in order"
        return f"{epochs} × {per} ({of})"


def with_epochs(config: Config, epochs: int | None) -> Config:
    """The config with ``epochs`` passes (``--epochs``; None keeps the config's), refused where the run
    could not finish (see limits.py)."""
    if epochs is None:
        return config
    too_long = too_many_updates(epochs, len(batches(config)))
    if too_long:
        raise BptraceError(f"--epochs: {too_long}")
    return replace(config, epochs=epochs)


def plan(config: Config) -> Plan:
    samples = config.x.shape[0]
    return Plan(epochs=config.epochs, updates_per_epoch=len(batches(config)), samples=samples,
                batch_size=config.batch_size or samples)


@dataclass(frozen=True)
class Summary:
    """What a training run leaves for the tables: one update in full, the loss of each epoch, the result."""

    plan: Plan
    shown: Iteration  # the update traced in full
    epoch_losses: np.ndarray  # (epochs,): J of each epoch (see EpochLosses)
    final_loss: float  # J over all samples with the trained parameters
    trained: Config  # the config with the parameters after the last update
    outputs: np.ndarray | None = None  # (samples, outputs): z of the output layer with the trained parameters
    stopped: BptraceError | None = None  # why the run ended early (it diverged); the rest is up to there


class EpochLosses:
    """The loss of every epoch, one float each.

    An epoch's loss is J over all its samples, combined by the batch mode, each sample's loss measured
    when its update used it. With one update per epoch that is exactly the update's J before the step.
    """

    def __init__(self, batch: str, updates_per_epoch: int) -> None:
        self.batch = batch
        self.per_epoch = updates_per_epoch
        self.values = array("d")
        self._total = 0.0
        self._count = 0
        self._seen = 0

    def add(self, it: Iteration) -> None:
        if self.per_epoch == 1:
            self.values.append(it.loss)
            return
        self._total += float(np.sum(it.sample_losses))
        self._count += len(it.sample_losses)
        self._seen += 1
        if self._seen == self.per_epoch:
            self.values.append(self._total / self._count if self.batch == "mean" else self._total)
            self._total, self._count, self._seen = 0.0, 0, 0


def summarize(config: Config, iterations: Iterable[Iteration], network: Network, show: int = 1) -> Summary:
    """Run ``iterations`` to the end, keeping update number ``show`` and the loss of each epoch.

    A run that diverges ends with what came before (``stopped`` holds the error), so that the loss of the
    epochs up to there can be shown before the error is reported.
    """
    the_plan = plan(config)
    losses = EpochLosses(config.batch, the_plan.updates_per_epoch)
    shown, stopped = None, None
    try:
        for it in iterations:
            losses.add(it)
            if it.number == show:
                shown = it
    except BptraceError as error:  # finite(): a number of an update is no longer finite
        stopped = error
    if shown is None:
        raise stopped or BptraceError(f"update {show} was asked for, but the run has only "
                                      f"{the_plan.updates:,} update{'s' if the_plan.updates != 1 else ''}")
    final = math.nan
    if stopped is None:
        final = final_loss(network)
        if not math.isfinite(final):  # every update was finite, but the last parameters fail on other samples
            raise BptraceError(f"{one_line(config.source)}: the loss over all samples after the last "
                               f"update is {final}: the training diverged; try a smaller alpha")
    return Summary(plan=the_plan, shown=shown, epoch_losses=np.frombuffer(losses.values, dtype=float),
                   final_loss=final, trained=network.updated_config(),
                   outputs=None if stopped else network.forward(network.config.x)[-1][1], stopped=stopped)


def final_loss(network: Network) -> float:
    """J over all samples of the config with the network's current parameters."""
    with np.errstate(over="ignore", invalid="ignore"):  # a loss that overflows is reported, not warned about
        return network.loss_of(network.config.x, network.config.y)
