"""The course commands: answer sheets to fill by hand, marking them, and fresh exercises for a class."""

from __future__ import annotations

import os
import sys
from typing import IO

import click

from backprop_cli.cli.base import (
    Failure,
    format_from_extension,
    say,
)
from backprop_cli.cli.formats import DOCUMENTS, EXTENSIONS
from backprop_cli.cli.reading import load_user_config, waiting_for
from backprop_cli.course.check import worksheet as sheet_of
from backprop_cli.course.check.classroom import (
    ClassMarks,
    Exercises,
    exercise_set,
    is_set,
    mark_class,
    sheet_files,
    single_config,
)
from backprop_cli.course.check.page import writer as page_writer
from backprop_cli.course.check.report import REPORTS
from backprop_cli.course.check.sheet_yaml import WRITERS, refuse_large, write_yaml
from backprop_cli.course.exercise.files import exercise_command
from backprop_cli.course.exercise.options import (
    BIAS_MODES,
    MAX_DECIMALS,
    MAX_VARIANTS,
    parse_options,
)
from backprop_cli.engine.network import Config
from backprop_cli.environment import JSON, TEXT, escaping
from backprop_cli.errors import ExitStatus
from backprop_cli.output import destination

SHEET_FORMATS = ("yaml", "markdown", "latex", "html")  # of 'worksheet'
CHECK_FORMATS = ("table", "json", "csv")  # of 'check'


@click.command(short_help="Write a blank answer sheet for CONFIG, to work by hand.")
@click.argument("config", metavar="CONFIG")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Write to this file instead of standard output (refuses to overwrite without --force).")
@click.option("--format", "-f", "fmt", type=click.Choice(SHEET_FORMATS), default=None,
              help="yaml (default): a ~ for every quantity, with a comment saying what it is and its formula; "
                   "markdown, latex, html: the same blanks as empty cells to print and fill by hand "
                   "[default: from the extension of -o (.yaml, .md, .tex, .html), else yaml].")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@click.option("--interactive", is_flag=True,
              help="An HTML page to fill in the browser: every answer marked as it is typed (with error carried "
                   "forward), kept across a reload, and saved as the YAML sheet to hand in.")
@click.option("--no-feedback", is_flag=True,
              help="With --interactive: a page that only collects the answers (nothing of the key in it).")
def worksheet(config: str, output: str | None, fmt: str | None, force: bool, interactive: bool,
              no_feedback: bool) -> None:
    """Write the answer sheet of CONFIG: a blank for every number of one backpropagation step.

    \b
    Examples:
      bptrace worksheet configs/handout.yaml -o answers.yaml  # fill in, then:
      bptrace check configs/handout.yaml answers.yaml
      bptrace worksheet configs/handout.yaml -o sheet.tex  # to print
      bptrace worksheet configs/handout.yaml --interactive -o sheet.html
    """
    extensions = {".yaml": "yaml", ".yml": "yaml", **{e: f for e, f in EXTENSIONS.items() if f in DOCUMENTS}}
    fmt = format_from_extension(fmt, output, extensions, "html" if interactive else "yaml")
    interactive_form(fmt, interactive, no_feedback)
    net = load_user_config(config)
    if output not in (None, "-") and os.path.exists(output) and not force:
        raise Failure(f"{output}: the file exists (a filled-in sheet, perhaps); use --force to overwrite it")
    with destination(output, force=force, exclusive=not force, reads={config: "the config"}) as stream:
        write_sheet(stream, net, config, fmt, interactive, not no_feedback, output)
    if output not in (None, "-"):
        next_step = (f"fill in the ~, then: bptrace check {config} {output}" if fmt == "yaml"
                     else "open it in a browser, fill it in and save it" if interactive
                     else "print it and fill it in")
        say(f"wrote {output}; {next_step}")


def interactive_form(fmt: str | None, interactive: bool, no_feedback: bool) -> None:
    """--interactive makes an HTML page; --no-feedback only changes what it holds."""
    if no_feedback and not interactive:
        raise Failure("--no-feedback changes the page --interactive writes; add --interactive")
    if interactive and fmt not in (None, "html"):
        raise Failure(f"--interactive writes an HTML page; it cannot be {fmt} (use -o FILE.html or --format html)")


@click.command(short_help="Mark filled answer sheets, each against its exercise, with error carried forward.")
@click.argument("config", metavar="CONFIG|SET")
@click.argument("answers", nargs=-1, required=True, metavar="SHEETS...")
@click.option("--format", "-f", "fmt", type=click.Choice(CHECK_FORMATS), default="table", show_default=True,
              help="table: every answer by step; json: bptrace/check-v2 (a set: one bptrace/class-v1 document); "
                   "csv: one row per sheet (a set: the gradebook, sorted by student).")
@click.option("--fail-under", type=click.FloatRange(0, 100), default=None, metavar="P",
              help="Exit with 3 when a sheet scores below P percent.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Write to this file (atomically: a failed run leaves no half-written file).")
@click.option("--hand-rounding", "-r", type=click.IntRange(1, 15), default=None, metavar="N",
              help="The sheet asks for hand rounding to N, as 'bptrace run -r N' prints it [default: the config's].")
@click.option("--color/--no-color", default=None, help="Colour [default: on a terminal only; NO_COLOR is honoured].")
def check(config: str, answers: tuple[str, ...], fmt: str, fail_under: float | None, output: str | None,
          hand_rounding: int | None, color: bool | None) -> None:
    """Mark the answer sheets SHEETS (files from 'bptrace worksheet', or folders of them) against CONFIG, or
    each against the exercise its id names in SET (the folder of 'bptrace exercise --variants/--seeds', or
    its index).

    Every answer is correct (the key that 'bptrace run' prints for the sheet's rounding, or the value in full
    precision, at the digits written or the sheet's; or what a hand calculation rounding to those digits
    gets), carried (right from your own earlier answers), wrong (with the mistake, where it is sure) or
    blank. Numbers may have a decimal comma (0,61); trailing zeros never make a right number wrong. A sheet
    that cannot be marked (a bad file, or one for another exercise) is named on stderr and skipped; the
    others are marked, and the exit code is then 2.

    \b
    Examples:
      bptrace check configs/handout.yaml answers.yaml
      bptrace check class/ sheets/ -f csv -o grades.csv  # a class
      bptrace check configs/handout.yaml answers.yaml --format json | jq .score
      bptrace check configs/handout.yaml answers.yaml --fail-under 80
      bptrace check configs/deep.yaml answers.yaml -r 3  # as 'run -r 3' works
    """
    if "-" in answers and (config == "-" or answers.count("-") > 1):
        raise Failure("standard input can be read once: give '-' for one file only")
    exercises = (exercise_set(config, hand_rounding) if is_set(config)
                 else single_config(config, load_user_config(config), hand_rounding))
    if "-" in answers:
        waiting_for("-", "the answers")
    marks = mark_class(exercises, answers)
    for note in marks.notes:
        say(f"bptrace: note: {note}")
    if marks.skipped and not marks.marked and len(marks.skipped) == 1:
        raise Failure(marks.skipped[0][1])  # the one sheet given is a bad file
    for _, reason in marks.skipped:
        say(f"bptrace: not marked: {reason}")
    if marks.marked:
        reads = {config: "the config", **{name: "an answer sheet being marked" for name in sheet_files(answers)}}
        with destination(output, reads=reads) as stream:
            write_check(stream, marks, exercises, fmt, color=color if output is None else False,
                        pretty=output is None and sys.stdout.isatty())
    if marks.skipped:
        raise click.exceptions.Exit(ExitStatus.USAGE)  # after the others were written
    markings = [m.marking for m in marks.marked]
    below = [m.source for m in markings if fail_under is not None and m.score.percent < fail_under]
    if below:
        names = below[0] if len(below) == 1 else f"{len(below)} of {len(markings)} sheets"
        say(f"bptrace: {names} scored below {fail_under:g} %")
        raise click.exceptions.Exit(ExitStatus.CHECK_FAILED)


def write_sheet(stream: IO[str], config: Config, source: str, fmt: str, interactive: bool = False,
                feedback: bool = True, target: str | None = None) -> None:
    """The answer sheet of ``config`` (read from ``source``) as ``bptrace worksheet --format FMT`` writes it;
    ``interactive``: the browser page of ``--interactive`` (``feedback=False``: of ``--no-feedback``).
    The YAML sheet, and the page that saves it, are refused for a network whose sheet bptrace check could
    not read back."""
    if interactive or fmt == "yaml":
        refuse_large(config, source, None if interactive else target)  # a page is not the sheet it saves
    if interactive:
        page_writer(feedback)(stream, sheet_of(config), source)
    elif fmt == "yaml":
        write_yaml(escaping(stream, TEXT), sheet_of(config), source, target)
    else:
        WRITERS[fmt](stream, sheet_of(config), source)


def write_check(stream: IO[str], marks: ClassMarks, exercises: Exercises, fmt: str, *, color: bool | None = None,
                pretty: bool = False) -> None:
    """The marked sheets as ``bptrace check --format FMT`` writes them."""
    forms = {"json": JSON, "csv": TEXT}  # the table's console makes its text printable itself
    REPORTS[fmt](escaping(stream, forms[fmt]) if fmt in forms else stream, marks, exercises, color=color,
                 pretty=pretty)


@click.command(short_help="Write a fresh exercise to work by hand (or one per student).")
@click.option("--shape", default="2-2-2", show_default=True, help="Layer widths joined by '-', input first.")
@click.option("--activations", default=None, metavar="LIST",
              help="One per layer, comma-separated [default: relu in hidden layers; the output sigmoid, "
                   "or softmax for cross_entropy].")
@click.option("--loss", default="sse", show_default=True,
              help="sse, half_sse, mse, cross_entropy (softmax output, y one-hot) or bce (sigmoid output, y 0 or 1).")
@click.option("--bias", type=click.Choice(BIAS_MODES), default="none", show_default=True,
              help="No biases, one per neuron, or one shared by each layer.")
@click.option("--decimals", type=click.IntRange(1, MAX_DECIMALS), default=2, show_default=True,
              help="Decimals of the weights, and the hand rounding of the exercise.")
@click.option("--seed", default=None, help="Any text, e.g. a student number: the same seed gives the same file "
                                           "[default: a random seed, written into the file].")
@click.option("--variants", type=click.IntRange(1, MAX_VARIANTS), default=None, metavar="N",
              help="Write N different exercises (seeds SEED-01, SEED-02, ...) and an index into the folder -o DIR.")
@click.option("--seeds", "seeds_file", default=None, metavar="FILE",
              help="Write one exercise per line of FILE (its seed, e.g. a student number) into the folder -o DIR.")
@click.option("--output", "-o", default=None,
              help="The file to write (atomically) [default: standard output]; with --variants or --seeds, a folder.")
@click.option("--format", "-f", "fmt", type=click.Choice(SHEET_FORMATS[1:]), default=None,
              help="With --variants or --seeds: the format of each exercise's worksheet and solution "
                   "[default: markdown].")
@click.option("--interactive", is_flag=True,
              help="With --format html: each worksheet a page to fill in the browser, marked as it is typed.")
@click.option("--no-feedback", is_flag=True,
              help="With --interactive: pages that only collect the answers (nothing of the key in them).")
def exercise(shape: str, activations: str | None, loss: str, bias: str, decimals: int, seed: str | None,
             variants: int | None, seeds_file: str | None, output: str | None, fmt: str | None,
             interactive: bool, no_feedback: bool) -> None:
    """Write a fresh config that a person can work by hand: weights with --decimals decimals in [-1, 1],
    inputs with one decimal, every ReLU p clear of the kink, an inactive ReLU neuron, no saturated sigmoid,
    no gradient that rounds to 0 except through an inactive neuron. The same seed gives the same file.

    \b
    Examples:
      bptrace exercise --seed 20231234 -o ex.yaml && bptrace run ex.yaml
      bptrace exercise --shape 2-3-3 --loss cross_entropy --bias neuron
      bptrace exercise --variants 30 --seed course-2027 -o class/  # 30 of them
      bptrace exercise --seeds students.txt -o class/   # one per student
    """
    interactive_form(fmt, interactive, no_feedback)
    if interactive and fmt is None:
        raise Failure("--interactive writes each worksheet as an HTML page: add --format html")
    options = parse_options(shape, activations, loss, bias, decimals)
    sheets = ("interactive" if not no_feedback else "no-feedback") if interactive else None
    note = exercise_command(options, seed=seed, variants=variants, seeds_file=seeds_file, output=output, form=fmt,
                            sheets=sheets)
    if note:
        say(note)
