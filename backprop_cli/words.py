"""Counts in words: '1 column', '3 columns'."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and ``noun``, the noun in the plural unless the count is 1 ('1 sample', '2,000 samples')."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"
