"""Formulas with numbers as small trees, and the labels of neurons and parameters.

A renderer spells these nodes (unicode for the terminal, LaTeX, MathML); none of them holds
pre-spelled text. Numbers keep their value and their kind (a given number, a computed result, a
parameter), and the digits shown come from one ``NumberFormat`` for every format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from backprop_cli.engine.kinds import GIVEN, RESULT  # the kinds of a Num


@dataclass(frozen=True)
class Label:
    """A name such as n1[hid], Θ_11[out], b_1[out], b[out] (shared), x_t or z_t[hid].

    ``indices`` are 1-based numbers or letters ("k", "t"); ``layer`` is the layer's name, or None for
    the network's input x.
    """

    symbol: str  # "n", "Θ", "b", "x", "z", "p"; "sample" for a row per sample (its number alone)
    indices: tuple[int | str, ...] = ()
    layer: str | None = None


def neuron(k: int, layer: str) -> Label:
    """n_{k+1} of ``layer`` (``k`` 0-based)."""
    return Label("n", (k + 1,), layer)


def weight(k: int, t: int, layer: str) -> Label:
    """Θ_{k+1,t+1} of ``layer``: row k = neuron, column t = input (0-based)."""
    return Label("Θ", (k + 1, t + 1), layer)


def bias(k: int | None, layer: str) -> Label:
    """b_{k+1} of ``layer``, or the one bias b shared by the layer when ``k`` is None."""
    return Label("b", () if k is None else (k + 1,), layer)


def symbol(name: str, index: int | str | None = None, layer: str | None = None) -> Label:
    """A quantity written with a letter index: z_k, p_k[out], y_k, Θ (no index), b_k."""
    return Label(name, () if index is None else tuple(str(index)) if isinstance(index, str) else (index,), layer)


def layer_input(t: int | str, previous: str | None) -> Label:
    """The t-th input of a layer: x_t for the first layer, else z_t of the layer ``previous``."""
    return Label("x" if previous is None else "z", (t,), previous)


@dataclass(frozen=True)
class Num:
    """A number in a formula. ``wrap``: written in parentheses when negative, as the handout writes
    (−1.4) inside a product."""

    value: float
    kind: str = RESULT
    wrap: bool = False


@dataclass(frozen=True)
class Symbol:
    """A fixed symbol: "½", "α", "K", "J", "β1", "m̂" (each format has its own spelling of it)."""

    name: str


@dataclass(frozen=True)
class Call:
    """A function applied: σ(p), ReLU'(p), tanh²(p), J(Θ), f(g(h(x))). ``function`` is named as in unicode."""

    function: str
    argument: Node


@dataclass(frozen=True)
class Sqrt:
    """√body"""

    body: Node


@dataclass(frozen=True)
class Power:
    """base^exponent, as Adam's β1^t"""

    base: Node
    exponent: Node


@dataclass(frozen=True)
class Cases:
    """A value by case: ReLU'(p) = 0 if p ≤ 0, 1 if p > 0. Each case is (value, condition)."""

    cases: tuple[tuple[Node, Node], ...]


@dataclass(frozen=True)
class Derivative:
    """g'(p) of the activation ``activation`` at p (a number, or a symbol such as p_k): σ(p)·(1 − σ(p)),
    ReLU'(p), (1 − tanh²(p)), LReLU'(p), 1; the activation "g" stands for any, written g'(p)."""

    activation: str
    p: Num | Label


@dataclass(frozen=True)
class Jacobian:
    """∂z_j/∂p_k of softmax: z_j·(δ_jk − z_k); with numbers δ_jk is written 1 or 0 (``same``), symbolically
    (``same`` None) as δ_jk."""

    zj: Num | Label
    zk: Num | Label
    same: bool | None = None
    delta: str = "jk"  # the indices of δ where it is written symbolically


@dataclass(frozen=True)
class Partial:
    """∂of/∂wrt, as the handout writes ∂J(Θ)/∂z_k; ``d`` "d" for an ordinary derivative, df/dg, and ``of``
    None for the operator alone, d/dx."""

    wrt: Node
    of: Node | None = Symbol("J")
    d: str = "∂"


@dataclass(frozen=True)
class SumOver:
    """Σ_index body: a sum written with its index, not with numbers."""

    index: str
    body: Node
    upper: Node | None = None  # Σ_{k=1}^{K}: the last index, where it is written


@dataclass(frozen=True)
class Relation:
    """left = right (``sign`` "=", or "←" for an update). A display line with a left side of None goes on
    from the line above."""

    left: Node | None
    right: Node
    sign: str = "="


@dataclass(frozen=True)
class Equations:
    """Several relations on one line, joined by ``joiner`` (";  ", ",  " or "  and  "), and a note in
    parentheses."""

    relations: tuple[Relation | Equations, ...]
    joiner: str = ";  "
    note: str = ""


@dataclass(frozen=True)
class Product:
    """factors joined by · (``tight``: without spaces, as in σ(p)·(1 − σ(p)))"""

    factors: tuple[Node, ...]
    tight: bool = False


@dataclass(frozen=True)
class Sum:
    """terms joined by +. ``omitted`` terms stand between the second and the last one as "… N more …".
    ``stack``: a long sum is set one term per line, as the handout sets the sum of Step 2."""

    terms: tuple[Node, ...]
    omitted: int = 0
    stack: bool = False


@dataclass(frozen=True)
class Difference:
    """left − right"""

    left: Node
    right: Node


@dataclass(frozen=True)
class Quotient:
    """top / bottom; ``tight`` writes it without spaces, as in (1/K)."""

    top: Node
    bottom: Node
    tight: bool = False


@dataclass(frozen=True)
class Negative:
    """−body"""

    body: Node


@dataclass(frozen=True)
class Square:
    """body²"""

    body: Node


@dataclass(frozen=True)
class Log:
    """log body (natural logarithm)"""

    body: Node


@dataclass(frozen=True)
class Group:
    """body in parentheses (``square``: in brackets, as the handout brackets each term of Step 2)."""

    body: Node
    square: bool = False


@dataclass(frozen=True)
class Kept:
    """A parameter that is not updated, and why: "0.5 (update_bias: false keeps it)"."""

    value: Node
    reason: str


@dataclass(frozen=True)
class Brace:
    """A part of a worked example labelled from above, as the handout's \\overbrace{…}^{Derivative Sigmoid}."""

    body: Node
    note: str


@dataclass(frozen=True)
class Vector:
    """(a, b, …): a long vector keeps its first six items and its last around a count of the rest."""

    items: tuple[Num, ...]
    omitted: int = 0


def vector(values, kind: str = GIVEN) -> Vector:
    """The numbers ``values`` as a vector of ``kind``."""
    # Only the items shown are made: a layer may have a million inputs. ``values``: a list or an array.
    if len(values) > 8:
        return Vector(tuple(Num(float(v), kind) for v in (*values[:6], values[-1])), omitted=len(values) - 7)
    return Vector(tuple(Num(float(v), kind) for v in values))


Node = (Num | Symbol | Call | Sqrt | Power | Cases | Vector | Derivative | Partial | SumOver | Relation | Equations
        | Jacobian | Product | Sum | Difference | Quotient | Negative | Square | Log | Group | Kept | Brace | Label)

MAX_TERMS = 4  # a sum of more terms keeps its first two and its last around a count of the rest


def shortened_sum(count: int, term, *, stack: bool = False) -> Sum:
    """The sum of ``term(0)`` … ``term(count − 1)``; only the terms that are shown are built."""
    if count <= MAX_TERMS:
        return Sum(tuple(term(j) for j in range(count)), stack=stack)
    return Sum((term(0), term(1), term(count - 1)), omitted=count - 3, stack=stack)


def product(*factors: Node) -> Product:
    """A product; a factor that is itself a product is flattened into it."""
    flat: list[Node] = []
    for factor in factors:
        flat.extend(factor.factors if isinstance(factor, Product) else (factor,))
    return Product(tuple(flat))


ONE = Num(1.0, GIVEN)

# g'(p) of each activation as the handout writes it (activations.py has the same in unicode text, for the
# sentences of answer sheets and explanations; a test keeps the two alike). "g" stands for any activation.
SLOPES: dict[str, Callable[[Num | Label], Node]] = {
    "sigmoid": lambda p: Product((Call("σ", p), Group(Difference(ONE, Call("σ", p)))), tight=True),
    "relu": lambda p: Call("ReLU'", p),
    "leaky_relu": lambda p: Call("LReLU'", p),
    "tanh": lambda p: Group(Difference(ONE, Call("tanh²", p))),
    "identity": lambda p: ONE,
    "softmax": lambda p: Call("softmax'", p),
    "g": lambda p: Call("g'", p),
}


def slope(node: Derivative) -> Node:
    """The derivative factor ``node`` written out: σ(−0.85)·(1 − σ(−0.85)), ReLU'(0.61), 1, ..."""
    return SLOPES[node.activation](node.p)
