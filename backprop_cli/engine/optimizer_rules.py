"""The pieces optimizers are made of: hyper-parameters, rules (one line of Step 5 each: a formula tree and
its arithmetic) and the ``Optimizer`` that runs them on whole arrays (``step``) or on one parameter with its
numbers kept (``describe``). The optimizers themselves are in ``optimizers.py``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from backprop_cli.engine.kinds import COUNT, GIVEN, PARAM, RESULT, SQUARED
from backprop_cli.engine.rounding import Rounding

GRADIENT = "∂J/∂Θ"  # the name of the gradient from Steps 3 and 4 among a rule's values


@dataclass(frozen=True)
class Hyper:
    """A hyper-parameter: its config key (PyTorch's name), its symbol, its default and its range."""

    key: str
    symbol: str
    default: float
    below_one: bool = False  # a smoothing constant: 0 ≤ value < 1
    positive: bool = False  # must be above 0 (ε keeps a division finite)


HYPERS: dict[str, Hyper] = {h.key: h for h in (
    Hyper("momentum", "μ", 0.9),
    Hyper("rho", "ρ", 0.99, below_one=True),
    Hyper("beta1", "β1", 0.9, below_one=True),
    Hyper("beta2", "β2", 0.999, below_one=True),
    Hyper("eps", "ε", 1e-8, positive=True),
    Hyper("weight_decay", "λ", 0.0),
)}


# A rule's right-hand side as a formula tree, from a node per value it reads and the module of the nodes
# (the document model's formula module, passed in: computing an update needs no formula).
Form = Callable[[Mapping[str, Any], Any], Any]


@dataclass(frozen=True)
class Rule:
    """One line of Step 5: ``symbol ← form``, computed by ``compute`` from the values so far."""

    symbol: str  # what the line computes: a state ("v", "m"), an intermediate ("m̂") or "Θ"
    form: Form  # the right-hand side as a formula tree, from a node per value it reads: μ · v + g
    compute: Callable[[Mapping[str, Any]], Any]
    shown: bool = True  # False: kept but not a line of its own (Adam's step count t)
    squared: bool = False  # of the order of g² (v of RMSprop and Adam, v̂): hand-rounded to twice the digits


# Weight decay, as its own line before the optimizer's rules (PyTorch: g ← g + λ·Θ).
DECAY = Rule("g", lambda e, f: f.Sum((e[GRADIENT], f.product(e["λ"], e["Θ"]))),
             lambda e: e[GRADIENT] + e["λ"] * e["Θ"])


@dataclass(frozen=True)
class Line:
    """One line of Step 5 for one parameter, as plain data: ``symbol ← form`` and the numbers it reads.

    ``values`` gives the number of every value known when the line is computed and how it is written (GIVEN,
    PARAM, RESULT or COUNT), so that the document can write the line with its numbers (``form`` of a node per
    value: it reads the ones it needs).
    """

    symbol: str
    form: Form = field(repr=False, compare=False)
    values: tuple[tuple[str, float, str], ...]
    result: float
    kind: str  # RESULT (SQUARED for a quantity of the order of g²), or PARAM for the new parameter


@dataclass(frozen=True)
class Optimizer:
    """An optimizer: its hyper-parameters, the state it keeps per parameter, and its rules."""

    name: str
    label: str  # e.g. "Adam"
    torch: str  # the PyTorch optimizer it equals, e.g. "torch.optim.Adam"
    hypers: tuple[str, ...]  # keys of HYPERS it takes besides weight_decay
    state: tuple[tuple[str, str], ...]  # (key in the trace and config, symbol in the rules)
    rules: tuple[Rule, ...]
    reason: str  # why it steps as it does, for --explain

    def defaults(self) -> dict[str, float]:
        return {key: HYPERS[key].default for key in (*self.hypers, "weight_decay")}

    def init_state(self, theta: np.ndarray | float) -> dict[str, Any]:
        """The state before the first update: zeros shaped like ``theta`` (and step count 0)."""
        return {key: 0 if key == "t" else (np.zeros_like(theta) if isinstance(theta, np.ndarray) else 0.0)
                for key, _ in self.state}

    def rules_for(self, hyper: Mapping[str, float]) -> tuple[Rule, ...]:
        """The rules of an update: weight decay's line first where λ is not 0."""
        return (DECAY, *self.rules) if hyper.get("weight_decay") else self.rules

    def lines(self, hyper: Mapping[str, float]) -> int:
        """How many lines of Step 5 each parameter gets."""
        return sum(rule.shown for rule in self.rules_for(hyper))

    def _run(self, theta: Any, grad: Any, state: Mapping[str, Any], alpha: float, hyper: Mapping[str, float],
             r: Rounding | None, record: list[Line] | None) -> dict[str, Any]:
        """Apply the rules in order to the values so far; ``record`` (a list, or None) collects the lines."""
        values: dict[str, Any] = {"Θ": theta, GRADIENT: grad, "α": alpha, "g": grad}
        for key, value in hyper.items():
            values[HYPERS[key].symbol] = value
        for key, symbol in self.state:
            values[symbol] = state[key]
        rules = self.rules_for(hyper)
        squared = {rule.symbol for rule in rules if rule.squared}
        for rule in rules:
            result = rule.compute(values)
            if r is not None and rule.shown and rule.symbol != "Θ":
                result = (r.squared() if rule.squared else r)(result)
            if record is not None and rule.shown:
                record.append(_line(rule, values, result, squared))
            values[rule.symbol] = result
        return values

    def step(self, theta, grad, state: Mapping[str, Any], alpha: float, hyper: Mapping[str, float],
             r: Rounding | None = None) -> tuple[Any, dict[str, Any]]:
        """One update of ``theta`` (an array, or a number for a shared bias): (new Θ, new state).

        ``hyper`` maps the keys of HYPERS to values; ``r`` hand-rounds a shown result (None: no rounding); a
        quantity of the order of g² (``Rule.squared``) is rounded to twice the digits (``Rounding.squared``).
        """
        values = self._run(theta, grad, state, alpha, hyper, r, None)
        return values["Θ"], {key: _plain(values[symbol]) for key, symbol in self.state}

    def describe(self, theta: float, grad: float, state: Mapping[str, Any], alpha: float,
                 hyper: Mapping[str, float], r: Rounding | None = None, param: str = "Θ") -> list[Line]:
        """The lines of Step 5 for one parameter (``param`` names the new parameter's line: Θ or b)."""
        lines: list[Line] = []
        self._run(theta, grad, state, alpha, hyper, r, lines)
        if param == "Θ":
            return lines
        return [Line(param if line.symbol == "Θ" else line.symbol, line.form, line.values, line.result, line.kind)
                for line in lines]



SYMBOLS = {h.symbol for h in HYPERS.values()}  # the hyper-parameters' symbols: given numbers in a line


def _kind(slot: str, squared: set[str]) -> str:
    if slot in squared:
        return SQUARED
    if slot == "Θ":
        return PARAM
    if slot == "t":
        return COUNT
    if slot == "α" or slot in SYMBOLS:
        return GIVEN
    return RESULT


def _line(rule: Rule, values: Mapping[str, Any], result, squared: set[str]) -> Line:
    return Line(rule.symbol, rule.form, tuple((s, _plain(v), _kind(s, squared)) for s, v in values.items()),
                _plain(result), PARAM if rule.symbol == "Θ" else _kind(rule.symbol, squared))


def _plain(value):
    """A number as a Python float (int for a count), an array as it is."""
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return value
    return value if isinstance(value, int) else float(value)
