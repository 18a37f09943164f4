"""Long flow lists of plain scalars (``[0.1, -2, 3e-4, ...]``) read straight into arrays.

Composing YAML costs microseconds and hundreds of bytes per scalar, so a million numbers would take
seconds and hundreds of megabytes before the first check. Before the YAML parser runs, every list of
at least ``MIN_ITEMS`` plain items is cut out of the text: its numbers are read into one float array by
numpy (``np.fromstring``, which rounds exactly as ``float()`` does), and in the text the list is
replaced by a short tagged scalar (``!n 7``) padded with spaces, line breaks kept, so every other line
and column stays where it was. ``document.build`` checks that each placeholder came back as a node
exactly where its list was; one that did not (the brackets were inside quotes or a comment, say) is
put back and the text parsed again.

Python's re keeps state for every repetition of a group, hundreds of megabytes for a million items,
so the lists are checked with searches for what must not be there and with str and numpy methods.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

import backprop_cli.yaml_scalars as yaml_scalars

MIN_ITEMS = 8
TAG = "!n"

# Brackets around characters of plain numbers and words only: no quotes, indicators or nested lists.
_CANDIDATE = re.compile(r"\[([-+._0-9A-Za-z \t\r\n,]*)\]")
# What would not be one plain scalar per item: an empty item (",,") or an item starting with the
# indicator "-" followed by a space, a comma or the end (", - 1", ", -,").
_EMPTY = re.compile(r",[ \t\r\n]*,")
_DASH = re.compile(r",[ \t\r\n]*-(?:[ \t\r\n,]|\Z)")
_FIRST_EMPTY_OR_DASH = re.compile(r"[ \t\r\n]*(?:,|-(?:[ \t\r\n,]|\Z))")
_NUMBER_CHARACTERS = re.compile(r"[-+.0-9eE \t\r\n,]*")
_DECIMAL = r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
# The start of the next item that is not a decimal number: the first item, or one after a comma.
_NOT_DECIMAL = re.compile(rf"(?:\A|(?<=,))[ \t\r\n]*(?!{_DECIMAL}[ \t\r\n]*(?:,|\Z))(?=[^ \t\r\n])")
_WHOLE_ZERO = re.compile(r"-0+[ \t\r\n]*(?=,|\Z)")
_BLANK = re.compile(r"[^\r\n]+")
_BREAK = re.compile(r"\r\n|\r|\n")
_SPACES = " \t\r\n"


@dataclass(frozen=True)
class Region:
    """A flow list cut out of the text: ``[start, end)`` spans the brackets."""

    start: int
    end: int
    ident: int
    head: int  # where its placeholder begins (start, or start + 1 after a space inserted)

    @property
    def placeholder(self) -> str:
        return f"{TAG} {self.ident}"


class NumberList:
    """A flow list of plain scalars: its length, its numbers as an array when every one is a finite
    number, else its first other item (index and value as YAML reads it), and where each item is."""

    def __init__(self, inner: str, line: int, column: int) -> None:
        self._inner = inner
        self._line, self._column = line, column  # of the opening bracket, 0-based
        self._body = _body(inner)
        self._commas: np.ndarray | None = None
        self.length = self._body.count(",") + 1
        self._values: np.ndarray | None = None
        self._bad: tuple[int, Any] | None = None
        self._read_yet = False

    def __len__(self) -> int:
        return self.length

    # The numbers are read when first asked for: a list where text belongs, or one too long to take, or
    # one under a key nobody reads, costs no parsing.
    @property
    def values(self) -> np.ndarray | None:
        """The items as floats, if every one is a finite number."""
        if not self._read_yet:
            self._read()
        return self._values

    @property
    def bad(self) -> tuple[int, Any] | None:
        """The first item that is not a finite number: its index and its value as YAML reads it."""
        if not self._read_yet:
            self._read()
        return self._bad

    def _read(self) -> None:
        """The values, or the first item that is not a finite number (``bad``)."""
        self._read_yet = True
        body = self._body
        if _NUMBER_CHARACTERS.fullmatch(body):
            values = _numbers(body)
            if values is not None and values.size == self.length:
                self._take([values], None)
                return
        # Some items are not decimal numbers (0x1F, true, a word): find each with a search, read the
        # runs of decimal numbers between them with numpy and each of them as YAML reads it.
        runs, count, at = [], 0, 0
        while True:
            found = _NOT_DECIMAL.search(body, at)
            run = _numbers(body[at:len(body) if found is None else found.start()].rstrip(_SPACES + ","))
            runs.append(run)
            count += run.size
            if found is None:
                break
            value = self.item(count)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self._take(runs, (count, value))
                return
            runs.append(np.array([_float(value)]))
            count += 1
            at = len(body) + 1 if count == self.length else int(self._comma_offsets()[count - 1]) + 1
        self._take(runs, None)

    def _take(self, runs: list[np.ndarray], other: tuple[int, Any] | None) -> None:
        """Keep the numbers read, or note the first item that is not a finite number: one of them,
        or ``other`` (an item that is no number at all, after them)."""
        values = np.concatenate(runs) if len(runs) != 1 else runs[0]
        finite = np.isfinite(values)
        if not finite.all():
            index = int(np.argmin(finite))
            self._bad = (index, self.item(index))
        elif other is not None:
            self._bad = other
        else:
            self._values = values
            if np.signbit(values[values == 0]).any():
                self._unsign_whole_zeros()

    def _unsign_whole_zeros(self) -> None:
        """-0 is the whole number 0 in YAML (numpy reads it as the float -0.0); -0.0 stays -0.0."""
        body, index, at = self._body, 0, 0
        for match in _WHOLE_ZERO.finditer(body):
            start = before = match.start()
            while before and body[before - 1] in _SPACES:
                before -= 1
            if before and body[before - 1] != ",":  # "-0" ending an item such as "1e-0"
                continue
            index += body.count(",", at, start)
            at = start
            self._values[index] = 0.0

    def _comma_offsets(self) -> np.ndarray:
        if self._commas is None:
            codes = np.frombuffer(self._body.encode("ascii"), dtype=np.uint8)
            self._commas = np.flatnonzero(codes == ord(","))
        return self._commas

    def _span(self, index: int) -> tuple[int, int]:
        """Where item ``index`` is written in the list, without the spaces around it."""
        commas = self._comma_offsets()
        start = 0 if index == 0 else int(commas[index - 1]) + 1
        end = len(self._body) if index == self.length - 1 else int(commas[index])
        while start < end and self._body[start] in _SPACES:
            start += 1
        while end > start and self._body[end - 1] in _SPACES:
            end -= 1
        return start, end

    def _item_text(self, index: int) -> str:
        """Item ``index`` as YAML reads the text: lines folded into one, as in any plain scalar."""
        start, end = self._span(index)
        lines = [part.strip(" \t") for part in _BREAK.split(self._body[start:end])]
        text, blank = lines[0], 0
        for part in lines[1:]:
            if not part:
                blank += 1
                continue
            text += ("\n" * blank if blank else " ") + part
            blank = 0
        return text

    def item(self, index: int) -> Any:
        """Item ``index`` as YAML reads it (an int stays an int)."""
        return yaml_scalars.plain(self._item_text(index))

    def position(self, index: int) -> tuple[int, int]:
        """Line and column (0-based) of item ``index``."""
        offset = self._span(index)[0]
        before = self._inner[:offset]
        breaks = before.count("\n") + before.count("\r") - before.count("\r\n")
        if not breaks:
            return self._line, self._column + 1 + offset
        last = max(before.rfind("\n"), before.rfind("\r"))
        return self._line + breaks, offset - last - 1


def _body(inner: str) -> str:
    """The items of a flow list without the trailing comma YAML allows."""
    body = inner.rstrip(_SPACES)
    return body[:-1] if body.endswith(",") else body


def _float(value: int | float) -> float:
    try:
        return float(value)
    except OverflowError:  # a whole number beyond the largest float
        return float("inf")


def _numbers(text: str) -> np.ndarray | None:
    """The comma-separated decimal numbers of ``text`` as an array, or None if numpy cannot read them
    all (an item such as "1e", "1 2" or "."); "" gives an empty array."""
    if not text:
        return np.empty(0)
    try:
        return np.fromstring(text, dtype=float, sep=",")
    except ValueError:
        return None


def _plain_items(body: str) -> bool:
    """True if every item of the list is one plain scalar (see _EMPTY and _DASH)."""
    return not (_FIRST_EMPTY_OR_DASH.match(body) or body.endswith(",") or _EMPTY.search(body)
                or _DASH.search(body))


def find(text: str) -> list[Region]:
    """The flow lists of at least MIN_ITEMS plain items in ``text``, in order."""
    regions = []
    for match in _CANDIDATE.finditer(text):
        inner = match.group(1)
        if inner.count(",") + 1 < MIN_ITEMS or not _plain_items(_body(inner)):
            continue
        start, end = match.span()
        # After an anchor or a tag written without a space (&a[...]) the placeholder needs one.
        head = start + 1 if start and text[start - 1] not in " \t\r\n[{,:-?" else start
        region = Region(start, end, len(regions), head)
        if end - head >= len(region.placeholder):
            regions.append(region)
    return regions


def substitute(text: str, regions: list[Region]) -> str:
    """``text`` with each region replaced by its placeholder, padded with spaces, line breaks kept."""
    parts, at = [], 0
    for region in regions:
        parts.append(text[at:region.head])
        rest = text[region.head + len(region.placeholder):region.end]
        parts.append(region.placeholder + _BLANK.sub(lambda m: " " * len(m.group()), rest))
        at = region.end
    parts.append(text[at:])
    return "".join(parts)


def outside(text: str, regions: list[Region]) -> str:
    """The text around the regions (what the YAML parser composes into nodes)."""
    ends = [0] + [r.end for r in regions]
    starts = [r.start for r in regions] + [len(text)]
    return "".join(text[a:b] for a, b in zip(ends, starts))


def read(text: str, region: Region, line: int, column: int) -> NumberList:
    """The list of ``region``, whose opening bracket is at ``line`` and ``column`` (0-based)."""
    return NumberList(text[region.start + 1:region.end - 1], line, column)
