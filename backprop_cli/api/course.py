"""The course commands as functions: ``worksheet``, ``check``, ``exercise``, ``gradcheck`` and ``figure``.

Each is the command's own code (cli/course.py, cli/tools.py) writing into a string, and returns data that a
notebook displays as the command shows it: the printed sheet, the table of verdicts, the gradient check's
table, the picture.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Mapping, Sequence
from html import escape

import yaml

from backprop_cli.api.running import ConfigLike
from backprop_cli.cli.course import write_check, write_sheet
from backprop_cli.cli.tools import write_figure, write_gradcheck
from backprop_cli.config.loader import parse_yaml
from backprop_cli.config.read import config_from_data, load_config
from backprop_cli.course.check import worksheet as sheet_of
from backprop_cli.course.check.classroom import ClassMarks, Exercises, mark_class, single_config
from backprop_cli.course.check.sheet_document import write_document
from backprop_cli.course.exercise.files import file_name
from backprop_cli.course.exercise.make import generate
from backprop_cli.course.exercise.options import parse_options, random_seed
from backprop_cli.engine.gradcheck import gradcheck as _gradcheck
from backprop_cli.engine.network import Config
from backprop_cli.engine.rounding import Rounding
from backprop_cli.errors import BptraceError
from backprop_cli.render.settings import Settings

ANSWERS = "<answers>"  # the name of answers given as a dict (a file's name is its path)


def _read(config: ConfigLike) -> tuple[Config, str]:
    """The config and the name the commands give it: its path as given, or a Config's source."""
    if isinstance(config, Config):
        return config, config.source
    return load_config(os.fspath(config)), os.fspath(config)


def _written(write) -> str:
    out = io.StringIO()
    write(out)
    return out.getvalue()


def _table_html(write) -> str:
    """A table of the terminal (rich, in colour) as HTML: the same text, the same colours."""
    from rich.console import Console
    from rich.text import Text

    text = Text.from_ansi(_written(lambda out: write(out, True)))
    console = Console(record=True, file=io.StringIO(), force_jupyter=False,
                      width=max(map(len, text.plain.splitlines() or [""])) + 1)
    console.print(text)
    return console.export_html(inline_styles=True, code_format='<pre style="font-family:ui-monospace,Menlo,'
                                                               'Consolas,monospace;line-height:1.3">{code}</pre>')


class Worksheet(dict):
    """An answer sheet as a dict (``None`` for every blank), to fill in and hand to ``check``; displays as
    the printed sheet, or with ``interactive`` as the browser page that marks as it is typed. ``to_yaml``,
    ``to_markdown``, ``to_latex`` and ``to_html`` return what ``bptrace worksheet --format …`` writes,
    ``to_page`` what ``bptrace worksheet --interactive`` writes."""

    def __init__(self, config: Config, source: str, interactive: bool = False, feedback: bool = True) -> None:
        self.config, self.source = config, source
        self.interactive, self.feedback = interactive, feedback
        super().__init__(yaml.safe_load(self.to_yaml()))

    def write(self, form: str) -> str:
        return _written(lambda out: write_sheet(out, self.config, self.source, form))

    def to_yaml(self) -> str:
        return self.write("yaml")

    def to_markdown(self) -> str:
        return self.write("markdown")

    def to_latex(self) -> str:
        return self.write("latex")

    def to_html(self) -> str:
        return self.write("html")

    def to_page(self, feedback: bool | None = None) -> str:
        """The self-contained browser page of ``bptrace worksheet --interactive`` (``feedback=False``: of
        ``--no-feedback``; default: the worksheet's own)."""
        feedback = self.feedback if feedback is None else feedback
        return _written(lambda out: write_sheet(out, self.config, self.source, "html", True, feedback))

    def _repr_html_(self) -> str:
        if self.interactive:  # the page in a frame of its own: its script and its policy stay its own
            return (f'<iframe srcdoc="{escape(self.to_page(), quote=True)}" title="answer sheet" '
                    'style="width:100%;height:40rem;border:1px solid #ccc"></iframe>')
        return _written(lambda out: write_document("html", out, sheet_of(self.config), self.source, fragment=True))


def worksheet(config: ConfigLike, interactive: bool = False, feedback: bool = True) -> Worksheet:
    """The answer sheet of ``config``: a dict with a ``None`` for every number of one backpropagation step.
    With ``interactive`` it displays as the browser page of ``bptrace worksheet --interactive``, marked as the
    student types (``feedback=False``: a page that only collects the answers).

    Examples:
        >>> sheet = worksheet("configs/handout.yaml")
        >>> sheet["forward"]["hid"]["p"]
        [None, None]
        >>> sheet["forward"]["hid"]["p"] = [0.61, -0.64]     # then: check("configs/handout.yaml", sheet)
    """
    return Worksheet(*_read(config), interactive, feedback)


class _Marked:
    """Marked sheets as ``bptrace check`` writes them: ``to_json``, ``to_text`` (the table) and ``to_csv``."""

    marks: ClassMarks
    exercises: Exercises

    def write(self, form: str, color: bool = False) -> str:
        return _written(lambda out: write_check(out, self.marks, self.exercises, form, color=color))

    def to_json(self) -> str:
        return self.write("json")

    def to_text(self) -> str:
        return self.write("table")

    def to_csv(self) -> str:
        return self.write("csv")

    def _repr_html_(self) -> str:
        return _table_html(lambda out, color: write_check(out, self.marks, self.exercises, "table", color=color))


class MarkedSheet(dict, _Marked):
    """One marked sheet: the bptrace/check-v2 document (``score``, ``answers`` with their verdicts and
    diagnoses); displays as the table of ``bptrace check``."""


class MarkedSheets(list, _Marked):
    """Several marked sheets: a list of bptrace/check-v2 documents; displays as the table of ``bptrace check``."""


def _plain(value):
    """Answers as YAML can write them: arrays as lists, numpy numbers as Python numbers."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value.tolist() if hasattr(value, "tolist") else value


def check(config: ConfigLike, answers: Mapping | str | os.PathLike | Sequence[str | os.PathLike],
          hand_rounding: int | None = None) -> MarkedSheet | MarkedSheets:
    """Mark ``answers`` (a filled ``worksheet`` dict, the path of a YAML sheet, or a list of paths) against
    ``config``, with error carried forward: what ``bptrace check CONFIG ANSWERS --format json`` writes (one
    document, or a list for several files), displayed as its table. ``hand_rounding`` is the N the sheet asks
    for, as ``check -r N`` (default: the config's).

    Examples:
        >>> sheet = worksheet("configs/handout.yaml")
        >>> sheet["forward"]["hid"]["p"] = [0.61, -0.64]
        >>> marked = check("configs/handout.yaml", sheet)
        >>> [answer["verdict"] for answer in marked["answers"][:3]]
        ['correct', 'correct', 'blank']
    """
    net, source = _read(config)
    texts = {}
    if isinstance(answers, Mapping):
        sources = [ANSWERS]
        texts[ANSWERS] = yaml.safe_dump(_plain(answers), sort_keys=False, allow_unicode=True)
    elif isinstance(answers, str | os.PathLike):
        sources = [os.fspath(answers)]
    else:
        sources = [os.fspath(path) for path in answers]
        if not sources:
            raise BptraceError("check: no answers given; expected a dict, a path or a list of paths")
    exercises = single_config(source, net, hand_rounding)
    marks = mark_class(exercises, sources, texts, strict=True)
    data = json.loads(_written(lambda out: write_check(out, marks, exercises, "json")))
    marked = MarkedSheet(data) if isinstance(data, dict) else MarkedSheets(data)
    marked.marks, marked.exercises = marks, exercises
    return marked


def exercise(seed: str | None = None, *, shape: str = "2-2-2", activations: str | None = None, loss: str = "sse",
             bias: str = "none", decimals: int = 2) -> Config:
    """A fresh exercise to work by hand, as ``bptrace exercise --seed SEED --shape …`` writes it (the same
    seed and options give the same numbers); ``seed=None`` draws a random one.

    Examples:
        >>> ex = exercise(seed="20231234", shape="2-3-2")
        >>> [layer.weights.shape for layer in ex.layers], ex.hand_rounding
        ([(3, 2), (2, 3)], 2)
    """
    made = generate(parse_options(shape, activations, loss, bias, decimals), random_seed() if seed is None else seed)
    source = f"{file_name(made.seed)}.yaml"
    return config_from_data(parse_yaml(made.text, source).data, source=source)


class GradientCheck(dict):
    """The gradient check as ``bptrace gradcheck --format json`` writes it (bptrace/gradcheck-v1: a row per
    parameter in ``parameters``, the verdict in ``agree``); displays as its table."""

    def __init__(self, result, rows: int) -> None:
        self.result, self.rows = result, rows
        super().__init__(json.loads(self.to_json()))

    def to_json(self) -> str:
        return _written(lambda out: write_gradcheck(out, self.result, "json"))

    def to_text(self) -> str:
        return _written(lambda out: write_gradcheck(out, self.result, "table", self.rows, color=False))

    def _repr_html_(self) -> str:
        return _table_html(lambda out, color: write_gradcheck(out, self.result, "table", self.rows, color=color))


def gradcheck(config: ConfigLike, eps: float = 1e-6, *, rows: int = 0) -> GradientCheck:
    """Compare every ∂J/∂Θ and ∂J/∂b of the first update with the central difference of J, in full precision,
    as ``bptrace gradcheck`` does (``rows``: rows of its table, 0 all).

    Examples:
        >>> gradcheck("configs/handout.yaml")["agree"]
        True
    """
    if isinstance(eps, bool) or not isinstance(eps, float | int) or not 0 < eps <= 1:
        raise BptraceError(f"eps: expected a number with 0 < eps <= 1, got {eps!r}")
    return GradientCheck(_gradcheck(_read(config)[0], float(eps)), rows)


class Drawing(str):
    """The figure's text (SVG or TikZ); an SVG displays as the picture."""

    form = "svg"

    def _repr_svg_(self) -> str | None:
        return str(self) if self.form == "svg" else None


def figure(config: ConfigLike, format: str = "svg", *, after: bool = False, fragment: bool = False,
           precision: int | None = None, hand_rounding: int | Rounding | None = None,
           exact: bool = False) -> Drawing:
    """The network with its numbers as the handout draws it, as ``bptrace figure --format FORMAT`` writes it:
    ``svg`` (displays as the picture) or ``tikz``; ``after`` labels the edges with the updated weights.

    Examples:
        >>> figure("configs/handout.yaml").startswith("<?xml")
        True
    """
    if format not in ("svg", "tikz"):
        raise BptraceError(f"format: expected 'svg' or 'tikz', got {format!r}")
    net = _read(config)[0]
    fmt = Settings.resolve(net, precision=precision, hand_rounding=hand_rounding, exact=exact).numbers
    drawing = Drawing(_written(lambda out: write_figure(out, net, fmt, format, after=after, fragment=fragment)))
    drawing.form = format
    return drawing
