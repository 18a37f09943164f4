"""The document formats (LaTeX, Markdown, HTML) by name: each spells a flow of elements (``flow.py``), and a
run's page; and the worked solution of a config as ``bptrace run CONFIG --format FORM`` writes it."""

from __future__ import annotations

from typing import IO

from backprop_cli.engine.backprop import trace
from backprop_cli.engine.finite import finite
from backprop_cli.engine.network import Config
from backprop_cli.model.page import page
from backprop_cli.render import html, latex, markdown
from backprop_cli.render.settings import Settings

# write_flow(stream, items, fmt, fragment, title) of each format: any flow (a run's page, a printed worksheet).
FLOW_WRITERS = {"latex": latex.write_flow, "markdown": markdown.write_flow, "html": html.write_flow}
# The writer of a run's page: (stream, page, rows, fragment).
PAGE_WRITERS = {"latex": latex.write_latex, "markdown": markdown.write_markdown, "html": html.write_html}


def write_solution(stream: IO[str], config: Config, form: str) -> None:
    """The document ``bptrace run CONFIG --format FORM`` writes (latex, markdown, html), with the config's own
    precision and hand rounding and the default options: the first update, as the handout lays it out."""
    it = next(iter(finite(config, trace(config, hand_rounding=config.hand_rounding))))
    PAGE_WRITERS[form](stream, page(config, it, Settings.resolve(config).numbers), 16)
