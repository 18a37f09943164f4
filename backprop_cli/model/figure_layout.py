"""Where everything of the network figure goes: pure geometry, in pixels (y grows downwards).

Columns stand left to right (the inputs, then each layer), their nodes a fixed ``pitch`` apart and
centred on one line; below each node its value lines. Every label has a box estimated from its
characters (``text_width``), and the writers (svg.py, tikz.py) set text no wider than that.

The weight labels of the edges between two columns are kept apart by construction: the edges into one
target neuron carry their labels at one x of their own (a "slot"), slots at least a label's width
apart, so labels of different targets never share an x; labels of one target stand on edges from
different sources, which at that x are still far enough apart vertically. The strip between two
columns is made as wide as its slots need, so the spacing grows with the widest layer.
"""

from __future__ import annotations

from dataclasses import dataclass

from backprop_cli.model.figure import Content, Item, figure_content

SIZE = {"name": 12.0, "value": 11.0, "gradient": 11.0, "weight": 11.0, "title": 12.0, "text": 11.0,
        "gap": 20.0}
CAPTION = 11.0  # font size of the caption lines
BOLD = 1.1  # bold text is this much wider
SCRIPT = 0.7  # sub- and superscripts, relative to the font size
PAD = 2.0  # left and right of the text in its box (the white background of a weight label)
LINE = 17.0  # from one value line to the next: more than the tallest box of a line
GAP = 8.0  # between boxes that must not touch
MARGIN = 14.0
RADIUS = 20.0  # at least; a long layer name makes the circles larger
STRIP = 200.0  # the least distance between two columns
# Colours, one place for both writers. The edges into one neuron and their weights share a tone, so a
# weight whose label sits where edges cross still tells which edge it belongs to.
TONES = ("#c4561a", "#1b7f5a", "#8e3f8a", "#9a6c00", "#2d6f99", "#5a5a5a")
BLUE = "#1f4fd1"  # ∂J/∂z, as the handout's bold blue numbers
EDGE = "#8a8a8a"
INPUT = "#eef1f5"  # the ground of an input's circle
NOTE = "#444444"  # activation names, the gap marker, the caption


def ems(text: str) -> float:
    """The width of ``text`` in font sizes, estimated from its characters at no less than they take in
    the fonts the writers use (DejaVu Sans: digits 0.64, capitals up to 0.79; Computer Modern is narrower)."""
    total = 0.0
    for char in text:
        if char in "mwMW@%" or not char.isascii():  # the minus sign, ∂, σ, and any other script
            total += 1.0
        elif char.isupper():
            total += 0.8
        else:
            total += 0.64
    return total


def text_width(item: Item, size: float) -> float:
    """The estimated width of ``item`` set at ``size``, without padding."""
    if item.kind == "name":
        symbol, index, layer = item.parts
        return size * (ems(symbol) + SCRIPT * ems(index + (f"[{layer}]" if layer else "")))
    if item.kind == "gradient":
        quantity, number = item.parts
        return size * (ems(f"{quantity} = ") + BOLD * ems(number))
    return size * ems(item.text) * (BOLD if item.kind == "title" else 1.0)


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Box) -> bool:
        return (self.left < other.right and other.left < self.right
                and self.top < other.bottom and other.top < self.bottom)


@dataclass(frozen=True)
class Label:
    """An item placed: (x, y) is its centre, or the middle of its left end when ``anchor`` is "start"."""

    item: Item
    x: float
    y: float
    size: float
    anchor: str = "middle"
    tone: int | None = None  # an index into TONES (weights)

    @property
    def width(self) -> float:
        return text_width(self.item, self.size) + 2 * PAD

    @property
    def height(self) -> float:
        # a name's subscript hangs below the line and its superscript above it
        return self.size * (1.7 if self.item.kind == "name" else 1.2) + 2

    @property
    def box(self) -> Box:
        left = self.x if self.anchor == "start" else self.x - self.width / 2
        return Box(left, self.y - self.height / 2, left + self.width, self.y + self.height / 2)


@dataclass(frozen=True)
class Circle:
    x: float
    y: float
    r: float
    is_input: bool

    @property
    def box(self) -> Box:
        return Box(self.x - self.r, self.y - self.r, self.x + self.r, self.y + self.r)


@dataclass(frozen=True)
class Segment:
    x1: float
    y1: float
    x2: float
    y2: float
    tone: int | None = None


@dataclass(frozen=True)
class Figure:
    """The network figure laid out. ``labels`` are drawn over the edges and circles; ``caption`` lines
    sit below ``body_height``, and ``height`` includes them."""

    width: float
    body_height: float
    height: float
    segments: tuple[Segment, ...]
    circles: tuple[Circle, ...]
    labels: tuple[Label, ...]
    caption: tuple[Label, ...]
    title: str


def _label(item: Item, x: float, y: float) -> Label:
    return Label(item, x, y, SIZE[item.kind])


def _half(column, radius: float) -> float:
    """Half the width a column takes: its circles and every label centred on it."""
    items = [*column.title, *(i for node in column.nodes for i in (*node.lines, *([node.name] if node.name else [])))]
    return max([radius] + [_label(i, 0, 0).width / 2 for i in items])


def _strip(edges, pitch: float, left: float, right: float, targets: int) -> tuple[float, list[float]]:
    """The width of a strip between columns whose labels stand ``left`` and ``right`` of their centres,
    and the x of each target's slot, measured from the left column."""
    widest = max([_label(e.label, 0, 0).width for e in edges] + [0.0])
    height = _label(edges[0].label, 0, 0).height if edges else 0.0
    step = widest + GAP
    near = left + GAP + widest / 2  # the first slot, clear of the left column
    clear = right + GAP + widest / 2  # the last slot keeps this far from the right column ...
    apart = (height + GAP) / pitch  # ... and this fraction of the strip: there edges into one target converge
    inner = (targets - 1) * step
    width = max(near + clear + inner, (near + inner) / (1 - apart), STRIP)
    last = width - max(clear, apart * width)
    # Where there is room, at 1/(n+1), 2/(n+1), ... of the strip: away from the circles and from the
    # middle, where the edges of a fully connected pair of layers cross.
    lo, hi = max(near, width / (targets + 1)), min(last, width * targets / (targets + 1))
    if hi - lo < inner:
        lo, hi = near, last
    if targets == 1:
        return width, [(lo + hi) / 2]
    return width, [lo + j * (hi - lo) / (targets - 1) for j in range(targets)]


@dataclass(frozen=True)
class _Grid:
    """Where the columns and their rows stand, and what each strip between two columns needs."""

    columns: tuple
    xs: list[float]  # each column's x
    middle: float  # the y every column is centred on
    pitch: float  # from one row to the next
    radii: list[float]  # each column's circles
    slots: list[dict[int, float]]  # per strip: a target node's slot, as x from the left column
    tones: list[dict[int, int]]  # per strip: a target node's tone

    def centre(self, c: int, n: int) -> tuple[float, float]:
        return self.xs[c], self.middle + (n - (len(self.columns[c].nodes) - 1) / 2) * self.pitch


def _nodes(grid: _Grid) -> tuple[list[Circle], list[Label]]:
    """The circles, and every label centred on a column: titles, names, value lines, gap markers."""
    circles, labels = [], []
    for c, column in enumerate(grid.columns):
        labels += [_label(item, grid.xs[c], MARGIN + (j + 0.5) * LINE) for j, item in enumerate(column.title)]
        for n, node in enumerate(column.nodes):
            x, y = grid.centre(c, n)
            below = node.lines
            if node.name is None:  # the gap marker stands in the circle's place, its count below
                labels.append(_label(node.lines[0], x, y))
                below = node.lines[1:]
            else:
                circles.append(Circle(x, y, grid.radii[c], node.is_input))
                labels.append(_label(node.name, x, y))
            first = y + grid.radii[c] + 3 + LINE / 2
            labels += [_label(item, x, first + j * LINE) for j, item in enumerate(below)]
    return circles, labels


def _edges(grid: _Grid, edges) -> tuple[list[Segment], list[Label]]:
    """Each edge from circle to circle, and its weight in its target's slot, on the edge."""
    segments, labels = [], []
    for edge in edges:
        (x1, y1), (x2, y2) = grid.centre(edge.strip, edge.source), grid.centre(edge.strip + 1, edge.target)
        length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        r1, r2 = grid.radii[edge.strip], grid.radii[edge.strip + 1]
        tone = grid.tones[edge.strip][edge.target]
        segments.append(Segment(x1 + r1 * ux, y1 + r1 * uy, x2 - r2 * ux, y2 - r2 * uy, tone))
        x = x1 + grid.slots[edge.strip][edge.target]
        labels.append(Label(edge.label, x, y1 + (x - x1) / (x2 - x1) * (y2 - y1), SIZE[edge.label.kind], tone=tone))
    return segments, labels


def layout(content: Content) -> Figure:
    """Place every node, edge and label of ``content``."""
    columns = content.columns
    # Each column's circles hold its longest name; the spacing of the rows allows for the largest.
    radii = [max([RADIUS] + [_label(n.name, 0, 0).width / 2 + 3 for n in column.nodes if n.name is not None])
             for column in columns]
    lines = max(len(node.lines) for column in columns for node in column.nodes)
    below = max(radii) + 3 + lines * LINE  # from a node's centre to the bottom of its last line
    pitch = below + GAP + max(radii)
    halves = [_half(column, r) for column, r in zip(columns, radii)]
    titles = max(len(column.title) for column in columns)
    rows = max(len(column.nodes) for column in columns)
    middle = MARGIN + titles * LINE + GAP + max(radii) + (rows - 1) * pitch / 2

    xs, slots, tones = [MARGIN + halves[0]], [], []
    for c in range(len(columns) - 1):
        targets = [b for b, node in enumerate(columns[c + 1].nodes) if node.row is not None]
        width, positions = _strip([e for e in content.edges if e.strip == c], pitch, halves[c], halves[c + 1],
                                  len(targets))
        slots.append(dict(zip(targets, positions)))
        tones.append({b: j % len(TONES) for j, b in enumerate(targets)})
        xs.append(xs[-1] + width)
    grid = _Grid(columns, xs, middle, pitch, radii, slots, tones)
    circles, labels = _nodes(grid)
    segments, weights = _edges(grid, content.edges)

    body = middle + (rows - 1) * pitch / 2 + below + MARGIN
    caption = [Label(item, MARGIN, body + (j + 0.5) * LINE, CAPTION, "start") for j, item in enumerate(content.caption)]
    width = max([xs[-1] + halves[-1] + MARGIN] + [c.box.right + MARGIN for c in caption])
    height = body + (len(caption) * LINE + MARGIN if caption else 0.0)
    return Figure(width, body, height, tuple(segments), tuple(circles), tuple(labels + weights), tuple(caption),
                  content.title)


def network_figure(config, iteration, fmt, *, after: bool = False, sample: int = 0, given: bool = False) -> Figure:
    """The figure of one update of ``config`` (an engine ``Iteration``), its numbers written by ``fmt`` (a
    ``NumberFormat``): the values of the update's sample ``sample``, and the weights before the update,
    or after it with ``after``."""
    return layout(figure_content(config, iteration, fmt, after=after, sample=sample, given=given))
