"""The handout's layout: a header, the forward pass, then Step 1) … Step 5) with numbers substituted.

Every function returns rich renderables; nothing here prints or computes a gradient. Values come from
the trace; this module only writes them into formulas.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import Callable, Iterable, Iterator

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from backprop_cli.activations import Activation
from backprop_cli.network import Config
from backprop_cli.engine import Iteration
from backprop_cli.losses import LOSSES
from backprop_cli.render import formulas
from backprop_cli.render.numbers import NumberFormat
from backprop_cli.render.output_layer import output_gradient

MAX_TERMS = 4  # a sum with more terms is shortened with "…"
LINE = 60  # a sum longer than this is set one term per line


@dataclass(frozen=True)
class TableOptions:
    """What the table renderer needs besides the trace."""

    fmt: NumberFormat
    rows: int = 16  # rows shown per table; 0 = all
    explain: bool = False  # the general formula and why it holds before each phase (render/explain.py)


def neuron(k: int, layer: str) -> str:
    return f"n{k + 1}[{layer}]"


def weight(k: int, t: int, layer: str) -> str:
    sep = "," if k >= 9 or t >= 9 else ""
    return f"Θ_{k + 1}{sep}{t + 1}[{layer}]"


def bias_label(k: int | None, layer: str) -> str:
    return f"b[{layer}]" if k is None else f"b_{k + 1}[{layer}]"


def join_terms(count: int, term: Callable[[int], str], sep: str = " + ") -> str:
    """The terms ``term(0)`` … ``term(count − 1)`` joined by ``sep``; a long sum keeps its first two
    and its last term around a count of the rest (only those terms are written)."""
    if count <= MAX_TERMS:
        return sep.join(term(j) for j in range(count))
    return f"{term(0)}{sep}{term(1)}{sep}… {count - 3} more …{sep}{term(count - 1)}"


def sum_text(count: int, term: Callable[[int], str]) -> str:
    """A sum for a table cell: on one line, or one term per line when long, as the handout sets it."""
    terms = join_terms(count, term)
    return join_terms(count, term, sep="\n+ ") if len(terms) > LINE else terms


def vector(values: Iterable[float], fmt) -> str:
    items = [fmt(v) for v in values]
    if len(items) > 8:
        items = items[:6] + [f"… ({len(items) - 7} more)", items[-1]]
    return "(" + ", ".join(items) + ")"


def heading(title: str, formula: str = "") -> Text:
    """A step's title, with its general formula on the line below."""
    text = Text(title, style="bold")
    if formula:
        text.append("\n")
        text.append(formula, style="italic")
    return text


def formula_table(first: str, *formulas: str, value: str = "Value") -> Table:
    """A table of what a row is about, its formulas with numbers (one column each), then the value."""
    table = Table(box=box.HEAVY_HEAD, header_style="bold")
    table.add_column(first, no_wrap=True)
    for formula in formulas:
        table.add_column(formula, overflow="fold")
    table.add_column(value, justify="right", no_wrap=True, style="bold cyan")
    return table


def fill(table: Table, rows: Iterator[tuple[str, ...]], total: int, limit: int) -> Table:
    """Add at most ``limit`` rows (all if 0), then a note saying how many were left out and how to see them."""
    shown = total if limit <= 0 else min(limit, total)
    for row in islice(rows, shown):
        table.add_row(*(Text(cell) for cell in row))  # Text: numbers and brackets are never read as markup
    if shown < total:
        table.add_row(*(["…"] * len(table.columns)), style="dim")
        hidden = total - shown
        table.caption = f"{hidden:,} more row{'s' if hidden != 1 else ''} (--rows 0 shows all)"
        table.caption_justify = "left"
    return table


def header(config: Config, opts: TableOptions) -> RenderableType:
    fmt = opts.fmt
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    sizes = [str(config.x.shape[1])] + [
        f"{l.width} {l.act.label} [{l.name}]" for l in config.layers
    ]
    grid.add_row("Network", " → ".join(sizes))
    if config.single_sample:
        grid.add_row("Input x", vector(config.x[0], fmt.given))
        grid.add_row("Desired output y", vector(config.y[0], fmt.given))
    else:
        grid.add_row("Samples", f"{config.x.shape[0]} (x and y given as rows)")
    grid.add_row("Learning rate α", fmt.given(config.alpha))
    if not config.optimizer.plain:
        grid.add_row("Optimizer", config.optimizer.describe())
    grid.add_row("Loss", f"{config.loss}: {LOSSES[config.loss].formula}")
    if fmt.hand is not None:
        grid.add_row("Rounding", f"by hand: {fmt.hand} decimals ({fmt.hand} significant digits where that keeps "
                                 "more); each step uses the rounded values")
    title = Text(config.title or "bptrace", style="bold underline")
    return Group(title, grid)


def loss_line(label: str, z, y, value: float, loss_name: str, fmt: NumberFormat) -> Text:
    loss = LOSSES[loss_name]
    terms = join_terms(len(z), lambda k: loss.term_text(fmt.result(z[k]), fmt.factor(fmt.given(y[k]))))
    return Text(f"{label} = {loss.total_text(terms, len(z))} = {fmt.result(value)}")


def forward_pass(config: Config, it: Iteration, s: int, opts: TableOptions) -> list[RenderableType]:
    fmt = opts.fmt
    table = Table(box=box.HEAVY_HEAD, header_style="bold")
    table.add_column("Neuron", no_wrap=True)
    table.add_column("Preactivation p", justify="right")
    table.add_column("Activation z", justify="right", style="bold cyan")
    table.add_column("Activation function g(·)")

    def rows():
        for layer, lp in zip(config.layers, it.passes):
            label = layer.act.label
            for k in range(lp.p.shape[1]):
                yield neuron(k, layer.name), fmt.result(lp.p[s, k]), fmt.result(lp.z[s, k]), label

    total = sum(l.width for l in config.layers)
    title = "Forward pass" + (_sample_title(config, it, s, fmt) if len(it.x) > 1 else "")
    loss = loss_line("J(Θ)", it.passes[-1].z[s], it.y[s], it.sample_losses[s], config.loss, fmt)
    return [heading(title), fill(table, rows(), total, opts.rows), loss]


def _sample_title(config: Config, it: Iteration, s: int, fmt: NumberFormat) -> str:
    index = int(it.sample_indices[s])
    return f" — sample {index + 1}: x = {vector(it.x[s], fmt.given)}, y = {vector(it.y[s], fmt.given)}"


def _derivative(act: Activation, p: float, fmt: NumberFormat) -> str:
    return act.derivative_text(fmt.result(p))


def step1(config: Config, it: Iteration, s: int, opts: TableOptions) -> list[RenderableType]:
    fmt, loss, out = opts.fmt, LOSSES[config.loss], it.passes[-1]
    K = out.z.shape[1]
    table = formula_table("Neuron", "Formula with numbers", value="∂J/∂z")

    def rows():
        for k in range(K):
            text = loss.gradient_text(fmt.result(out.z[s, k]), fmt.factor(fmt.given(it.y[s, k])), K)
            yield neuron(k, out.name), text, fmt.result(out.dJ_dz[s, k])

    title = "Step 1) Error gradient in the output layer"
    return [heading(title, loss.gradient_formula), fill(table, rows(), K, opts.rows),
            *output_gradient(config, it, s, opts)]  # then ∂J/∂p where it is not just g'(p) (softmax, z − y)


def step2(config: Config, it: Iteration, s: int, i: int, opts: TableOptions) -> list[RenderableType]:
    """The error gradient of hidden layer ``i``, from the layer after it."""
    fmt = opts.fmt
    here, nxt = it.passes[i], it.passes[i + 1]
    nxt_layer = config.layers[i + 1]
    act = nxt_layer.act
    theta = it.steps[i + 1].weights
    chain = not it.passes[i + 1].dJ_dp_shown  # else ∂J/∂p_k of the next layer is one number, from Step 1
    general = "Σ_k ∂J/∂z_k · g'(p_k) · Θ_kt" if chain else "Σ_k ∂J/∂p_k · Θ_kt"
    table = formula_table("Neuron", f"{general} with numbers", value="∂J/∂z")

    def term(k: int, t: int) -> str:
        w = fmt.factor(fmt.param(theta[k, t]))
        if chain:
            return f"[{fmt.result(nxt.dJ_dz[s, k])} · {_derivative(act, nxt.p[s, k], fmt)} · {w}]"
        return f"[{fmt.result(nxt.dJ_dp[s, k])} · {w}]"

    def rows():
        for t in range(here.z.shape[1]):
            yield neuron(t, here.name), sum_text(nxt.z.shape[1], lambda k: term(k, t)), fmt.result(here.dJ_dz[s, t])

    formula = formulas.error_gradient(here.name, nxt.name, through_dJ_dp=not chain)
    title = f"Step 2) Error gradient in the hidden layer '{here.name}'"
    return [heading(title, formula), fill(table, rows(), here.z.shape[1], opts.rows)]


def _gradient_rows(config: Config, it: Iteration, i: int, opts: TableOptions) -> Iterator[tuple[str, str, str]]:
    """One row per weight (then per bias) of layer ``i``: the chain with numbers, or the batch combination."""
    fmt = opts.fmt
    layer, lp, st = config.layers[i], it.passes[i], it.steps[i]
    act = layer.act
    inputs = it.layer_input(i)
    samples = len(it.x)
    given_input = i == 0  # x is given; a previous layer's z is a result
    chain = not it.passes[i].dJ_dp_shown  # else ∂J/∂p_k is one number, from Step 1

    def delta(s: int, k: int) -> str:
        if chain:
            return f"{fmt.result(lp.dJ_dz[s, k])} · {_derivative(act, lp.p[s, k], fmt)}"
        return fmt.result(lp.dJ_dp[s, k])

    def combined(part: Callable[[int], float]) -> str:
        joined = join_terms(samples, lambda s: fmt.factor(fmt.result(part(s))))
        return f"({joined}) / {samples}" if config.batch == "mean" else joined

    n, m = st.weights.shape
    for k in range(n):
        for t in range(m):
            if samples == 1:
                z = fmt.given(inputs[0, t]) if given_input else fmt.result(inputs[0, t])
                text = f"{delta(0, k)} · {fmt.factor(z)}"
            else:
                text = combined(lambda s: it.sample_gradients(i, s)[0][k, t])
            yield weight(k, t, layer.name), text, fmt.result(st.dJ_dweights[k, t])
    if st.bias is None:
        return
    shared = st.shared_bias
    for k in ([None] if shared else range(n)):
        if samples == 1:
            text = sum_text(n, lambda j: f"[{delta(0, j)}]") if shared else delta(0, k)
        else:
            text = combined(lambda s: it.sample_gradients(i, s)[1] if shared else it.sample_gradients(i, s)[1][k])
        value = st.dJ_dbias if shared else st.dJ_dbias[k]
        yield bias_label(k, layer.name), text, fmt.result(value)


def weight_gradient(config: Config, it: Iteration, i: int, opts: TableOptions) -> list[RenderableType]:
    layer = config.layers[i]
    last = i == len(config.layers) - 1
    source = "x_t" if i == 0 else f"z_t[{config.layers[i - 1].name}]"
    middle = formulas.delta(it.passes[i].dJ_dp_shown)
    formula = formulas.weight_gradient(layer.name, source, it.passes[i].dJ_dp_shown)
    if it.steps[i].shared_bias:  # one bias shared by the layer: every neuron's term adds up
        formula += f";  ∂J/∂b = Σ_k {middle}"
    elif it.steps[i].bias is not None:
        formula += f";  ∂J/∂b_k = {middle}"
    if len(it.x) > 1:
        formula += f"  ({config.batch} over {len(it.x)} samples)"
    step = "Step 3) Weight gradient in the output layer" if last else (
        f"Step 4) Weight gradient in the hidden layer '{layer.name}'")
    table = formula_table("Parameter", "Formula with numbers" if len(it.x) == 1 else
                          f"{config.batch} of the per-sample gradients", value="∂J/∂Θ")
    rows = _gradient_rows(config, it, i, opts)
    return [heading(step, formula), fill(table, rows, it.steps[i].parameters, opts.rows)]


def update(config: Config, it: Iteration, opts: TableOptions) -> list[RenderableType]:
    if not config.optimizer.plain:  # momentum, Adam, weight decay, ...: their lines (render/optimizer_step.py)
        from backprop_cli.render.optimizer_step import update as optimizer_update

        return optimizer_update(config, it, opts) + [after_update(it, opts.fmt)]
    fmt = opts.fmt
    alpha = fmt.given(config.alpha)
    table = formula_table("Parameter", "Θ − α · ∂J/∂Θ with numbers", value="New value")

    def rows():
        for layer, st in zip(config.layers, it.steps):
            n, m = st.weights.shape
            for k in range(n):
                for t in range(m):
                    text = f"{fmt.param(st.weights[k, t])} − {alpha} · {fmt.factor(fmt.result(st.dJ_dweights[k, t]))}"
                    yield weight(k, t, layer.name), text, fmt.param(st.new_weights[k, t])
            if st.bias is None:
                continue
            shared = st.shared_bias
            for k in ([None] if shared else range(n)):
                b, g, nb = (st.bias, st.dJ_dbias, st.new_bias) if shared else (
                    st.bias[k], st.dJ_dbias[k], st.new_bias[k])
                if config.update_bias:
                    text = f"{fmt.param(b)} − {alpha} · {fmt.factor(fmt.result(g))}"
                else:
                    text = f"{fmt.param(b)} (update_bias: false keeps it)"
                yield bias_label(k, layer.name), text, fmt.param(nb)

    total = sum(st.parameters for st in it.steps)
    result: list[RenderableType] = [heading("Step 5) Update", f"Θ ← Θ − α · ∂J/∂Θ,  α = {alpha}"),
                                    fill(table, rows(), total, opts.rows)]
    result.append(after_update(it, fmt))
    return result


def after_update(it: Iteration, fmt: NumberFormat) -> Text:
    """The line under Step 5: J with the new parameters, and before."""
    before = fmt.result(it.loss)
    return Text(f"J(Θ) after the update = {fmt.result(it.loss_after)}  (before: {before})", style="bold")


@dataclass(frozen=True)
class Phase:
    """One phase of the trace of an update: which step it is, and what is printed for it."""

    step: str  # "Forward pass", "Step 1", ..., "Step 5"
    renderables: list[RenderableType]
    layer: int | None = None  # the hidden layer a "Step 2" phase is about
    name: str = ""  # as shown to the reader: the step, and the layer's name for Step 2

    @staticmethod
    def of(step: str, renderables: list[RenderableType], config: Config, layer: int | None = None) -> "Phase":
        name = step if layer is None else f"{step} [{config.layers[layer].name}]"
        return Phase(step, renderables, layer, name)


def phases(config: Config, it: Iteration, opts: TableOptions) -> list[Phase]:
    """The trace of one update as phases, in the handout's order (step mode walks through these)."""
    samples = range(len(it.x))
    hidden_layers = list(reversed(range(len(config.layers) - 1)))  # backwards, as the error flows
    out = [
        Phase.of("Forward pass", [r for s in samples
                                  for r in ([Text("")] if s else []) + forward_pass(config, it, s, opts)], config),
        Phase.of("Step 1", [r for s in samples for r in _per_sample(config, it, s, step1(config, it, s, opts))],
                 config),
    ]
    for i in hidden_layers:
        out.append(Phase.of("Step 2", [r for s in samples
                                       for r in _per_sample(config, it, s, step2(config, it, s, i, opts))], config, i))
    out.append(Phase.of("Step 3", weight_gradient(config, it, len(config.layers) - 1, opts), config))
    if hidden_layers:
        out.append(Phase.of("Step 4", [r for n, i in enumerate(hidden_layers)
                                       for r in ([Text("")] if n else []) + weight_gradient(config, it, i, opts)],
                            config))
    out.append(Phase.of("Step 5", update(config, it, opts), config))
    return out


def _per_sample(config: Config, it: Iteration, s: int, items: list[RenderableType]) -> list[RenderableType]:
    """A phase's renderables for sample ``s``: the sample named in the title, a blank line between samples."""
    if len(it.x) == 1:
        return items
    title, _, formula = items[0].plain.partition("\n")
    first = heading(f"{title} — sample {int(it.sample_indices[s]) + 1}", formula)
    return ([Text("")] if s else []) + [first] + items[1:]


def render_iteration(config: Config, it: Iteration, opts: TableOptions) -> list[RenderableType]:
    """The header and every phase of one update, with a blank line between phases."""
    items: list[RenderableType] = [header(config, opts)]
    for phase in phases(config, it, opts):
        items.append(Text(""))
        if opts.explain:
            from backprop_cli.render.explain import explanation  # loaded only when asked for

            items.extend(explanation(config, it, phase, opts.fmt))
        items.extend(phase.renderables)
    return items


def make_console(stream, color: bool | None):
    """A rich console on ``stream``: colour on a terminal only, unless ``color`` forces it on or off."""
    from rich.console import Console

    return Console(
        file=stream,
        force_terminal=True if color else None,
        no_color=color is False or None,
        highlight=False,
        emoji=False,
        markup=False,  # every string is literal: formulas are full of [brackets]
        soft_wrap=False,
    )


def write_table(stream, config: Config, iterations: Iterable[Iteration], opts: TableOptions,
                color: bool | None = None) -> None:
    """Print the trace of the first update in the handout's layout."""
    console = make_console(stream, color)
    first = next(iter(iterations))
    for item in render_iteration(config, first, opts):
        console.print(item)
