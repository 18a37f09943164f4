"""How wide the columns of a run's LaTeX table are: estimated from what they hold, character by character, as
shares of the document's line, so that pdflatex lays each table out in one run and within the margins; a
table whose columns cannot all have the least they need on one line is set as several tables."""

from __future__ import annotations

from math import ceil, floor

from backprop_cli.model.document import FORMULA, TEXT, VALUE
from backprop_cli.model.formula import Label
from backprop_cli.model.numbers import MINUS, NumberFormat
from backprop_cli.render import common, flow
from backprop_cli.render.latex_math import SHORT_GROUP
from backprop_cli.render.unicode import spell

# The page: article's default paper (US letter, 8.5in wide) with margins of MARGIN cm. The LaTeX preamble sets
# it and the tables are measured against its line.
PAPER, MARGIN = 614.295, 2  # pt, cm
LINE = PAPER - 2 * MARGIN * 72.27 / 2.54  # pt: the line of the document (500.48pt)

# How wide pdflatex sets a character at 10pt, in points: a digit, the point and the minus sign as Computer
# Modern sets them (a number is measured exactly), a letter or another sign generously (i, t, brackets and
# parentheses at most 3.9pt, most lowercase letters at most 5.6pt, capitals 7.8pt, m, % and # 8.3pt, W 10.3pt);
# bold (a header, a result) is 1.15 times as wide. In a label such as n_1^{[hid]} the index and the layer's
# name are a subscript and a superscript, which TeX sets at about 0.8 of the size (its 7pt fonts).
CHARS = {**dict.fromkeys("0123456789", 5.0), ".": 2.78, ",": 2.78, MINUS: 7.78, "-": 7.78, " ": 3.33,
         **dict.fromkeys("fijlrt[]()/:;'!|_", 3.9), **dict.fromkeys("m%#&@", 8.4), **dict.fromkeys("+=<>", 7.8),
         "w": 7.3, "M": 9.2, "W": 10.3}
LOWER, UPPER = 5.6, 7.8
BOLD, SCRIPT = 1.15, 0.85
MATH_CHAR = 5.0  # a formula: letters, numbers, spaces and small signs
PAD = 12.0  # pt around each column (\tabcolsep either side)
DIGITS = 3  # a measured table's shares of the line are written to a thousandth (half a point), a sheet's to 2
LEAST_FORMULA = 100.0  # pt: a formula column narrows below this only to leave room for the others


def _plain(cell, fmt: NumberFormat) -> str:
    return common.inline(cell, str, lambda node: spell(node, fmt))


def _text(text: str, bold: bool = False) -> float:
    """The width of a line of ``text`` (a number, a word, a header) as pdflatex sets it, estimated."""
    width = sum(CHARS.get(char, UPPER if char.isupper() else LOWER) for char in text)
    return width * (BOLD if bold else 1)


def _cell(cell, fmt: NumberFormat, bold: bool = False) -> float:
    """The width of a cell of numbers, labels or words (its widest line), estimated."""
    width = 0.0
    for part in cell if isinstance(cell, tuple) else (cell,):
        if isinstance(part, Label) and part.symbol != "sample":  # n_1^{[hid]}, z_{n_1^{[hid]}}: small indices
            small = ("n" if part.symbol in "zp" and part.layer else "") + "".join(map(str, part.indices))
            small += f"[{part.layer}]" if part.layer else ""
            width += _text(part.symbol, bold) + SCRIPT * _text(small, bold)
        else:
            width += max(_text(line, bold) for line in _plain(part, fmt).split("\n"))
    return width


def _piece(line: str) -> int:
    """The length of the longest piece of a formula that TeX keeps on one line: between the spaces outside
    brackets, where a line may break after an operator; a group up to SHORT_GROUP characters is never broken."""
    longest = depth = start = 0
    for n, char in enumerate(line + " "):
        depth += (char in "([") - (char in ")]")
        if char == " " and depth <= 0:
            longest, start = max(longest, n - start), n + 1
    return min(longest, SHORT_GROUP)


def _share(width: float) -> float:
    """``width`` points as a share of the line, rounded up to the DIGITS the column types write."""
    return ceil(width / LINE * 10**DIGITS) / 10**DIGITS


def _two_lines(words: list[str]) -> float:
    """The width of a header of ``words`` (bold) broken between words into at most two lines."""
    return min((max(_text(" ".join(words[:n]), True), _text(" ".join(words[n:]), True))
                for n in range(1, len(words))), default=_text(" ".join(words), True))


def _needs(item: flow.Grid, fmt: NumberFormat) -> list[tuple[float, float]]:
    """Per column of a run's table, in points: the width it asks for and the least it can do with. A column of
    numbers, labels or words asks for its widest cell and its header and can do with its numbers and labels
    whole and its header on two lines (a text column: its widest word); a formula column asks for its
    longest line (at least LEAST_FORMULA) and can do with the longest piece TeX keeps on one line."""
    needs = []
    for c, (head, kind) in enumerate(item.columns):
        if kind == FORMULA:
            lines = [line for row in item.rows for line in _plain(row[c], fmt).split("\n")]
            least = MATH_CHAR * max(map(_piece, lines), default=0)
            needs.append((max(least, LEAST_FORMULA, MATH_CHAR * max(map(len, lines), default=0)), least))
            continue
        cell = max((_cell(row[c], fmt, kind == VALUE) for row in item.rows), default=0.0)
        header = _plain(head, fmt)
        words = _two_lines(header.split())
        if kind == TEXT:
            cell_words = (word for row in item.rows for word in _plain(row[c], fmt).split())
            least = max((_text(word) for word in cell_words), default=0.0)
        else:
            least = cell
        needs.append((max(cell, _text(header, True)), max(least, words)))
    return needs


def measured(item: flow.Grid, fmt: NumberFormat) -> tuple[float, ...]:
    """Fixed widths of the columns of a run's table (shares of the line), from what they hold (see _needs), so
    that pdflatex lays the table out in one run: each column as wide as it asks; where the line is short of
    room for the formulas, the headers wrap between words and so do the words of a text column, the column
    with most to spare first. A formula column is as wide as the longest piece TeX keeps on one line, and the
    formula columns share the rest of the line."""
    kinds = [kind for _, kind in item.columns]
    needs = _needs(item, fmt)
    floors = {c: needs[c][1] for c, kind in enumerate(kinds) if kind == FORMULA}
    want = {c: needs[c][0] for c in range(len(kinds)) if c not in floors}
    least = {c: needs[c][1] for c in want}
    room = 1 - (PAD * len(kinds) + sum(needs[c][0] for c in floors)) / LINE  # for the columns besides formulas
    shares = {c: _share(want[c]) for c in want}
    for c in sorted(want, key=lambda c: want[c] - least[c], reverse=True):
        excess = sum(shares.values()) - room
        if excess <= 0:
            break
        shares[c] = _share(max(least[c], want[c] - excess * LINE))
    # The formulas: each as wide as its longest piece, then the rest of the line shared alike.
    shares.update({c: _share(width) for c, width in floors.items()})
    rest = 1 - PAD * len(kinds) / LINE - sum(shares.values())
    for c in floors:
        shares[c] += floor(max(rest, 0) / len(floors) * 10**DIGITS) / 10**DIGITS
    return tuple(shares[c] for c in range(len(kinds)))


def split(item: flow.Grid, fmt: NumberFormat) -> list[flow.Grid]:
    """A run's table whose columns cannot all have the least they need on one line (a matrix of many inputs),
    as several tables one below the other, each with the first column (the rows' labels) and as many of the
    next columns as fit, and a note naming the columns that follow below; else the table itself."""
    least = [_share(need) + PAD / LINE for _, need in _needs(item, fmt)]  # shares of the line, as written
    if sum(least) <= 1 or len(least) <= 2:
        return [item]
    groups: list[list[int]] = [[]]
    used = least[0]
    for c in range(1, len(least)):
        if groups[-1] and used + least[c] > 1:  # a label and one column however wide: at least one a table
            groups.append([])
            used = least[0]
        groups[-1].append(c)
        used += least[c]
    tables = []
    for n, group in enumerate(groups):
        columns = [0, *group]
        later = [_plain(item.columns[c][0], fmt) for rest in groups[n + 1:] for c in rest]
        more = f"{common.more_columns(later)} below." if later else item.note
        tables.append(flow.Grid(tuple(item.columns[c] for c in columns),
                                [tuple(row[c] for c in columns) for row in item.rows], more, item.title))
    return tables
