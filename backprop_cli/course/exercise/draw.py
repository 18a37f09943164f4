"""The numbers of an exercise, drawn from a seed as whole numbers, the same on every machine.

The stream of random numbers is SHA-256 in counter mode, which depends on nothing but the standard
definition of SHA-256 (not on numpy's or Python's generators, whose algorithms may change):

- the key is SHA-256 of the UTF-8 text ``"bptrace exercise v1\\n"`` followed by one line
  ``name: value`` for each of seed, shape, activations, loss, bias and decimals (see ``stream_key``);
- block i (i = 0, 1, ...) is SHA-256(key ‖ i as 8 bytes, big-endian), read as four 64-bit words
  (big-endian), used in order;
- a whole number below n is the next word w with w < 2⁶⁴ − (2⁶⁴ mod n), taken mod n (rejection, so
  every number is equally likely).

Each try of the search draws, in this order: the inputs x, the targets y, then each layer's weights
(row by row) and its biases. A weight or bias is k / 10^d for a k drawn from ±1 … ±10^d (never 0); an
input is k / 10 for k in ±1 … ±10.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

WORD = 2**64


def stream_key(seed: str, fields: tuple[tuple[str, str], ...]) -> bytes:
    """The key of the stream: SHA-256 of a canonical text of the seed and the options."""
    text = "bptrace exercise v1\n" + f"seed: {seed}\n" + "".join(f"{name}: {value}\n" for name, value in fields)
    return hashlib.sha256(text.encode("utf-8")).digest()


class SeedStream:
    """Whole numbers drawn from SHA-256 in counter mode (see the module's docstring)."""

    def __init__(self, key: bytes) -> None:
        self.key = key
        self.block = 0
        self.words: list[int] = []

    def _word(self) -> int:
        if not self.words:
            digest = hashlib.sha256(self.key + self.block.to_bytes(8, "big")).digest()
            self.block += 1
            self.words = [int.from_bytes(digest[i:i + 8], "big") for i in (24, 16, 8, 0)]  # popped from the end
        return self.words.pop()

    def below(self, n: int) -> int:
        """A whole number from 0 to n − 1, each equally likely."""
        limit = WORD - WORD % n
        while True:
            word = self._word()
            if word < limit:
                return word % n

    def nonzero(self, m: int) -> int:
        """A whole number from −m to m other than 0, each equally likely."""
        k = self.below(2 * m)
        return k - m if k < m else k - m + 1

    def between(self, low: int, high: int) -> int:
        """A whole number from ``low`` to ``high``, both included."""
        return low + self.below(high - low + 1)


@dataclass(frozen=True)
class Drawn:
    """One candidate exercise as whole numbers: the values are these divided by their ``scale``."""

    x: tuple[int, ...]  # tenths
    y: tuple[int, ...]  # whole numbers (0 or 1) for probabilities, else tenths
    weights: tuple[tuple[tuple[int, ...], ...], ...]  # per layer, rows of units of 10^−d
    biases: tuple[tuple[int, ...] | int | None, ...]  # per layer: per neuron, one shared, or none


# How the target y of each output activation is drawn: its kind and, for tenths, the range in tenths.
TARGETS = {"softmax": ("one-hot", None), "sigmoid": ("binary", None), "relu": ("tenths", (0, 10))}
REAL_TARGETS = ("tenths", (-10, 10))  # identity, leaky_relu, tanh: a y with one decimal in [−1, 1]


def draw(stream: SeedStream, shape: tuple[int, ...], output: str, bias: str, decimals: int) -> Drawn:
    """Draw one candidate: x, y, then each layer's weights and biases (see the module's docstring)."""
    unit = 10**decimals
    x = tuple(stream.nonzero(10) for _ in range(shape[0]))
    kind, bounds = TARGETS.get(output, REAL_TARGETS)
    width = shape[-1]
    if kind == "one-hot":
        hot = stream.below(width)
        y = tuple(int(k == hot) for k in range(width))
    elif kind == "binary":
        y = tuple(stream.below(2) for _ in range(width))
    else:
        assert bounds is not None  # targets in tenths have their range
        y = tuple(stream.between(*bounds) for _ in range(width))
    weights = []
    biases: list[tuple[int, ...] | int | None] = []
    for inputs, neurons in zip(shape, shape[1:]):
        weights.append(tuple(tuple(stream.nonzero(unit) for _ in range(inputs)) for _ in range(neurons)))
        if bias == "neuron":
            biases.append(tuple(stream.nonzero(unit) for _ in range(neurons)))
        elif bias == "shared":
            biases.append(stream.nonzero(unit))
        else:
            biases.append(None)
    return Drawn(x=x, y=y, weights=tuple(weights), biases=tuple(biases))


def y_is_binary(output: str) -> bool:
    """Whether the targets of this output activation are whole numbers (0 or 1) rather than tenths."""
    return TARGETS.get(output, REAL_TARGETS)[0] != "tenths"
