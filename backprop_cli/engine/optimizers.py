"""Optimizers: how Step 5 turns the gradient into new parameters, as PyTorch's ``torch.optim`` does.

Each optimizer is a short list of rules, one per line of Step 5, in the order PyTorch's documentation
writes its algorithm (PyTorch 2.1): momentum and nesterov are ``torch.optim.SGD`` with ``momentum`` (and
``nesterov=True``), dampening 0; rmsprop is ``torch.optim.RMSprop`` (our ``rho`` is its smoothing constant
``alpha``; ε is added outside the square root); adam is ``torch.optim.Adam`` with bias correction.
``weight_decay`` λ adds λ·Θ to the gradient first, biases included, as PyTorch does.

The rules are the one source of both the arithmetic and its description: ``Optimizer.step`` runs them
on whole arrays, ``Optimizer.describe`` runs them on one parameter and keeps every line as plain data
(the symbol, the numbers put in, the result, and the rule's formula tree), for the document to write
with numbers (``model.optimizer``) and a renderer to spell.
With hand rounding every result a line shows is rounded, and the later lines use the rounded value;
the new parameter is computed from them and kept as it is (as Step 5 does for plain gradient descent).
"""

from __future__ import annotations

import numpy as np

from backprop_cli.engine.optimizer_rules import Form, Optimizer, Rule

# Said after every optimizer's reason in --explain.
AT_ONCE = ("Every parameter moves at once, with the gradients of the old values; the loss after the update "
           "shows the effect.")

# The rules of each optimizer, as PyTorch documents them (v, m: the state before this update on the
# right of a line, after it on the left).
_MOMENTUM = Rule("v", lambda e, f: f.Sum((f.product(e["μ"], e["v"]), e["g"])), lambda e: e["μ"] * e["v"] + e["g"])
_SGD = Rule("Θ", lambda e, f: f.Difference(e["Θ"], f.product(e["α"], e["g"])), lambda e: e["Θ"] - e["α"] * e["g"])


def _average(state: str, beta: str, of: Form) -> Form:
    """A running average: β · state + (1 − β) · of, with the smoothing constant ``beta``."""
    return lambda e, f: f.Sum((f.product(e[beta], e[state]),
                               f.product(f.Group(f.Difference(f.ONE, e[beta])), of(e, f))))


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
                    lambda e: e["ρ"] * e["v"] + (1 - e["ρ"]) * e["g"] * e["g"], squared=True),
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
                    lambda e: e["β2"] * e["v"] + (1 - e["β2"]) * e["g"] * e["g"], squared=True),
               Rule("m̂", _corrected("m", "β1"), lambda e: e["m"] / (1 - e["β1"] ** e["t"])),
               Rule("v̂", _corrected("v", "β2"), lambda e: e["v"] / (1 - e["β2"] ** e["t"]), squared=True),
               Rule("Θ", _scaled("m̂", "v̂"), lambda e: e["Θ"] - e["α"] * e["m̂"] / (np.sqrt(e["v̂"]) + e["ε"]))),
        reason="m is a running average of the gradient (its direction), v of its square (its size). Both start "
               "at 0, so early on they are too small; dividing by 1 − β^t (t = the number of updates) corrects "
               "that. The step m̂ / √v̂ is then about ±1 per parameter, scaled by α: in the first update exactly "
               "α against the sign of the gradient.",
    ),
)}
