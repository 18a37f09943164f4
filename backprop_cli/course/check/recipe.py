"""Each blank's recomputation as a small expression tree, for the marking in the browser page.

The trees are not written a second time: chain.py's own functions are run once per blank over numbers that
record what is done with them (``Expr``), so a tree is exactly the recomputation ``bptrace check`` makes.
A tree refers to other quantities by their key (``ref``), holds the given numbers (weights, x, y, α) as
constants, names the functions of the activation and loss registries it calls, and marks where a hand
calculation rounds (``round``: the results bptrace's hand rounding rounds, or the factor g'(p)). The page's
script evaluates a tree with the numbers a person wrote, exactly or rounding at those marks as marking.py's
hand practices do (hand rounding to N, or N decimals strictly), and applies the comparison rules of digits.py
and marking.py to the value.

A tree is plain JSON: a number is a constant; a list is ``[op, ...]`` with op one of
``ref KEY`` · ``+ a b`` · ``- a b`` · ``* a b`` · ``/ a b`` · ``neg a`` · ``sq a`` · ``round results|factors a``
· ``g NAME SLOPE p`` (the activation) · ``g' NAME SLOPE p`` (its derivative) · ``softmax k [p…]`` ·
``J LOSS [z…] [y…]`` (the loss of one sample) · ``dJ LOSS k [z…] [y…]`` (its gradient) ·
``fused LOSS ACT k [p…] [z…] [y…]`` (∂J/∂p of the loss taken with the output activation).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from backprop_cli.course.check.chain import HANDOUT, Problem, Rounding, Rules, Values, recompute
from backprop_cli.course.check.marking import Marker
from backprop_cli.course.check.mistakes import mistakes_for
from backprop_cli.course.check.sheet import Quantity
from backprop_cli.engine.activations import Activation
from backprop_cli.engine.losses import Loss, OutputForm


class Expr:
    """A number that records how it was computed: ``tree`` is its JSON form (see the module)."""

    __slots__ = ("tree",)
    __array_priority__ = 100  # numpy hands mixed arithmetic to these methods

    def __init__(self, tree) -> None:
        self.tree = tree

    @staticmethod
    def of(value) -> Expr:
        return value if isinstance(value, Expr) else Expr(float(value))

    def _op(self, op: str, other, flip: bool = False) -> Expr:
        a, b = self.tree, Expr.of(other).tree
        return Expr([op, b, a] if flip else [op, a, b])

    def __add__(self, other):
        return self._op("+", other)

    def __radd__(self, other):
        return self._op("+", other, flip=True)

    def __sub__(self, other):
        return self._op("-", other)

    def __rsub__(self, other):
        return self._op("-", other, flip=True)

    def __mul__(self, other):
        return self._op("*", other)

    def __rmul__(self, other):
        return self._op("*", other, flip=True)

    def __truediv__(self, other):
        return self._op("/", other)

    def __rtruediv__(self, other):
        return self._op("/", other, flip=True)

    def __neg__(self):
        return Expr(["neg", self.tree])

    def __pow__(self, power):
        if power != 2:
            raise ValueError("only squares are recorded")
        return Expr(["sq", self.tree])


def _trees(values) -> list:
    return [Expr.of(v).tree for v in np.ravel(values)]


def _each(values, make) -> np.ndarray:
    """An object array of the shape of ``values`` holding ``make(i, ...)`` for each flat index i."""
    array = np.asarray(values, dtype=object)
    flat = [make(i) for i in range(array.size)]
    out = np.empty(array.shape, dtype=object)
    out.ravel()[:] = flat  # a fresh array: ravel is a view
    return out


def _activation(act: Activation, slope: float) -> Activation:
    """``act`` with forward and derivative recorded as calls (softmax's forward by its index)."""
    def forward(p):
        if act.elementwise:
            return _each(p, lambda i: Expr(["g", act.name, slope, Expr.of(np.ravel(p)[i]).tree]))
        rows = np.atleast_2d(np.asarray(p, dtype=object))
        out = np.empty(rows.shape, dtype=object)
        for r, row in enumerate(rows):
            for k in range(row.size):
                out[r, k] = Expr(["softmax", k, _trees(row)])
        return out.reshape(np.shape(p))

    def derivative(p):
        return _each(p, lambda i: Expr(["g'", act.name, slope, Expr.of(np.ravel(p)[i]).tree]))

    return dataclasses.replace(act, forward=forward, derivative=derivative if act.elementwise else None)


def _loss(loss: Loss, name: str) -> Loss:
    """``loss`` with its value, gradient and exact output forms recorded as calls (arrays of one sample)."""
    def value(z, y):
        return np.array([Expr(["J", name, _trees(z[0]), _trees(y[0])])], dtype=object)

    def gradient(z, y):
        row = np.empty(z.shape[-1], dtype=object)
        for k in range(row.size):
            row[k] = Expr(["dJ", name, k, _trees(z[0]), _trees(y[0])])
        return row[None, :]

    def fused(act: str):
        def form(p, z, y):
            row = np.empty(p.shape[-1], dtype=object)
            for k in range(row.size):
                row[k] = Expr(["fused", name, act, k, _trees(p[0]), _trees(z[0]), _trees(y[0])])
            return row[None, :]
        return OutputForm(logs=loss.fused[act].logs, gradient=form)

    return dataclasses.replace(loss, value=value, gradient=gradient, fused={a: fused(a) for a in loss.fused})


class _Recording(Problem):
    """The problem with its activations and loss recorded."""

    def act(self, l: int) -> Activation:
        layer = self.config.layers[l]
        return _activation(layer.act, layer.negative_slope)

    @property
    def loss(self) -> Loss:
        return _loss(super().loss, self.config.loss)


def _marked(kind: str):
    return lambda values: _each(values, lambda i: Expr(["round", kind, Expr.of(np.ravel(values)[i]).tree]))


RECORDED = Rounding(results=_marked("results"), factors=_marked("factors"))


def key_name(kind: str, sample, layer, index: tuple) -> str:
    """The key of one quantity in the page: ``dJ_dz/0/1/0``, ``new_weights/-/0/1,0``, ``loss_after/-/-/``."""
    return "/".join((kind, "-" if sample is None else str(sample), "-" if layer is None else str(layer),
                     ",".join(map(str, index))))


def quantity_key(q: Quantity) -> str:
    return key_name(q.kind, q.sample, q.layer, q.index)


def _references(values: Values) -> Values:
    """``values`` with every number replaced by a reference to it."""
    recorded = values.copy()
    for (kind, sample, layer), array in values.arrays.items():
        out = np.empty(array.shape, dtype=object)
        for index in np.ndindex(array.shape):
            out[index] = Expr(["ref", key_name(kind, sample, layer, index)])
        recorded.arrays[(kind, sample, layer)] = out
    return recorded


def tree(q: Quantity, refs: Values, problem: Problem, rules: Rules = HANDOUT):
    """The recomputation of ``q`` by ``rules`` as a tree."""
    return Expr.of(recompute(q, refs, problem, rules, RECORDED)).tree


def _numbers(values: Values) -> dict[str, float]:
    """Every number of ``values`` by its key."""
    return {key_name(kind, s, l, index): float(array[index])
            for (kind, s, l), array in values.arrays.items() for index in np.ndindex(array.shape)}


def recipes(marks: Marker) -> dict:
    """What the page's script needs to mark the sheet as ``bptrace check`` does with ``marks``: the sheet's
    rounding, the numbers of each key by their key (the hand chain ``bptrace run -r N`` computes first, the
    full-precision one last), and for each blank (in the sheet's order) its key, its section, its
    recomputation and each known mistake's."""
    problem = marks.problem
    recording = _Recording(problem.config, problem.x, problem.y, problem.shown)
    refs = _references(marks.exact)
    blanks = []
    for n, section in enumerate(marks.sheet.sections):
        for blank in section.blanks:
            q = blank.quantity
            mistakes = [[m.name, m.diagnosis, tree(q, refs, recording, m.rules)] for m in mistakes_for(q, problem)]
            blanks.append({"path": blank.where, "key": quantity_key(q), "section": n, "tree": tree(q, refs, recording),
                           "mistakes": mistakes})
    return {"rounding": marks.rounding, "keys": [_numbers(values) for values in marks.keys], "blanks": blanks}
