"""Marking a class: many answer sheets, each against the exercise its id names.

The exercises are one config (``bptrace check CONFIG SHEETS...``) or an exercise set, the folder
``bptrace exercise --variants/--seeds`` wrote (or its index): every config in it, by its ``id``. Sheets are
files or folders of them (their ``.yaml`` and ``.yml`` files). A sheet that cannot be marked — it names no
exercise of the set or another one than the CONFIG given, or it is a bad file (an en dash for a minus, a
list where a number belongs) — is skipped with one line saying why, and the rest of the class is marked.

    from backprop_cli.course.check.classroom import exercise_set, mark_class
    marks = mark_class(exercise_set("class/"), ["sheets/"])
    [(m.filled.student, m.target.id, m.marking.score.percent) for m in marks.marked], marks.skipped
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from backprop_cli.config.loader import parse_yaml, read_text
from backprop_cli.config.read import config_from_data
from backprop_cli.course.check import marker
from backprop_cli.course.check.answers import Filled, read_filled
from backprop_cli.course.check.marking import Marker, Marking
from backprop_cli.course.check.sheet import Sheet
from backprop_cli.course.identity import config_id
from backprop_cli.engine.network import Config
from backprop_cli.errors import BptraceError, ConfigError

SHEET_SUFFIXES = (".yaml", ".yml")
LISTED_IDS = 3  # a message lists this many of the ids it expected, and counts the rest


@dataclass(frozen=True)
class Target:
    """One exercise a sheet can be marked against."""

    id: str
    source: str  # the config's file, as given or found in the set's folder
    config: Config


@dataclass
class Exercises:
    """The exercises of a class by id. ``single``: one CONFIG was given, so a sheet that names no exercise
    (one made before sheets had ids) is marked against it."""

    targets: dict[str, Target]
    where: str  # the set's folder or the config, for messages
    single: bool = False
    hand_rounding: int | None = None  # the sheet's rounding, where the command line gives it
    _made: dict[str, tuple[Sheet, Marker]] = field(default_factory=dict)

    def expected(self) -> str:
        ids = list(self.targets)
        if self.single:
            return f"the id of {self.where}, {ids[0]}"
        shown = ", ".join(ids[:LISTED_IDS]) + (", …" if len(ids) > LISTED_IDS else "")
        return f"one of the {len(ids)} ids of {self.where} ({shown})" if len(ids) > 1 else f"{shown} of {self.where}"

    def target(self, exercise: str | None, name: str) -> Target:
        if exercise is None and self.single:
            return next(iter(self.targets.values()))
        if exercise is None:
            raise ConfigError(f"the sheet names no exercise; expected {self.expected()} (bptrace worksheet writes "
                              "it as the sheet's first key)", path="exercise", source=name)
        if exercise not in self.targets:
            raise ConfigError(f"the sheet is for exercise {exercise}; expected {self.expected()}", path="exercise",
                              source=name)
        return self.targets[exercise]

    def made(self, target: Target) -> tuple[Sheet, Marker]:
        """The sheet and the marker of ``target``, made when a sheet first needs them."""
        if target.id not in self._made:
            made = marker(target.config, self.hand_rounding)
            self._made[target.id] = (made.sheet, made)
        return self._made[target.id]

    def sheet_for(self, exercise: str | None, name: str) -> Sheet:
        return self.made(self.target(exercise, name))[0]


@dataclass(frozen=True)
class Marked:
    """One sheet of the class, marked."""

    filled: Filled
    target: Target
    marking: Marking


@dataclass(frozen=True)
class ClassMarks:
    marked: list[Marked]
    skipped: list[tuple[str, str]]  # per sheet not marked: its file, and one line saying why
    notes: list[str]  # keys of a sheet that were ignored

    def by_student(self) -> list[Marked]:
        """The marked sheets by student (as written, ignoring case), sheets without a name last, then by file."""
        return sorted(self.marked, key=lambda m: (m.filled.student is None, (m.filled.student or "").casefold(),
                                                  m.filled.source))


def single_config(source: str, config: Config, hand_rounding: int | None = None) -> Exercises:
    """The exercises of ``bptrace check CONFIG``: that one."""
    ident = config_id(config)
    return Exercises({ident: Target(ident, source, config)}, source, single=True, hand_rounding=hand_rounding)


def is_set(path: str) -> bool:
    """Whether ``path`` names an exercise set: a folder, or its index (index.md, index.html, ...)."""
    return os.path.isdir(path) or Path(path).stem == "index"


def exercise_set(path: str, hand_rounding: int | None = None) -> Exercises:
    """Every config of the set at ``path`` (its folder, or its index) by its id. Files of the folder that are
    no config (no ``layers``) are passed over; a config that is invalid is an error."""
    folder = Path(path) if os.path.isdir(path) else Path(path).parent
    if not folder.is_dir():
        raise BptraceError(f"{path}: no such folder; expected the folder of an exercise set (or its index)")
    targets: dict[str, Target] = {}
    for file in sorted(p for p in folder.iterdir() if p.suffix in SHEET_SUFFIXES and p.is_file()):
        text, name = read_text(str(file))
        data = parse_yaml(text, name).data
        if not isinstance(data, dict) or "layers" not in data:
            continue
        config = config_from_data(data, source=name)
        ident = config_id(config)
        if ident in targets:
            raise BptraceError(f"{name}: the id {ident} is also the id of {targets[ident].source}; each exercise of a "
                               "set needs its own")
        targets[ident] = Target(ident, name, config)
    if not targets:
        raise BptraceError(f"{path}: no exercise config in {folder}; expected a folder that bptrace exercise "
                           "--variants or --seeds wrote")
    return Exercises(targets, str(folder) + os.sep, hand_rounding=hand_rounding)


def sheet_files(paths: Iterable[str]) -> list[str]:
    """The answer files: each path that is a file (or ``-``), and the .yaml and .yml files of each folder."""
    files: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            files += sorted(str(p) for p in Path(path).iterdir() if p.suffix in SHEET_SUFFIXES and p.is_file())
        else:
            files.append(path)
    return files


def mark_class(exercises: Exercises, paths: Iterable[str], texts: Mapping[str, str] | None = None,
               strict: bool = False) -> ClassMarks:
    """Every sheet of ``paths`` marked against the exercise it names; a sheet that cannot be, skipped (with
    ``strict``, its error raised). ``texts`` holds the YAML text of sheets that are no file, by name."""
    marked: list[Marked] = []
    skipped: list[tuple[str, str]] = []
    notes: list[str] = []
    for path in sheet_files(paths):
        try:
            filled = read_filled(path, exercises.sheet_for, (texts or {}).get(path))
        except BptraceError as error:
            if strict:
                raise
            skipped.append((getattr(error, "source", None) or path, str(error)))
            continue
        notes += filled.notes
        target = exercises.target(filled.exercise, filled.source)
        marking = exercises.made(target)[1].mark(filled.answers, filled.source)
        marked.append(Marked(filled, target, marking))
    return ClassMarks(marked, skipped, notes)
