"""A training run as data: the loss per epoch (the epochs listed), the loss curve's values, the trained
weights as one table per layer, and J after training. Renderers draw the curve and spell the rest."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backprop_cli.engine.kinds import RESULT
from backprop_cli.engine.network import Config
from backprop_cli.engine.training import Summary
from backprop_cli.model.document import FORMULA, LABEL, Column, Row, Table
from backprop_cli.model.formula import Num, symbol, vector
from backprop_cli.model.weights import LayerWeights, input_names, layer_weights

LOSS_ROWS = 16  # epochs listed in full below this many; a longer run is listed at round intervals


@dataclass(frozen=True)
class Traced:
    """Which update is traced in full: its number, its epoch and its samples (1-based, first and last)."""

    number: int
    updates: int
    epoch: int
    first_sample: int
    last_sample: int


@dataclass(frozen=True)
class EpochLoss:
    epoch: int
    loss: Num
    gap_before: bool  # epochs were skipped just before this one


@dataclass(frozen=True)
class Training:
    traced: Traced
    plan: str  # e.g. "2,000 epochs × 1 update (all 4 samples)"
    batch: str
    updates_per_epoch: int
    losses: tuple[EpochLoss, ...]
    every: int  # the interval between listed epochs (1: every epoch)
    curve: np.ndarray  # J of every epoch, for the loss curve
    weights: tuple[LayerWeights, ...]
    biases_fixed: bool  # update_bias: false, and the network has biases
    final_loss: Num  # J over all samples with the trained parameters
    samples: int
    predictions: Table | None = None  # a row per sample: x, y and the trained network's output z
    stopped: int | None = None  # the epoch in which a diverging run stopped (then no weights, no predictions)


def epochs_listed(epochs: int) -> tuple[list[int], int]:
    """The epochs a loss table lists, and the interval between them (1 = every epoch).

    A long run keeps epochs 1-3 (what a student checks by hand), then every ``step``-th epoch for a
    round ``step`` (1, 2 or 5 times a power of ten) giving about ten more rows, then the last epoch.
    """
    if epochs <= LOSS_ROWS:
        return list(range(1, epochs + 1)), 1
    step = 1
    while epochs / step > 10:
        for factor in (2, 2.5, 2):  # 1 → 2 → 5 → 10 → 20 → 50 …
            step = int(step * factor)
            if epochs / step <= 10:
                break
    listed = sorted({1, 2, 3, *range(step, epochs + 1, step), epochs})
    return listed, step


def trained_weights(trained: Config, i: int) -> LayerWeights:
    """The tables of layer ``i`` of the trained network."""
    layer = trained.layers[i]
    return layer_weights(layer.name, layer.weights, layer.bias, input_names(trained, i))


def predictions(config: Config, outputs: np.ndarray) -> Table:
    """Each sample's x and y beside what the trained network outputs for it (XOR's truth table)."""
    out = config.layers[-1].name

    def rows():
        for s in range(config.x.shape[0]):
            yield Row(symbol("sample", s + 1), (vector(config.x[s]), vector(config.y[s]), vector(outputs[s], RESULT)))

    columns = (Column("Sample", LABEL), Column("x", FORMULA), Column("y", FORMULA), Column(f"z[{out}]", FORMULA))
    return Table(columns, config.x.shape[0], rows)


def traced_update(it, updates: int) -> Traced:
    """Which update ``it`` of a run of ``updates`` is: its number, epoch and samples."""
    return Traced(it.number, updates, it.epoch, int(it.sample_indices[0]) + 1, int(it.sample_indices[-1]) + 1)


def training(config: Config, summary: Summary) -> Training:
    """What the tables show of a training run after the traced update."""
    it, losses = summary.shown, summary.epoch_losses
    listed, every = epochs_listed(len(losses))
    gap = next((epoch for before, epoch in zip(listed, listed[1:]) if epoch > before + 1), None)
    trained = summary.trained
    return Training(
        traced=traced_update(it, summary.plan.updates),
        plan=summary.plan.describe(), batch=config.batch, updates_per_epoch=summary.plan.updates_per_epoch,
        losses=tuple(EpochLoss(e, Num(float(losses[e - 1]), RESULT), e == gap) for e in listed), every=every,
        curve=losses, weights=tuple(trained_weights(trained, i) for i in range(len(trained.layers))),
        biases_fixed=not trained.update_bias and any(layer.bias is not None for layer in trained.layers),
        final_loss=Num(summary.final_loss), samples=config.x.shape[0],
        predictions=None if summary.outputs is None else predictions(config, summary.outputs),
        stopped=None if summary.stopped is None else len(losses) + 1,
    )
