"""The document of a run as LaTeX: an article that compiles with ``pdflatex`` using TeX Live's base,
recommended and pictures packages only (amsmath, amssymb, geometry, longtable, array, TikZ), or with
``--fragment`` its body alone, to ``\\input`` into a document of one's own with those packages."""

from __future__ import annotations

from functools import singledispatch
from math import ceil, floor

from backprop_cli.model.document import ANSWER, FORMULA, NUMBER, TEXT, VALUE
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.render import common, flow
from backprop_cli.render.curve import curve_tikz
from backprop_cli.render.latex_math import SHORT_GROUP, display, ending, inline
from backprop_cli.render.tex import tex_text
from backprop_cli.render.tikz import tikz_picture
from backprop_cli.render.unicode import spell

PACKAGES = r"\usepackage{amsmath,amssymb,longtable,array,tikz}"
PREAMBLE = "\n".join([
    r"\documentclass{article}",
    r"\usepackage[margin=2cm]{geometry}",
    PACKAGES,
    r"\setlength{\parindent}{0pt}",
    r"\setlength{\parskip}{0.6em}",
    r"\allowdisplaybreaks",
    r"\setlength{\LTleft}{0pt}",
    r"\setlength{\LTright}{\fill}",
    r"\setlength{\extrarowheight}{3pt}",  # room above a row for superscripts: n_1^{[hid]}, \Theta_{11}^{[out]}
    r"\begin{document}",
])
HEADINGS = {1: r"\section*", 2: r"\subsection*", 3: r"\subsubsection*"}


def parts(items, fmt: NumberFormat, strong: bool = False) -> str:
    """Text and formulas set inline (a table's cell; bold in a column of results)."""
    return inline(items, fmt, tex_text, strong)


@singledispatch
def element(item, fmt: NumberFormat) -> str:
    raise TypeError(f"cannot write {type(item).__name__}")


@element.register
def _heading(item: flow.Heading, fmt: NumberFormat) -> str:
    return f"{HEADINGS[item.level]}{{{parts(item.parts, fmt)}}}"


@element.register
def _para(item: flow.Para, fmt: NumberFormat) -> str:
    text = parts(item.parts, fmt)
    return {"note": rf"{{\small {text}}}", "strong": rf"\textbf{{{text}}}"}.get(item.style, text)


@element.register
def _display(item: flow.Display, fmt: NumberFormat) -> str:
    end = ending(item.note, item.tag)
    if item.aligned:  # align* rather than aligned: a long list of definitions may break across pages
        return display(item.rows, fmt, env="align*", end=end)
    return f"\\begin{{equation*}}\n{display(item.rows, fmt, end=end)}\n\\end{{equation*}}"


def _fixed(kind: str, width: float) -> str:
    """A column of a fixed share of the line: a table of such columns is laid out in one pdflatex run."""
    align = r"\raggedleft" if kind in (NUMBER, VALUE) else r"\raggedright"
    column = rf">{{{align}\arraybackslash}}p{{{width:.2f}\linewidth}}"
    return f"|{column}|" if kind == ANSWER else column


def _spec(kinds: list[str], widths: tuple[float, ...]) -> str:
    """Column types of fixed widths: numbers right, the rest ragged right, an answer cell ruled."""
    return "".join(_fixed(kind, width) for kind, width in zip(kinds, widths))


# Estimates of how wide pdflatex sets the unicode spelling of a cell, in points per character at 10pt:
# generous, so that a column is never narrower than what it holds (a digit in bold is 5.75pt, a minus 7.8pt).
CELL_CHAR, HEAD_CHAR, MATH_CHAR = 6.0, 6.5, 5.0  # a header is bold text; a formula has spaces and small signs
LINE = 500.0  # pt: the line of the document (letter paper less two margins of 2cm)
PAD = 12.0  # pt around each column (\tabcolsep either side)
LEAST_FORMULA = 100.0  # pt: a formula column narrows below this only to leave room for the others


def _plain(cell, fmt: NumberFormat) -> str:
    return common.inline(cell, str, lambda node: spell(node, fmt))


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
    """``width`` points as a share of the line, rounded up to a hundredth (as the column types write it)."""
    return ceil(width / LINE * 100) / 100


def measured(item: flow.Grid, fmt: NumberFormat) -> tuple[float, ...]:
    """Fixed widths of the columns of a run's table (shares of the line), from what they hold, so that
    pdflatex lays the table out in one run: a column of numbers, labels or words is as wide as its widest
    cell and its header; where the line is short of room for the formulas' longest lines, the headers wrap
    between words and so do the words of a text column, the column with most to spare first. A formula
    column is as wide as the longest piece of a formula that TeX keeps on one line, and the formula columns
    share the rest of the line."""
    kinds = [kind for _, kind in item.columns]
    want, least, floors = {}, {}, {}
    for c, (head, kind) in enumerate(item.columns):
        lines = [line for row in item.rows for line in _plain(row[c], fmt).split("\n")]
        cell = CELL_CHAR * max(map(len, lines), default=0)
        if kind == FORMULA:
            floors[c] = MATH_CHAR * max(map(_piece, lines), default=0)
            want[c] = max(floors[c], LEAST_FORMULA, MATH_CHAR * max(map(len, lines), default=0))
            continue
        words = CELL_CHAR * max((len(word) for line in lines for word in line.split()), default=0)
        header = _plain(head, fmt)
        want[c] = max(cell, HEAD_CHAR * len(header))
        least[c] = max(words if kind == TEXT else cell, HEAD_CHAR * max(map(len, header.split()), default=0))
    room = 1 - (PAD * len(kinds) + sum(want[c] for c in floors)) / LINE  # for the columns besides formulas
    shares = {c: _share(want[c]) for c in least}
    for c in sorted(least, key=lambda c: want[c] - least[c], reverse=True):
        excess = sum(shares.values()) - room
        if excess <= 0:
            break
        shares[c] = _share(max(least[c], want[c] - excess * LINE))
    # The formulas: each as wide as its longest piece, then the rest of the line shared alike.
    shares.update({c: _share(width) for c, width in floors.items()})
    rest = 1 - PAD * len(kinds) / LINE - sum(shares.values())
    for c in floors:
        shares[c] += floor(max(rest, 0) / len(floors) * 100) / 100
    return tuple(shares[c] for c in range(len(kinds)))


@element.register
def _grid(item: flow.Grid, fmt: NumberFormat) -> str:
    kinds = [kind for _, kind in item.columns]
    lines = [rf"\begin{{longtable}}{{{_spec(kinds, item.widths or measured(item, fmt))}}}"]
    if item.title:
        lines.append(rf"\multicolumn{{{len(kinds)}}}{{l}}{{\textbf{{{tex_text(item.title)}}}}} \\")
    lines.append(r"\hline")
    lines.append(" & ".join(rf"\textbf{{{parts(head, fmt)}}}" for head, _ in item.columns) + r" \\ \hline")
    lines.append(r"\endhead")
    sheet = ANSWER in kinds  # a printed answer sheet: room to write (and for fractions), a rule under each answer
    if sheet:
        lines.insert(0, r"{\renewcommand{\arraystretch}{2}")
    for n, row in enumerate(item.rows, start=1):
        last = n == len(item.rows)
        end = ("*" if last else "") + (r" \hline" if sheet and not last else "")
        lines.append(" & ".join(parts(value, fmt, kind == VALUE) for value, kind in zip(row, kinds)) + r" \\" + end)
    lines.append(r"\hline")
    lines.append(r"\end{longtable}" + ("}" if sheet else ""))
    if item.note:
        lines.append(rf"{{\small {tex_text(item.note)}}}")
    return "\n".join(lines)


@element.register
def _page_break(item: flow.PageBreak, fmt: NumberFormat) -> str:
    return r"\clearpage"


@element.register
def _pairs(item: flow.Pairs, fmt: NumberFormat) -> str:
    rows = [rf"\textbf{{{tex_text(name)}}} & {parts(value, fmt)} \\" for name, value in item.rows]
    # A tabular, not a longtable: a few rows, laid out in one pdflatex run.
    return "\n".join([r"\begin{tabular}{@{}l>{\raggedright\arraybackslash}p{0.75\linewidth}@{}}", *rows,
                      r"\end{tabular}"])


def _curve(losses, fmt: NumberFormat) -> str:
    return curve_tikz(losses, fmt)


@element.register
def _picture(item: flow.Picture, fmt: NumberFormat) -> str:
    picture = tikz_picture(item.figure) if item.figure is not None else _curve(item.curve, fmt)
    # Shrunk to the width of the text where it is wider (a wide network), never enlarged.
    lines = [r"\begin{center}", r"\sbox0{%", picture.rstrip("\n") + "%", "}",
             r"\ifdim\wd0>\linewidth\resizebox{\linewidth}{!}{\usebox0}\else\usebox0\fi"]
    if item.caption:
        lines.append(rf"\\{{\small {tex_text(item.caption)}}}")
    lines.append(r"\end{center}")
    return "\n".join(lines)


# Before a heading that a table follows: a new page unless there is room for the heading and the table's
# first rows (a longtable may otherwise leave its heading alone at the foot of a page).
ROOM = r"\par\penalty-100\ifdim\dimexpr\pagegoal-\pagetotal\relax<8\baselineskip\newpage\fi"


def write_flow(stream, items, fmt: NumberFormat, fragment: bool = False, title: str = "") -> None:
    """The document of the flow ``items`` (its numbers written by ``fmt``); the title is its first heading.
    Written when whole: a name pdflatex cannot set stops it before anything is written."""
    out = [] if fragment else [PREAMBLE + "\n"]
    waiting = None  # a heading, written when what follows it is known
    for item in items:
        if waiting is not None:
            room = ROOM + "\n" if isinstance(item, flow.Grid) and waiting.level > 1 else ""
            out.append(room + element(waiting, fmt) + "\n\n")
            waiting = None
        if isinstance(item, flow.Heading):
            waiting = item
            continue
        out.append(element(item, fmt) + "\n\n")
    if waiting is not None:
        out.append(element(waiting, fmt) + "\n\n")
    if not fragment:
        out.append("\\end{document}\n")
    stream.write("".join(out))


def write_page(stream, page, rows: int, fragment: bool = False) -> None:
    """The document of ``page`` (a model.page.Page), tables cut to ``rows`` items (0: all)."""
    write_flow(stream, flow.elements(page, rows), page.document.fmt, fragment)
