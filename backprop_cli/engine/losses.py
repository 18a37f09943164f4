"""Loss functions J(z, y): the value, the gradient ∂J/∂z, and how a person writes both.

Each function takes arrays of shape (samples, outputs) and returns one value per sample (the value)
or one per output (the gradient). Adding a loss is one entry in ``LOSSES``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from backprop_cli.engine.activations import sigmoid

# The smallest normal float (2.2e−308): log() and 1/z of a probability are taken no closer to 0 than
# this, so a saturated output gives a large but finite number instead of inf.
TINY = np.finfo(float).tiny


@dataclass(frozen=True)
class Loss:
    """A loss J with its gradient and general formulas (with numbers: ``model.losses``)."""

    name: str
    formula: str  # the general formula, as in the handout
    value: Callable[[np.ndarray, np.ndarray], np.ndarray]
    gradient: Callable[[np.ndarray, np.ndarray], np.ndarray]
    # Exact forms of this loss on the output activations named by the keys (see OutputForm), and J per
    # sample from log z, log(1 − z) and y, which those forms compute from p.
    fused: Mapping[str, OutputForm] = field(default_factory=dict)
    from_logs: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray] | None = None

    def exact(self, activation: str, p: np.ndarray, z: np.ndarray, y: np.ndarray,
              *, by_hand: bool = False) -> tuple[np.ndarray, np.ndarray] | None:
        """J per sample and ∂J/∂p of an output layer with this ``activation``, taken together; None where
        this loss has no exact form for it.

        J comes from log z and log(1 − z) computed from p. By hand it comes from the z written down, as on
        paper, except where that z is 0 or 1 and its log does not exist.
        """
        form = self.fused.get(activation)
        if form is None or self.from_logs is None:
            return None
        log_z, log_not = form.logs(p)
        if by_hand:
            log_z = np.where(z > 0, np.log(np.where(z > 0, z, 1.0)), log_z)
            log_not = np.where(z < 1, np.log1p(-np.where(z < 1, z, 0.0)), log_not)
        return self.from_logs(log_z, log_not, y), form.gradient(p, z if by_hand else None, y)


@dataclass(frozen=True)
class OutputForm:
    """A loss and the output activation taken together, as functions of the preactivations p.

    Apart, the two steps take log z and divide by z, which breaks down where z underflows to 0 or
    rounds to 1 (softmax of ±900; a sigmoid of 40 already is 1.0 in floating point). Together they are
    exact for every finite p: log z from log-sum-exp or log(1 + e^p), and ∂J/∂p in a short form such
    as z_k − y_k, which never divides by z.
    """

    logs: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]  # p → (log z, log(1 − z))
    # (p, z, y) → ∂J/∂p: from the z written down by hand, or from p alone where z is None
    gradient: Callable[[np.ndarray, np.ndarray | None, np.ndarray], np.ndarray]
    why: str = ""  # why the long form simplifies (short lines)


def _logsumexp(p: np.ndarray) -> np.ndarray:
    """log Σ_j e^{p_j} over the last axis (kept), shifted by the max so that exp() never overflows."""
    top = np.max(p, axis=-1, keepdims=True)
    return top + np.log(np.sum(np.exp(p - top), axis=-1, keepdims=True))


def _top_mask(p: np.ndarray) -> np.ndarray:
    """True at the largest p of each row (the first of equals): the only softmax output that can near 1."""
    return np.arange(p.shape[-1]) == np.argmax(p, axis=-1)[..., None]


def _at_top(values: np.ndarray, top: np.ndarray) -> np.ndarray:
    """The value at the top output of each row (kept as a column)."""
    return np.sum(np.where(top, values, 0.0), axis=-1, keepdims=True)


def _softmax_logs(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log z_k and log(1 − z_k) of a softmax, exact for every finite p.

    With m the largest p and s = Σ_{j≠top} e^{p_j − m}, log z_k = p_k − m − log1p(s). log(1 + s) would
    lose the digits of a small s, which is all a confident output has: for p = (20, 0) the loss is
    −log z_1 = log1p(e^−20) = 2.06e−9, and log(1 + e^−35) is 0 where the loss is 6.3e−16.
    1 − z_top = Σ_{j≠top} e^{p_j} / Σ_j e^{p_j}, its log taken from the sum over the others in logs, so
    that it does not underflow; every other z_k is at most ½, so log1p(−z_k) is exact. With one
    output, z = 1.
    """
    top = _top_mask(p)
    m = np.max(p, axis=-1, keepdims=True)
    log_total = np.log1p(np.sum(np.where(top, 0.0, np.exp(p - m)), axis=-1, keepdims=True))
    log_z = p - m - log_total
    if p.shape[-1] == 1:
        return log_z, np.full_like(p, -np.inf)
    others = _logsumexp(np.where(top, -np.inf, p)) - m - log_total
    return log_z, np.where(top, others, np.log1p(-np.minimum(np.exp(log_z), 0.5)))


def _sigmoid_logs(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log σ(p) = −log(1 + e^−p) and log(1 − σ(p)) = −log(1 + e^p), without overflow."""
    return -np.logaddexp(0.0, -p), -np.logaddexp(0.0, p)


def _ce_softmax_gradient(p: np.ndarray, z: np.ndarray | None, y: np.ndarray) -> np.ndarray:
    """∂J/∂p_k = z_k · Σ_j y_j − y_k of cross-entropy on softmax.

    From p, the top output's value is taken as Σ_{j≠top} y_j − (1 − z_top) · Σ_j y_j, with 1 − z_top the
    sum of the other z: z_top − 1 itself cancels to a few digits, or to 0, where z_top is near 1.
    """
    total = np.sum(y, axis=-1, keepdims=True)
    if z is not None:
        return z * total - y
    top = _top_mask(p)
    z = np.exp(_softmax_logs(p)[0])
    not_top = np.sum(np.where(top, 0.0, z), axis=-1, keepdims=True)  # 1 − z_top
    return np.where(top, (total - _at_top(y, top)) - not_top * total, z * total - y)


def _bce_softmax_gradient(p: np.ndarray, z: np.ndarray | None, y: np.ndarray) -> np.ndarray:
    """∂J/∂p of bce on softmax outputs, from p alone (also by hand: it has no short form to write down).

    With r_k = z_k / (1 − z_k) and u_k = ∂J/∂z_k · z_k = (1 − y_k)·r_k − y_k, the softmax gives
    ∂J/∂p_m = u_m − z_m · Σ_k u_k. Where z_top is near 1 both terms are large and cancel, so with
    R = Σ_{k≠top} u_k and q = 1 − z_top (the sum of the other z):
      ∂J/∂p_top = (1 − y_top)·z_top − q·y_top − z_top·R,
      ∂J/∂p_m   = u_m − z_m·R + z_m·y_top − (1 − y_top)·z_m·r_top   (m not the top),
    where z_m·r_top = z_m·z_top / q ≤ 1 is taken in logs, as r_top may overflow.
    """
    top = _top_mask(p)
    log_z, log_not = _softmax_logs(p)
    z = np.exp(log_z)
    u = np.where(top, 0.0, (1.0 - y) * np.exp(np.where(top, 0.0, log_z - log_not)) - y)
    rest = np.sum(u, axis=-1, keepdims=True)
    y_top, z_top = _at_top(y, top), _at_top(z, top)
    not_top = np.sum(np.where(top, 0.0, z), axis=-1, keepdims=True)
    log_r_top = _at_top(log_z - log_not, top)
    top_value = (1.0 - y_top) * z_top - not_top * y_top - z_top * rest
    other = u - z * rest + z * y_top - (1.0 - y_top) * np.exp(np.where(top, 0.0, log_z + log_r_top))
    return np.where(top, top_value, other)


def _ce_sigmoid_gradient(p: np.ndarray, z: np.ndarray | None, y: np.ndarray) -> np.ndarray:
    """∂J/∂p_k = −y_k · (1 − z_k) of cross-entropy on sigmoid; from p, 1 − z_k is σ(−p_k), which keeps
    its digits where z_k rounds to 1."""
    return -y * (1.0 - z) if z is not None else -y * sigmoid(-p)


def _bce_sigmoid_gradient(p: np.ndarray, z: np.ndarray | None, y: np.ndarray) -> np.ndarray:
    """∂J/∂p_k = z_k − y_k of bce on sigmoid; from p as (1 − y_k)·σ(p_k) − y_k·σ(−p_k), the same number,
    exact where z_k is near 0 or 1: −σ(−p) for y = 1 is 8.5e−17 at p = 37, where 1.0 − 1 is 0."""
    return z - y if z is not None else (1.0 - y) * sigmoid(p) - y * sigmoid(-p)


def _xlogy(y: np.ndarray, z: np.ndarray) -> np.ndarray:
    """y·log z with 0·log 0 = 0 and log never of 0."""
    return np.where(y == 0, 0.0, y * np.log(np.maximum(z, TINY)))


LOSSES: dict[str, Loss] = {
    "sse": Loss(
        name="sse",
        formula="J(Θ) = Σ_k (z_k − y_k)²",
        value=lambda z, y: np.sum((z - y) ** 2, axis=-1),
        gradient=lambda z, y: 2.0 * (z - y),
    ),
    "half_sse": Loss(
        name="half_sse",
        formula="J(Θ) = ½ · Σ_k (z_k − y_k)²",
        value=lambda z, y: 0.5 * np.sum((z - y) ** 2, axis=-1),
        gradient=lambda z, y: z - y,
    ),
    "mse": Loss(
        name="mse",
        formula="J(Θ) = (1/K) · Σ_k (z_k − y_k)²",
        value=lambda z, y: np.mean((z - y) ** 2, axis=-1),
        gradient=lambda z, y: 2.0 * (z - y) / z.shape[-1],
    ),
    "cross_entropy": Loss(
        name="cross_entropy",
        formula="J(Θ) = −Σ_k y_k · log z_k",
        value=lambda z, y: -np.sum(_xlogy(y, z), axis=-1),
        gradient=lambda z, y: np.where(y == 0, 0.0, -y / np.maximum(z, TINY)),
        fused={
            "softmax": OutputForm(
                logs=_softmax_logs,
                # ∂J/∂z_j · z_j = −y_j, so Σ_j ∂J/∂z_j · z_j·(δ_jk − z_k) = z_k · Σ_j y_j − y_k
                gradient=_ce_softmax_gradient,
                why="∂J/∂z_j · z_j = −y_j,\nso the sum is Σ_j −y_j·(δ_jk − z_k) = z_k · Σ_j y_j − y_k",
            ),
            "sigmoid": OutputForm(
                logs=_sigmoid_logs,
                gradient=_ce_sigmoid_gradient,
                why="σ'(p_k) = z_k·(1 − z_k),\nand its z_k cancels the 1/z_k of ∂J/∂z_k = −y_k / z_k",
            ),
        },
        from_logs=lambda log_z, log_not, y: 0.0 - np.sum(y * log_z, axis=-1),  # 0.0 − …: no −0 for J = 0
    ),
    "bce": Loss(
        name="bce",
        formula="J(Θ) = −Σ_k [y_k · log z_k + (1 − y_k) · log(1 − z_k)]",
        value=lambda z, y: -np.sum(_xlogy(y, z) + _xlogy(1.0 - y, 1.0 - z), axis=-1),
        gradient=lambda z, y: (
            np.where(y == 0, 0.0, -y / np.maximum(z, TINY))
            + np.where(y == 1, 0.0, (1.0 - y) / np.maximum(1.0 - z, TINY))
        ),
        fused={
            "sigmoid": OutputForm(
                logs=_sigmoid_logs,
                gradient=_bce_sigmoid_gradient,
                why="σ'(p_k) = z_k·(1 − z_k),\n"
                    "which cancels the denominator of ∂J/∂z_k = (z_k − y_k) / (z_k · (1 − z_k))",
            ),
            "softmax": OutputForm(logs=_softmax_logs, gradient=_bce_softmax_gradient),
        },
        from_logs=lambda log_z, log_not, y: 0.0 - np.sum(y * log_z + (1.0 - y) * log_not, axis=-1),
    ),
}
