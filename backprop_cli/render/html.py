"""The document of a run as one self-contained HTML file: math as MathML, the figures as inline SVG, the
style inline; no script, font or stylesheet is fetched, so it works offline. Tables scroll sideways on a
phone, and the page prints on paper. ``--fragment`` writes the <div> alone, its style inside it."""

from __future__ import annotations

from functools import singledispatch
from html import escape

from backprop_cli.model.document import ANSWER, FORMULA, NUMBER, VALUE
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.render import flow
from backprop_cli.render.common import inline
from backprop_cli.render.curve import curve_svg
from backprop_cli.render.mathml import cell, spell
from backprop_cli.render.svg import svg

STYLE = """
.bptrace{font-family:Georgia,"Times New Roman",serif;line-height:1.45;color:#1a1a1a;max-width:60rem;margin:0 auto;
padding:0 1rem 3rem}
.bptrace h1{font-size:1.6rem}.bptrace h2{font-size:1.25rem;margin-top:2rem}.bptrace h3{font-size:1.05rem}
.bptrace math{font-family:"STIX Two Math","Latin Modern Math","Cambria Math",math;font-size:1.05em}
.bptrace .display{display:flex;align-items:center;gap:1rem;overflow-x:auto;overflow-y:hidden;\
padding:.3rem 0;margin:.5rem 0}
.bptrace td math{math-style:normal}.bptrace .display math{flex:1}.bptrace mtd{padding:.1em 0}\
.bptrace .tag{white-space:nowrap}
.bptrace .scroll{overflow-x:auto;margin:.6rem 0}
.bptrace table{border-collapse:collapse}.bptrace th,.bptrace td{padding:.2rem .6rem;vertical-align:top}
.bptrace thead th{border-bottom:2px solid #444;text-align:left}.bptrace tbody tr{border-bottom:1px solid #ddd}
.bptrace td.number,.bptrace td.value{text-align:right;white-space:nowrap}\
.bptrace td.value{font-weight:bold;color:#0b5394}
.bptrace td.label{white-space:nowrap}\
.bptrace dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.2rem 1rem}
.bptrace dt{font-weight:bold}.bptrace dd{margin:0;overflow-x:auto;overflow-y:hidden;padding:.15rem 0}\
.bptrace .note{font-size:.9em;color:#555}
.bptrace figure{margin:1rem 0;overflow-x:auto}.bptrace figure svg{max-width:100%;height:auto}
.bptrace figcaption{font-size:.9em;color:#555}
.bptrace td.answer{min-width:9rem;height:1.8rem;border:1px solid #888}
.bptrace .brace-note{font-size:.7em}
@media print{.bptrace{max-width:none;padding:0;font-size:10pt}.bptrace .scroll,.bptrace .display,
.bptrace figure{overflow:visible}.bptrace tr,.bptrace .display,.bptrace figure{break-inside:avoid}
.bptrace h2,.bptrace h3{break-after:avoid}.bptrace td.value{color:#000}}
""".strip()


def parts(items, fmt: NumberFormat) -> str:
    """Text and formulas set inline (or a table's cell)."""
    return inline(items, escape, lambda node: f"<math>{spell(node, fmt)}</math>")


@singledispatch
def element(item, fmt: NumberFormat) -> str:
    raise TypeError(f"cannot write {type(item).__name__}")


@element.register
def _heading(item: flow.Heading, fmt: NumberFormat) -> str:
    return f"<h{item.level}>{parts(item.parts, fmt)}</h{item.level}>"


@element.register
def _para(item: flow.Para, fmt: NumberFormat) -> str:
    text = parts(item.parts, fmt)
    if item.style == "strong":
        return f"<p><strong>{text}</strong></p>"
    return f'<p class="note">{text}</p>' if item.style == "note" else f"<p>{text}</p>"


def _sign(sign: str) -> str:
    return f"<mo>{escape(sign)}</mo>" if sign else ""


@element.register
def _display(item: flow.Display, fmt: NumberFormat) -> str:
    note = f'<mspace width="1em"/><mtext>({escape(item.note)})</mtext>' if item.note else ""
    if not item.aligned:
        left, sign, right = item.rows[0]
        math = ("" if left is None else spell(left, fmt) + _sign(sign)) + spell(right, fmt) + note
    else:
        rows = []
        for left, sign, right in item.rows:
            first = "" if left is None else spell(left, fmt)
            rest = ('<mspace width="1em"/>' if sign == "+" else "") + _sign(sign) + spell(right, fmt)
            rows.append(f"<mtr>{cell(first, 'right')}{cell(rest, 'left')}</mtr>")
        math = f'<mtable columnalign="right left" displaystyle="true">{"".join(rows)}</mtable>{note}'
    tag = "" if item.tag is None else f'<span class="tag">({item.tag})</span>'
    return f'<div class="display"><math display="block">{math}</math>{tag}</div>'


CLASSES = {NUMBER: "number", VALUE: "value", FORMULA: "formula", ANSWER: "answer"}


@element.register
def _grid(item: flow.Grid, fmt: NumberFormat) -> str:
    kinds = [kind for _, kind in item.columns]
    head = "".join(f"<th>{parts(header, fmt)}</th>" for header, _ in item.columns)
    body = "".join("<tr>" + "".join(f'<td class="{CLASSES.get(kind, "label")}">{parts(value, fmt)}</td>'
                                    for value, kind in zip(row, kinds)) + "</tr>" for row in item.rows)
    caption = f"<caption>{escape(item.title)}</caption>" if item.title else ""
    note = f'<p class="note">{escape(item.note)}</p>' if item.note else ""
    return (f'<div class="scroll"><table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'
            f'{note}')


@element.register
def _page_break(item: flow.PageBreak, fmt: NumberFormat) -> str:
    return '<hr style="break-after:page;margin:3rem 0">'


@element.register
def _pairs(item: flow.Pairs, fmt: NumberFormat) -> str:
    return "<dl>" + "".join(f"<dt>{escape(name)}</dt><dd>{parts(value, fmt)}</dd>"
                            for name, value in item.rows) + "</dl>"


def _curve(losses, fmt: NumberFormat) -> str:
    return curve_svg(losses, fmt)


@element.register
def _picture(item: flow.Picture, fmt: NumberFormat) -> str:
    drawing = svg(item.figure, standalone=False) if item.figure is not None else _curve(item.curve, fmt)
    caption = f"<figcaption>{escape(item.caption)}</figcaption>" if item.caption else ""
    return f"<figure>{drawing}{caption}</figure>"


def write_flow(stream, items, fmt: NumberFormat, fragment: bool = False, title: str = "bptrace") -> None:
    """The page of the flow ``items`` (its numbers written by ``fmt``), ``title`` in the browser's tab."""
    style = f"<style>\n{STYLE}\n</style>\n"
    if not fragment:
        stream.write('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
                     '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                     f"<title>{escape(title)}</title>\n{style}</head>\n<body>\n")
    # A fragment carries its style inside it, every rule under .bptrace, so that it can be pasted anywhere.
    stream.write('<div class="bptrace">\n' + (style if fragment else ""))
    for item in items:
        stream.write(element(item, fmt) + "\n")
    stream.write("</div>\n")
    if not fragment:
        stream.write("</body>\n</html>\n")


def write_page(stream, page, rows: int, fragment: bool = False) -> None:
    """The document of ``page`` (a model.page.Page), tables cut to ``rows`` items (0: all)."""
    write_flow(stream, flow.elements(page, rows), page.document.fmt, fragment, page.document.header.title or "bptrace")
