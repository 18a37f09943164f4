"""The one hypothesis strategy of the tests: random networks as config data, in every shape the tests need."""

from __future__ import annotations

from hypothesis import strategies as st

ELEMENT_WISE = ["identity", "relu", "leaky_relu", "sigmoid", "tanh"]
SQUARED = ["sse", "half_sse", "mse"]
FLOATS = st.floats(min_value=-2, max_value=2, allow_nan=False, allow_infinity=False)
HUNDREDTHS = st.integers(-200, 200).map(lambda v: v / 100)  # numbers as a handout writes them


def squared(outputs=ELEMENT_WISE) -> list[tuple[str, str]]:
    """(output activation, loss) pairs: each of ``outputs`` with each squared-error loss."""
    return [(activation, loss) for activation in outputs for loss in SQUARED]


@st.composite
def targets(draw, activation: str, loss: str, width: int, numbers=FLOATS) -> list[float]:
    """A y for one sample: any numbers for a squared error; for cross-entropy and bce numbers in [0, 1],
    and for softmax with cross-entropy also one-hot vectors and probability distributions."""
    if loss in ("sse", "half_sse", "mse"):
        return [draw(numbers) for _ in range(width)]
    if activation == "softmax" and loss == "cross_entropy":
        kind = draw(st.sampled_from(["one-hot", "distribution", "any"]))
        if kind == "one-hot":
            hot = draw(st.integers(0, width - 1))
            return [1.0 if k == hot else 0.0 for k in range(width)]
        if kind == "distribution":
            raw = [draw(st.floats(0.01, 1)) for _ in range(width)]
            return [v / sum(raw) for v in raw]
    probability = numbers.map(abs).filter(lambda v: v <= 1)
    return [draw(st.one_of(st.sampled_from([0.0, 1.0]), probability)) for _ in range(width)]


def random_layer(draw, n: int, m: int, activation: str, numbers, slopes=(0.01, 0.1, 0.3)) -> dict:
    """One layer as config data: ``n`` neurons of ``m`` inputs with weights drawn from ``numbers``, a leaky
    slope, and a bias per neuron, one shared, or none."""
    layer = {"activation": activation, "weights": [[draw(numbers) for _ in range(m)] for _ in range(n)]}
    if activation == "leaky_relu":
        layer["negative_slope"] = draw(st.sampled_from(slopes))
    bias = draw(st.sampled_from(["none", "per_neuron", "shared"]))
    if bias == "per_neuron":
        layer["bias"] = [draw(numbers) for _ in range(n)]
    elif bias == "shared":
        layer["bias"] = draw(numbers)
    return layer


@st.composite
def networks(draw, outputs: list[tuple[str, str]] | None = None, *, hidden=ELEMENT_WISE, depth=(1, 3), width=(1, 4),
             samples=(1, 1), numbers=FLOATS, slopes=(0.01, 0.1, 0.3), alphas=(0.0, 0.1, 0.5), training=False) -> dict:
    """A random network as config data.

    ``outputs``: the (output activation, loss) pairs to draw from (default: every element-wise activation
    with every squared error); ``hidden``: the activations of the other layers; ``depth``, ``width`` and
    ``samples``: ranges; ``training``: also draw batch_size and 1-3 epochs. One sample is written as one
    row or as a list of one row.
    """
    activation, loss = draw(st.sampled_from(outputs or squared()))
    count = draw(st.integers(*depth))
    narrowest = 2 if (activation, loss) == ("softmax", "bce") else width[0]  # bce on one softmax output: refused
    widths = [draw(st.integers(*width)) for _ in range(count)] + [draw(st.integers(max(narrowest, width[0]), width[1]))]
    layers = [random_layer(draw, widths[i + 1], widths[i], activation if i == count - 1 else
                           draw(st.sampled_from(hidden)), numbers, slopes) for i in range(count)]
    n = draw(st.integers(*samples))
    xs = [[draw(numbers) for _ in range(widths[0])] for _ in range(n)]
    ys = [draw(targets(activation, loss, widths[-1], numbers)) for _ in range(n)]
    data = {"x": xs[0], "y": ys[0]} if n == 1 and draw(st.booleans()) else {"x": xs, "y": ys}
    data.update({"alpha": draw(st.sampled_from(alphas)), "loss": loss, "batch": draw(st.sampled_from(["mean", "sum"])),
                 "update_bias": draw(st.booleans()), "layers": layers})
    if training:
        data["batch_size"] = draw(st.one_of(st.none(), st.integers(1, n)))
        data["epochs"] = draw(st.integers(1, 3))
    return data
