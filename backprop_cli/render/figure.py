"""The handout's network figure: inputs and layers left to right, every edge labelled with its weight,
p, z and (bold blue) ∂J/∂z below each neuron (∂J/∂p in a softmax layer), as SVG or TikZ.

For a document that embeds the figure::

    figure = network_figure(config, iteration, NumberFormat(precision, Rounding(hand_rounding)))
    svg(figure, standalone=False)       # an <svg> element for HTML or Markdown
    tikz_picture(figure)                # a tikzpicture for LaTeX (\\usepackage{tikz})

``figure_text`` does all of it for a config, as ``bptrace figure`` does. The steps are separate modules:
model/figure.py decides what is shown, model/figure_layout.py where it goes, svg.py and tikz.py spell it.
"""

from __future__ import annotations

from backprop_cli.engine.backprop import trace
from backprop_cli.model.figure_layout import Figure, network_figure
from backprop_cli.render.svg import svg
from backprop_cli.render.tikz import tikz_document, tikz_picture

__all__ = ["FORMATS", "Figure", "figure_text", "network_figure", "svg", "tikz_document", "tikz_picture"]

FORMATS = {".svg": "svg", ".tex": "tikz"}  # the output formats by file extension


def figure_text(config, fmt, *, form: str = "svg", after: bool = False, fragment: bool = False) -> str:
    """The figure of the first update of ``config`` as text: ``form`` "svg" or "tikz"; a file of its own,
    or with ``fragment`` the <svg> element alone (no XML declaration) or the tikzpicture alone."""
    figure = network_figure(config, next(iter(trace(config, hand_rounding=fmt.rounding))), fmt, after=after)
    if form == "svg":
        return svg(figure, standalone=not fragment)
    return tikz_picture(figure) if fragment else tikz_document(figure)
