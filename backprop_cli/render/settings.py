"""The settings of a run, resolved once at the edge (the command line or the Python API): what is given there
wins over the config's ``display`` section, which wins over the defaults. Every writer reads them from here."""

from __future__ import annotations

from dataclasses import dataclass

from backprop_cli.engine.network import Config
from backprop_cli.engine.rounding import Rounding
from backprop_cli.errors import EXACT_AND_HAND, BptraceError
from backprop_cli.model.numbers import NumberFormat

ROWS = 16  # rows of a table before a note saying how many were left out


@dataclass(frozen=True)
class Settings:
    """How a run is computed and shown: the rounding it computes with, the decimals of the tables, the rows
    shown per table (0: all) and the width of the terminal tables (None: the terminal's, or 100)."""

    rounding: Rounding = Rounding()
    precision: int = 4
    rows: int = ROWS
    width: int | None = None

    @classmethod
    def resolve(cls, config: Config, *, precision: int | None = None, hand_rounding: int | Rounding | None = None,
                exact: bool = False, rows: int | None = None, width: int | None = None) -> Settings:
        """The settings for ``config``: each given value, else the config's (``display.precision``,
        ``display.hand_rounding``), else the default. ``exact`` computes in full precision whatever the config
        asks; it contradicts a given ``hand_rounding``."""
        if isinstance(hand_rounding, Rounding):
            if exact and not hand_rounding.exact:
                raise BptraceError("exact=True and a hand rounding contradict each other; give one of them")
            rounding = hand_rounding
        else:
            if exact and hand_rounding is not None:
                raise BptraceError(EXACT_AND_HAND)
            if hand_rounding is not None and (isinstance(hand_rounding, bool) or not isinstance(hand_rounding, int)
                                              or not 1 <= hand_rounding <= 15):
                raise BptraceError(f"hand_rounding: expected a whole number from 1 to 15 (decimals), a Rounding or "
                                   f"None (the config's), got {hand_rounding!r}")
            rounding = Rounding(None if exact else config.hand_rounding if hand_rounding is None else hand_rounding)
        return cls(rounding, config.precision if precision is None else precision, ROWS if rows is None else rows,
                   width)

    @property
    def numbers(self) -> NumberFormat:
        """How the numbers of the run are written."""
        return NumberFormat(self.precision, self.rounding)
