"""The document formats (LaTeX, Markdown, HTML) by name: each spells a flow of elements (``flow.py``), and a
run's page; and the worked solution of a config as ``bptrace run CONFIG --format FORM`` writes it."""

from __future__ import annotations

from types import ModuleType
from typing import IO

from backprop_cli.engine.backprop import trace
from backprop_cli.engine.finite import finite
from backprop_cli.engine.network import Config
from backprop_cli.model.page import page
from backprop_cli.render.settings import ROWS, Settings


def writer(form: str) -> ModuleType:
    """The module of the document format ``form`` (latex, markdown, html), loaded when a document of that format
    is written. Each has ``write_flow(stream, items, fmt, fragment, title)``, which spells any flow (a run's
    page, a printed worksheet), and ``write_page(stream, page, rows, fragment)``, which writes a run's page."""
    if form == "latex":
        from backprop_cli.render import latex

        return latex
    if form == "markdown":
        from backprop_cli.render import markdown

        return markdown
    if form == "html":
        from backprop_cli.render import html

        return html
    raise ValueError(f"no document format {form!r}")


def write_solution(stream: IO[str], config: Config, form: str) -> None:
    """The document ``bptrace run CONFIG --format FORM`` writes (latex, markdown, html), with the config's own
    precision and hand rounding and the default options: the first update, as the handout lays it out."""
    it = next(iter(finite(config, trace(config, hand_rounding=config.hand_rounding))))
    writer(form).write_page(stream, page(config, it, Settings.resolve(config).numbers), ROWS)
