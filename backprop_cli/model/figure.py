"""What the network figure shows: the text of every node, edge, title and caption line of one update.

No geometry here (layout.py places things) and no spelling (svg.py and tikz.py write them): only which
numbers, written by the tables' NumberFormat, so the figure shows the digits the terminal shows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backprop_cli.engine.backprop import Iteration
from backprop_cli.engine.network import Config
from backprop_cli.model.general import DJ_DP, DJ_DZ, shown_gradient
from backprop_cli.model.numbers import NumberFormat

MAX_SHOWN = 6  # a layer of up to this many neurons is drawn whole
HEAD = 3  # a wider layer shows its first HEAD neurons, a gap marker and its last neuron


@dataclass(frozen=True)
class Item:
    """One label. ``text`` is how it reads in plain unicode (its width is estimated from it); ``parts``
    are its pieces for the writers that set them apart (sub- and superscripts, math, bold numbers):

    - ``name``: (symbol, index, layer or ""), e.g. ("n", "1", "hid") for n₁^[hid];
    - ``value``: (quantity, number, note), e.g. ("p", "−0.85", "");
    - ``gradient``: (quantity, number), set in bold blue, e.g. ("∂J/∂z", "0.13");
    - ``weight``: (number,); ``title``, ``text`` and ``gap``: no parts, the text alone.
    """

    kind: str
    text: str
    parts: tuple[str, ...] = ()


def name_item(symbol: str, index: int, layer: str = "") -> Item:
    """n_k^[layer] or x_t, with ``index`` 1-based."""
    return Item("name", f"{symbol}{index}" + (f"[{layer}]" if layer else ""), (symbol, str(index), layer))


def value_item(quantity: str, number: str, note: str = "") -> Item:
    """A quantity and its number, e.g. 'p = −0.85'."""
    return Item("value", f"{quantity} = {number}" + (f" {note}" if note else ""), (quantity, number, note))


def gradient_item(quantity: str, number: str) -> Item:
    """The gradient of a neuron (``shown_gradient``), which the handout prints in bold blue below the neuron."""
    return Item("gradient", f"{quantity} = {number}", (quantity, number))


@dataclass(frozen=True)
class Node:
    """A drawn input or neuron (``row`` its 0-based index), or the gap marker of a wide layer (row None)."""

    row: int | None
    name: Item | None
    lines: tuple[Item, ...]  # below the node, top to bottom
    is_input: bool = False


@dataclass(frozen=True)
class Column:
    """The inputs, or one layer: its title lines above and its drawn nodes from top to bottom."""

    title: tuple[Item, ...]
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Edge:
    """The weight from node ``source`` of column ``strip`` to node ``target`` of column ``strip`` + 1
    (indices into the columns' ``nodes``)."""

    strip: int
    source: int
    target: int
    label: Item


@dataclass(frozen=True)
class Content:
    columns: tuple[Column, ...]
    edges: tuple[Edge, ...]
    caption: tuple[Item, ...]
    title: str  # what the figure shows, in one line (the SVG's <title>)


def shown_rows(count: int) -> tuple[int | None, ...]:
    """The neurons drawn of a layer of ``count``: all up to MAX_SHOWN, else the first HEAD, a gap (None)
    and the last."""
    if count <= MAX_SHOWN:
        return tuple(range(count))
    return (*range(HEAD), None, count - 1)


def _gap(count: int) -> Node:
    hidden = count - HEAD - 1
    return Node(None, None, (Item("gap", "⋮"), Item("text", f"{hidden:,} more")))


def input_column(x, fmt: NumberFormat) -> Column:
    nodes = [_gap(len(x)) if t is None else
             Node(t, name_item("x", t + 1), (value_item("x", fmt.given(x[t])),), is_input=True)
             for t in shown_rows(len(x))]
    return Column((Item("title", "input"),), tuple(nodes))


def layer_column(config: Config, it: Iteration, i: int, s: int, fmt: NumberFormat, after: bool,
                 given: bool = False) -> Column:
    """Layer ``i`` for sample ``s``: under each neuron its bias (one per neuron), p, z and its gradient,
    ``shown_gradient`` (with ``given``, the bias alone: the numbers of a sheet to work out are left to the
    person)."""
    layer, lp, st = config.layers[i], it.passes[i], it.layers[i]
    quantity = shown_gradient(layer)
    gradient = lp.dJ_dz if quantity == DJ_DZ else lp.dJ_dp
    bias = st.new_bias if after else st.bias
    title = [Item("title", layer.name), Item("text", layer.act.label)]
    shared = None if isinstance(bias, np.ndarray) else bias  # one bias for the whole layer, or None
    if shared is not None:
        title.append(value_item("b", fmt.param(shared), "(shared)"))
    nodes = []
    for k in shown_rows(layer.width):
        if k is None:
            nodes.append(_gap(layer.width))
            continue
        lines = [value_item("b", fmt.param(bias[k]))] if isinstance(bias, np.ndarray) else []
        if not given:
            lines += [value_item("p", fmt.result(lp.p[s, k])), value_item("z", fmt.result(lp.z[s, k])),
                      gradient_item(quantity, fmt.result(gradient[s, k]))]
        nodes.append(Node(k, name_item("n", k + 1, layer.name), tuple(lines)))
    return Column(tuple(title), tuple(nodes))


def _edges(columns: list[Column], it: Iteration, fmt: NumberFormat, after: bool) -> list[Edge]:
    """One edge between every two drawn neurons of neighbouring columns, labelled with its weight Θ_kt."""
    edges = []
    for i, step in enumerate(it.layers):
        weights = step.new_weights if after else step.weights
        for a, source in enumerate(columns[i].nodes):
            for b, target in enumerate(columns[i + 1].nodes):
                if source.row is not None and target.row is not None:
                    number = fmt.param(weights[target.row, source.row])
                    edges.append(Edge(i, a, b, Item("weight", number, (number,))))
    return edges


def _gradients(config: Config) -> tuple[str, list[str]]:
    """What the caption says of the bold blue numbers: the gradients shown, as a list for "Below each neuron",
    and the lines that say why a softmax layer shows ∂J/∂p."""
    softmax = [layer.name for layer in config.layers if shown_gradient(layer) == DJ_DP]
    if not softmax:
        return DJ_DZ, []
    why = [f"In a softmax every z depends on every p, and the steps after Step 1 use {DJ_DP}."]
    if len(softmax) == len(config.layers):
        return DJ_DP, why
    return f"{DJ_DZ}; {DJ_DP} in the softmax layer '{softmax[0]}'", why


def _caption(config: Config, it: Iteration, s: int, after: bool, given: bool = False) -> list[Item]:
    when = "after" if after else "before"
    shown, why = _gradients(config)
    per_neuron = any(st.bias is not None and not st.shared_bias for st in it.layers)
    biases = " and biases b" if any(st.bias is not None for st in it.layers) else ""
    lines = [f"Weights Θ (on the edges){biases}: {when} the update."]
    if given:
        lines += ["Below each neuron: its bias b."] if per_neuron else []
    else:
        lines.append(f"Below each neuron: {'its bias b, ' if per_neuron else ''}p, z and, in bold blue, {shown}.")
        lines += why
    if len(it.x) > 1 and not given:
        names = shown if shown in (DJ_DZ, DJ_DP) else "the gradients"
        lines.append(f"p, z and {names} of sample {int(it.sample_indices[s]) + 1} of the {len(it.x)} "
                     f"in update {it.number}.")
    if any(layer.width > MAX_SHOWN for layer in config.layers) or config.x.shape[1] > MAX_SHOWN:
        lines.append(f"Layers of more than {MAX_SHOWN} show their first {HEAD} and their last; "
                     "⋮ stands for the rest.")
    return [Item("text", line) for line in lines]


def figure_content(config: Config, it: Iteration, fmt: NumberFormat, *, after: bool = False,
                   sample: int = 0, given: bool = False) -> Content:
    """The figure of update ``it``: the values of its sample ``sample`` (an index into the update's
    samples), and on the edges its weights before the update, or after it with ``after``. With ``given``
    only what an exercise gives (x, the weights and biases), for an answer sheet."""
    columns = [input_column(it.x[sample], fmt)]
    columns += [layer_column(config, it, i, sample, fmt, after, given) for i in range(len(config.layers))]
    sizes = "-".join(str(n) for n in (config.x.shape[1], *(l.width for l in config.layers)))
    title = f"{config.title or 'Network'}: {sizes} network, weights {'after' if after else 'before'} the update"
    caption = _caption(config, it, sample, after, given)
    return Content(tuple(columns), tuple(_edges(columns, it, fmt, after)), tuple(caption), title)
