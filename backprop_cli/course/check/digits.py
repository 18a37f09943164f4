"""Numbers as a person writes them on an answer sheet, and when such a number agrees with a computed one.

A written number keeps its source text, so that the digits written are known: ``0.077`` has 3 decimals,
``0,61`` (a decimal comma) 2, ``−1.4077`` 4, ``7.7e-2`` 3, ``1`` none. The rule, in one place:

- a number *agrees* with a value when it is that value rounded to the decimals written, either way at a
  tie: |written − value| ≤ ½·10^−decimals (0.077 agrees with 0.0768, 0.08 with 0.0763, 0.076 with 0.0763);
  besides, a number that equals the value to 9 significant digits agrees whatever it was written to
  (full precision, where floating-point noise is larger than half a unit of the last of 16 decimals);
- a number is *precise enough* to be judged when it has at least 2 decimals or at least 2 significant
  digits (0.06, 12, 1.5, 0.00 are; 0.1, 0 and 3 are not), unless it is exactly the value (0 for a neuron
  ReLU switched off).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

MIN_DIGITS = 2  # decimals, or significant digits, an answer needs to be judged
RELATIVE = 1e-9  # agreement to 9 significant digits counts whatever the digits written
ABSOLUTE = 1e-12  # ... and within this of 0 (a sum that cancels to 1e-17 in floating point)

# A number as typed: an optional sign (also the true minus −), digits with a decimal point or comma, and
# an optional exponent. A comma is always the decimal separator: courses that write 0,61 write no 1,000.
_NUMBER = re.compile(r"^([+\-−]?)(\d*)(?:[.,](\d*))?(?:[eE]([+\-−]?\d+))?$")
BLANKS = ("", "~", "null", "Null", "NULL")


@dataclass(frozen=True)
class Written:
    """One number of an answer sheet: its value and how it was written."""

    value: float
    text: str  # as typed, e.g. "0,61"
    decimals: int  # decimal places written: 0.077 → 3, 7.7e-2 → 3, 12 → 0, 1e3 → −3
    significant: int  # digits from the first non-zero one: 0.077 → 2, 0.00 → 0, 12 → 2
    digits: str = ""  # those digits: 0.0100 → "100"

    @property
    def half_unit(self) -> float:
        """Half a unit of the last digit written: how far rounding to these digits can move a value."""
        return 0.5 * 10.0 ** -self.decimals


def parse(text: str) -> Written | None:
    """The number ``text`` stands for, or None when it is no number (blanks are handled by the caller)."""
    match = _NUMBER.match(text.strip())
    if match is None:
        return None
    sign, whole, fraction, exponent = match.groups()
    fraction = fraction or ""
    if not whole and not fraction:
        return None
    power = int(exponent.replace("−", "-")) if exponent else 0
    value = float(f"{'-' if sign in '-−' and sign else ''}{whole or '0'}.{fraction or '0'}e{power}")
    if not math.isfinite(value):
        return None
    digits = (whole + fraction).lstrip("0")
    return Written(value=value + 0.0, text=text.strip(), decimals=len(fraction) - power, significant=len(digits),
                   digits=digits)


def slack(value: float) -> float:
    """What floating-point arithmetic may add to ``value`` in a recomputation: far below any hand rounding."""
    return RELATIVE * abs(value) + ABSOLUTE


def same(written: Written, value: float) -> bool:
    """``written`` is ``value`` to 9 significant digits (or both within 1e-12 of 0)."""
    return abs(written.value - value) <= slack(value)


def agrees(written: Written, value: float) -> bool:
    """``written`` is ``value`` rounded to the decimals written (either way at a tie), or the same number."""
    if not math.isfinite(value):
        return False
    return abs(written.value - value) <= written.half_unit + slack(value)


def precise_enough(written: Written) -> bool:
    """Written to enough digits to tell a right answer from a wrong one (see the module's rule)."""
    return written.decimals >= MIN_DIGITS or written.significant >= MIN_DIGITS

