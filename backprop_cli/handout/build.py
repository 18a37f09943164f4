"""The document of one update: its sections in the handout's order, each step's blocks and its worked example.

This is where the content of every format is decided; renderers only spell it.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace

from backprop_cli.activations import make_activation
from backprop_cli.engine import Iteration
from backprop_cli.handout import backward, forward
from backprop_cli.handout.document import Block, Document, Example, Section
from backprop_cli.handout.formula import Brace, Derivative, Node
from backprop_cli.handout.numbers import NumberFormat
from backprop_cli.handout.working import derivatives, weights_before
from backprop_cli.network import Config


def _braced(node: Node) -> Node:
    """``node`` with every derivative factor labelled from above, as the handout's "Derivative Sigmoid"."""
    if isinstance(node, Derivative):
        return Brace(node, f"Derivative {make_activation(node.activation).label}")
    if not is_dataclass(node):
        return node
    changes = {}
    for f in fields(node):
        value = getattr(node, f.name)
        if isinstance(value, tuple):
            changes[f.name] = tuple(_braced(v) if is_dataclass(v) else v for v in value)
        elif is_dataclass(value):
            changes[f.name] = _braced(value)
    return replace(node, **changes)


def with_example(block: Block) -> Block:
    """``block`` with its first row as the worked example of the step, in the handout's form."""
    if block.table is None or block.table.total == 0:
        return block
    row = next(block.table.rows(1))
    formula, value = row.cells[-2], row.cells[-1]
    return replace(block, example=Example(row.label, _braced(formula), value, update=block.kind == "update"))


def _section(step: str, blocks: list[Block], config: Config, layer: int | None = None) -> Section:
    name = step if layer is None else f"{step} [{config.layers[layer].name}]"
    return Section(step, name, tuple(blocks), layer)


def sections(config: Config, it: Iteration, fmt: NumberFormat, working: bool = False) -> list[Section]:
    """The trace of one update in the handout's order: the forward pass (per sample), Step 1 (per sample),
    Step 2 for each hidden layer from the last to the first (per sample), Steps 3, 4 and 5. ``working``
    adds the weights before the update, each p's sum and each layer's g'(p) and ∂J/∂p (handout.working)."""
    samples = range(len(it.x))
    last = len(config.layers) - 1
    hidden = list(reversed(range(last)))  # backwards, as the error flows

    def with_factors(blocks: list[Block], s: int, i: int) -> list[Block]:
        extra = working and derivatives(config, it, s, i)
        return blocks + [extra] if extra else blocks

    out = [_section("Weights", weights_before(config, it), config)] if working else []
    out += [
        _section("Forward pass", [forward.forward_pass(config, it, s, working) for s in samples], config),
        _section("Step 1", [b for s in samples for b in with_factors(
            [with_example(b) for b in forward.step1(config, it, s)], s, last)], config),
    ]
    for i in hidden:
        out.append(_section("Step 2", [b for s in samples for b in with_factors(
            [with_example(backward.step2(config, it, s, i))], s, i)], config, i))
    out.append(_section("Step 3", [with_example(backward.weight_gradient(config, it, last))], config))
    if hidden:
        out.append(_section("Step 4", [with_example(backward.weight_gradient(config, it, i)) for i in hidden], config))
    out.append(_section("Step 5", [with_example(backward.update(config, it, fmt))], config))
    return out


def document(config: Config, it: Iteration, fmt: NumberFormat, working: bool = False) -> Document:
    """The worked example of update ``it``: the header and every section, numbers written by ``fmt``;
    ``working`` adds the intermediate values (``sections``)."""
    return Document(forward.header(config, fmt.hand), tuple(sections(config, it, fmt, working)), fmt, len(it.x))
