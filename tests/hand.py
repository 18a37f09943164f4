"""A person's hand calculation of the first update of a config, written down as an answer sheet.

Independent of backprop_cli: the formulas are tests/reference.py's, applied neuron by neuron in loops,
each step from the numbers written down before it (what is on the paper is what the next step uses).
``write`` says how a number is written (2 decimals, 2 significant digits, full precision); ``mistake``
makes one known mistake at one place of the sheet (or at each of a set of places); ``change`` writes another
number at one place. Everything after follows from what was written.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from reference import KINK, activate, derivative

Path = tuple
FUSED = {("cross_entropy", "softmax"), ("cross_entropy", "sigmoid"), ("bce", "sigmoid")}


def _quantize(value: float, places: int) -> str:
    text = format(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), "f")
    return text[1:] if text.startswith("-") and text.strip("-0.") == "" else text


def decimals(n: int) -> Callable[[float], str]:
    """Every number written to ``n`` decimals (0.0768 → 0.08 for 2)."""
    return lambda value: _quantize(value, n)


def significant(n: int) -> Callable[[float], str]:
    """``n`` decimals, or ``n`` significant digits where that keeps more (0.0768 → 0.077), as the handout."""
    def write(value: float) -> str:
        places = n if value == 0 else max(n, n - 1 - math.floor(math.log10(abs(value))))
        return _quantize(value, places)
    return write


def full(value: float) -> str:
    """Full precision: the shortest text that reads back as the same float."""
    return repr(float(value))


def _names(count: int) -> list[str]:
    if count == 1:
        return ["out"]
    if count == 2:
        return ["hid", "out"]
    return [f"hid{i}" for i in range(1, count)] + ["out"]


def _rows(value) -> np.ndarray:
    array = np.array(value, dtype=float)
    return array[None, :] if array.ndim == 1 else array


class HandCalculation:
    """The sheet a person fills: ``texts`` maps each path of the sheet to the number written there."""

    def __init__(self, data: dict, write: Callable[[float], str], mistake: tuple | None = None,
                 change: tuple | None = None, round_factors: bool = False) -> None:
        self.d = data
        self.write = write
        self.round_factors = round_factors  # g'(p) written down (rounded) before it is multiplied
        self.mistake = mistake  # (name, path[, parameter]): the place the mistake is made (a frozenset: places)
        where = () if mistake is None else mistake[1]
        self.places = set(where) if isinstance(where, frozenset) else {where}
        self.change = change  # (path, text)
        self.texts: dict[Path, str] = {}
        self.layers = data["layers"]
        self.names = [layer.get("name", default) for layer, default in zip(self.layers, _names(len(self.layers)))]
        self.W = [np.array(layer["weights"], dtype=float) for layer in self.layers]
        self.loss = data.get("loss", "sse")
        self.alpha = float(data["alpha"])
        x, y = _rows(data["x"]), _rows(data["y"])
        count = data.get("batch_size") or len(x)
        self.x, self.y = x[:count], y[:count]
        self.multi = len(self.x) > 1
        self.L = len(self.layers) - 1
        self.P, self.Z, self.DZ, self.DP = {}, {}, {}, {}  # (sample, layer) → the numbers written
        self.run()

    # writing ---------------------------------------------------------------------------------------

    def at(self, path: Path, name: str) -> bool:
        return self.variant(path) == name

    def variant(self, path: Path) -> str | None:
        """The mistake made at ``path``, if any."""
        return self.mistake[0] if self.mistake is not None and path in self.places else None

    def put(self, path: Path, value: float) -> float:
        text = self.change[1] if self.change is not None and self.change[0] == path else self.write(value)
        self.texts[path] = text
        return float(text)

    # the pieces of the formulas ---------------------------------------------------------------------

    def act(self, l: int) -> tuple[str, float]:
        return self.layers[l]["activation"], self.layers[l].get("negative_slope", 0.01)

    def bias(self, l: int):
        return self.layers[l].get("bias")

    def bias_of(self, l: int, k: int) -> float:
        b = self.bias(l)
        return 0.0 if b is None else float(b) if not isinstance(b, list) else float(b[k])

    def combine(self, terms: list[float]) -> float:
        total = sum(terms)
        return total / len(terms) if self.d.get("batch", "mean") == "mean" else total

    def shown(self, l: int) -> bool:
        name = self.layers[l]["activation"]
        return l == self.L and (name == "softmax" or (self.loss, name) in FUSED)

    def g_prime(self, l: int, p: np.ndarray, z: np.ndarray, variant: str | None = None) -> np.ndarray:
        name, slope = self.act(l)
        if variant == "z-for-derivative":
            return z
        if variant == "derivative-at-z":
            return np.array([derivative(name, v, slope) for v in z])
        if variant in ("derivative-one", "derivative-left-out"):
            return np.ones_like(p)
        exact = np.array([derivative(name, v, slope) for v in p])
        return np.array([float(self.write(v)) for v in exact]) if self.round_factors else exact

    def delta(self, s: int, l: int, variant: str | None = None) -> np.ndarray:
        """∂J/∂p of layer l in sample s, from the numbers written."""
        if self.shown(l):
            return self.DP[s, l]
        return self.DZ[s, l] * self.g_prime(l, self.P[s, l], self.Z[s, l], variant)

    def sample_loss(self, z: np.ndarray, y: np.ndarray) -> float:
        if self.loss in ("sse", "half_sse", "mse"):
            total = sum((zk - yk) ** 2 for zk, yk in zip(z, y))
            return {"sse": total, "half_sse": 0.5 * total, "mse": total / len(z)}[self.loss]
        terms = [yk * math.log(zk) for zk, yk in zip(z, y) if yk != 0]
        if self.loss == "bce":
            terms += [(1 - yk) * math.log(1 - zk) for zk, yk in zip(z, y) if yk != 1]
        return -sum(terms)

    def output_gradient(self, z: float, y: float, K: int, forgot_two: bool, sign: float = 1.0) -> float:
        return sign * self._output_gradient(z, y, K, forgot_two)

    def _output_gradient(self, z: float, y: float, K: int, forgot_two: bool) -> float:
        two = 1.0 if forgot_two else 2.0
        if self.loss == "sse":
            return two * (z - y)
        if self.loss == "half_sse":
            return z - y
        if self.loss == "mse":
            return two * (z - y) / K
        if self.loss == "cross_entropy":
            return 0.0 if y == 0 else -y / z
        return (0.0 if y == 0 else -y / z) + (0.0 if y == 1 else (1 - y) / (1 - z))

    def output_delta(self, z: np.ndarray, y: np.ndarray, dz: np.ndarray) -> np.ndarray:
        name = self.layers[self.L]["activation"]
        if (self.loss, name) == ("cross_entropy", "softmax"):
            return z * sum(y) - y
        if (self.loss, name) == ("cross_entropy", "sigmoid"):
            return -y * (1 - z)
        if (self.loss, name) == ("bce", "sigmoid"):
            return z - y
        if name == "softmax":
            return np.array([sum(dz[j] * z[j] * ((j == k) - z[k]) for j in range(len(z))) for k in range(len(z))])
        raise ValueError((self.loss, name))

    # the calculation --------------------------------------------------------------------------------

    def forward(self, s: int, base: Path) -> None:
        inputs = self.x[s]
        for l, name in enumerate(self.names):
            n, m = self.W[l].shape
            p = []
            for k in range(n):
                path = base + ("forward", name, "p", k)
                w = [self.W[l][t][k] for t in range(m)] if self.at(path, "transposed") else self.W[l][k]
                p.append(self.put(path, sum(w[t] * inputs[t] for t in range(m)) + self.bias_of(l, k)))
            self.P[s, l] = np.array(p)
            activation, slope = self.act(l)
            z = activate(activation, np.where(np.abs(self.P[s, l]) <= KINK, 0.0, self.P[s, l]), slope)
            self.Z[s, l] = np.array([self.put(base + ("forward", name, "z", k), z[k]) for k in range(n)])
            inputs = self.Z[s, l]

    def backward(self, s: int, base: Path) -> None:
        L, out = self.L, self.names[self.L]
        z, y = self.Z[s, L], self.y[s]
        K = len(z)
        self.DZ[s, L] = np.array([self.put(base + ("step1", out, "dJ_dz", k), self.output_gradient(
            z[k], y[k], K, self.at(base + ("step1", out, "dJ_dz", k), "factor-2"),
            -1.0 if self.at(base + ("step1", out, "dJ_dz", k), "step1-sign") else 1.0)) for k in range(K)])
        if self.shown(L):
            dp = self.output_delta(z, y, self.DZ[s, L])
            self.DP[s, L] = np.array([self.put(base + ("step1", out, "dJ_dp", k), dp[k]) for k in range(K)])
        for l in reversed(range(L)):
            values = []
            for t in range(self.W[l].shape[0]):
                path = base + ("step2", self.names[l], "dJ_dz", t)
                variant = self.variant(path)
                theta = self.updated(l + 1) if variant == "updated-weights" else self.W[l + 1]
                d = self.delta(s, l + 1, variant)
                column = theta[t, :] if variant == "transposed" else theta[:, t]
                terms = [d[k] * column[k] for k in range(len(d))]
                if variant == "sum-left-out":
                    terms = [terms[self.mistake[2]]]
                values.append(self.put(path, sum(terms)))
            self.DZ[s, l] = np.array(values)

    def updated(self, l: int) -> np.ndarray:
        """The new weights of layer l as they will be written in Step 5 (for the mistake that uses them in Step 2)."""
        n, m = self.W[l].shape
        gradient = [[float(self.write(self.combine([self.delta(s, l)[k] * self.input(s, l)[t]
                                                    for s in range(len(self.x))])))
                     for t in range(m)] for k in range(n)]
        return np.array([[float(self.write(self.W[l][k][t] - self.alpha * gradient[k][t])) for t in range(m)]
                         for k in range(n)])

    def input(self, s: int, l: int, swapped: bool = False) -> np.ndarray:
        if swapped:
            return self.Z[s, 0] if l == 0 else self.x[s]
        return self.x[s] if l == 0 else self.Z[s, l - 1]

    def gradients(self, l: int) -> tuple[np.ndarray, object]:
        step = "step3" if l == self.L else "step4"
        n, m = self.W[l].shape
        samples = range(len(self.x))

        G = np.zeros((n, m))
        for k in range(n):
            for t in range(m):
                path = (step, self.names[l], "dJ_dweights", k, t)
                v = self.variant(path)
                G[k, t] = self.put(path, self.combine([self.delta(s, l, v)[k] * self.input(s, l, v == "x-z-swapped")[t]
                                                       for s in samples]))
        b = self.bias(l)
        if b is None:
            return G, None
        if not isinstance(b, list):
            path = (step, self.names[l], "dJ_dbias")
            v = self.variant(path)
            return G, self.put(path, self.combine([float(np.sum(self.delta(s, l, v))) for s in samples]))
        gb = []
        for k in range(n):
            path = (step, self.names[l], "dJ_dbias", k)
            gb.append(self.put(path, self.combine([self.delta(s, l, self.variant(path))[k] for s in samples])))
        return G, np.array(gb)

    def new(self, path: Path, old: float, gradient: float) -> float:
        alpha = self.mistake[2] if self.at(path, "alpha-misread") else self.alpha
        sign = 1.0 if self.at(path, "plus-alpha") else -1.0
        return self.put(path, old + sign * alpha * gradient)

    def run(self) -> None:
        samples = range(len(self.x))
        losses = []
        for s in samples:
            base = ("samples", s) if self.multi else ()
            self.forward(s, base)
            half = 0.5 if self.at(base + ("loss",), "half-sse") else 1.0
            losses.append(self.put(base + ("loss",), half * self.sample_loss(self.Z[s, self.L], self.y[s])))
            self.backward(s, base)
        if self.multi:
            self.put(("loss",), self.combine(losses))
        grads = {self.L: self.gradients(self.L)}
        for l in reversed(range(self.L)):
            grads[l] = self.gradients(l)
        new_w, new_b = [], []
        for l, name in enumerate(self.names):
            G, gb = grads[l]
            n, m = self.W[l].shape
            new_w.append(np.array([[self.new(("step5", name, "new_weights", k, t), self.W[l][k][t], G[k][t])
                                    for t in range(m)] for k in range(n)]))
            b = self.bias(l)
            if b is None or not self.d.get("update_bias", True):
                new_b.append(None if b is None else np.array(b, dtype=float))
            elif not isinstance(b, list):
                new_b.append(np.array(self.new(("step5", name, "new_bias"), float(b), gb)))
            else:
                new_b.append(np.array([self.new(("step5", name, "new_bias", k), b[k], gb[k]) for k in range(n)]))
        after = []
        for s in samples:
            z = self.x[s]
            for l in range(len(self.layers)):
                p = new_w[l] @ z + (0.0 if new_b[l] is None else new_b[l])
                activation, slope = self.act(l)
                z = activate(activation, np.where(np.abs(p) <= KINK, 0.0, p), slope)
            after.append(self.sample_loss(z, self.y[s]))
        self.put(("loss_after",), (0.5 if self.at(("loss_after",), "half-sse") else 1.0) * self.combine(after))


def _nest(texts: dict[Path, str]):
    root: dict = {}
    for path, text in texts.items():
        node = root
        for step, following in zip(path, path[1:]):
            empty = [] if isinstance(following, int) else {}
            if isinstance(node, list):
                if step == len(node):
                    node.append(empty)
                node = node[step]
            else:
                node = node.setdefault(step, empty)
        if isinstance(node, list):
            node.append(text)
        else:
            node[path[-1]] = text
    return root


def _flow(node) -> str:
    if isinstance(node, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in node.items()) + "}"
    if isinstance(node, list):
        return "[" + ", ".join(_flow(v) for v in node) + "]"
    return node


def _block(node, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        lead = f"{pad}{key}:" if isinstance(node, dict) else f"{pad}-"
        if isinstance(value, str):
            lines.append(f"{lead} {value}")
        elif isinstance(node, dict):
            lines.append(lead)
            lines.extend(_block(value, indent + 2))
        else:
            inner = _block(value, indent + 2)
            lines.append(pad + "- " + inner[0][indent + 2:])
            lines.extend(inner[1:])
    return lines


def sheet_yaml(texts: dict[Path, str], *, comma: bool = False) -> str:
    """The answer sheet as YAML: flow style, or block style with decimal commas (0,61)."""
    root = _nest(texts)
    if comma:
        return "\n".join(_block(_nest({p: t.replace(".", ",") for p, t in texts.items()}), 0)) + "\n"
    return "".join(f"{key}: {_flow(value)}\n" for key, value in root.items())
