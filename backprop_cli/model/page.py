"""What a document of a run holds (``bptrace run --format latex|markdown|html``): the worked example of the
traced update, the network's figure, with ``--explain`` the derivation of the formulas, and for a training
run the loss per epoch, its curve and the trained weights. Decided here once for every format."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from backprop_cli.engine.backprop import Iteration
from backprop_cli.engine.network import Config
from backprop_cli.model.build import document
from backprop_cli.model.document import Document
from backprop_cli.model.figure_layout import Figure, network_figure
from backprop_cli.model.numbers import NumberFormat

if TYPE_CHECKING:
    from backprop_cli.model.derivation import Paragraph
    from backprop_cli.model.training import Training


@dataclass(frozen=True)
class Page:
    """The document of one run, in the handout's order: header, figure, the steps, the derivation, training."""

    document: Document
    figure: Figure
    derivation: tuple  # of model.derivation.Paragraph; empty without --explain
    training: Training | None  # None for a run of one update


def page(config: Config, it: Iteration, fmt: NumberFormat, *, explain: bool = False, working: bool = False,
         summary=None) -> Page:
    """The document of update ``it`` of ``config`` (the traced one of ``summary``, a training.Summary, for a
    run of several updates); ``working`` adds the intermediate values (model.working)."""
    said: tuple[Paragraph, ...] = ()
    if explain:  # --explain's derivation: a mode of its own, loaded when asked for
        from backprop_cli.model.derivation import derivation

        said = derivation(config)
    run = None
    if summary is not None:  # a training run's loss per epoch and trained network, loaded for such a run
        from backprop_cli.model.training import training

        run = training(config, summary)
    return Page(document(config, it, fmt, working), network_figure(config, it, fmt), said, run)
