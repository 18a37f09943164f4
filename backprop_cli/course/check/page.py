"""The answer sheet as one interactive HTML page: a field for every blank, marked in the browser as it is typed.

The page is self-contained: its style, its script (page.js) and its data inline, math as MathML, the figure
as inline SVG, and a Content-Security-Policy that lets nothing be fetched, so it works from ``file://``, a
static web space or a course platform's file upload. Every answer field is ``<input name="PATH">`` with the
sheet path of its blank (``forward.hid.p[0]``); the element showing its verdict has ``data-for="PATH"`` and
``data-verdict`` (correct, carried, wrong or blank); the student's name is ``<input name="student">``.

The marking's rules are bptrace's own: the page marks with ``bptrace check``'s marker of the config (its keys,
the hand chain ``bptrace run -r N`` prints for the sheet's rounding and the full-precision one, and that
rounding), each blank's recomputation and each known mistake's come from recipe.py (chain.py's functions,
recorded), and page.js compares as digits.py and marking.py do. ``feedback=False`` leaves the key and the
recomputations out: the page only collects the answers and saves them.
"""

from __future__ import annotations

import base64
import hashlib
import json
from html import escape
from importlib import resources
from typing import IO

from backprop_cli.course.check import key_trace, marker, sheet_document
from backprop_cli.course.check.layout import Slots, layout
from backprop_cli.course.check.recipe import recipes
from backprop_cli.course.check.report import place
from backprop_cli.course.check.sheet import Blank, Sheet
from backprop_cli.course.check.sheet_yaml import COMMENT_COLUMN, worksheet_yaml
from backprop_cli.engine.backprop import Iteration
from backprop_cli.model.figure_layout import network_figure
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.render import html
from backprop_cli.render.settings import Settings
from backprop_cli.render.svg import svg

STYLE = """
.sheet-top{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;position:sticky;top:0;background:#fff;
padding:.5rem 0;border-bottom:1px solid #ccc;z-index:1}
.sheet-top label{font-weight:bold}.sheet-top input{font:inherit;padding:.3rem;max-width:100%}
#score,#first-mistake{flex-basis:100%;margin:0}#first-mistake:empty{display:none}
button{font:inherit;padding:.35rem .9rem;cursor:pointer}
.blank{display:grid;grid-template-columns:minmax(8rem,14rem) minmax(6rem,10rem) minmax(7rem,1fr);
gap:.3rem .6rem;align-items:center;padding:.35rem 0;border-bottom:1px solid #eee}
.blank label{overflow-wrap:anywhere}
.blank input{font:inherit;padding:.3rem;width:100%;box-sizing:border-box;scroll-margin-top:8rem}
.blank input:focus,button:focus{outline:3px solid #f0a000;outline-offset:1px}
.blank details{grid-column:1/-1;font-size:.95em;overflow-x:auto}
.blank summary{cursor:pointer;color:#0b5394}
.verdict{font-weight:bold;white-space:nowrap}
.verdict[data-verdict=correct]{color:#1b6e20}.verdict[data-verdict=carried]{color:#0b5394}
.verdict[data-verdict=wrong]{color:#b00020}.verdict[data-verdict=blank]{color:#777;font-weight:normal}
.blank input[aria-invalid=true]{border:2px solid #b00020}
.mistake{grid-column:1/-1;margin:0;color:#b00020;font-size:.95em}.mistake:empty{display:none}
@media (max-width:34rem){.blank{grid-template-columns:1fr 1fr}.blank label{grid-column:1/-1}}
@media print{.sheet-top{position:static}button,.blank summary{display:none}}
""".strip()

# Nothing may be fetched: no script but the page's own (by its hash), no image, font, frame or connection.
POLICY = ("default-src 'none'; script-src '{script}'; style-src 'unsafe-inline'; img-src 'none'; "
          "base-uri 'none'; form-action 'none'")

def _leaves(node) -> list[Blank]:
    """The blanks of the sheet's layout in the order the YAML writes them."""
    if isinstance(node, Blank):
        return [node]
    children = node.values() if isinstance(node, dict) else node.items if isinstance(node, Slots) else ()
    return [blank for child in children for blank in _leaves(child)]


def yaml_template(sheet: Sheet, source: str) -> list:
    """The YAML sheet's lines, each blank's line as [text before its ~, its path, its comment]; the line of the
    student's name as [text before its ~, "student", its comment]."""
    blanks = iter(_leaves(layout(sheet)))
    lines: list = []
    for line in worksheet_yaml(sheet, source).splitlines():
        code, _, comment = line.partition("  # ")
        if line.startswith("student:"):  # the student's name, from the page's own field
            lines.append([code.rstrip()[:-1], "student", comment])
        elif not line.lstrip().startswith("#") and code.rstrip().endswith("~"):
            blank = next(blanks)
            lines.append([code.rstrip()[:-1], blank.where, comment])
        else:
            lines.append(line)
    return lines


def _field(n: int, blank: Blank, fmt: NumberFormat) -> str:
    path = escape(blank.where)
    return (f'<div class="blank"><label for="f{n}">{escape(blank.label)}</label>'
            f'<input id="f{n}" name="{path}" data-path="{path}" type="text" inputmode="decimal" autocomplete="off" '
            f'spellcheck="false" aria-describedby="v{n} note-f{n}">'
            f'<output id="v{n}" class="verdict" data-for="{path}" data-verdict="blank">· blank</output>'
            f'<p class="mistake" id="note-f{n}"></p>'
            f"<details><summary>formula</summary>{html.parts(blank.formula, fmt)}</details></div>")


def _sections(sheet: Sheet, fmt: NumberFormat) -> str:
    out, n = [], 0
    titles = iter(sheet.sample_titles)
    for section in sheet.sections:
        if section.step == "forward" and sheet.sample_titles:
            out.append(f"<h2>{escape(next(titles))}</h2>")
        level = 3 if sheet.sample_titles and section.blanks[0].quantity.sample is not None else 2
        out.append(f"<section><h{level}>{escape(section.title)}</h{level}>")
        for blank in section.blanks:
            out.append(_field(n, blank, fmt))
            n += 1
        out.append("</section>")
    return "\n".join(out)


def marking_data(sheet: Sheet) -> dict:
    """What the page's script marks with: the recomputations of ``bptrace check``'s marker of the sheet's config
    (recipe.py), and where each blank is, as the first-mistake line names it."""
    data = recipes(marker(sheet.config))
    blanks = [(section, blank) for section in sheet.sections for blank in section.blanks]
    for entry, (section, blank) in zip(data["blanks"], blanks, strict=True):
        entry["place"] = place(section, blank)
    return data


def _data(sheet: Sheet, source: str, feedback: bool) -> str:
    data = {"id": sheet.exercise, "column": COMMENT_COLUMN, "yaml": yaml_template(sheet, source),
            "marking": marking_data(sheet) if feedback else None}
    # In a <script> element only "</" can end it early; JSON allows it written as "<\/".
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def script() -> str:
    return resources.files("backprop_cli.course.check").joinpath("page.js").read_text(encoding="utf-8")


def page_html(sheet: Sheet, source: str, key: Iteration, feedback: bool = True) -> str:
    """The interactive page of ``sheet`` (the config read from ``source``, its key trace ``key``)."""
    c = sheet.config
    fmt = Settings.resolve(c).numbers
    code = script()
    digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
    policy = POLICY.format(script=f"sha256-{digest}")
    given = "".join(html.element(item, fmt) + "\n" for item in sheet_document.given(sheet))
    figure = svg(network_figure(c, key, fmt, given=True), standalone=False)
    ident = sheet.exercise
    how = ("Each answer is marked as you type: ✓ correct, ↷ carried (right from your own earlier answers), "
           "✗ wrong, · blank." if feedback else "Your answers are kept in this browser until you clear them.")
    title = sheet_document.title(sheet)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>\n{html.STYLE}\n{STYLE}\n</style>\n</head>\n<body>\n"
        f'<div class="bptrace">\n<h1>{escape(title)}</h1>\n'
        f'<p class="note">Exercise <code>{ident}</code>. Type a number into each field, to at least 2 decimals '
        f"or 2 significant digits (0.61 or 0,61); Tab or Enter moves on. {how} Save writes the sheet to hand in "
        f"(answers-{ident}.yaml), which <code>bptrace check {escape(source)} answers-{ident}.yaml</code> marks.</p>\n"
        '<div class="sheet-top"><label for="student">Name</label>'
        '<input id="student" name="student" type="text" autocomplete="name">'
        '<button type="button" id="save">Save</button><button type="button" id="clear">Clear</button>'
        '<p id="score" role="status"></p><p id="first-mistake"></p></div>\n'
        f"{given}<figure>{figure}</figure>\n{_sections(sheet, fmt)}\n</div>\n"
        f'<script type="application/json" id="bptrace-data">{_data(sheet, source, feedback)}</script>\n'
        f"<script>{code}</script>\n</body>\n</html>\n")


def writer(feedback: bool):
    """The writer of the interactive sheet (with or without the marking), as sheet_yaml.WRITERS holds them."""
    def write(stream: IO[str], sheet: Sheet, source: str) -> None:
        stream.write(page_html(sheet, source, key_trace(sheet.config), feedback))
    return write
