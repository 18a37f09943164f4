"""How a sheet spells what is not a number: its blanks' names and formulas in unicode (for the YAML sheet's
comments and the marking's tables), z = g(p) of each activation as a formula, and the config's name."""

from __future__ import annotations

import os
from collections.abc import Callable

from backprop_cli.model import formula as f
from backprop_cli.model.formula import Node
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.render.common import Parts, inline
from backprop_cli.render.unicode import spell

__all__ = ["VALUES", "config_name", "p_symbol", "text"]


def config_name(source: str) -> str:
    """The config as a sheet names it: its file name, never a folder of the machine it was made on."""
    return os.path.basename(source) or source


def text(parts: Parts) -> str:
    """Words and formula nodes in unicode, as a terminal and a YAML comment show them."""
    return inline(parts, str, lambda node: spell(node, NumberFormat(), False))


def p_symbol(k: int | str | None) -> f.Label:
    """p, or p_k."""
    return f.symbol("p", k)


# z = g(p) of each activation, written symbolically (engine.activations has the same in unicode text, for the
# marking's words; a test keeps the two alike).
VALUES: dict[str, Callable[[f.Label], Node]] = {
    "identity": lambda p: p,
    "relu": lambda p: f.Call("ReLU", p),
    "leaky_relu": lambda p: f.Call("LReLU", p),
    "sigmoid": lambda p: f.Call("σ", p),
    "tanh": lambda p: f.Call("tanh", p),
    "softmax": lambda p: f.Quotient(f.Power(f.Symbol("e"), p_symbol("k")),
                                    f.SumOver("j", f.Power(f.Symbol("e"), p_symbol("j")))),
}
