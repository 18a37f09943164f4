"""Formulas broken across lines as a person sets them: between terms, never inside a number, and inside a
bracket only where the bracket itself is longer than a line; every continuation line indented.

``Wrapped`` is a rich renderable (for a table cell, a heading or a line of its own) that measures itself
by these rules, so that a table narrows its formula columns only as far as the formulas allow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

INDENT = 2  # continuation lines start this much further in
OPERATORS = {"+", "−", "-", "=", "←", "·", "×", "→"}
OPENING, CLOSING = "([{", ")]}"
# How good a break at a space is, by what follows it (lower is better): a relation's joiner or a note in
# parentheses, then = and the terms of a sum, then a product's factors, then any other space.
JOINER, TERM, FACTOR, WORD = 0, 1, 2, 3


@dataclass(frozen=True)
class _Space:
    """A place where a line may break: the run of spaces at ``start``..``end`` of the text."""

    start: int
    end: int
    depth: int  # brackets open around it
    rank: int


def _spaces(line: str) -> list[_Space]:
    """Every run of spaces in ``line`` where a break may go: not after an operator (the operator starts
    the next line instead), with the brackets around it and how good a break it is."""
    found, depth = [], 0
    for match in re.finditer(r" +|[()\[\]{}]", line):
        token = match.group(0)
        if token in OPENING:
            depth += 1
        elif token in CLOSING:
            depth = max(0, depth - 1)
        else:
            before = line[:match.start()].rsplit(" ", 1)[-1]
            after = line[match.end():].split(" ", 1)[0]
            if before in OPERATORS or match.start() == 0 or match.end() == len(line):
                continue
            if before.endswith((";", ",")) or (len(token) > 1 and after.startswith("(")):
                rank = JOINER
            elif after in ("=", "←", "+", "−", "-", "→"):
                rank = TERM
            elif after in ("·", "×"):
                rank = FACTOR
            else:
                rank = WORD
            found.append(_Space(match.start(), match.end(), depth, rank))
    return found


def _enclosing(line: str) -> list[tuple[int, int]]:
    """The spans (start, end) of every bracketed group of ``line``."""
    spans, stack = [], []
    for i, char in enumerate(line):
        if char in OPENING:
            stack.append(i)
        elif char in CLOSING and stack:
            spans.append((stack.pop(), i + 1))
    return spans


def _effective_depth(space: _Space, groups: list[tuple[int, int]], width: int) -> int:
    """The brackets around ``space`` that could stay whole on a line of ``width`` (``groups`` spans each with
    what is glued to it, up to the breaks before and after): breaking inside one of those is avoidable."""
    return sum(1 for start, end in groups if start < space.start and space.end <= end and end - start <= width)


def _units(line: str, spaces: list[_Space]) -> list[tuple[int, int]]:
    """Each bracketed group of ``line`` with what is glued to it: from the break before it to the break after
    it, e.g. "· 0.25·(0 − 0.24)]" for the group "(0 − 0.24)"."""
    units = []
    for start, end in _enclosing(line):
        before = max((s.end for s in spaces if s.end <= start), default=0)
        after = min((s.start for s in spaces if s.start >= end), default=len(line))
        units.append((before, after))
    return units


def wrap_line(line: str, width: int, indent: int = INDENT, words: bool = False) -> list[str]:
    """``line`` broken into lines of at most ``width`` characters, continuation lines indented by ``indent``.

    Each line ends at the best break that fits: the fewest brackets around it that could have stayed whole,
    then the best kind of break, then as far along as possible; with ``words`` (plain text, such as a header)
    as far along as possible only. A single piece longer than a line (a number wider than the column) is cut
    only when nothing else can be done.
    """
    width = max(width, 1)
    if len(line) <= width:
        return [line]
    spaces = _spaces(line)
    groups = _units(line, spaces)
    lines, start, prefix = [], 0, ""
    while True:
        room = width - len(prefix)
        if len(line) - start <= room:
            lines.append(prefix + line[start:])
            return lines
        fitting = [s for s in spaces if s.start > start and s.start - start <= room]
        if fitting:
            best = fitting[-1] if words else min(
                fitting, key=lambda s: (_effective_depth(s, groups, width - indent), s.rank, -s.start))
            lines.append(prefix + line[start:best.start])
            start = best.end
        else:  # nothing to break at within the line: cut, rather than overflow the column
            cut = start + max(room, 1)
            lines.append(prefix + line[start:cut])
            start = cut
        prefix = " " * min(indent, max(width - 1, 0))


def wrap_text(text: str, width: int, indent: int = INDENT, words: bool = False) -> list[str]:
    """Every line of ``text`` (lines set apart on purpose, such as a stacked sum, stay apart) wrapped."""
    return [part for line in text.split("\n") for part in wrap_line(line, width, indent, words)]


def narrowest(text: str, indent: int = INDENT) -> int:
    """The narrowest width at which ``text`` needs no cut: its widest unbreakable piece (with the indent
    of a continuation line)."""
    widest = 0
    for line in text.split("\n"):
        start = 0
        for space in _spaces(line) + [_Space(len(line), len(line), 0, WORD)]:
            piece = space.start - start + (indent if start else 0)
            widest = max(widest, piece)
            start = space.end
    return widest


class Wrapped:
    """A formula (or a line with formulas) as a rich renderable that breaks where ``wrap_text`` says."""

    def __init__(self, text: str, style: str = "", indent: int = INDENT, words: bool = False) -> None:
        self.text = text
        self.style = style
        self.indent = indent
        self.words = words  # plain text: fill each line with as many words as fit

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        longest = max(len(line) for line in self.text.split("\n"))
        return Measurement(min(narrowest(self.text, self.indent), longest), longest).with_maximum(options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = wrap_text(self.text, options.max_width, self.indent, self.words)
        yield Text("\n".join(lines), style=self.style, no_wrap=True, overflow="crop")

    def __str__(self) -> str:
        return self.text
