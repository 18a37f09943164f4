"""How messages describe what a config holds: a found value, a long number, a close name."""

from __future__ import annotations

import difflib
import re
from typing import Any

from backprop_cli.config.yaml_scalars import DATE, hint

# Longer words get no "did you mean": difflib's work grows with the length of the word.
LONGEST_GUESS = 100


def kind(value: Any) -> str:
    """How a found value is described in a message."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"the number {number_text(value)}"
    if isinstance(value, str):
        if re.match(DATE, value):
            return f"a date ({value})"
        shown = value if len(value) <= 30 else value[:27] + "..."
        return f"the text {shown!r}" + hint(value)
    if is_list(value):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def number_text(value: float) -> str:
    """A number as a message shows it; a whole number of many digits is shortened."""
    if isinstance(value, int) and abs(value) >= 10**20:
        digits = len(str(abs(value)))
        return f"{'-' if value < 0 else ''}{str(abs(value))[:6]}… ({digits} digits)"
    return repr(value)


def is_list(value: Any) -> bool:
    """A YAML list (the loader reads every list, block or flow, as a Python list)."""
    return isinstance(value, list)


def close_matches(word: str, choices, **options) -> list[str]:
    """difflib's close matches for a "did you mean"; difflib is imported on this error path only."""
    if len(word) > LONGEST_GUESS:
        return []

    return difflib.get_close_matches(word.lower(), choices, **options)
