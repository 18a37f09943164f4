"""How long a run may be: a number of updates that a run can finish, checked before it starts.

Any whole number of epochs is valid YAML and a valid option, but 10^400 epochs would never end, and
numbers past 10^308 break what counts them (a progress bar works in floats). A run may have at most
``MAX_UPDATES`` updates: at 30-200 µs an update (XOR, the handout) that is one to two days of computing.
"""

from __future__ import annotations

import math

MAX_UPDATES = 1_000_000_000


def _count(n: int) -> str:
    """A count as a person reads it: 2,000,000, or about 10^310 where the digits would fill the line."""
    return f"{n:,}" if n < 10**15 else f"about 10^{math.floor(math.log10(n))}"


def too_many_updates(epochs: int, updates_per_epoch: int) -> str | None:
    """Why ``epochs`` passes of ``updates_per_epoch`` updates are refused, or None if the run can be done."""
    updates = epochs * updates_per_epoch
    if updates <= MAX_UPDATES:
        return None
    per = f"{updates_per_epoch:,} update{'s' if updates_per_epoch != 1 else ''}"
    return (f"expected at most {MAX_UPDATES:,} updates in a run, got {_count(epochs)} epochs × {per} = "
            f"{_count(updates)} updates, a run that could not finish")
