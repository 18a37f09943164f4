"""The rich console every terminal renderer prints through: user text in it never reaches the terminal
as control characters."""

from __future__ import annotations

from rich.console import Console
from rich.segment import Segment

from backprop_cli.environment import printable


class PrintableConsole(Console):
    """A rich Console whose text is made printable (environment.printable) after layout, just before
    rich adds its own escape sequences for colour and style: a title or layer name holding ESC shows as
    ``\\x1b`` and cannot set the window title or clear the screen. (A table has measured its columns
    by then, so in a cell the escape may be cut short at the column's edge.)"""

    def render(self, renderable, options=None):  # noqa: D102 - rich's method
        for segment in super().render(renderable, options):
            if segment.control or segment.text.isprintable():
                yield segment
            else:
                yield Segment(printable(segment.text), segment.style)
