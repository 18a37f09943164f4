"""The nested shape of an answer sheet (mappings, lists, blanks), built from the paths of its blanks.

The YAML writer lays the sheet out from it, and the reader of answers checks a filled sheet against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backprop_cli.course.check.sheet import Blank, Sheet

MATRICES = ("dJ_dweights", "new_weights")


@dataclass
class Slots:
    """A list of the sheet: its entries in order, and what they are (for messages and comments)."""

    what: str  # "numbers (one per neuron of layer 'out')"
    items: list = field(default_factory=list)


Node = dict | Slots | Blank


def _what(prefix: tuple) -> str:
    """What the list at ``prefix`` holds."""
    if prefix == ("samples",):
        return "samples (one per sample of the first update)"
    inner = isinstance(prefix[-1], int)  # a row of a matrix
    key = prefix[-2] if inner else prefix[-1]
    layer = prefix[prefix.index(key) - 1]
    if key in MATRICES and not inner:
        return f"rows (one per neuron of layer '{layer}')"
    if key in MATRICES:
        return f"numbers (one per input of layer '{layer}')"
    return f"numbers (one per neuron of layer '{layer}')"


def layout(sheet: Sheet) -> dict:
    """The sheet as nested dicts (mappings), Slots (lists) and Blanks (the leaves), in the sheet's order."""
    root: dict = {}
    for blank in sheet.blanks:
        node: dict | Slots = root
        path = blank.path
        for depth, step in enumerate(path):
            last = depth == len(path) - 1
            child: Node | None = blank if last else None
            if child is None:
                following = path[depth + 1]
                child = Slots(_what(path[: depth + 1])) if isinstance(following, int) else {}
            if isinstance(node, Slots):
                assert isinstance(step, int)  # a list's entries follow a number in the path
                if step == len(node.items):
                    node.items.append(child)
                node = node.items[step]
            else:
                node = node.setdefault(step, child)
    return root
