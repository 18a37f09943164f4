"""Step 5 with an optimizer other than plain gradient descent (momentum, Adam, weight decay, ...): the block
of the document, a row per line of every parameter with its numbers put in, and what ``--explain`` says.
The lines come from ``optimizers.py`` as plain data (``Optimizer.describe``: the symbol, the numbers, the
result and the rule's formula tree)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import fields, is_dataclass, replace
from typing import Any

import numpy as np

from backprop_cli.engine.backprop import Iteration, LayerStep
from backprop_cli.engine.kinds import GIVEN, PARAM
from backprop_cli.engine.network import Config
from backprop_cli.engine.optimizer_rules import DECAY, GRADIENT, HYPERS, Line, Rule
from backprop_cli.engine.optimizer_state import OptimizerSpec
from backprop_cli.engine.optimizers import AT_ONCE
from backprop_cli.engine.rounding import Rounding
from backprop_cli.model import formula
from backprop_cli.model.document import (
    FORMULA,
    LABEL,
    VALUE,
    Block,
    Column,
    Example,
    Row,
    Table,
)
from backprop_cli.model.formula import (
    Equations,
    Kept,
    Node,
    Num,
    Partial,
    Relation,
    Symbol,
    weight,
)
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.model.walk import parameters

# Columns of the table: the parameter (on its first line), the symbol a line computes, the numbers, the value.
COLUMNS = (Column("Parameter", LABEL), Column("", LABEL), Column("Formula with numbers", FORMULA),
           Column("Value", VALUE))


class _Reader(dict):
    """The values of a rule's form, read by name: each a symbol (or the node ``names`` gives)."""

    def __init__(self, names: Mapping[str, Node] | None = None) -> None:
        super().__init__()
        self.names = names or {}

    def __missing__(self, key: str) -> Node:
        return self.names.get(key) or Symbol(key)


def general(rule: Rule, theta: Node) -> Relation:
    """A line of Step 5 as a general formula (v ← μ · v + g), the parameter written ``theta``."""
    names = {"Θ": theta, GRADIENT: Partial(theta)}
    left = theta if rule.symbol == "Θ" else Symbol(rule.symbol)
    return Relation(left, rule.form(_Reader(names), formula), "=" if rule.symbol == "g" else "←")


def formulas(spec: OptimizerSpec, theta: Node | None = None) -> list[Relation]:
    """The general formulas of ``spec``'s optimizer, one per shown line (v ← μ · v + g, ...), after what g
    is; the parameter is written ``theta`` (Θ, or a weight such as Θ_11[out] for an example)."""
    theta = theta or formula.symbol("Θ")
    rules = spec.optimizer.rules_for(spec.hyper)
    first = [] if rules[0] is DECAY else [Relation(Symbol("g"), Partial(theta))]
    return first + [general(rule, theta) for rule in rules if rule.shown]


def hyper_line(spec: OptimizerSpec, alpha: float) -> Equations:
    """α = 0.1, β1 = 0.9, β2 = 0.999, ε = 1e-08 (λ only where there is weight decay)."""
    given = [Relation(Symbol(HYPERS[key].symbol), Num(value, GIVEN)) for key, value in spec.hyper.items()
             if key != "weight_decay" or value]
    return Equations((Relation(Symbol("α"), Num(alpha, GIVEN)), *given), joiner=", ")


def _led(node: Node) -> Node:
    """``node`` with the number it starts with written without parentheses: a negative number needs them
    inside a formula (0.1 · (−0.005)), not at its start (−0.50 − 0.1 · …)."""
    if isinstance(node, Num):
        return replace(node, wrap=False)
    first = fields(node)[0].name if is_dataclass(node) and type(node).__name__ in _LEADING else None
    if first is None:
        return node
    value = getattr(node, first)
    # Any: replace() takes the fields of the node's own kind, a node or a tuple of nodes here.
    led: Any = (_led(value[0]), *value[1:]) if isinstance(value, tuple) else _led(value)
    return replace(node, **{first: led})


# nodes whose text starts with their first part
_LEADING = {"Sum", "Difference", "Product", "Quotient", "Square", "Power"}


def with_numbers(line: Line) -> Node:
    """The right-hand side of ``line`` with its numbers put in: 0.9 · 0.0000 + (1 − 0.9) · 0.0763."""
    nodes = {name: Num(value, kind, wrap=True) for name, value, kind in line.values}
    return _led(line.form(nodes, formula))


def _value(line: Line) -> Num:
    return Num(line.result, line.kind)


def _at(state: Mapping[str, Any], index) -> dict[str, Any]:
    """One parameter's part of a layer's state (``index`` None: a shared bias, the state itself)."""
    return {key: value if index is None or not isinstance(value, np.ndarray) else value[index]
            for key, value in state.items()}


def _lines(config: Config, st: LayerStep, field: str, index, rounding: Rounding) -> list[Line]:
    """The optimizer's lines of one weight or bias (``index`` () for a shared bias)."""
    r = None if rounding.exact else rounding
    value, grad = getattr(st, field), getattr(st, "dJ_d" + field)
    index = index or None
    if index is not None:
        value, grad = value[index], grad[index]
    before = {} if st.state_before is None else getattr(st.state_before, field)
    spec = config.optimizer
    return spec.optimizer.describe(float(value), float(grad), _at(before, index), config.alpha, spec.hyper, r,
                                   param="Θ" if field == "weights" else "b")


def _rows(config: Config, it: Iteration, rounding: Rounding) -> Iterator[Row]:
    """A row per line of every parameter, its label on the first line; a row of its own per line, so that
    a long formula wraps without shifting the rest."""
    for st in it.layers:
        for param in parameters(st.name, st.weights, st.bias):
            if param.field == "bias" and not config.update_bias:
                b = Num(param.of(st.bias), PARAM)
                yield Row(param.label, (Symbol("b"), Kept(b, "update_bias: false keeps it"), b))
                continue
            for n, line in enumerate(_lines(config, st, param.field, param.index, rounding)):
                yield Row(None if n else param.label, (Symbol(line.symbol), with_numbers(line), _value(line)))


def example(config: Config, it: Iteration, rounding: Rounding) -> Example:
    """Θ_11 of the output layer, line by line as the table shows it, the new value last."""
    st = it.layers[-1]
    *before, last = _lines(config, st, "weights", (0, 0), rounding)
    sign = {True: "=", False: "←"}
    lines = tuple(Relation(Symbol(line.symbol), Relation(with_numbers(line), _value(line)), sign[line.symbol == "g"])
                  for line in before)
    target = weight(0, 0, st.name)
    return Example(target, with_numbers(last), _value(last), update=True, left=target,
                   general=formulas(config.optimizer, target)[-1].right,
                   before=lines, about="weight")


def update(config: Config, it: Iteration, fmt: NumberFormat, after) -> Block:
    """Step 5 as a table: for every parameter the optimizer's lines with their numbers; then ``after``
    (J after the update)."""
    spec = config.optimizer
    opt = spec.optimizer
    general: list = [*formulas(spec), hyper_line(spec, config.alpha)]
    state = it.layers[0].state
    if "t" in dict(opt.state) and state is not None:
        general.append(f"t = {state.weights['t']}: the number of updates so far, this one included")
    per = opt.lines(spec.hyper)  # lines per parameter; a frozen bias has one
    biases = sum(0 if st.bias is None else np.size(st.bias) for st in it.layers)
    total = sum(st.weights.size for st in it.layers) * per + biases * (per if config.update_bias else 1)
    table = Table(COLUMNS, total, lambda: _rows(config, it, fmt.rounding), group=per)
    return Block("update", f"Step 5) Update with {opt.label}, as {opt.torch}", tuple(general), table,
                 lines=(after,), example=example(config, it, fmt.rounding))


def optimizer_explanation(config: Config) -> dict:
    """The parts of the explanation before Step 5 with this optimizer (the fields of an Explanation)."""
    spec, out = config.optimizer, config.layers[-1].name
    opt = spec.optimizer
    target = weight(0, 0, out)
    notes = []
    if spec.hyper.get("weight_decay"):
        notes.append(f"Weight decay λ = {NumberFormat().given(spec.hyper['weight_decay'])} adds λ·Θ to every "
                     "gradient, biases included, as PyTorch's weight_decay does: the gradient of the L2 penalty "
                     "(λ/2)·ΣΘ², which pulls every parameter towards 0.")
    if opt.state:
        kept = " and ".join(symbol for key, symbol in opt.state if key != "t")
        notes.append(f"Every weight and bias keeps its own {kept} from one update to the next (the JSON trace "
                     "shows them as state); --save-updated writes them, so a saved run continues exactly.")
    return {
        "formulas": [*formulas(spec), hyper_line(spec, config.alpha)],
        "source": f"{opt.torch}, as PyTorch documents its algorithm",
        "reason": f"{opt.reason} {AT_ONCE}",
        "example": f"Example Θ_11[{out}] (its gradient from Step 3):",
        "chain": Equations(tuple(formulas(spec, target))),
        "notes": notes,
    }
