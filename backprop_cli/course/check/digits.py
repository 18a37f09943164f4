"""Numbers as a person writes them on an answer sheet, and when such a number agrees with a computed one.

A written number keeps its source text, so that the digits written are known: ``0.077`` has 3 decimals,
``0,61`` (a decimal comma) 2, ``−1.4077`` 4, ``7.7e-2`` 3, ``1`` none. The rules, each in one function:

- ``sheet_decimals(value, n)``: the decimals a sheet that asks for hand rounding to n wants for ``value``:
  n, or n significant digits where that keeps more (0.0768 → 3 for n = 2); n = 2 where the config asks for
  no hand rounding, as the worksheet's header says.
- ``judged_decimals(written)``: the decimals a number is judged at. Trailing zeros are dropped as long as
  at least 2 decimals or 2 significant digits remain (``−0.850`` is judged as −0.85, ``0.0770`` as 0.077,
  ``0.600`` as 0.60); a number with too few digits even so (``0.1``, ``3``) has none (None).
- ``agrees(written, value, n)``: the number is ``value`` to those decimals, or, where it has fewer decimals
  than the sheet asks for, with zeros padded to the sheet's decimals (``0.3`` is 0.30, the value rounded to
  2 decimals), or it equals ``value`` to 9 significant digits (full precision; 0 for a ReLU switched off).
  "Is ``value`` to d decimals" allows either way at a tie: |written − value| ≤ ½·10^−d.

So a trailing zero never makes a right number wrong: 0.3, 0.30 and 0.300 are judged alike on a sheet of 2
decimals.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from backprop_cli.engine.rounding import decimals_for, round_half_away

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
    trailing_zeros: int = 0  # zeros at the end of the decimals written: 0.850 → 1, 0.00 → 2, 120 → 0


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
                   digits=digits, trailing_zeros=len(fraction) - len(fraction.rstrip("0")))


def slack(value: float) -> float:
    """What floating-point arithmetic may add to ``value`` in a recomputation: far below any hand rounding."""
    return RELATIVE * abs(value) + ABSOLUTE


def same(written: Written, value: float) -> bool:
    """``written`` is ``value`` to 9 significant digits (or both within 1e-12 of 0)."""
    return math.isfinite(value) and abs(written.value - value) <= slack(value)


def within(written: Written, value: float, decimals: int) -> bool:
    """``written`` is ``value`` rounded to ``decimals`` places, either way at a tie."""
    return math.isfinite(value) and abs(written.value - value) <= 0.5 * 10.0 ** -decimals + slack(value)


def sheet_decimals(value: float, n: int | None) -> int:
    """The decimals a sheet asking for hand rounding to ``n`` (None: the worksheet's 2) wants for ``value``:
    n decimals, or n significant digits where that keeps more (0.0768 → 3 for n = 2)."""
    return decimals_for(value, MIN_DIGITS if n is None else n)


def judged_decimals(written: Written) -> int | None:
    """The decimals ``written`` is judged at: those written, less the trailing zeros as long as at least
    MIN_DIGITS decimals or MIN_DIGITS significant digits remain; None when even all of them are too few."""
    for dropped in range(written.trailing_zeros, -1, -1):  # the fewest decimals first
        decimals = written.decimals - dropped
        significant = written.significant - dropped if written.significant else 0
        if decimals >= MIN_DIGITS or significant >= MIN_DIGITS:
            return decimals
    return None


def agrees(written: Written, value: float, n: int | None) -> bool:
    """``written`` is ``value`` at the decimals it is judged at, or padded with zeros to the sheet's decimals
    where it has fewer (``n``: the sheet's hand rounding), or the same number (see the module's rules)."""
    if same(written, value):
        return True
    decimals = judged_decimals(written)
    if decimals is not None and within(written, value, decimals):
        return True
    wanted = sheet_decimals(value, n)
    return written.decimals < wanted and within(written, value, wanted)


def told_apart(first: float, second: float, written: Written, n: int | None) -> bool:
    """``first`` and ``second`` come out as different numbers when written to the coarsest decimals ``written``
    may be judged at (see ``agrees``): a number written so can tell the one from the other."""
    wanted = sheet_decimals(second, n)
    levels = [d for d in (judged_decimals(written),) if d is not None]
    if written.decimals < wanted or not levels:
        levels.append(wanted)
    decimals = min(levels)
    return round_half_away(first, decimals) != round_half_away(second, decimals)


def too_few_digits(written: Written, value: float) -> bool:
    """``written`` is ``value`` to the decimals as typed but has too few digits to be judged (0.1 for 0.077)."""
    return judged_decimals(written) is None and within(written, value, written.decimals)
