"""The one independent reference of the tests: activations, losses and the forward pass written from their
formulas, and gradients by central differences. Nothing here comes from backprop_cli, so a mistake there
cannot hide here.

A network is config data (a dict with x, y, layers, loss, batch). Parameters are passed separately as
lists of arrays, so that a test can nudge one of them: ``weights[i]`` is (neurons, inputs), ``biases[i]``
an array per neuron, a float for one bias shared by the layer, or None.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

KINK = 1e-12  # the spec: |p| ≤ 1e-12 counts as 0 at the kink of relu and leaky_relu


def activate(name: str, p: np.ndarray, slope: float = 0.01) -> np.ndarray:
    """g(p) over the last axis; ``slope`` is the negative slope of leaky_relu."""
    p = np.asarray(p, dtype=float)
    if name in ("relu", "leaky_relu"):
        p = np.where(np.abs(p) <= KINK, 0.0, p)
    if name == "identity":
        return p
    if name == "relu":
        return np.maximum(p, 0.0)
    if name == "leaky_relu":
        return np.where(p > 0, p, slope * p)
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-p))
    if name == "tanh":
        return np.tanh(p)
    if name == "softmax":
        e = np.exp(p - np.max(p, axis=-1, keepdims=True))  # the shift changes nothing but keeps e^p finite
        return e / np.sum(e, axis=-1, keepdims=True)
    raise ValueError(name)


def derivative(name: str, p: float, slope: float = 0.01) -> float:
    """g'(p) of an element-wise activation; at the kink of relu and leaky_relu, p ≤ 0 takes the left side."""
    if name == "identity":
        return 1.0
    if name == "relu":
        return 1.0 if p > KINK else 0.0
    if name == "leaky_relu":
        return 1.0 if p > KINK else slope
    if name == "sigmoid":
        s = 1.0 / (1.0 + np.exp(-p))
        return float(s * (1.0 - s))
    if name == "tanh":
        return float(1.0 - np.tanh(p) ** 2)
    raise ValueError(name)


def complement(name: str, p: np.ndarray) -> np.ndarray:
    """1 − z of an output layer (rows of samples), summed from its parts: 1 − z itself cancels to nothing
    where z nears 1."""
    p = np.atleast_2d(np.asarray(p, dtype=float))
    if name == "softmax":
        e = np.exp(p - np.max(p, axis=-1, keepdims=True))
        others = np.array([[np.sum(np.delete(row, k)) for k in range(row.size)] for row in e])
        return others / np.sum(e, axis=-1, keepdims=True)
    return 1.0 / (1.0 + np.exp(p))


def loss(name: str, z: np.ndarray, y: np.ndarray, not_z: np.ndarray | None = None) -> np.ndarray | float:
    """J of each sample: sse, half_sse, mse, cross_entropy, or bce (which takes 1 − z as ``not_z``)."""
    if name == "sse":
        return np.sum((z - y) ** 2, axis=-1)
    if name == "half_sse":
        return 0.5 * np.sum((z - y) ** 2, axis=-1)
    if name == "mse":
        return np.mean((z - y) ** 2, axis=-1)
    if name == "cross_entropy":
        return -np.sum(y * np.log(z), axis=-1)
    if name == "bce":
        return -np.sum(y * np.log(z) + (1 - y) * np.log(not_z), axis=-1)
    raise ValueError(name)


def output_gradient(name: str, z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """∂J/∂z_k of a squared-error loss: the handout's (1) and its variants."""
    if name == "sse":
        return 2 * (z - y)
    if name == "half_sse":
        return z - y
    if name == "mse":
        return 2 * (z - y) / z.shape[-1]
    raise ValueError(name)


def central(f: Callable[[float], float], eps: float = 1e-6) -> float:
    """f'(0) by central differences: (f(eps) − f(−eps)) / 2·eps."""
    return (f(eps) - f(-eps)) / (2 * eps)


# The network ---------------------------------------------------------------------------------------

def rows(value) -> np.ndarray:
    """x or y of a config as rows of samples."""
    array = np.asarray(value, dtype=float)
    return array if array.ndim == 2 else array[None, :]


def parameters(data: dict) -> tuple[list[np.ndarray], list]:
    """The weights and biases of the config data, as the reference takes them."""
    weights = [np.array(layer["weights"], dtype=float) for layer in data["layers"]]
    biases = []
    for layer in data["layers"]:
        bias = layer.get("bias")
        biases.append(None if bias is None else float(bias) if np.ndim(bias) == 0 else np.array(bias, dtype=float))
    return weights, biases


def forward(data: dict, weights, biases, x, nudge=None) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """p and z of every layer for the rows ``x``; ``nudge = (layer, 'p' or 'z', k, eps)`` adds eps to the
    k-th p or z of that layer (in every row)."""
    z, ps, zs = rows(x), [], []
    for i, layer in enumerate(data["layers"]):
        p = z @ weights[i].T + (0.0 if biases[i] is None else biases[i])
        if nudge is not None and nudge[:2] == (i, "p"):
            p = p.copy()
            p[:, nudge[2]] += nudge[3]
        z = activate(layer["activation"], p, layer.get("negative_slope", 0.01))
        if nudge is not None and nudge[:2] == (i, "z"):
            z = z.copy()
            z[:, nudge[2]] += nudge[3]
        ps.append(p)
        zs.append(z)
    return ps, zs


def sample_losses(data: dict, weights, biases, x, y, nudge=None) -> np.ndarray:
    """J of each sample (row of ``x`` and ``y``)."""
    ps, zs = forward(data, weights, biases, x, nudge)
    output = data["layers"][-1]["activation"]
    not_z = complement(output, ps[-1]) if nudge is None or nudge[1] == "p" else 1.0 - zs[-1]
    return np.atleast_1d(loss(data.get("loss", "sse"), zs[-1], rows(y), not_z))


def total_loss(data: dict, weights, biases, x=None, y=None) -> float:
    """J over the samples (all of the config's by default), combined by the batch mode."""
    per_sample = sample_losses(data, weights, biases, data["x"] if x is None else x, data["y"] if y is None else y)
    return float(np.mean(per_sample) if data.get("batch", "mean") == "mean" else np.sum(per_sample))


def parameter_gradients(data: dict, weights=None, biases=None, x=None, y=None) -> list[tuple]:
    """(∂J/∂Θ, ∂J/∂b) of every layer by central differences of ``total_loss``; ∂J/∂b is a float for a
    shared bias and None without a bias."""
    if weights is None:
        weights, biases = parameters(data)

    def nudged(i: int, kind: str, index, eps: float) -> float:
        w = [a.copy() for a in weights]
        b = [a.copy() if isinstance(a, np.ndarray) else a for a in biases]
        if kind == "w":
            w[i][index] += eps
        elif isinstance(b[i], np.ndarray):
            b[i][index] += eps
        else:
            b[i] = b[i] + eps
        return total_loss(data, w, b, x, y)

    out = []
    for i, w in enumerate(weights):
        dw = np.zeros_like(w)
        for index in np.ndindex(*w.shape):
            dw[index] = central(lambda e: nudged(i, "w", index, e))
        if biases[i] is None:
            db = None
        elif isinstance(biases[i], np.ndarray):
            db = np.array([central(lambda e: nudged(i, "b", k, e)) for k in range(biases[i].size)])
        else:
            db = central(lambda e: nudged(i, "b", None, e))
        out.append((dw, db))
    return out


def node_gradient(data: dict, sample: int, layer: int, what: str) -> np.ndarray:
    """∂J/∂p (``what`` = "p") or ∂J/∂z ("z") of one layer for one sample, of that sample's own loss."""
    weights, biases = parameters(data)
    x, y = rows(data["x"])[sample], rows(data["y"])[sample]
    width = weights[layer].shape[0]

    def loss_with(k: int, eps: float) -> float:
        return float(sample_losses(data, weights, biases, x, y, (layer, what, k, eps))[0])

    return np.array([central(lambda e: loss_with(k, e)) for k in range(width)])


def away_from_kinks(data: dict, weights=None, biases=None, x=None) -> bool:
    """Whether no relu or leaky_relu p is near its kink, where finite differences mean nothing."""
    if weights is None:
        weights, biases = parameters(data)
    ps, _ = forward(data, weights, biases, data["x"] if x is None else x)
    return all(np.all(np.abs(p) > 1e-4) for p, layer in zip(ps, data["layers"])
               if layer["activation"] in ("relu", "leaky_relu"))


class TorchOptimizer:
    """torch.optim's update rules, written plainly from the algorithm boxes of PyTorch's documentation
    (torch.optim.SGD with momentum, dampening 0, optionally nesterov; RMSprop with smoothing constant
    ``rho`` (torch's alpha), ε outside the root; Adam with bias correction), one number at a time.

    Each parameter tensor is a flat list of floats under a key of the caller's choosing; its state
    (momentum buffer b, square average, m, v, and the step count t) lives in ``self.state[key]``.
    """

    def __init__(self, name: str, lr: float, momentum: float = 0.9, rho: float = 0.99, beta1: float = 0.9,
                 beta2: float = 0.999, eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        self.name, self.lr, self.mu, self.rho = name, lr, momentum, rho
        self.beta1, self.beta2, self.eps, self.weight_decay = beta1, beta2, eps, weight_decay
        self.state: dict = {}

    def step(self, key, params: list[float], grads: list[float]) -> list[float]:
        import math

        state = self.state.setdefault(key, {"t": 0, "b": [0.0] * len(params), "square_avg": [0.0] * len(params),
                                            "m": [0.0] * len(params), "v": [0.0] * len(params)})
        state["t"] += 1
        t = state["t"]
        new = []
        for j, (theta, g) in enumerate(zip(params, grads)):
            if self.weight_decay != 0:
                g = g + self.weight_decay * theta
            if self.name == "sgd":
                theta = theta - self.lr * g
            elif self.name in ("momentum", "nesterov"):
                # b_t = μ·b_{t−1} + (1 − τ)·g_t for t > 1, b_1 = g_1 (τ = 0)
                b = self.mu * state["b"][j] + g if t > 1 else g
                state["b"][j] = b
                g = g + self.mu * b if self.name == "nesterov" else b
                theta = theta - self.lr * g
            elif self.name == "rmsprop":
                v = self.rho * state["square_avg"][j] + (1 - self.rho) * g * g
                state["square_avg"][j] = v
                theta = theta - self.lr * g / (math.sqrt(v) + self.eps)
            elif self.name == "adam":
                m = self.beta1 * state["m"][j] + (1 - self.beta1) * g
                v = self.beta2 * state["v"][j] + (1 - self.beta2) * g * g
                state["m"][j], state["v"][j] = m, v
                m_hat = m / (1 - self.beta1 ** t)
                v_hat = v / (1 - self.beta2 ** t)
                theta = theta - self.lr * m_hat / (math.sqrt(v_hat) + self.eps)
            else:
                raise ValueError(self.name)
            new.append(theta)
        return new
