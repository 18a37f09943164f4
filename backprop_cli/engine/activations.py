"""Activation functions: each with its derivative and the way the handout writes that derivative.

Adding an activation is one entry in ``ACTIVATIONS``. Every function works on numpy arrays of
pre-activations and stays finite for any finite input.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# A pre-activation this close to 0 is taken to be exactly 0 at the kink of relu and leaky_relu:
# a p that is 0 on paper can come out as ±1e-17 in floating point.
KINK = 1e-12


def sigmoid(p: np.ndarray) -> np.ndarray:
    """σ(p) = 1 / (1 + e^−p), element-wise, accurate to the last digit also where it is tiny (p ≪ 0)."""
    # exp of a non-positive number only, so there is never an overflow.
    e = np.exp(-np.abs(p))
    denominator = 1.0 + e
    return np.where(p >= 0, 1.0 / denominator, e / denominator)


def _softmax(p: np.ndarray) -> np.ndarray:
    # Shifting by the maximum changes nothing mathematically and keeps exp() below 1.
    e = np.exp(p - np.max(p, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


@dataclass(frozen=True)
class Activation:
    """One activation function g, its derivative g' and how a person writes them."""

    name: str
    label: str  # as in the handout's column "Activation function g(·)"
    forward: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray] | None  # g'(p) element-wise; None if not element-wise
    derivative_text: Callable[[str], str]  # g'(p) in unicode, with p (a number or a symbol) substituted
    elementwise: bool = True
    symbol: str = "g(p)"  # g(p) written symbolically, as in a worksheet's formulas: σ(p), ReLU(p)

    def slope(self, p: np.ndarray) -> np.ndarray:
        """g'(p) element-wise, for an element-wise activation (softmax has none)."""
        if self.derivative is None:
            raise TypeError(f"{self.name} has no element-wise derivative")
        return self.derivative(p)

    def backward(self, p: np.ndarray, z: np.ndarray, dJ_dz: np.ndarray) -> np.ndarray:
        """∂J/∂p from ∂J/∂z: g'(p)·∂J/∂z element-wise, or the Jacobian product for softmax."""
        if self.elementwise:
            return dJ_dz * self.slope(p)
        # softmax: ∂J/∂p_k = Σ_j ∂J/∂z_j · z_j·(δ_jk − z_k) = z_k · (∂J/∂z_k − Σ_j ∂J/∂z_j · z_j)
        return z * (dJ_dz - np.sum(dJ_dz * z, axis=-1, keepdims=True))


def _relu(p: np.ndarray) -> np.ndarray:
    return np.where(p > KINK, p, 0.0)


def _relu_derivative(p: np.ndarray) -> np.ndarray:
    return np.where(p > KINK, 1.0, 0.0)


def _leaky(slope: float) -> tuple[Callable, Callable]:
    def forward(p: np.ndarray) -> np.ndarray:
        return np.where(p > KINK, p, slope * np.where(np.abs(p) <= KINK, 0.0, p))

    def derivative(p: np.ndarray) -> np.ndarray:
        return np.where(p > KINK, 1.0, slope)

    return forward, derivative


def _tanh_derivative(p: np.ndarray) -> np.ndarray:
    t = np.tanh(p)
    return 1.0 - t * t


def _sigmoid_derivative(p: np.ndarray) -> np.ndarray:
    s = sigmoid(p)
    return s * (1.0 - s)


def make_activation(name: str, negative_slope: float = 0.01) -> Activation:
    """The activation called ``name`` (a key of ``ACTIVATIONS``), with its parameters bound."""
    if name == "leaky_relu":
        forward, derivative = _leaky(negative_slope)
        return Activation(
            name="leaky_relu",
            label=f"Leaky ReLU ({negative_slope:g})",
            forward=forward,
            derivative=derivative,
            derivative_text=lambda p: f"LReLU'({p})",
            symbol="LReLU(p)",
        )
    return ACTIVATIONS[name]


ACTIVATIONS: dict[str, Activation] = {
    "identity": Activation(
        name="identity",
        label="Identity",
        forward=lambda p: np.asarray(p, dtype=float).copy(),
        derivative=lambda p: np.ones_like(p, dtype=float),
        derivative_text=lambda p: "1",
        symbol="p",
    ),
    "relu": Activation(
        name="relu",
        label="ReLU",
        forward=_relu,
        derivative=_relu_derivative,
        derivative_text=lambda p: f"ReLU'({p})",
        symbol="ReLU(p)",
    ),
    "leaky_relu": make_activation("leaky_relu"),  # with the default slope; a layer binds its own
    "sigmoid": Activation(
        name="sigmoid",
        label="Sigmoid σ",
        forward=sigmoid,
        derivative=_sigmoid_derivative,
        derivative_text=lambda p: f"σ({p})·(1 − σ({p}))",
        symbol="σ(p)",
    ),
    "tanh": Activation(
        name="tanh",
        label="Tanh",
        forward=np.tanh,
        derivative=_tanh_derivative,
        derivative_text=lambda p: f"(1 − tanh²({p}))",
        symbol="tanh(p)",
    ),
    "softmax": Activation(
        name="softmax",
        label="Softmax",
        forward=_softmax,
        derivative=None,
        derivative_text=lambda p: f"softmax'({p})",
        elementwise=False,
        symbol="e^p_k / Σ_j e^p_j",
    ),
}
