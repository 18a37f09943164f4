"""The independent reference of the gradient tests: activations and losses written from their formulas,
and central differences. Nothing here comes from backprop_cli, so a mistake there cannot hide here.

Every function takes one sample (a vector) or rows of samples (the last axis is the layer's neurons).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

KINK = 1e-12  # |p| ≤ KINK counts as 0 at the kink of relu and leaky_relu, as the SPEC says


def activate(name: str, p: np.ndarray, slope: float = 0.01) -> np.ndarray:
    """g(p); ``slope`` is the negative slope of leaky_relu."""
    p = np.asarray(p, dtype=float)
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


def derivative(name: str, p: float, slope: float) -> float:
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
    """1 − z of an output layer for one sample, summed from its parts: 1 − z itself cancels to nothing
    where z nears 1."""
    if name == "softmax":
        e = np.exp(p - np.max(p))
        return np.array([np.sum(np.delete(e, k)) for k in range(e.size)]) / np.sum(e)
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


def central(f: Callable[[float], float], eps: float = 1e-6) -> float:
    """f'(0) by central differences: (f(eps) − f(−eps)) / 2·eps."""
    return (f(eps) - f(-eps)) / (2 * eps)


def random_layer(draw, n: int, m: int, activation: str, numbers, slopes=(0.01, 0.1, 0.3)) -> dict:
    """One layer of a random network as config data (for hypothesis' ``st.composite``): ``n`` neurons of
    ``m`` inputs with weights drawn from ``numbers``, a leaky slope, and a bias per neuron, shared or none."""
    from hypothesis import strategies as st

    layer = {"activation": activation, "weights": [[draw(numbers) for _ in range(m)] for _ in range(n)]}
    if activation == "leaky_relu":
        layer["negative_slope"] = draw(st.sampled_from(slopes))
    bias = draw(st.sampled_from(["none", "per_neuron", "shared"]))
    if bias == "per_neuron":
        layer["bias"] = [draw(numbers) for _ in range(n)]
    elif bias == "shared":
        layer["bias"] = draw(numbers)
    return layer


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
