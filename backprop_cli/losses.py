"""Loss functions J(z, y): the value, the gradient ∂J/∂z, and how a person writes both.

Each function takes arrays of shape (samples, outputs) and returns one value per sample (the value)
or one per output (the gradient). Adding a loss is one entry in ``LOSSES``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

# The smallest positive float: log() and 1/z of a probability are taken no closer to 0 than this, so a
# saturated output gives a large but finite number instead of inf.
TINY = np.finfo(float).tiny


@dataclass(frozen=True)
class Loss:
    """A loss J with its gradient and printed forms."""

    name: str
    formula: str  # the general formula, as in the handout
    gradient_formula: str  # ∂J/∂z_k, general
    value: Callable[[np.ndarray, np.ndarray], np.ndarray]
    gradient: Callable[[np.ndarray, np.ndarray], np.ndarray]
    term_text: Callable[[str, str], str]  # one summand of J with numbers, from z_k and y_k as text
    total_text: Callable[[str, int], str]  # J from the joined summands and the number of outputs K
    gradient_text: Callable[[str, str, int], str]  # ∂J/∂z_k with numbers, from z_k, y_k, K


def _xlogy(y: np.ndarray, z: np.ndarray) -> np.ndarray:
    """y·log z with 0·log 0 = 0 and log never of 0."""
    return np.where(y == 0, 0.0, y * np.log(np.maximum(z, TINY)))


def _sq(z: str, y: str) -> str:
    return f"({z} − {y})²"


LOSSES: dict[str, Loss] = {
    "sse": Loss(
        name="sse",
        formula="J(Θ) = Σ_k (z_k − y_k)²",
        gradient_formula="∂J/∂z_k = 2 · (z_k − y_k)",
        value=lambda z, y: np.sum((z - y) ** 2, axis=-1),
        gradient=lambda z, y: 2.0 * (z - y),
        term_text=_sq,
        total_text=lambda terms, k: terms,
        gradient_text=lambda z, y, k: f"2 · ({z} − {y})",
    ),
    "half_sse": Loss(
        name="half_sse",
        formula="J(Θ) = ½ · Σ_k (z_k − y_k)²",
        gradient_formula="∂J/∂z_k = z_k − y_k",
        value=lambda z, y: 0.5 * np.sum((z - y) ** 2, axis=-1),
        gradient=lambda z, y: z - y,
        term_text=_sq,
        total_text=lambda terms, k: f"½ · [{terms}]",
        gradient_text=lambda z, y, k: f"{z} − {y}",
    ),
    "mse": Loss(
        name="mse",
        formula="J(Θ) = (1/K) · Σ_k (z_k − y_k)²",
        gradient_formula="∂J/∂z_k = 2 · (z_k − y_k) / K",
        value=lambda z, y: np.mean((z - y) ** 2, axis=-1),
        gradient=lambda z, y: 2.0 * (z - y) / z.shape[-1],
        term_text=_sq,
        total_text=lambda terms, k: f"(1/{k}) · [{terms}]",
        gradient_text=lambda z, y, k: f"2 · ({z} − {y}) / {k}",
    ),
    "cross_entropy": Loss(
        name="cross_entropy",
        formula="J(Θ) = −Σ_k y_k · log z_k",
        gradient_formula="∂J/∂z_k = −y_k / z_k",
        value=lambda z, y: -np.sum(_xlogy(y, z), axis=-1),
        gradient=lambda z, y: np.where(y == 0, 0.0, -y / np.maximum(z, TINY)),
        term_text=lambda z, y: f"{y} · log {z}",
        total_text=lambda terms, k: f"−[{terms}]",
        gradient_text=lambda z, y, k: f"−{y} / {z}",
    ),
    "bce": Loss(
        name="bce",
        formula="J(Θ) = −Σ_k [y_k · log z_k + (1 − y_k) · log(1 − z_k)]",
        gradient_formula="∂J/∂z_k = (z_k − y_k) / (z_k · (1 − z_k))",
        value=lambda z, y: -np.sum(_xlogy(y, z) + _xlogy(1.0 - y, 1.0 - z), axis=-1),
        gradient=lambda z, y: (
            np.where(y == 0, 0.0, -y / np.maximum(z, TINY))
            + np.where(y == 1, 0.0, (1.0 - y) / np.maximum(1.0 - z, TINY))
        ),
        term_text=lambda z, y: f"[{y} · log {z} + (1 − {y}) · log(1 − {z})]",
        total_text=lambda terms, k: f"−({terms})",
        gradient_text=lambda z, y, k: f"({z} − {y}) / ({z} · (1 − {z}))",
    ),
}
