"""The checks of single values of a config (a number, a name, a list, a matrix), each raising or recording a
ConfigError with the key path, what was expected and what was found. ``config.py`` walks the sections of a
config with them."""


import itertools
import math
import re
from contextlib import contextmanager
from typing import Any

import numpy as np

from backprop_cli.config.describe import close_matches as _close_matches
from backprop_cli.config.describe import is_list as _is_list
from backprop_cli.config.describe import kind as _kind
from backprop_cli.config.describe import number_text as _number_text
from backprop_cli.config.hints import number_hint, text_number
from backprop_cli.errors import ConfigError, format_path
from backprop_cli.words import counted

# At most this many numbers in x, in y and in the weights and biases together. It bounds data given to
# config_from_data; a config file is held to far fewer by loader.MAX_VALUES.
MAX_PARAMETERS = 1_000_000
# Errors collected before validation stops: enough to fix a file by, and a bound on the work.
MAX_ERRORS = 100
# Characters refused in a title or a layer name, which are printed: control characters (an escape
# sequence could retitle or clear the terminal), bidirectional overrides and other invisible formatting.
# An exercise's id: short and printable, to be copied from a printed sheet (K7QM-2XDA, week3-a).
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]")


class _Validator:
    """Turns loaded YAML data into a Config, raising ConfigError at the first problem."""

    def fail(self, path: tuple, message: str, *, key: bool = False) -> None:
        error = ConfigError(message, path=format_path(path))
        error.yaml_path = path  # type: ignore[attr-defined]
        error.yaml_key = key  # type: ignore[attr-defined]
        raise error

    def mapping(self, value: Any, path: tuple, allowed: tuple[str, ...], what: str) -> dict:
        if not isinstance(value, dict):
            self.fail(path, f"expected {what} (a mapping of keys), got {_kind(value)}")
        for key in value:
            if not isinstance(key, str) or key not in allowed:
                close = _close_matches(str(key), allowed, n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else f"; expected one of: {', '.join(allowed)}"
                self.fail(path + (str(key),), f"unknown key{hint}", key=True)
        return value

    def require(self, data: dict, key: str, path: tuple, what: str) -> Any:
        if key not in data:
            self.fail(path, f"missing required key '{key}' ({what})")
        return data[key]

    def number(self, value: Any, path: tuple, *, minimum: float | None = None) -> float:
        read = text_number(value)  # '−0.5', as the tables print it, is −0.5
        value = value if read is None else read
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(path, f"expected a number, got {_kind(value)}{number_hint(value)}")
        try:
            number = float(value)
        except OverflowError:  # a whole number beyond the largest float
            number = math.inf
        if not math.isfinite(number):
            self.fail(path, f"expected a finite number, got {_number_text(value)}")
        if minimum is not None and number < minimum:
            self.fail(path, f"expected a number ≥ {minimum:g}, got {_number_text(value)}")
        return number

    def choice(self, value: Any, path: tuple, choices: tuple[str, ...]) -> str:
        """One of the names ``choices``, with a suggestion when the value is close to one."""
        if not isinstance(value, str) or value not in choices:
            close = _close_matches(value, choices, n=1) if isinstance(value, str) else []
            hint = f"; did you mean '{close[0]}'?" if close else ""
            self.fail(path, f"expected one of {', '.join(choices)}, got {_kind(value)}{hint}")
        return value

    def integer(self, value: Any, path: tuple, *, minimum: int, maximum: int | None = None) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, f"expected a whole number, got {_kind(value)}{number_hint(value)}")
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"from {minimum} to {maximum}" if maximum is not None else f"≥ {minimum}"
            self.fail(path, f"expected a whole number {bound}, got {_number_text(value)}")
        return value

    def text(self, value: Any, path: tuple, what: str, *, blank: bool = False) -> str:
        """A title or a name: text (``blank`` if it may be empty) without control or formatting
        characters, which would reach the terminal as they are."""
        if not isinstance(value, str) or not (blank or value.strip()):
            self.fail(path, f"expected {what}, got {_kind(value)}")
        hidden = _HIDDEN.search(value)
        if hidden:
            self.fail(path, f"expected {what} without control or formatting characters, got "
                            f"{_kind(value)} (U+{ord(hidden.group()):04X} at character {hidden.start() + 1})")
        return value

    def identifier(self, value: Any, path: tuple) -> str:
        """An exercise's id: letters, digits, '.', '_' and '-', at most 40 (a whole number is read as its digits)."""
        text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if not isinstance(text, str) or not ID_PATTERN.fullmatch(text):
            self.fail(path, "expected an id of letters, digits, '.', '_' and '-' (at most 40, starting with a letter "
                            f"or digit), got {_kind(value)}")
        return text

    def vector(self, value: Any, path: tuple, what: str) -> np.ndarray:
        if not _is_list(value) or not len(value):
            self.fail(path, f"expected {what} (a non-empty list of numbers), got {_kind(value)}")
        if len(value) > MAX_PARAMETERS:
            self.fail(path, f"expected at most {MAX_PARAMETERS:,} numbers, got {len(value):,}")
        return np.array([self.number(v, path + (i,)) for i, v in enumerate(value)], dtype=float)

    def matrix(self, value: Any, path: tuple, what: str, columns: int | None = None, why: str = "") -> np.ndarray:
        if not isinstance(value, list) or not value:
            self.fail(path, f"expected {what} (a list of rows), got {_kind(value)}")
        width = columns
        for i, row in enumerate(value):
            if not _is_list(row):
                self.fail(path + (i,), f"expected a row (a list of numbers), got {_kind(row)}")
            if width is None:
                width = len(row)
            if not row:
                self.fail(path + (i,), "expected a row of numbers, got an empty list")
            if len(row) != width:
                because = f" ({why})" if why and columns is not None else " (like the rows above)"
                self.fail(path + (i,), f"expected {counted(width, 'column')}{because}, got {len(row)}")
        count = len(value) * (width or 0)
        if count > MAX_PARAMETERS:
            self.fail(path, f"expected at most {MAX_PARAMETERS:,} numbers, got {count:,}")
        # The fast path: a well-formed matrix of plain numbers. The check comes before numpy sees the
        # data, so nested lists (perhaps aliases that expand into a huge structure) never reach np.array.
        if _plain_numbers(value):
            try:
                array = np.array(value, dtype=float)
                if np.all(np.isfinite(array)):
                    return array
            except OverflowError:  # an integer too large for a float; reported below
                pass
        return np.array([self.vector(row, path + (i,), "a row") for i, row in enumerate(value)], dtype=float)

    def samples(self, value: Any, path: tuple, what: str) -> tuple[np.ndarray, bool]:
        """One sample (a list of numbers) or several (a list of rows), always as rows."""
        if isinstance(value, list) and value and _is_list(value[0]):
            return self.matrix(value, path, what), False
        return self.vector(value, path, what)[None, :], True


def _plain_numbers(rows: list) -> bool:
    """True if every entry is an int or float, not a bool (numpy would take True as 1.0)."""
    # map() and set() walk the entries in C, about three times as fast as a generator over a big matrix.
    return set(map(type, itertools.chain.from_iterable(rows))) <= {int, float}


class _Skip(Exception):
    """Raised after an error is recorded, to skip the rest of one section of the config."""


class Stop(Exception):
    """Raised when MAX_ERRORS errors are recorded: validation stops there."""


class Collector(_Validator):
    """A validator that records each error and goes on with the next section, so all are reported."""

    def __init__(self) -> None:
        self.errors: list[ConfigError] = []

    def fail(self, path: tuple, message: str, *, key: bool = False) -> None:
        try:
            super().fail(path, message, key=key)
        except ConfigError as error:
            self.errors.append(error)
        if len(self.errors) >= MAX_ERRORS:
            raise Stop
        raise _Skip

    @contextmanager
    def section(self):
        try:
            yield
        except _Skip:
            pass
