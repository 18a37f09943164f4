"""The answer sheet of a config: a blank for every quantity of the first update, what it is and its formula.

``build_sheet(config, key)`` decides the blanks once, in the handout's order and grouped in sections (the
forward pass with J, Step 1, Step 2 for each hidden layer, ...). A blank knows where it sits in the YAML
(its path), which quantity of the trace it stands for, its label (∂J/∂Θ_11[out]) and its formula. The
YAML worksheet, a printed worksheet and the marking all walk this one list.

With several samples in the first update, the forward pass, J and Steps 1–2 are asked for each sample
under ``samples: [...]``; J over the samples, Steps 3–5 (the combined gradients and the update) and J
after the update are asked once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from backprop_cli.course.check.spelling import VALUES, p_symbol, text
from backprop_cli.course.identity import config_id
from backprop_cli.engine.backprop import Iteration
from backprop_cli.engine.kinds import GIVEN
from backprop_cli.engine.network import Config
from backprop_cli.model import formula as f
from backprop_cli.model.formula import Node
from backprop_cli.model.losses import COST, GRADIENTS, SHORT_FORMS, general_loss
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.render.common import Parts
from backprop_cli.render.unicode import vector_text

MAX_TERMS = 3  # a formula with more inputs is written as a sum over t
# The steps of the handout, by their key in the sheet (a hidden layer's name follows Steps 2 and 4).
STEPS = {
    "forward": "Forward pass",
    "step1": "Step 1) Error gradient in the output layer",
    "step2": "Step 2) Error gradient in the hidden layer",
    "step3": "Step 3) Weight gradient in the output layer",
    "step4": "Step 4) Weight gradient in the hidden layer",
    "step5": "Step 5) Update",
}


@dataclass(frozen=True)
class Quantity:
    """One number of the trace of the first update."""

    kind: str  # p, z, loss, dJ_dz, dJ_dp, dJ_dweights, dJ_dbias, new_weights, new_bias, loss_after
    sample: int | None = None  # per-sample quantities; None for J over the samples and Steps 3-5
    layer: int | None = None
    index: tuple[int, ...] = ()  # (k,) of a neuron, (k, t) of a weight, () of a shared bias or a loss

    @property
    def in_layer(self) -> int:
        """``layer``, of a quantity of one layer (every kind but J)."""
        if self.layer is None:
            raise ValueError(f"{self.kind} is not a quantity of one layer")
        return self.layer

    @property
    def in_sample(self) -> int:
        """``sample``, of a quantity of one sample (the forward pass, J of a sample, Steps 1 and 2)."""
        if self.sample is None:
            raise ValueError(f"{self.kind} is not a quantity of one sample")
        return self.sample


@dataclass(frozen=True)
class Blank:
    """One blank of the sheet."""

    path: tuple[str | int, ...]  # where it sits in the YAML: ("step3", "out", "dJ_dweights", 0, 0)
    quantity: Quantity
    name: Parts  # ∂J/∂Θ_11[out]: words and formula nodes, for each format to spell
    formula: Parts  # ∂J/∂z_1 · σ(p_1)·(1 − σ(p_1)) · z_1[hid]

    @property
    def where(self) -> str:
        return path_text(self.path)

    @property
    def label(self) -> str:
        """The name in unicode, as the YAML sheet and the marking write it: ∂J/∂Θ_11[out]."""
        return text(self.name)

    @property
    def formula_text(self) -> str:
        return text(self.formula)


@dataclass(frozen=True)
class Section:
    """The blanks of one step (of one sample, of one layer), in the order a person fills them."""

    step: str  # forward, loss, step1, ..., step5
    title: str
    blanks: tuple[Blank, ...]


@dataclass(frozen=True)
class Sheet:
    config: Config
    samples: int  # samples of the first update
    sections: tuple[Section, ...]
    sample_titles: tuple[str, ...] = ()  # "Sample 1: x = (0, 1), y = (1)", for sheets of several samples
    exercise: str = ""  # the id of the network the sheet is made for (course.identity)

    @property
    def blanks(self) -> Iterator[Blank]:
        for section in self.sections:
            yield from section.blanks


def path_text(path: tuple[str | int, ...]) -> str:
    """``step3.out.dJ_dweights[0][1]``."""
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else step)
    return out


class _Builder:
    """Writes the blanks of one config; ``key`` tells the samples of the update and which ∂J/∂p are shown."""

    def __init__(self, config: Config, key: Iteration) -> None:
        self.c = config
        self.key = key
        self.samples = len(key.x)
        self.shown = tuple(lp.dJ_dp_shown for lp in key.passes)
        self.last = len(config.layers) - 1

    def base(self, s: int) -> tuple:
        return () if self.samples == 1 else ("samples", s)

    def title(self, text: str, s: int) -> str:
        return text if self.samples == 1 else f"{text} — sample {int(self.key.sample_indices[s]) + 1}"

    def sample_title(self, s: int) -> str:
        x, y = (vector_text(v[s], NumberFormat()) for v in (self.key.x, self.key.y))
        return f"Sample {int(self.key.sample_indices[s]) + 1}: x = {x}, y = {y}"

    def source(self, l: int, t: int | str) -> f.Label:
        """Input t of layer l: x_t, or z_t of the layer before."""
        return f.layer_input(t + 1 if isinstance(t, int) else t, None if l == 0 else self.c.layers[l - 1].name)

    def delta(self, l: int, k: int | str, layer: str | None = None) -> Node:
        """∂J/∂p_k of layer l as Steps 2-4 use it: one number where Step 1 shows it, else the product."""
        if self.shown[l]:
            return f.Partial(f.symbol("p", k, layer))
        return f.Product((f.Partial(f.symbol("z", k, layer)), f.Derivative(self.c.layers[l].activation, p_symbol(k))))

    def forward(self, s: int) -> Section:
        blanks = []
        for l, layer in enumerate(self.c.layers):
            where = self.base(s) + ("forward", layer.name)
            m = layer.weights.shape[1]
            for k in range(layer.width):
                terms: list[Node]
                if m > MAX_TERMS:
                    terms = [f.SumOver("t", f.Product((f.Label("Θ", (k + 1, "t"), layer.name), self.source(l, "t")),
                                                      tight=True))]
                else:
                    terms = [f.Product((f.weight(k, t, layer.name), self.source(l, t)), tight=True) for t in range(m)]
                if layer.bias is not None:
                    terms.append(f.bias(None if layer.shared_bias else k, layer.name))
                blanks.append(Blank(where + ("p", k), Quantity("p", s, l, (k,)), ("p of ", f.neuron(k, layer.name)),
                                    (f.Sum(tuple(terms)),)))
            value = VALUES[layer.activation](p_symbol("k" if layer.activation == "softmax" else None))
            for k in range(layer.width):
                blanks.append(Blank(where + ("z", k), Quantity("z", s, l, (k,)), ("z of ", f.neuron(k, layer.name)),
                                    (value,)))
        loss = general_loss(self.c.loss)
        assert isinstance(loss, f.Relation)
        name: Parts = (COST,) if self.samples == 1 else (COST, f" of sample {int(self.key.sample_indices[s]) + 1}")
        blanks.append(Blank(self.base(s) + ("loss",), Quantity("loss", s), name, (loss.right,)))
        return Section("forward", self.title(STEPS["forward"], s), tuple(blanks))

    def step1(self, s: int) -> Section:
        layer, L = self.c.layers[-1], self.last
        K = layer.width
        where = self.base(s) + ("step1", layer.name)
        blanks = [Blank(where + ("dJ_dz", k), Quantity("dJ_dz", s, L, (k,)),
                        (f.Partial(f.symbol("z")), " of ", f.neuron(k, layer.name)),
                        (GRADIENTS[self.c.loss](f.symbol("z", k + 1), f.symbol("y", k + 1), f.Symbol(str(K))),))
                  for k in range(K)]
        if self.shown[L]:
            form = SHORT_FORMS.get((self.c.loss, layer.activation))
            unit = abs(float(sum(self.key.y[s])) - 1.0) <= 1e-9
            total = None if unit else f.SumOver("j", f.symbol("y", "j"))
            for k in range(K):
                node: Node
                if form is not None:
                    node = form(f.symbol("z", k + 1), f.symbol("y", k + 1), total)
                elif layer.act.elementwise:
                    node = self.delta(L, k + 1)
                else:
                    node = f.SumOver("j", f.Product((f.Partial(f.symbol("z", "j")),
                                                     f.Jacobian(f.symbol("z", "j"), f.symbol("z", k + 1),
                                                                delta=f"j{k + 1}"))))
                blanks.append(Blank(where + ("dJ_dp", k), Quantity("dJ_dp", s, L, (k,)),
                                    (f.Partial(f.symbol("p")), " of ", f.neuron(k, layer.name)), (node,)))
        return Section("step1", self.title(STEPS["step1"], s), tuple(blanks))

    def step2(self, s: int, l: int) -> Section:
        layer, nxt = self.c.layers[l], self.c.layers[l + 1].name
        middle = self.delta(l + 1, "k", nxt)
        blanks = tuple(
            Blank(self.base(s) + ("step2", layer.name, "dJ_dz", t), Quantity("dJ_dz", s, l, (t,)),
                  (f.Partial(f.symbol("z")), " of ", f.neuron(t, layer.name)),
                  (f.SumOver("k", f.product(middle, f.Label("Θ", ("k", t + 1), nxt))),))
            for t in range(layer.width))
        return Section("step2", self.title(f"{STEPS['step2']} '{layer.name}'", s), blanks)

    def combined(self, node: Node) -> Parts:
        return (node,) if self.samples == 1 else (f"{self.c.batch} over the samples of ", node)

    def gradients(self, l: int) -> Section:
        layer = self.c.layers[l]
        step = "step3" if l == self.last else "step4"
        where = (step, layer.name)
        n, m = layer.weights.shape
        blanks = [Blank(where + ("dJ_dweights", k, t), Quantity("dJ_dweights", None, l, (k, t)),
                        (f.Partial(f.weight(k, t, layer.name)),),
                        self.combined(f.product(self.delta(l, k + 1), self.source(l, t))))
                  for k in range(n) for t in range(m)]
        if layer.shared_bias:
            blanks.append(Blank(where + ("dJ_dbias",), Quantity("dJ_dbias", None, l),
                                (f.Partial(f.bias(None, layer.name)),),
                                self.combined(f.SumOver("k", self.delta(l, "k")))))
        elif layer.bias is not None:
            blanks += [Blank(where + ("dJ_dbias", k), Quantity("dJ_dbias", None, l, (k,)),
                             (f.Partial(f.bias(k, layer.name)),), self.combined(self.delta(l, k + 1)))
                       for k in range(n)]
        title = STEPS[step] if step == "step3" else f"{STEPS[step]} '{layer.name}'"
        return Section(step, title, tuple(blanks))

    def update(self) -> Section:
        alpha = f.Num(self.c.alpha, GIVEN)

        def new(label: f.Label, value: float) -> Node:
            return f.Difference(f.Num(float(value), GIVEN), f.Product((alpha, f.Partial(label))))

        blanks = []
        for l, layer in enumerate(self.c.layers):
            n, m = layer.weights.shape
            for k in range(n):
                for t in range(m):
                    name = f.weight(k, t, layer.name)
                    blanks.append(Blank(("step5", layer.name, "new_weights", k, t),
                                        Quantity("new_weights", None, l, (k, t)), ("new ", name),
                                        (new(name, layer.weights[k, t]),)))
            bias = layer.bias
            if bias is None or not self.c.update_bias:
                continue
            # One bias shared by the layer (a number), or one per neuron.
            biases: list[tuple[int | None, float]] = (
                [(k, bias[k]) for k in range(n)] if isinstance(bias, np.ndarray) else [(None, bias)])
            for j, value in biases:
                label = f.bias(j, layer.name)
                path = ("step5", layer.name, "new_bias") + (() if j is None else (j,))
                blanks.append(Blank(path, Quantity("new_bias", None, l, () if j is None else (j,)), ("new ", label),
                                    (new(label, value),)))
        blanks.append(Blank(("loss_after",), Quantity("loss_after"), (COST, " after the update"),
                            self.combined(COST) + (" with the new parameters (a second forward pass)",)))
        return Section("step5", STEPS["step5"], tuple(blanks))

    def sections(self) -> Iterator[Section]:
        hidden = list(reversed(range(self.last)))  # backwards, as the error flows
        for s in range(self.samples):
            yield self.forward(s)
            yield self.step1(s)
            for l in hidden:
                yield self.step2(s, l)
        if self.samples > 1:
            yield Section("loss", f"J(Θ) over the {self.samples} samples",
                          (Blank(("loss",), Quantity("loss"), (COST, " over the samples"),
                                 (f"{self.c.batch} of the samples' ", COST)),))
        yield self.gradients(self.last)
        for l in hidden:
            yield self.gradients(l)
        yield self.update()


def build_sheet(config: Config, key: Iteration) -> Sheet:
    """The answer sheet of the first update of ``config``, whose trace is ``key``."""
    builder = _Builder(config, key)
    titles = tuple(builder.sample_title(s) for s in range(builder.samples)) if builder.samples > 1 else ()
    return Sheet(config=config, samples=builder.samples, sections=tuple(builder.sections()), sample_titles=titles,
                 exercise=config_id(config))
