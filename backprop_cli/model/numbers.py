"""How numbers are written in tables: as the handout writes them, with a true minus sign.

One rule for every format and renderer: a number of 10¹² or more, and a non-zero number below the last
decimal shown (10⁻⁴ at precision 4), are written in powers of ten (1.5000e+20, −5.1000e−12), so that a
vanishing gradient never reads as the 0 of a dead ReLU; an exact 0 stays 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from backprop_cli.engine.kinds import COUNT, GIVEN, PARAM, SQUARED
from backprop_cli.engine.rounding import Rounding, decimals_for

MINUS = "−"
# From here on a number is written in powers of ten (1.5e+20): a row of twenty digits reads as nothing.
LARGE = 1e12
MOST_DECIMALS = 15  # what a double holds; more digits never tell two numbers apart


def signed(text: str) -> str:
    """``text`` with true minus signs (the exponent's too); a value that rounds to zero has no sign."""
    text = text.replace("e-", "e" + MINUS)
    if text.startswith("-"):
        body = text[1:]
        # A value that rounds to zero is shown without a sign: −0.00 reads as a mistake.
        return body if body.strip("0.") == "" else MINUS + body
    return text


def _strip_to(text: str, keep: int) -> str:
    """Drop trailing zeros after the decimal point, but keep at least ``keep`` decimals."""
    if "." not in text:
        return text
    whole, frac = text.split(".")
    frac = frac.rstrip("0")
    frac = frac + "0" * max(0, keep - len(frac))
    return f"{whole}.{frac}" if frac else whole


def powers_of_ten(value: float, decimals: int) -> str:
    """``value`` in powers of ten with ``decimals`` decimals before the exponent: −5.1000e−12, 1.50e+20."""
    return signed(f"{value:.{decimals}e}")


class NumberFormat:
    """Writes results, parameters and given numbers for one run's precision and rounding."""

    def __init__(self, precision: int = 4, rounding: Rounding | None = None) -> None:
        self.precision = precision
        self.rounding = rounding or Rounding()
        self._hand = self.rounding.digits  # the digits of hand rounding, None for an exact run

    @property
    def shown(self) -> int:
        """The decimals a number is shown to at most (before trailing zeros are dropped by hand rounding)."""
        return self.precision if self._hand is None else max(self.precision, self._hand)

    def _outside(self, value: float) -> bool:
        """Whether ``value`` is written in powers of ten: 10¹² or more, or not zero and below the last decimal
        shown, where fixed decimals would show 0 or a single rounded digit."""
        size = abs(value)
        return size >= LARGE or (size != 0 and size < 10.0 ** -self.shown)

    def _powers(self, value: float) -> str:
        return powers_of_ten(value, self.precision if self._hand is None else self._hand)

    def _special(self, value: float) -> str | None:
        """An infinity or NaN as Python writes it, a number outside the decimals in powers of ten; else None."""
        if not math.isfinite(value):
            return str(value)
        return self._powers(value) if self._outside(value) else None

    def result(self, value: float) -> str:
        """A computed quantity (p, z, J, a gradient): as hand-rounded, or to ``precision`` decimals."""
        special = self._special(value)
        if special is not None:
            return special
        if self._hand is None:
            return signed(f"{value:.{self.precision}f}")
        text = f"{value:.{decimals_for(value, self._hand)}f}"
        return signed(_strip_to(text, self._hand))

    def param(self, value: float) -> str:
        """A weight or bias, before or after the update, or a value the run does not round (g'(p)): at least
        the hand-rounding decimals."""
        special = self._special(value)
        if special is not None:
            return special
        if self._hand is None:
            return signed(f"{value:.{self.precision}f}")
        return signed(_strip_to(f"{value:.{self.shown}f}", self._hand))

    def given(self, value: float) -> str:
        """A number the user gave (x, y, α): as short as it reads; 10¹² or more in powers of ten."""
        if float(value).is_integer() and abs(value) < LARGE:
            return signed(str(int(value)))
        return signed(f"{value:.10g}")

    def distinct(self, values: Sequence[float]) -> list[str]:
        """``values`` as results, with as many more decimals as it takes to tell different values apart
        (J before and after an update, the labels of an axis); equal values stay equal."""
        texts = [self.result(v) for v in values]
        decimals = self.shown
        while decimals <= MOST_DECIMALS and _confused(values, texts):
            # A number written in powers of ten gets more digits before its exponent in the same steps.
            texts = [powers_of_ten(v, decimals) if self._outside(v) else signed(f"{v:.{decimals}f}") for v in values]
            decimals += 1
        return texts

    def write(self, value: float, kind: str) -> str:
        """``value`` written as a number of ``kind`` (GIVEN, RESULT, SQUARED, PARAM or COUNT)."""
        if kind == COUNT:
            return str(value)
        if kind == SQUARED:  # with the digits hand rounding keeps for it
            return NumberFormat(self.precision, self.rounding.squared()).result(value)
        return {GIVEN: self.given, PARAM: self.param}.get(kind, self.result)(value)

    @staticmethod
    def factor(text: str) -> str:
        """A number inside a product: negative ones in parentheses, as the handout writes (−1.4)."""
        return f"({text})" if text.startswith(MINUS) else text


def _confused(values: Sequence[float], texts: Sequence[str]) -> bool:
    """Whether two different values are written alike."""
    seen: dict[str, float] = {}
    for value, text in zip(values, texts):
        if seen.setdefault(text, value) != value:
            return True
    return False
