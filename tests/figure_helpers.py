"""For the tests of the network figure: figures of configs, and reading a figure back from its SVG (which
numbers stand below which neuron, which weight labels which edge, the boxes of the labels). The
reading uses the SVG text only, so it checks what a reader sees, not what the layout meant to draw.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

import numpy as np

from backprop_cli.config.read import config_from_data
from backprop_cli.engine.backprop import trace
from backprop_cli.engine.rounding import Rounding
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.render.figure import network_figure

SVG = "{http://www.w3.org/2000/svg}"


def figure_of(config, *, after: bool = False, precision: int | None = None, hand_rounding=None):
    """The laid-out figure of a Config's first update, with the config's display settings by default."""
    fmt = NumberFormat(config.precision if precision is None else precision,
                       Rounding(config.hand_rounding if hand_rounding is None else hand_rounding))
    return network_figure(config, next(iter(trace(config, hand_rounding=fmt.rounding))), fmt, after=after)


def wide_config(sizes=(784, 128, 10), seed=7):
    """A dense network of the given widths with seeded random weights and biases (ReLU, sigmoid output)."""
    rng = np.random.default_rng(seed)
    last = len(sizes) - 2
    layers = [{"name": "out" if i == last else f"hid{i + 1}", "activation": "sigmoid" if i == last else "relu",
               "weights": rng.normal(0, 0.1, (n, m)).round(4).tolist(), "bias": rng.normal(0, 0.1, n).round(4).tolist()}
              for i, (m, n) in enumerate(zip(sizes, sizes[1:]))]
    return config_from_data({"x": rng.random(sizes[0]).round(3).tolist(), "y": [0.0] * sizes[-1], "alpha": 0.1,
                             "layers": layers})


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == f"{SVG}svg"
    return root


def labels(root: ET.Element) -> list[tuple[ET.Element, ET.Element | None]]:
    """Every <text> with the <rect> drawn right before it as its white ground (None for a neuron's name,
    which sits in its circle)."""
    out, previous = [], None
    for element in root:
        if element.tag == f"{SVG}text":
            out.append((element, previous if previous is not None and previous.tag == f"{SVG}rect" else None))
        previous = element
    return out


def text_of(element: ET.Element) -> str:
    return "".join(element.itertext())


def circles(root: ET.Element) -> list[tuple[float, float, float]]:
    return [(float(c.get("cx")), float(c.get("cy")), float(c.get("r"))) for c in root.iter(f"{SVG}circle")]


def rect_box(rect: ET.Element) -> tuple[float, float, float, float]:
    x, y = float(rect.get("x")), float(rect.get("y"))
    return x, y, x + float(rect.get("width")), y + float(rect.get("height"))


def centre(rect: ET.Element) -> tuple[float, float]:
    left, top, right, bottom = rect_box(rect)
    return (left + right) / 2, (top + bottom) / 2


def _names(root: ET.Element) -> dict[tuple[float, float], str]:
    """The name of the node at each circle centre."""
    found = {}
    for cx, cy, r in circles(root):
        for text, ground in labels(root):
            if ground is None and abs(float(text.get("x")) - cx) < 0.1 and abs(float(text.get("y")) - cy) < r:
                found[(cx, cy)] = text_of(text)
    return found


def stacks(root: ET.Element) -> dict[str, list[str]]:
    """The lines below each node, by the node's name (n1[hid], x2): the labels centred on its x between
    its circle and the next node below."""
    names = _names(root)
    columns: dict[float, list[tuple[float, str]]] = defaultdict(list)
    for (cx, cy), name in names.items():
        columns[round(cx, 1)].append((cy, "\0" + name))
    for text, ground in labels(root):
        x = round(float(text.get("x")), 1)  # a label centred on a column stands at the column's x
        if ground is not None and text.get("text-anchor") == "middle" and x in columns:
            columns[x].append((centre(ground)[1], text_of(text)))
    out: dict[str, list[str]] = {}
    for entries in columns.values():
        current = None
        for _, text in sorted(entries):
            if text.startswith("\0"):
                current = text[1:]
                out[current] = []
            elif text == "⋮":
                current = None
            elif current is not None:
                out[current].append(text)
    return out


def edges(root: ET.Element) -> dict[tuple[str, str], str]:
    """The weight label of each edge (source name, target name): the label whose centre lies on a line
    of its own colour (edges into one neuron share a colour, so no other edge of that colour passes
    there), the line's ends on the two circles."""
    names = _names(root)
    lines = [(float(l.get("x1")), float(l.get("y1")), float(l.get("x2")), float(l.get("y2")), l.get("stroke"))
             for l in root.iter(f"{SVG}line")]

    def node_at(x: float, y: float) -> str:
        for (cx, cy, r) in circles(root):
            if abs(((x - cx) ** 2 + (y - cy) ** 2) ** 0.5 - r) < 0.2:
                return names[(cx, cy)]
        raise AssertionError(f"no circle ends the line at ({x}, {y})")

    found = {}
    for text, ground in labels(root):
        colour = text.get("fill")
        if ground is None or colour is None:
            continue
        x, y = centre(ground)
        on = [(x1, y1, x2, y2) for x1, y1, x2, y2, stroke in lines
              if stroke == colour and min(x1, x2) <= x <= max(x1, x2)  # and the distance from the line is 0:
              and abs((y2 - y1) * (x - x1) - (x2 - x1) * (y - y1)) / ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5 < 0.2]
        if not on:
            continue  # not a weight: a coloured text that lies on no edge
        assert len(on) == 1, f"label {text_of(text)} lies on {len(on)} edges of its colour"
        x1, y1, x2, y2 = on[0]
        key = (node_at(x1, y1), node_at(x2, y2))
        assert key not in found, f"two labels on the edge {key}"
        found[key] = text_of(text)
    return found
