"""The handout's steps, one pure function each: arrays and a ``Rounding`` in, arrays out.

Row convention: every array holds one row per sample, so a layer's z is (samples, neurons) and its
weights Θ are (neurons, inputs) as in the config. The handout's column form p = Θ·z (one sample)
is therefore written p = z·Θᵀ here, on all rows at once; ∂J/∂z_t = Σ_k ∂J/∂p_k · Θ_kt is ∂J/∂p·Θ.

Each function rounds its result with ``rounding`` where a table shows that result, so a person
checking a hand calculation gets the numbers written down; g'(p) is never rounded. The functions
can be called on their own, e.g. to recompute one quantity from a student's own earlier answers.
"""

from __future__ import annotations

import numpy as np

from backprop_cli.engine.activations import Activation
from backprop_cli.engine.network import is_shared
from backprop_cli.engine.rounding import Rounding


def combine(values, batch: str) -> np.ndarray:
    """Per-sample values (first axis) combined by the batch mode: their mean or their sum."""
    # The sum divided by the count is what np.mean computes, bit for bit, without its overhead per call
    # (it adds up over a long training run).
    total = np.add.reduce(np.asarray(values, dtype=float), axis=0)
    return total / len(values) if batch == "mean" else total


def forward(weights: np.ndarray, bias, activation: Activation, z_prev: np.ndarray,
            rounding: Rounding) -> tuple[np.ndarray, np.ndarray]:
    """Forward pass of one layer: p = Θ·z_prev + b and z = g(p) (both rounded)."""
    p = z_prev @ weights.T  # the handout's Θ·z, on rows of samples
    if bias is not None:
        p = p + bias
    p = rounding(p)
    return p, rounding(activation.forward(p))


def output_error(loss, z: np.ndarray, y: np.ndarray, rounding: Rounding) -> np.ndarray:
    """Step 1, equation (1): ∂J/∂z_k of the output layer from the loss, e.g. 2·(z_k − y_k) for sse."""
    return rounding(loss.gradient(z, y))


def derivative_factor(activation: Activation, p: np.ndarray) -> np.ndarray | None:
    """g'(p_k) of every neuron, the factor that takes ∂J/∂z_k to ∂J/∂p_k; None for softmax, where every z_j
    depends on every p_k. Not rounded."""
    return activation.slope(p) if activation.elementwise else None


def local_gradient(activation: Activation, p: np.ndarray, z: np.ndarray, dJ_dz: np.ndarray) -> np.ndarray:
    """∂J/∂p_k = ∂J/∂z_k · g'(p_k) (for softmax Σ_j ∂J/∂z_j · z_j·(δ_jk − z_k)); not rounded: the tables
    write it out as the product."""
    return activation.backward(p, z, dJ_dz)


def hidden_error(dJ_dp_next: np.ndarray, weights_next: np.ndarray, rounding: Rounding) -> np.ndarray:
    """Step 2, equation (2): ∂J/∂z_t = Σ_k ∂J/∂z_k[next] · g'(p_k[next]) · Θ_kt[next], i.e. ∂J/∂p[next]·Θ[next]."""
    return rounding(dJ_dp_next @ weights_next)


def sample_weight_gradients(dJ_dp: np.ndarray, inputs: np.ndarray, rounding: Rounding) -> np.ndarray:
    """Steps 3 and 4, equation (3), for each sample: ∂J/∂Θ_kt = ∂J/∂z_k · g'(p_k) · z_t (x_t for the first
    layer); shape (samples, neurons, inputs)."""
    return rounding(dJ_dp[:, :, None] * inputs[:, None, :])


def weight_gradient(dJ_dp: np.ndarray, inputs: np.ndarray, batch: str,
                    rounding: Rounding) -> tuple[np.ndarray, np.ndarray | None]:
    """Steps 3 and 4: ∂J/∂Θ_kt combined over the samples by ``batch`` (mean or sum of the per-sample
    terms), and those terms by hand (None when exact: then they are what the passes give)."""
    if rounding.exact:
        # The one fast path: without hand rounding the combination is a single matrix product, which
        # a long training run needs; by hand each per-sample term is rounded first, as on paper.
        scale = 1.0 / len(dJ_dp) if batch == "mean" else 1.0
        return (dJ_dp.T @ inputs) * scale, None
    per_sample = sample_weight_gradients(dJ_dp, inputs, rounding)
    return rounding(combine(per_sample, batch)), per_sample


def sample_bias_gradients(bias, dJ_dp: np.ndarray, rounding: Rounding):
    """∂J/∂b_k = ∂J/∂z_k · g'(p_k) per sample; for one bias shared by the layer, the sum over its neurons
    (∂p_k/∂b = 1 for every k). None for a layer without a bias."""
    if bias is None:
        return None
    if not is_shared(bias):
        return rounding(dJ_dp)
    shared = np.sum(dJ_dp, axis=-1)
    return rounding(float(shared) if np.ndim(shared) == 0 else shared)


def bias_gradient(bias, dJ_dp: np.ndarray, batch: str, rounding: Rounding):
    """∂J/∂b combined over the samples by ``batch`` (an array per neuron, a float for a shared bias), and
    the per-sample terms by hand (None when exact, or without a bias)."""
    per_sample = sample_bias_gradients(bias, dJ_dp, rounding)
    if per_sample is None:
        return None, None
    combined = rounding(combine(np.asarray(per_sample), batch))
    return (float(combined) if is_shared(bias) else combined), (None if rounding.exact else per_sample)


def parameter_gradients(dJ_dp: np.ndarray, inputs: np.ndarray, bias, batch: str, rounding: Rounding):
    """Steps 3 and 4 for a layer's weights and bias: ∂J/∂Θ and its per-sample terms, ∂J/∂b and its per-sample
    terms, as ``weight_gradient`` and ``bias_gradient`` give them.

    By hand with a bias per neuron the bias is the weight of an input that is always 1 (∂p_k/∂b_k = 1): its
    terms ∂J/∂p_k · 1 are the weights' last column, rounded in the same pass, to the same numbers.
    """
    if rounding.exact or bias is None or is_shared(bias):
        return (*weight_gradient(dJ_dp, inputs, batch, rounding), *bias_gradient(bias, dJ_dp, batch, rounding))
    with_one = np.concatenate((inputs, np.ones((len(inputs), 1))), axis=1)
    grad, per_sample = weight_gradient(dJ_dp, with_one, batch, rounding)
    assert per_sample is not None  # by hand
    return grad[:, :-1], per_sample[:, :, :-1], grad[:, -1], per_sample[:, :, -1]


def update(value, gradient, alpha: float):
    """Step 5, gradient descent: Θ ← Θ − α · ∂J/∂Θ (and b likewise); not rounded, shown as it is."""
    return value - alpha * gradient
