"""The document of a run as LaTeX: an article that compiles with ``pdflatex`` using TeX Live's base,
recommended and pictures packages only (amsmath, amssymb, geometry, longtable, array, TikZ), or with
``--fragment`` its body alone, to ``\\input`` into a document of one's own with those packages."""

from __future__ import annotations

from functools import singledispatch

from backprop_cli.model.document import ANSWER, NUMBER, VALUE
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.render import flow
from backprop_cli.render.curve import curve_tikz
from backprop_cli.render.latex_math import display, ending, inline
from backprop_cli.render.latex_widths import DIGITS, MARGIN, measured, split
from backprop_cli.render.tex import tex_text
from backprop_cli.render.tikz import tikz_picture

PACKAGES = r"\usepackage{amsmath,amssymb,longtable,array,tikz}"
PREAMBLE = "\n".join([
    r"\documentclass{article}",
    rf"\usepackage[margin={MARGIN}cm]{{geometry}}",
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


def _fixed(kind: str, width: float, digits: int) -> str:
    """A column of a fixed share of the line (written to ``digits`` decimals): a table of such columns is laid
    out in one pdflatex run."""
    align = r"\raggedleft" if kind in (NUMBER, VALUE) else r"\raggedright"
    column = rf">{{{align}\arraybackslash}}p{{{width:.{digits}f}\linewidth}}"
    return f"|{column}|" if kind == ANSWER else column


def _spec(kinds: list[str], widths: tuple[float, ...], digits: int) -> str:
    """Column types of fixed widths: numbers right, the rest ragged right, an answer cell ruled."""
    return "".join(_fixed(kind, width, digits) for kind, width in zip(kinds, widths))


@element.register
def _grid(item: flow.Grid, fmt: NumberFormat) -> str:
    if item.widths:  # a printed sheet's shares of the line, given in hundredths
        return _table(item, fmt, _spec([kind for _, kind in item.columns], item.widths, 2))
    # A run's table: its widths measured (to DIGITS decimals), as several tables where it is too wide.
    return "\n\n".join(_table(part, fmt, _spec([kind for _, kind in part.columns], measured(part, fmt), DIGITS))
                       for part in split(item, fmt))


def _table(item: flow.Grid, fmt: NumberFormat, spec: str) -> str:
    kinds = [kind for _, kind in item.columns]
    lines = [rf"\begin{{longtable}}{{{spec}}}"]
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
