"""The document of one update: its sections in the handout's order, each step's blocks and its worked example.

This is where the content of every format is decided; renderers only spell it.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from typing import Any

from backprop_cli.engine.activations import make_activation
from backprop_cli.engine.backprop import Iteration
from backprop_cli.engine.network import Config
from backprop_cli.model import backward, forward, optimizer
from backprop_cli.model.document import Block, Document, Example, Section
from backprop_cli.model.formula import Brace, Derivative, Label, Node, Partial
from backprop_cli.model.general import DJ_DP, DJ_DZ, shown_gradient
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.model.working import derivatives, weights_before


def _braced(node: Node) -> Node:
    """``node`` with every derivative factor labelled from above, as the handout's "Derivative Sigmoid"."""
    if isinstance(node, Derivative):
        # The name without its parameter: a Derivative knows the activation, not the layer's own slope.
        return Brace(node, f"Derivative {make_activation(node.activation).label.split(' (')[0]}")
    if not is_dataclass(node):
        return node
    # A field's new value, a node or a tuple of nodes: replace() takes the fields of the node's own kind.
    changes: dict[str, Any] = {}
    for name in (f.name for f in fields(node)):
        value = getattr(node, name)
        if isinstance(value, tuple):
            changes[name] = tuple(_braced(v) if isinstance(v, Node) else v for v in value)
        elif isinstance(value, Node):
            changes[name] = _braced(value)
    return replace(node, **changes)


# What a worked example computes, by the kind of its block: ∂J/∂z of the row's neuron, ∂J/∂p, ∂J/∂Θ.
_COMPUTES = {
    "step1": lambda label: Partial(Label("z", label.indices, label.layer)),
    "step2": lambda label: Partial(Label("z", label.indices, label.layer)),
    "output_gradient": lambda label: Partial(Label("p", label.indices, label.layer)),
    "weights": Partial,
}
_ABOUT = {"n": "neuron", "Θ": "weight", "b": "bias"}
FIGURE_NOTE = "see the bold blue number below the neuron in the figure above"
_GRADIENT = {"step1": DJ_DZ, "step2": DJ_DZ, "output_gradient": DJ_DP}  # the gradient a block's rows compute


def with_example(block: Block, shown: str = DJ_DZ) -> Block:
    """``block`` with its first row as the worked example of the step, in the handout's form; pointing to the
    figure where its neuron's gradient is the one the figure shows below it (``shown``)."""
    if block.table is None or block.table.total == 0:
        return block
    row = next(block.table.rows(1))
    label, formula, value = row.label, row.cells[-2], row.cells[-1]
    # The first row of a step is about a neuron or a parameter, and ends with a formula and its value.
    assert label is not None and not isinstance(formula, str) and not isinstance(value, str)
    note = FIGURE_NOTE if _GRADIENT.get(block.kind) == shown else ""
    return replace(block, example=Example(label, _braced(formula), value, left=_COMPUTES[block.kind](label),
                                          about=_ABOUT[label.symbol], note=note))


def _first_example(blocks: list[Block], shown: str = DJ_DZ) -> list[Block]:
    """One worked example per step: the first block's (the first sample's, the first layer's)."""
    return [with_example(b, shown) if n == 0 else b for n, b in enumerate(blocks)]


def _update(config: Config, it: Iteration, fmt: NumberFormat) -> Block:
    """Step 5: plain gradient descent, or the lines of the config's optimizer (each with its example, Θ_11 of
    the output layer as in the handout)."""
    if config.optimizer.plain:
        return backward.update(config, it, fmt)

    return optimizer.update(config, it, fmt, backward.loss_after(config, it, fmt))


def _section(step: str, blocks: list[Block], config: Config, layer: int | None = None) -> Section:
    name = step if layer is None else f"{step} [{config.layers[layer].name}]"
    return Section(step, name, tuple(blocks), layer)


def sections(config: Config, it: Iteration, fmt: NumberFormat, working: bool = False,
             weights: bool = False) -> list[Section]:
    """The trace of one update in the handout's order: the forward pass (per sample), Step 1 (per sample),
    Step 2 for each hidden layer from the last to the first (per sample), Steps 3, 4 and 5. ``working``
    adds the weights before the update, each p's sum and each layer's g'(p) and ∂J/∂p (model.working);
    ``weights`` the weights before the update alone (the tables, which have no figure to show them)."""
    samples = range(len(it.x))
    last = len(config.layers) - 1
    hidden = list(reversed(range(last)))  # backwards, as the error flows

    def per_sample(make, i: int) -> list[Block]:
        """The blocks ``make(s)`` of every sample, the first with the step's worked example; with ``working``,
        each sample's g'(p) and ∂J/∂p of layer ``i`` after its own."""
        blocks: list[Block] = []
        for s in samples:
            made = make(s)
            blocks += _first_example(made, shown_gradient(config.layers[i])) if not blocks else made
            extra = working and derivatives(config, it, s, i, not fmt.rounding.exact)
            if extra:
                blocks.append(extra)
        return blocks

    before = weights_before(config, it) if working or weights else []  # above the forward pass, which uses them
    out = [
        _section("Forward pass", [*before, *(forward.forward_pass(config, it, s, working) for s in samples)], config),
        _section("Step 1", per_sample(lambda s: forward.step1(config, it, s), last), config),
    ]
    for i in hidden:
        out.append(_section("Step 2", per_sample(lambda s: [backward.step2(config, it, s, i)], i), config, i))
    out.append(_section("Step 3", [with_example(backward.weight_gradient(config, it, last))], config))
    if hidden:
        out.append(_section("Step 4", _first_example([backward.weight_gradient(config, it, i) for i in hidden]),
                            config))
    out.append(_section("Step 5", [_update(config, it, fmt)], config))
    return out


def document(config: Config, it: Iteration, fmt: NumberFormat, working: bool = False,
             weights: bool = False) -> Document:
    """The worked example of update ``it``: the header and every section, numbers written by ``fmt``;
    ``working`` adds the intermediate values, ``weights`` the weights before the update (``sections``)."""
    return Document(forward.header(config, fmt.rounding.digits), tuple(sections(config, it, fmt, working, weights)),
                    fmt, len(it.x))
