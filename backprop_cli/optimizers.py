"""Optimizers: how Step 5 turns the gradient into new parameters, as PyTorch's ``torch.optim`` does.

Each optimizer is a short list of rules, one per line of Step 5, in the order PyTorch's documentation
writes its algorithm (PyTorch 2.1): momentum and nesterov are ``torch.optim.SGD`` with ``momentum`` (and
``nesterov=True``), dampening 0; rmsprop is ``torch.optim.RMSprop`` (our ``rho`` is its smoothing constant
``alpha``; ε is added outside the square root); adam is ``torch.optim.Adam`` with bias correction.
``weight_decay`` λ adds λ·Θ to the gradient first, biases included, as PyTorch does.

The rules are the one source of both the arithmetic and its description: ``Optimizer.step`` runs them
on whole arrays, ``Optimizer.describe`` runs them on one parameter and keeps every line as plain data
(the symbol, the numbers put in, the result, and the rule's formula tree), for the document to write
with numbers (``handout.optimizer``) and a renderer to spell.
With hand rounding every result a line shows is rounded, and the later lines use the rounded value;
the new parameter is computed from them and kept as it is (as Step 5 does for plain gradient descent).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping

import numpy as np

if TYPE_CHECKING:  # the formula trees are built only when a document asks: the JSON trace needs none
    from types import ModuleType

    from backprop_cli.handout.formula import Node, Relation

# How a number in a formula is written: given by the user (α, μ, ...), a parameter Θ, a computed result,
# or a count (Adam's step t).
GIVEN, PARAM, RESULT, COUNT = "given", "param", "result", "count"
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
# (handout.formula, passed in so that computing an update never loads it).
Form = Callable[[Mapping[str, "Node"], "ModuleType"], "Node"]


def _nodes() -> "ModuleType":
    from backprop_cli.handout import formula

    return formula


@dataclass(frozen=True)
class Rule:
    """One line of Step 5: ``symbol ← form``, computed by ``compute`` from the values so far."""

    symbol: str  # what the line computes: a state ("v", "m"), an intermediate ("m̂") or "Θ"
    form: Form  # the right-hand side as a formula tree, from a node per value it reads: μ · v + g
    compute: Callable[[Mapping[str, Any]], Any]
    shown: bool = True  # False: kept but not a line of its own (Adam's step count t)

    @property
    def reads(self) -> tuple[str, ...]:
        """The values the formula reads, in the order it writes them."""
        names: list[str] = []
        self.form(_Reader(names), _nodes())
        return tuple(dict.fromkeys(names))

    def general(self, theta: Node) -> Relation:
        """The line as a general formula (v ← μ · v + g), the parameter written ``theta``."""
        f = _nodes()
        names = {"Θ": theta, GRADIENT: f.Partial(theta)}
        left = theta if self.symbol == "Θ" else f.Symbol(self.symbol)
        return f.Relation(left, self.form(_Reader([], names), f), "=" if self.symbol == "g" else "←")


class _Reader(dict):
    """The values of a form, read by name: each a symbol (or the node ``names`` gives), each name noted."""

    def __init__(self, seen: list[str], names: Mapping[str, Node] | None = None) -> None:
        super().__init__()
        self.seen, self.names = seen, names or {}

    def __missing__(self, key: str) -> Node:
        self.seen.append(key)
        return self.names.get(key) or _nodes().Symbol(key)


# Weight decay, as its own line before the optimizer's rules (PyTorch: g ← g + λ·Θ).
DECAY = Rule("g", lambda e, f: f.Sum((e[GRADIENT], f.product(e["λ"], e["Θ"]))),
             lambda e: e[GRADIENT] + e["λ"] * e["Θ"])


@dataclass(frozen=True)
class Line:
    """One line of Step 5 for one parameter, as plain data: ``symbol ← form`` and the numbers it reads.

    ``values`` gives the number of each value the form reads and how it is written (GIVEN, PARAM, RESULT
    or COUNT), so that the document can write the line with its numbers (``form`` of a node per value).
    """

    symbol: str
    form: Form = field(repr=False, compare=False)
    values: tuple[tuple[str, float, str], ...]
    result: float
    kind: str  # RESULT, or PARAM for the new parameter


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

    def _rules(self, hyper: Mapping[str, float]) -> tuple[Rule, ...]:
        """The rules of an update: weight decay's line first where λ is not 0."""
        return (DECAY, *self.rules) if hyper.get("weight_decay") else self.rules

    def lines(self, hyper: Mapping[str, float]) -> int:
        """How many lines of Step 5 each parameter gets."""
        return sum(rule.shown for rule in self._rules(hyper))

    def _run(self, theta, grad, state, alpha, hyper, r, record):
        """Apply the rules in order to the values so far; ``record`` (a list, or None) collects the lines."""
        values: dict[str, Any] = {"Θ": theta, GRADIENT: grad, "α": alpha, "g": grad}
        for key, value in hyper.items():
            values[HYPERS[key].symbol] = value
        for key, symbol in self.state:
            values[symbol] = state[key]
        for rule in self._rules(hyper):
            result = rule.compute(values)
            if r is not None and rule.shown and rule.symbol != "Θ":
                result = r(result)
            if record is not None and rule.shown:
                record.append(_line(rule, values, result))
            values[rule.symbol] = result
        return values

    def step(self, theta, grad, state: Mapping[str, Any], alpha: float, hyper: Mapping[str, float],
             r: Callable | None = None) -> tuple[Any, dict[str, Any]]:
        """One update of ``theta`` (an array, or a number for a shared bias): (new Θ, new state).

        ``hyper`` maps the keys of HYPERS to values; ``r`` hand-rounds a shown result (None: no rounding).
        """
        values = self._run(theta, grad, state, alpha, hyper, r, None)
        return values["Θ"], {key: _plain(values[symbol]) for key, symbol in self.state}

    def describe(self, theta: float, grad: float, state: Mapping[str, Any], alpha: float,
                 hyper: Mapping[str, float], r: Callable | None = None, param: str = "Θ") -> list[Line]:
        """The lines of Step 5 for one parameter (``param`` names the new parameter's line: Θ or b)."""
        lines: list[Line] = []
        self._run(theta, grad, state, alpha, hyper, r, lines)
        if param == "Θ":
            return lines
        return [Line(param if line.symbol == "Θ" else line.symbol, line.form, line.values, line.result, line.kind)
                for line in lines]

    def formulas(self, hyper: Mapping[str, float], theta: Node | None = None) -> list[Relation]:
        """The general formulas, one per shown line (v ← μ · v + g, ...), after what g is; the parameter is
        written ``theta`` (Θ, or a weight such as Θ_11[out] for an example)."""
        f = _nodes()
        theta = theta or f.symbol("Θ")
        rules = self._rules(hyper)
        first = [] if rules[0] is DECAY else [f.Relation(f.Symbol("g"), f.Partial(theta))]
        return first + [rule.general(theta) for rule in rules if rule.shown]


def _kind(slot: str) -> str:
    if slot == "Θ":
        return PARAM
    if slot == "t":
        return COUNT
    if slot == "α" or slot in SYMBOLS:
        return GIVEN
    return RESULT


def _line(rule: Rule, values: Mapping[str, Any], result) -> Line:
    return Line(rule.symbol, rule.form, tuple((s, _plain(values[s]), _kind(s)) for s in rule.reads), _plain(result),
                PARAM if rule.symbol == "Θ" else RESULT)


def _plain(value):
    """A number as a Python float (int for a count), an array as it is."""
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return value
    return value if isinstance(value, int) else float(value)


SYMBOLS = {h.symbol for h in HYPERS.values()}
# Said after every optimizer's reason in --explain.
AT_ONCE = ("Every parameter moves at once, with the gradients of the old values; the loss after the update "
           "shows the effect.")

# The rules of each optimizer, as PyTorch documents them (v, m: the state before this update on the
# right of a line, after it on the left).
_MOMENTUM = Rule("v", lambda e, f: f.Sum((f.product(e["μ"], e["v"]), e["g"])), lambda e: e["μ"] * e["v"] + e["g"])
_SGD = Rule("Θ", lambda e, f: f.Difference(e["Θ"], f.product(e["α"], e["g"])), lambda e: e["Θ"] - e["α"] * e["g"])


def _average(state: str, beta: str, of: Form) -> Form:
    """A running average: β · state + (1 − β) · of, with the smoothing constant ``beta``."""
    return lambda e, f: f.Sum((f.product(e[beta], e[state]), f.product(f.Group(f.Difference(f.ONE, e[beta])), of(e, f))))


def _scaled(top: str, below: str) -> Form:
    """Θ − α · top / (√below + ε)"""
    return lambda e, f: f.Difference(e["Θ"], f.Quotient(f.product(e["α"], e[top]),
                                                         f.Group(f.Sum((f.Sqrt(e[below]), e["ε"])))))


def _corrected(name: str, beta: str) -> Form:
    """name / (1 − β^t): Adam's bias correction."""
    return lambda e, f: f.Quotient(e[name], f.Group(f.Difference(f.ONE, f.Power(e[beta], e["t"]))))


OPTIMIZERS: dict[str, Optimizer] = {o.name: o for o in (
    Optimizer(
        name="sgd", label="gradient descent", torch="torch.optim.SGD", hypers=(), state=(), rules=(_SGD,),
        reason="∂J/∂Θ says how fast J grows when Θ grows. A small step against it, the gradient scaled by the "
               "learning rate α, therefore lowers J, as long as α is small enough not to overshoot.",
    ),
    Optimizer(
        name="momentum", label="momentum", torch="torch.optim.SGD(momentum=μ)", hypers=("momentum",),
        state=(("velocity", "v"),),
        rules=(_MOMENTUM, Rule("Θ", lambda e, f: f.Difference(e["Θ"], f.product(e["α"], e["v"])),
                               lambda e: e["Θ"] - e["α"] * e["v"])),
        reason="The velocity v adds up the gradients of the updates so far, each older one weighed down by μ "
               "once more per update. Where the gradients keep their sign, the steps grow (up to 1/(1 − μ) times "
               "a plain step); where they flip back and forth, they cancel and the zig-zag calms down.",
    ),
    Optimizer(
        name="nesterov", label="Nesterov momentum", torch="torch.optim.SGD(momentum=μ, nesterov=True)",
        hypers=("momentum",), state=(("velocity", "v"),),
        rules=(_MOMENTUM, Rule("Θ", lambda e, f: f.Difference(e["Θ"], f.product(e["α"], f.Group(
                                   f.Sum((e["g"], f.product(e["μ"], e["v"])))))),
                               lambda e: e["Θ"] - e["α"] * (e["g"] + e["μ"] * e["v"]))),
        reason="Like momentum, the velocity v adds up the gradients so far. The step then looks ahead: it takes "
               "the gradient plus μ times the new velocity, i.e. it moves as the velocity is about to carry it, "
               "which brakes earlier when the gradient turns.",
    ),
    Optimizer(
        name="rmsprop", label="RMSprop", torch="torch.optim.RMSprop(alpha=ρ)", hypers=("rho", "eps"),
        state=(("square_avg", "v"),),
        rules=(Rule("v", _average("v", "ρ", lambda e, f: f.Square(e["g"])),
                    lambda e: e["ρ"] * e["v"] + (1 - e["ρ"]) * e["g"] * e["g"]),
               Rule("Θ", _scaled("g", "v"), lambda e: e["Θ"] - e["α"] * e["g"] / (np.sqrt(e["v"]) + e["ε"]))),
        reason="v is a running average of the squared gradient of each parameter. Dividing by its root scales "
               "every parameter's step to about α, whatever the size of its gradient: steep directions are "
               "slowed down and flat ones sped up. ε keeps the division finite where v is 0.",
    ),
    Optimizer(
        name="adam", label="Adam", torch="torch.optim.Adam", hypers=("beta1", "beta2", "eps"),
        state=(("m", "m"), ("v", "v"), ("t", "t")),
        rules=(Rule("t", lambda e, f: f.Sum((e["t"], f.ONE)), lambda e: e["t"] + 1, shown=False),
               Rule("m", _average("m", "β1", lambda e, f: e["g"]),
                    lambda e: e["β1"] * e["m"] + (1 - e["β1"]) * e["g"]),
               Rule("v", _average("v", "β2", lambda e, f: f.Square(e["g"])),
                    lambda e: e["β2"] * e["v"] + (1 - e["β2"]) * e["g"] * e["g"]),
               Rule("m̂", _corrected("m", "β1"), lambda e: e["m"] / (1 - e["β1"] ** e["t"])),
               Rule("v̂", _corrected("v", "β2"), lambda e: e["v"] / (1 - e["β2"] ** e["t"])),
               Rule("Θ", _scaled("m̂", "v̂"), lambda e: e["Θ"] - e["α"] * e["m̂"] / (np.sqrt(e["v̂"]) + e["ε"]))),
        reason="m is a running average of the gradient (its direction), v of its square (its size). Both start "
               "at 0, so early on they are too small; dividing by 1 − β^t (t = the number of updates) corrects "
               "that. The step m̂ / √v̂ is then about ±1 per parameter, scaled by α: in the first update exactly "
               "α against the sign of the gradient.",
    ),
)}


@dataclass(frozen=True)
class OptimizerSpec:
    """The optimizer a config asks for: its name and the value of every hyper-parameter."""

    name: str = "sgd"
    hyper: Mapping[str, float] = field(default_factory=lambda: {"weight_decay": 0.0})

    @property
    def optimizer(self) -> Optimizer:
        return OPTIMIZERS[self.name]

    @property
    def plain(self) -> bool:
        """Plain gradient descent Θ ← Θ − α·∂J/∂Θ, which Step 5 has always shown (no state, no decay)."""
        return self.name == "sgd" and not self.hyper.get("weight_decay")

    @property
    def keeps_state(self) -> bool:
        return bool(self.optimizer.state)

    def describe(self) -> str:
        """E.g. 'Adam, as torch.optim.Adam (beta1 0.9, beta2 0.999, eps 1e-08)'; weight_decay where not 0."""
        settings = ", ".join(f"{key} {value:g}" for key, value in self.hyper.items() if key != "weight_decay" or value)
        return f"{self.optimizer.label}, as {self.optimizer.torch}" + (f" ({settings})" if settings else "")

    def to_data(self) -> str | dict:
        """As a config writes it: the name alone for plain gradient descent, else a mapping."""
        return self.name if self.plain else {"name": self.name, **self.hyper}

    def initial_states(self, layers, update_bias: bool) -> list[LayerState | None]:
        """The state before the first update, per layer (a ``weights`` and a ``bias`` each); None for
        an optimizer that keeps none. A bias that is kept fixed, or missing, has no state."""
        opt = self.optimizer
        if not self.keeps_state:
            return [None] * len(layers)
        return [LayerState(opt.init_state(layer.weights),
                           None if layer.bias is None or not update_bias else opt.init_state(layer.bias))
                for layer in layers]

    def update_layer(self, before: LayerState | None, alpha: float, weights: np.ndarray, grad_w: np.ndarray,
                     bias: tuple | None, r: Callable | None = None) -> tuple[Any, Any, LayerState | None]:
        """One layer's step: (new weights, new bias, state after). ``bias`` is (b, ∂J/∂b), or None when
        there is none or it is kept fixed (then the new bias is None too: the caller keeps its own)."""
        opt, before = self.optimizer, before or LayerState({}, {})  # sgd with weight decay keeps no state
        new_w, w_state = opt.step(weights, grad_w, before.weights, alpha, self.hyper, r)
        new_b, b_state = None, None
        if bias is not None:
            new_b, b_state = opt.step(bias[0], bias[1], before.bias, alpha, self.hyper, r)
        return new_w, new_b, LayerState(w_state, b_state) if self.keeps_state else None


def make_spec(name: str, given: Mapping[str, float] | None = None) -> OptimizerSpec:
    """The optimizer ``name`` with the hyper-parameters ``given`` and PyTorch's defaults for the rest."""
    hyper = OPTIMIZERS[name].defaults()
    hyper.update({key: float(value) for key, value in (given or {}).items()})
    return OptimizerSpec(name, hyper)


@dataclass(frozen=True)
class LayerState:
    """The optimizer's state of one layer: of its weights, and of its bias (None if it has none or it is
    kept fixed). Each maps the state's keys (velocity, square_avg, m, v, t) to arrays, numbers or counts."""

    weights: dict[str, Any]
    bias: dict[str, Any] | None

    def to_data(self) -> dict:
        """As a saved config holds it: {weights: {...}, bias: {...}} (no bias key without a bias state)."""
        data = {"weights": state_data(self.weights)}
        if self.bias is not None:
            data["bias"] = state_data(self.bias)
        return data


def state_data(state: Mapping[str, Any] | None) -> dict | None:
    """One parameter's state as plain lists and numbers, as the JSON trace and a saved config hold it."""
    if state is None:
        return None
    return {key: value.tolist() if isinstance(value, np.ndarray) else value for key, value in state.items()}
