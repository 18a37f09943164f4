"""What every renderer writes alike besides the document's formulas: the header's rows, a block's title with
its sample, the note below a cut table, and the words of a training run. Parts are text or formula nodes,
for each format to spell; no rich here, so the documents start without it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from backprop_cli.model import document as doc
from backprop_cli.model.formula import Node, Relation, Symbol

if TYPE_CHECKING:  # a run of one update needs none of it: not imported for the documents' start-up
    from backprop_cli.model.training import Traced, Training

Parts = tuple["str | Node", ...]


def inline(items, text: Callable[[str], str], formula: Callable[[Node], str]) -> str:
    """Words and formulas set one after the other, each spelled by a writer's own functions; ``items`` is
    such parts, or one of them (a table's cell)."""
    items = items if isinstance(items, tuple) else (items,)
    return "".join(text(p) if isinstance(p, str) else formula(p) for p in items)


def header_rows(head: doc.Header) -> list[tuple[str, Parts]]:
    """The network as given, a row per fact: its name and its value."""
    sizes = [str(head.inputs)] + [f"{width} {act} [{name}]" for width, act, name in head.layers]
    rows: list[tuple[str, Parts]] = [("Network", (" → ".join(sizes),))]
    if head.x is not None and head.y is not None:
        rows += [("Input x", (head.x,)), ("Desired output y", (head.y,))]
    else:
        rows.append(("Samples", (f"{head.samples} (x and y given as rows)",)))
    rows.append(("Learning rate α", (head.alpha,)))
    if head.optimizer is not None:
        rows.append(("Optimizer", (head.optimizer,)))
    rows.append(("Loss", (f"{head.loss}: ", head.loss_formula)))
    if head.hand_rounding is not None:
        n = head.hand_rounding
        rows.append(("Rounding", (f"by hand: {n} decimals ({n} significant digits where that keeps more); each step "
                                  "uses the rounded values",)))
    return rows


def block_title(block: doc.Block) -> Parts:
    """The block's title, with the sample it is about where the step is shown per sample."""
    sample = block.sample
    if sample is None:
        return (block.title,)
    if block.kind == "forward":
        return (f"{block.title} — sample {sample.number}: ", Relation(Symbol("x"), sample.x), ", ",
                Relation(Symbol("y"), sample.y))
    gap = "  " if block.kind == "output_gradient" else " "  # that title ends in a parenthesis of its own
    return (f"{block.title}{gap}— sample {sample.number}",)


def more_columns(names: list[str]) -> str:
    """What a table too wide for its page or terminal leaves for later or out: its columns ``names``."""
    listed = names[0] if len(names) == 1 else f"{names[0]} … {names[-1]}"
    return f"{len(names):,} more column{'s' if len(names) != 1 else ''} ({listed})"


def more_rows(hidden: int) -> str:
    """The note below a table cut to --rows."""
    return f"{hidden:,} more row{'s' if hidden != 1 else ''} (--rows 0 shows all)"


def update_title(traced: Traced) -> str:
    """Which update of the run is traced, e.g. 'Trace of update 3 of 8 — epoch 2, samples 1–4'."""
    first, last = traced.first_sample, traced.last_sample
    samples = f"sample {first}" if first == last else f"samples {first}–{last}"
    return f"Trace of update {traced.number:,} of {traced.updates:,} — epoch {traced.epoch:,}, {samples}"


SHOW_HINT = "(--show N traces update N)"


def training_title(run: Training) -> str:
    return f"Training: {run.plan}, batch {run.batch}"


def loss_what(run: Training) -> str:
    """What the loss of an epoch is."""
    return ("J before the epoch's update" if run.updates_per_epoch == 1 else
            "J over the epoch's samples, each measured at its own update")


def loss_note(run: Training) -> str:
    """The note below a loss table that skips epochs ('' where it lists every one)."""
    if run.every <= 1:
        return ""
    return f"Epochs 1–3, then every {run.every:,} epochs and the last; --format jsonl has every update."


def weights_title(run: Training) -> tuple[str, str]:
    return f"Weights after {run.traced.updates:,} updates", "row k = neuron k, column t = input t (as in the config)"


SHARED_BIAS = "(one bias shared by the layer)"
BIASES_FIXED = "Biases as given: update_bias is false."


def final_loss(run: Training, first: str) -> Parts:
    """J with the trained parameters, and ``first`` (epoch 1's J as written)."""
    samples = f"all {run.samples} samples" if run.samples != 1 else "its 1 sample"
    return ("J after training = ", run.final_loss, f"  ({samples}; epoch 1: {first})")
