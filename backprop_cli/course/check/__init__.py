"""Answer sheets and the marking of a person's own hand calculation.

    from backprop_cli.config.read import load_config
    from backprop_cli.course.check import worksheet, check_files

    config = load_config("configs/handout.yaml")
    sheet = worksheet(config)               # the blanks, in sections, with labels and formulas
    sheet, [marking] = check_files(config, ["answers.yaml"])
    marking.score.percent, [(m.blank.where, m.verdict, m.diagnosis) for m in marking.marks]

The key is the first update of the config as ``bptrace run`` computes it for the sheet's rounding (the
config's hand rounding, or ``hand_rounding`` given here), and in full precision: a hand-rounded answer is
judged by the digits it was written with and the sheet's.
"""

from __future__ import annotations

from collections.abc import Iterable

from backprop_cli.course.check.answers import read_answers
from backprop_cli.course.check.marking import Marker
from backprop_cli.course.check.sheet import build_sheet
from backprop_cli.engine.backprop import Iteration, trace
from backprop_cli.engine.network import Config


def key_trace(config: Config) -> Iteration:
    """The first update of ``config`` in full precision: the key of its answer sheet."""
    return next(trace(config, hand_rounding=None))


def sheet_rounding(config: Config, hand_rounding: int | None = None) -> int | None:
    """The N of hand rounding the sheet asks for: ``hand_rounding``, else the config's (None: none)."""
    return config.hand_rounding if hand_rounding is None else hand_rounding


def hand_trace(config: Config, hand_rounding: int | None = None) -> Iteration | None:
    """The first update as ``bptrace run -r N`` computes it for the sheet's rounding N; None without one."""
    n = sheet_rounding(config, hand_rounding)
    return None if n is None else next(trace(config, hand_rounding=n))


def marker(config: Config, hand_rounding: int | None = None) -> Marker:
    """The marker of ``config``'s answer sheets, on the sheet's rounding."""
    key = key_trace(config)
    return Marker(worksheet(config, key), key, hand_trace(config, hand_rounding), sheet_rounding(config, hand_rounding))


def worksheet(config: Config, key: Iteration | None = None):
    """The answer sheet of ``config`` (a ``Sheet``: sections of blanks)."""
    return build_sheet(config, key or key_trace(config))


def check_files(config: Config, sources: Iterable[str], hand_rounding: int | None = None) -> tuple:
    """The sheet of ``config`` and every answer file in ``sources`` marked against it (a ``Marking`` each), on
    the sheet's rounding (``hand_rounding``, else the config's). A file that does not fit the sheet raises
    ConfigError before any is marked."""
    marks = marker(config, hand_rounding)
    answers = [(source, read_answers(source, marks.sheet)) for source in sources]
    return marks.sheet, [marks.mark(given, "<stdin>" if source == "-" else source) for source, given in answers]
