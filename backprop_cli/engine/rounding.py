"""Hand rounding: numbers rounded as a person with a calculator rounds them.

A value is rounded to N decimal places, or to N significant digits where that keeps more digits
(0.0768 → 0.077 for N = 2), half away from zero on its decimal value (0.125 → 0.13).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal

import numpy as np


def decimals_for(value: float, n: int) -> int:
    """How many decimal places hand rounding to ``n`` keeps for ``value``."""
    if value == 0 or not math.isfinite(value):
        return n
    magnitude = math.floor(math.log10(abs(value)))  # 0.0768 → −2
    return max(n, n - 1 - magnitude)


def round_half_away(value: float, decimals: int) -> float:
    """``value`` rounded half away from zero to ``decimals`` places, on its shortest decimal form."""
    if not math.isfinite(value) or abs(value) >= 2.0**53:
        return value  # from 2**53 on every float is a whole number: nothing to round (and no 300-digit Decimal)

    # repr() gives the shortest decimal that reads back as the same float: the number the person sees.
    exact = Decimal(repr(float(value)))
    # The result has the digits before the point and ``decimals`` after it: 10^13 to 15 places is 29 digits,
    # more than the default context's 28, which would fail; give it all of them (and a few to spare).
    context = Context(prec=max(28, exact.adjusted() + decimals + 3), rounding=ROUND_HALF_UP)
    # A product such as 0.35 · 0.7 comes out of floating point as 0.24499999999999997, the float just below
    # 0.245's own, where a calculator shows the tie 0.245. A float within one unit in the last place of a tie's
    # float is the tie:
    # it rounds as on paper (0.25), not by the sign of the binary noise.
    tie = (abs(exact).scaleb(decimals).to_integral_value(rounding=ROUND_FLOOR) + Decimal("0.5")).scaleb(-decimals)
    if abs(abs(value) - float(tie)) <= math.ulp(value):  # the tie's own float, or the one next to it
        exact = tie.copy_sign(exact)
    rounded = float(exact.quantize(Decimal(1).scaleb(-decimals), context=context))
    return rounded + 0.0  # no −0.0


def hand_round_value(value: float, n: int) -> float:
    """One number hand-rounded to ``n``."""
    return round_half_away(value, decimals_for(value, n))


def hand_round(values: np.ndarray, n: int | None) -> np.ndarray:
    """Every element of ``values`` hand-rounded to ``n``; unchanged when ``n`` is None."""
    if n is None:
        return values
    flat = [hand_round_value(v, n) for v in np.asarray(values, dtype=float).ravel().tolist()]
    return np.array(flat, dtype=float).reshape(np.shape(values))


@dataclass(frozen=True)
class Rounding:
    """How a run rounds its results: exactly (``Rounding()``) or by hand to N (``Rounding(2)``).

    Calling it rounds a number or an array as the run does; an exact run gives the values back as they are.
    """

    digits: int | None = None

    @property
    def exact(self) -> bool:
        return self.digits is None

    def __call__(self, values):
        if self.digits is None:
            return values
        rounded = hand_round(np.asarray(values, dtype=float), self.digits)
        return float(rounded) if np.ndim(values) == 0 else rounded
