"""How numbers are written in tables: as the handout writes them, with a true minus sign."""

from __future__ import annotations

import math

from backprop_cli.rounding import decimals_for

MINUS = "−"
# From here on a number is written in powers of ten (1.5e+20): a row of twenty digits reads as nothing.
LARGE = 1e12


def _signed(text: str) -> str:
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


class NumberFormat:
    """Writes results, parameters and given numbers for one run's precision and hand rounding."""

    def __init__(self, precision: int = 4, hand_rounding: int | None = None) -> None:
        self.precision = precision
        self.hand = hand_rounding

    def result(self, value: float) -> str:
        """A computed quantity (p, z, J, a gradient): as hand-rounded, or to ``precision`` decimals."""
        if not math.isfinite(value):
            return str(value)
        if abs(value) >= LARGE:
            return _signed(f"{value:.{self.precision if self.hand is None else self.hand}e}")
        if self.hand is None:
            return _signed(f"{value:.{self.precision}f}")
        text = f"{value:.{decimals_for(value, self.hand)}f}"
        return _signed(_strip_to(text, self.hand))

    def param(self, value: float) -> str:
        """A weight or bias, before or after the update: at least the hand-rounding decimals."""
        if abs(value) >= LARGE:
            return _signed(f"{value:.{self.precision}e}")
        if self.hand is None:
            return _signed(f"{value:.{self.precision}f}")
        return _signed(_strip_to(f"{value:.{max(self.precision, self.hand)}f}", self.hand))

    def given(self, value: float) -> str:
        """A number the user gave (x, y, α): as short as it reads."""
        if float(value).is_integer() and abs(value) < 1e15:
            return _signed(str(int(value)))
        return _signed(f"{value:.10g}")

    def small(self, value: float) -> str:
        """A result that may lie far below the precision (Adam's v is the square of a gradient): in powers of
        ten rather than as 0.0000, so that every number of a line can be checked (hand rounding keeps its
        own digits)."""
        text = self.result(value)
        if self.hand is None and value != 0 and not text.strip(MINUS + "0."):
            return (MINUS if value < 0 else "") + f"{abs(value):.{self.precision}e}"
        return text

    def write(self, value: float, kind: str) -> str:
        """``value`` written as a number of ``kind`` (see handout.formula: given, result, param, small, count)."""
        if kind == "count":
            return str(value)
        return {"given": self.given, "param": self.param, "small": self.small}.get(kind, self.result)(value)

    @staticmethod
    def factor(text: str) -> str:
        """A number inside a product: negative ones in parentheses, as the handout writes (−1.4)."""
        return f"({text})" if text.startswith(MINUS) else text
