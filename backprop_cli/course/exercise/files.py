"""Writing exercises: one to a file or standard output, or a set to a folder with an index.

A set is one exercise per seed: seeds derived from ``--seed`` and the number of the variant
(``--variants N``: course-2027-01, course-2027-02, ...), or the lines of a class list (``--seeds FILE``,
a student number per line). Every exercise of a set is generated before the first file is written, so a
set that cannot be made writes nothing. Each variant of a set is its config (NAME.yaml), its blank worksheet
(NAME-worksheet.md) and its worked solution (NAME-solution.md, what ``bptrace run NAME.yaml`` writes), in the
document format ``--format`` names; ``write_variant`` writes everything that belongs to one variant. In LaTeX
and HTML the set also has the whole class in two documents: every worksheet (class-worksheets.tex) and a
compact answer key (class-answers.tex).
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

from backprop_cli.config.loader import parse_yaml, read_text
from backprop_cli.config.read import config_from_data
from backprop_cli.course.check import worksheet
from backprop_cli.course.check.page import writer as page_writer
from backprop_cli.course.check.sheet_yaml import WRITERS
from backprop_cli.course.exercise.documents import answer_key, class_worksheets
from backprop_cli.course.exercise.make import Exercise, generate
from backprop_cli.course.exercise.options import (
    ExerciseOptions,
    check_seed,
    random_seed,
)
from backprop_cli.engine.network import Config
from backprop_cli.errors import BptraceError
from backprop_cli.output import atomic_file, destination
from backprop_cli.render.documents import write_solution

INDEX = "index.md"
SPARE_SEEDS = 100  # derived seeds tried beyond N when some give an exercise already in the set


@dataclass(frozen=True)
class Variant:
    """One exercise of a set and the name its files take."""

    name: str
    exercise: Exercise


DOCUMENT_EXTENSIONS = {"markdown": ".md", "latex": ".tex", "html": ".html"}  # of a set's worksheets and solutions
CLASS_FORMS = ("latex", "html")  # the formats in which a set has its class documents (to print)
CLASS_DOCUMENTS = (("class-worksheets", class_worksheets), ("class-answers", answer_key))


def exercise_command(options: ExerciseOptions, *, seed: str | None, variants: int | None, seeds_file: str | None,
                     output: str | None, form: str | None = None, sheets: str | None = None) -> str | None:
    """What ``bptrace exercise`` does with its options read: write one exercise, or a set to a folder whose
    worksheets and solutions are documents of ``form`` (markdown by default); ``sheets`` "interactive" or
    "no-feedback" makes each worksheet the page to fill in the browser. Returns a note for standard error, if
    any."""
    if variants is not None and seeds_file is not None:
        raise BptraceError("--variants and --seeds both say which exercises to write; give one of them")
    if seeds_file is not None and seed is not None:
        raise BptraceError("--seeds takes every seed from its file; it cannot be combined with --seed")
    if seed is not None:
        check_seed(seed)
    if variants is None and seeds_file is None:
        if form is not None:
            raise BptraceError("--format chooses the documents of a set (--variants or --seeds); one exercise is "
                               "a config: bptrace worksheet and bptrace run write its documents")
        exercise = generate(options, random_seed() if seed is None else seed)
        with destination(output) as stream:
            stream.write(exercise.text)
        if output in (None, "-"):
            return None
        return f"wrote {output} (seed {exercise.seed!r}); next: bptrace run {shlex.quote(output)}"
    flag = "--seeds" if seeds_file is not None else "--variants"
    if output in (None, "-"):
        raise BptraceError(f"{flag} writes a folder of files: name it with -o DIR")
    _check_folder(output)
    if seeds_file is not None:
        made = listed_variants(options, seeds_file)
        command = set_command(options, output, seeds_file=seeds_file, form=form, sheets=sheets)
    else:
        assert variants is not None  # --variants, as --seeds is not given
        base = random_seed() if seed is None else seed
        made = derived_variants(options, base, variants)
        command = set_command(options, output, variants=variants, seed=base, form=form, sheets=sheets)
    write_set(output, made, command, form or "markdown", sheets)
    return (f"wrote {len(made)} exercise{'s' if len(made) != 1 else ''} and {os.path.join(output, INDEX)}; "
            f"next: bptrace run {shlex.quote(os.path.join(output, made[0].name + '.yaml'))}")


def file_name(seed: str) -> str:
    """A file name (without extension) from a seed: letters, digits, '.', '_' and '-'; others become '-'."""
    kept = "".join(c if c.isalnum() or c in "._-" else "-" for c in seed)
    name = "-".join(part for part in kept.split("-") if part).lstrip(".")
    return name or "exercise"


def derived_variants(options: ExerciseOptions, base: str, count: int) -> list[Variant]:
    """``count`` different exercises from the seeds base-01, base-02, ...; a seed whose exercise is
    already in the set is passed over."""
    width = max(2, len(str(count)))
    found: list[Variant] = []
    for number in range(1, count + SPARE_SEEDS + 1):
        seed = f"{base}-{number:0{width}d}"
        exercise = generate(options, seed)
        if not any(exercise.same_work(v.exercise) for v in found):
            found.append(Variant(file_name(seed), exercise))
            if len(found) == count:
                return found
    raise BptraceError(f"--variants {count}: only {len(found)} different exercises among {count + SPARE_SEEDS} "
                       "seeds; these options leave too few (try more --decimals or a larger --shape)")


def read_seeds(path: str) -> list[tuple[int, str]]:
    """The seeds of a class list with their line numbers: one per line; blank lines and # comments skipped."""
    text, name = read_text(path)
    seeds: list[tuple[int, str]] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        seed = line.strip()
        if not seed or seed.startswith("#"):
            continue
        check_seed(seed, where=f"{name}:{number}")
        if seed in first_line:
            raise BptraceError(f"{name}:{number}: the seed {seed!r} is also on line {first_line[seed]}; "
                               "each exercise needs its own seed")
        first_line[seed] = number
        seeds.append((number, seed))
    if not seeds:
        raise BptraceError(f"{name}: expected one seed per line (e.g. a student number), found none")
    return seeds


def listed_variants(options: ExerciseOptions, path: str) -> list[Variant]:
    """One exercise per seed of the class list at ``path``; two that are equal, or that would share a file
    name, are an error naming both lines."""
    found: list[tuple[int, Variant]] = []
    for number, seed in read_seeds(path):
        variant = Variant(file_name(seed), generate(options, seed))
        for other_number, other in found:
            if other.name == variant.name:
                raise BptraceError(f"{path}:{number}: the seed {seed!r} gives the file name {variant.name}.yaml, "
                                   f"as line {other_number} does; make the seeds differ in letters or digits")
            if other.exercise.same_work(variant.exercise):
                raise BptraceError(f"{path}:{number}: the seed {seed!r} gives the same exercise as line "
                                   f"{other_number}; change one of them, or use more --decimals or a larger --shape")
        found.append((number, variant))
    return [variant for _, variant in found]


SHEET_WRITERS = {"interactive": page_writer(True), "no-feedback": page_writer(False)}


def variant_files(variant: Variant, form: str, sheets: str | None = None) -> list[tuple[str, str]]:
    """The files of one variant as (name, text): its config, its blank worksheet and its worked solution, the
    documents in ``form`` as ``bptrace worksheet`` and ``bptrace run`` write them for the config (the worksheet
    the interactive page where ``sheets`` names one of SHEET_WRITERS)."""

    source = f"{variant.name}.yaml"
    config = variant_config(variant)
    sheet, solution = StringIO(), StringIO()
    (SHEET_WRITERS[sheets] if sheets else WRITERS[form])(sheet, worksheet(config), source)
    write_solution(solution, config, form)
    extension = DOCUMENT_EXTENSIONS[form]
    return [(source, variant.exercise.text), (f"{variant.name}-worksheet{extension}", sheet.getvalue()),
            (f"{variant.name}-solution{extension}", solution.getvalue())]


def variant_config(variant: Variant) -> Config:
    """The config of ``variant`` as its file reads."""
    source = f"{variant.name}.yaml"
    return config_from_data(parse_yaml(variant.exercise.text, source).data, source=source)


def class_files(variants: list[Variant], form: str) -> list[tuple[str, str]]:
    """The documents of the whole class as (name, text): every worksheet, and the answer key."""
    if form not in CLASS_FORMS:
        return []
    configs = [(f"{variant.name}.yaml", variant_config(variant)) for variant in variants]
    files = []
    for name, write in CLASS_DOCUMENTS:
        text = StringIO()
        write(text, form, configs)
        files.append((f"{name}{DOCUMENT_EXTENSIONS[form]}", text.getvalue()))
    return files


def write_variant(folder: Path, files: list[tuple[str, str]]) -> list[str]:
    """Write the files of one variant (``variant_files``) into ``folder``, each atomically; their names, for
    the index."""
    for name, text in files:
        with atomic_file(str(folder / name)) as stream:
            stream.write(text)
    return [name for name, _ in files]


def _check_folder(folder: str) -> None:
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise BptraceError(f"{folder}: is a file; -o with --variants or --seeds names a folder to write into")


def write_set(folder: str, variants: list[Variant], command: str, form: str = "markdown",
              sheets: str | None = None) -> None:
    """Write every variant into ``folder`` (made if missing), then the index that lists them. Every file is
    made before the first is written."""
    _check_folder(folder)
    made = [(variant_files(variant, form, sheets), variant.exercise) for variant in variants]
    together = class_files(variants, form)
    path = Path(folder)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BptraceError(f"{folder}: cannot make the folder: {error.strerror or error}") from None
    rows = [(write_variant(path, files), exercise) for files, exercise in made]
    write_variant(path, together)
    with atomic_file(str(path / INDEX)) as stream:
        stream.write(index_text(rows, command, [name for name, _ in together]))


def _cell(text: str) -> str:
    """Text in a Markdown table cell: ASCII punctuation escaped, so a seed shows as typed."""
    return "".join(f"\\{c}" if c.isascii() and not c.isalnum() and c not in " .-" else c for c in text)


def index_text(rows: list[tuple[list[str], Exercise]], command: str, together: list[str] | None = None) -> str:
    """The index of a set: how it was made, the documents of the whole class, then a table of each variant's
    files (config, worksheet, solution), id, seed and shape."""
    lines = [
        "# Exercises",
        "",
        f"{len(rows)} exercise{'s' if len(rows) != 1 else ''} made with `{command}`.",
        "Each exercise begins with the command that makes it again on its own; its worksheet has a blank for "
        "every number of the step, to print, and its solution is what `bptrace run` writes for it.",
        "Mark the filled YAML sheets of the class against this folder: `bptrace check FOLDER SHEETS...`; each "
        "sheet names its exercise by its id.",
    ]
    if together:
        worksheets, key = together
        lines.append(f"Every worksheet in one document to print: [{worksheets}]({worksheets}); the answer key: "
                     f"[{key}]({key}).")
    lines += [
        "",
        "| exercise | worksheet | solution | id | seed | shape |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for files, exercise in rows:
        links = " | ".join(f"[{_cell(name)}]({name})" for name in files)
        lines.append(f"| {links} | {exercise.id} | {_cell(exercise.seed)} | {exercise.options.shape_text} |")
    return "\n".join(lines) + "\n"


def set_command(options: ExerciseOptions, output: str, *, variants: int | None = None, seed: str | None = None,
                seeds_file: str | None = None, form: str | None = None, sheets: str | None = None) -> str:
    """The command line that writes the set again."""
    if seeds_file:
        source = f"--seeds {shlex.quote(seeds_file)}"
    else:
        assert seed is not None  # --variants come with the seed they are derived from
        source = f"--variants {variants} --seed {shlex.quote(seed)}"
    documents = f" --format {form}" if form else ""
    documents += {"interactive": " --interactive", "no-feedback": " --interactive --no-feedback"}.get(sheets or "", "")
    return f"bptrace exercise {source} {options.flags}{documents} -o {shlex.quote(output)}"
