"""Hints for a config that is almost right: the typo behind a refused value, named in its message.

Consulted only on the way to an error (and, for a Unicode minus and a UTF-16 file, to read what was
meant), so that config.py and loader.py keep their checks and only ask here what to add to a message:
a decimal comma, a number in quotes, a dash that is not a minus, x written as a column, tabs in the
indentation, a file in UTF-16. ``config_warnings`` says what is valid but probably not meant.
"""

from __future__ import annotations

import math
import re
from typing import Any

MINUS = "\u2212"  # the minus sign bptrace prints (−0.5)
TYPED = 100_000  # characters: a config this small may be typed by hand, and its text is searched for typos
# Dashes that look like a minus and are not one.
DASHES = {"\u2013": "an en dash", "\u2014": "an em dash", "\u2010": "a hyphen", "\u2011": "a hyphen",
          "\ufe63": "a small minus", "\uff0d": "a full-width minus"}
# The patterns below are compiled on first use (re keeps them): only a config with an error needs them.
_DECIMAL_COMMA = r"^\s*[-+\u2212]?\d+,\d+\s*$"
# In a flow list, digits on both sides of a comma without a space: [0,40, 0.21] (but not [1,1]).
_FLOW_COMMA = r"(?<![\d.])([-+]?\d+),(\d+)(?![\d.])"
_COUNT = r"^expected [\d,]+ \w+.*, got [\d,]+$"


def text_number(value: Any) -> float | None:
    """The number a text means where its only flaw is bptrace's own minus sign: '−0.5' (what the tables print,
    copied back) is −0.5. None for any other text."""
    if not isinstance(value, str) or MINUS not in value:
        return None
    try:
        return float(value.strip().replace(MINUS, "-", 1))
    except ValueError:
        return None


def number_hint(value: Any) -> str:
    """What to add to 'expected a number, got the text …': the likely typo, or nothing."""
    if not isinstance(value, str):
        return ""
    text = value.strip()
    if re.match(_DECIMAL_COMMA, text):
        return f"; decimal comma? write {text.replace(',', '.')}"
    for dash, name in DASHES.items():
        if text.startswith(dash):
            return f"; '{dash}' is {name}, not a minus sign: type '-'"
    try:
        float(text)
    except ValueError:
        return ""
    return "; a number in quotes is text: remove the quotes"


def comma_lines(text: str) -> list[tuple[int, str, str]]:
    """The lines of ``text`` whose lists seem to hold a decimal comma (1-based line, as written, as meant):
    [0,40, 0.21] mixes ',' and ', ', and 0,40 has more than one digit after the comma."""
    found = []
    for n, line in enumerate(text.splitlines(), start=1):
        code = line.split("#", 1)[0]
        for match in re.finditer(_FLOW_COMMA, code):
            whole, fraction = match.groups()
            if ", " in code or (whole.lstrip("-+") == "0" and len(fraction) > 1):
                found.append((n, match.group(0), f"{whole}.{fraction}"))
    return found


def count_hint(message: str, text: str) -> str:
    """What to add to a message about a count ('expected 2 columns …, got 3') when the config seems to hold
    a decimal comma, which splits one number into two."""
    if not re.match(_COUNT, message):
        return ""
    found = comma_lines(text)
    if not found:
        return ""
    line, written, meant = found[0]
    return f"; decimal comma on line {line}? write {meant} for {written}"


def _column(value: Any) -> int | None:
    """How many rows a list of one-number rows has ([[1], [1]] → 2), else None."""
    if isinstance(value, list) and len(value) > 1 and all(isinstance(v, list) and len(v) == 1 for v in value):
        return len(value)
    return None


def shape_hint(key: str, data: Any) -> str:
    """What to add to an error about the shape of x or y when ``data`` holds it as a column ([[1], [1]])."""
    rows = _column(data.get(key)) if isinstance(data, dict) else None
    if rows is None:
        return ""
    row = ", ".join(str(v[0]) for v in data[key][:4]) + (", …" if rows > 4 else "")
    return f"; {key} is read as {rows} samples of 1 number each; for one sample write {key}: [{row}]"


def annotate(errors: list, data: Any) -> list:
    """``errors`` (ConfigErrors), the first about the shape of the samples (at x or y, or naming the input x)
    with the hint that x (or y) is written as a column."""
    for error in errors:
        about_y = error.path == "y" or error.path.startswith("y[")
        about_x = about_y or "the input x" in error.message or error.path == "x" or error.path.startswith("x[")
        for key, concerned in (("x", about_x), ("y", about_y)):
            hint = shape_hint(key, data) if concerned else ""
            if hint:
                error.message += hint
                return errors
    return errors


def yaml_problem(problem: str, text: str, line: int | None) -> str:
    """The message for a YAML parser's ``problem`` at ``line``: in plain words where a tab in the indentation
    caused it (the parser speaks of a character that cannot start a token)."""
    lines = text.splitlines()
    if line is not None and 0 < line <= len(lines):
        indent = lines[line - 1][:len(lines[line - 1]) - len(lines[line - 1].lstrip())]
        if "\t" in indent:
            return f"invalid YAML: YAML does not allow tabs for indentation (line {line}); indent with spaces"
    return f"invalid YAML: {problem}"


def utf16_text(data: bytes) -> str | None:
    """The text of a file written in UTF-16 (as Windows PowerShell writes with '>'), or None for any other."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif len(data) >= 4 and data[1::2].count(0) > len(data) // 4 and not data[0::2].count(0):
        encoding = "utf-16-le"  # no byte-order mark: every other byte is 0
    elif len(data) >= 4 and data[0::2].count(0) > len(data) // 4 and not data[1::2].count(0):
        encoding = "utf-16-be"
    else:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def config_warnings(config) -> list[str]:
    """What is valid but probably not meant: cross-entropy with a y that does not sum to 1."""
    if config.loss != "cross_entropy":
        return []
    sums = config.y.sum(axis=1)
    off = [s for s in range(len(sums)) if not math.isclose(float(sums[s]), 1.0, abs_tol=1e-9)]
    if not off:
        return []
    which = "y" if config.y.shape[0] == 1 else f"y of sample {off[0] + 1}" + (
        f" (and {len(off) - 1} more)" if len(off) > 1 else "")
    return [f"{which} sums to {float(sums[off[0]]):g}, not 1: cross-entropy compares y with the probabilities z, "
            "so y is meant to be one-hot or probabilities that sum to 1"]
