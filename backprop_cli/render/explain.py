"""The explanations of ``--explain`` (``model.explain``) as rich panels, printed before each phase."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.constrain import Constrain
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from backprop_cli.engine.backprop import Iteration
from backprop_cli.engine.network import Config
from backprop_cli.model.document import Section
from backprop_cli.model.explain import Explanation, explain
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.render.unicode import spell
from backprop_cli.render.wrap import Wrapped

WIDTH = 100  # paragraphs wider than this are hard to read, however wide the terminal


def render(phase: str, text: Explanation, fmt: NumberFormat) -> RenderableType:
    """One explanation as a panel: formulas, the reason, the example chain and its factors, the notes."""
    parts: list[RenderableType] = [Wrapped(spell(formula, fmt), style="bold") for formula in text.formulas]
    if text.source:
        parts.append(Text(f"({text.source})", style="dim"))
    parts += [Text(""), Text(text.reason)]
    if text.chain:
        # Padding rather than leading spaces, so that a long chain wraps under itself, its continuation
        # lines indented further.
        parts += [Text(""), Text(text.example), Padding(Wrapped(spell(text.chain, fmt), style="italic"), (0, 0, 0, 2))]
    if text.factors or text.notes or text.warnings:
        points = Table.grid(padding=(0, 1))
        points.add_column(no_wrap=True)
        points.add_column(overflow="fold")
        for factor in text.factors:
            points.add_row("   ·", factor)
        for note in text.notes:
            points.add_row("   •", note)
        for warning in text.warnings:
            points.add_row("   !", warning, style="yellow")
        parts.append(points)
    panel = Panel(Group(*parts), title=Text(f"Why: {phase}"), title_align="left", box=box.ROUNDED,
                  border_style="dim")
    return Constrain(panel, WIDTH)


def explanation(config: Config, it: Iteration, phase: Section, fmt: NumberFormat) -> list[RenderableType]:
    """The renderables printed before ``phase``: its explanation panel, or nothing for a step it does not know."""
    text = explain(config, it, phase, fmt)
    return [] if text is None else [render(phase.name, text, fmt)]
