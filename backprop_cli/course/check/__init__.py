"""Answer sheets and the marking of a person's own hand calculation.

    from backprop_cli.config.read import load_config
    from backprop_cli.course.check import worksheet, check_files

    config = load_config("configs/handout.yaml")
    sheet = worksheet(config)               # the blanks, in sections, with labels and formulas
    sheet, [marking] = check_files(config, ["answers.yaml"])
    marking.score.percent, [(m.blank.where, m.verdict, m.diagnosis) for m in marking.marks]

The key is the first update of the config computed in full precision by the engine, whatever hand
rounding the config asks for: a hand-rounded answer is judged by the digits it was written with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from backprop_cli.course.check.answers import read_answers
from backprop_cli.course.check.marking import Marker
from backprop_cli.course.check.sheet import build_sheet
from backprop_cli.engine.backprop import Iteration, trace
from backprop_cli.engine.network import Config


def key_trace(config: Config) -> Iteration:
    """The first update of ``config`` in full precision: the key of its answer sheet."""
    return next(trace(config, hand_rounding=None))


def worksheet(config: Config, key: Iteration | None = None):
    """The answer sheet of ``config`` (a ``Sheet``: sections of blanks)."""
    return build_sheet(config, key or key_trace(config))


def check_files(config: Config, sources: Iterable[str], texts: Mapping[str, str] | None = None) -> tuple:
    """The sheet of ``config`` and every answer file in ``sources`` marked against it (a ``Marking`` each).
    ``texts`` holds the YAML text of sources that are no file, by name. A file that does not fit the sheet
    raises ConfigError before any is marked."""
    key = key_trace(config)
    sheet = worksheet(config, key)
    answers = [(source, read_answers(source, sheet, (texts or {}).get(source))) for source in sources]
    marker = Marker(sheet, key)
    return sheet, [marker.mark(given, "<stdin>" if source == "-" else source) for source, given in answers]
