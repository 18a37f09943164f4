"""The command line: a thin click layer that parses, calls ``runner`` (or the config, the templates, the
schemas) and writes; the run itself is orchestrated in ``runner.py``.

Domain errors become one-line messages with exit code 2 here, at the edge. Heavy modules (numpy,
PyYAML, rich) are imported inside the commands that need them, so start-up stays quick.
"""

from __future__ import annotations

import os
import sys

import click

from backprop_cli._version import __version__
from backprop_cli.errors import BptraceError, ExitStatus
from backprop_cli.exercise_options import BIAS_MODES, MAX_DECIMALS, MAX_VARIANTS

FORMATS = ("table", "json", "jsonl", "latex", "markdown", "html")
SHEET_FORMATS = ("yaml",)  # of 'worksheet'
CHECK_FORMATS = ("table", "json", "csv")  # of 'check'


def _debug() -> bool:
    return os.environ.get("BPTRACE_DEBUG", "") not in ("", "0")


class Failure(click.ClickException):
    """A message for the user on stderr, with the exit code it carries."""

    def __init__(self, message: str, exit_code: int = ExitStatus.USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:  # noqa: D102 - click's hook
        click.echo(f"bptrace: error: {self.message}", err=True)


class Group(click.Group):
    """Turns every exception into a message and an exit code, for every command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as error:  # a bad option of bptrace itself, before any command runs
            raise Failure(f"{error.format_message()} — see 'bptrace --help'") from None

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.UsageError as error:  # a bad option of a command: one line, like every other error
            command = f" {error.ctx.info_name}" if error.ctx is not None and error.ctx is not ctx else ""
            raise Failure(f"{error.format_message()} — see 'bptrace{command} --help'") from None
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except BptraceError as error:
            message = str(error)
            others = getattr(error, "others", [])
            if others:
                message += f"\n  (and {len(others)} more; 'bptrace validate' lists them all)"
            raise Failure(message, error.exit_status) from None
        except KeyboardInterrupt:
            click.echo("bptrace: interrupted", err=True)
            raise click.exceptions.Exit(ExitStatus.INTERRUPTED) from None
        except BrokenPipeError:
            raise
        except Exception as error:  # a bug: say so in one line, the traceback only on request
            debugging = _debug() or bool(ctx.obj and ctx.obj.get("debug"))
            if debugging:
                import traceback  # only here: it pulls in linecache, tokenize and textwrap

                traceback.print_exc()
            hint = "" if debugging else " (BPTRACE_DEBUG=1 shows the traceback)"
            raise Failure(f"unexpected {type(error).__name__}: {error}{hint}",
                          ExitStatus.FAILURE) from None


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", "-V", prog_name="bptrace", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, help="Show the Python traceback of an unexpected error.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Trace one backpropagation step of a small neural network, laid out like a course handout.

    \b
    Example:
      bptrace init handout -o net.yaml     # a starter config
      bptrace run net.yaml                 # forward pass, Steps 1-5, as tables
      bptrace run net.yaml --format json | jq '.iterations[0].loss'
    """
    ctx.obj = {"debug": debug}


@cli.command(short_help="Trace one backpropagation step (or a training run) of CONFIG.")
@click.argument("config", metavar="CONFIG")
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default=None,
              help="table: the handout's layout; json: one trace-v1 document; jsonl: one iteration per line; latex, "
                   "markdown, html: the worked example as a document [default: from the extension of --output "
                   "(.txt .json .jsonl .tex .md .html), else table].")
@click.option("--precision", "-p", type=click.IntRange(0, 15), default=None,
              help="Decimals shown in tables [default: the config's display.precision, else 4].")
@click.option("--hand-rounding", "-r", type=click.IntRange(1, 15), default=None, metavar="N",
              help="Compute as by hand: round every result to N decimals (N significant digits where that keeps "
                   "more), and go on with the rounded value.")
@click.option("--exact", is_flag=True, help="Ignore the config's hand rounding: full precision throughout.")
@click.option("--rows", type=click.IntRange(0), default=16, show_default=True,
              help="Rows shown per table before a note; 0 shows all.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Write to this file (atomically: a failed run leaves no half-written file).")
@click.option("--color/--no-color", default=None, help="Colour [default: on a terminal only; NO_COLOR is honoured].")
@click.option("--step", "-i", is_flag=True,
              help="Interactive: pause after each phase (n/Enter: next, b: back, a: all, q: quit). Keys are single "
                   "presses on a terminal, one per line from a pipe; with CONFIG '-' they are read from /dev/tty.")
@click.option("--explain", is_flag=True,
              help="Before each step, its general formula, why it holds (the chain rule) and an example weight.")
@click.option("--epochs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Passes over the samples [default: the config's epochs, else 1].")
@click.option("--show", type=click.IntRange(min=1), default=None, metavar="N",
              help="Tables: trace update N in full instead of the first (then the loss per epoch follows).")
@click.option("--save-updated", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Write the network after the last update to FILE as a config that runs as is (atomically; "
                   "never over CONFIG, nor over an existing file without --force).")
@click.option("--force", is_flag=True, help="Let --save-updated overwrite an existing file.")
@click.option("--fragment", is_flag=True,
              help="latex, markdown, html: the body only, to \\input into a LaTeX document or paste into a page.")
def run(config: str, fmt: str | None, precision: int | None, hand_rounding: int | None, exact: bool, rows: int,
        output: str | None, color: bool | None, step: bool, explain: bool, epochs: int | None, show: int | None,
        save_updated: str | None, force: bool, fragment: bool) -> None:
    """Trace the forward pass and Steps 1-5 of backpropagation for CONFIG ('-' reads standard input).

    \b
    Examples:
      bptrace run configs/handout.yaml                  # as the handout, rounded by hand
      bptrace run configs/handout.yaml --exact          # full precision
      bptrace run configs/handout.yaml --step --explain # one phase per key press, with the why
      bptrace run configs/handout.yaml --format json | jq '.iterations[0].layers[1].new_weights'
      bptrace run configs/xor.yaml --epochs 5000 --save-updated trained.yaml  # loss curve, then save
      bptrace run configs/xor.yaml --format jsonl | jq -c .loss               # one line per update
      bptrace run configs/handout.yaml -o handout.tex --explain  # a LaTeX document: pdflatex handout.tex
      bptrace run configs/handout.yaml --format markdown        # Markdown with $…$ math
    """
    from backprop_cli.runner import DOCUMENTS, EXTENSIONS

    fmt = _run_format(fmt, output, EXTENSIONS)
    _check_exact(exact, hand_rounding)
    for flag, given, allowed in (("--step", step, ("table",)), ("--explain", explain, ("table", *DOCUMENTS))):
        if given and fmt not in allowed:
            raise Failure(f"{flag} works on the tables{' and documents' if len(allowed) > 1 else ''}; it cannot "
                          f"be combined with --format {fmt}")
    if step and output is not None:
        raise Failure("--step shows the trace on the terminal; it cannot be combined with --output "
                      "(use '| tee FILE' to keep a copy)")
    if show is not None and fmt not in ("table", *DOCUMENTS):
        raise Failure(f"--show picks the update the tables trace; --format {fmt} holds every update")
    if fragment and fmt not in DOCUMENTS:
        raise Failure(f"--fragment is for the documents (latex, markdown, html), not --format {fmt}")
    from backprop_cli.config import load_config
    from backprop_cli.environment import Environment
    from backprop_cli.runner import RunOptions, execute, prepare

    net = load_config(config)
    if save_updated is not None:
        from backprop_cli.training import check_save_target

        check_save_target(save_updated, config, output, force)
    precision, hand_rounding = _rounding(net, precision, hand_rounding, exact)
    options = RunOptions(
        format=fmt,
        precision=precision,
        hand_rounding=hand_rounding,
        rows=rows,
        color=color,
        output=output,
        step=step,
        explain=explain,
        stdin_config=config == "-",
        epochs=epochs,
        show=show or 1,
        save_updated=save_updated,
        fragment=fragment,
    )
    job = prepare(net, options)
    updates = job.plan.updates
    if options.show > updates:
        raise Failure(f"--show {options.show}: the run has only {updates:,} "
                      f"update{'s' if updates != 1 else ''}: {job.plan.describe()}")
    execute(job, Environment.from_process())
    if save_updated is not None:
        click.echo(f"wrote {save_updated} (the network after {updates:,} update{'s' if updates != 1 else ''}); "
                   f"next: bptrace run {save_updated}", err=True)


def _run_format(fmt: str | None, output: str | None, extensions: dict[str, str]) -> str:
    """--format, or the format the extension of --output names (table without either); an extension that
    contradicts --format, or that names no format when --format is not given, is a usage error."""
    if output in (None, "-"):
        return fmt or "table"
    extension = os.path.splitext(output)[1].lower()
    implied = extensions.get(extension)
    if fmt is not None and implied not in (None, fmt):
        raise Failure(f"--format {fmt} contradicts the extension of {output}, which means {implied}")
    if fmt is None and extension and implied is None:
        raise Failure(f"{output}: cannot tell the format from the extension '{extension}'; use "
                      f"{', '.join(extensions)}, or give --format")
    return fmt or implied or "table"


def _check_exact(exact: bool, hand_rounding: int | None) -> None:
    if exact and hand_rounding is not None:
        raise Failure("--exact and --hand-rounding contradict each other; give one of them")


def _rounding(net, precision: int | None, hand_rounding: int | None, exact: bool) -> tuple[int, int | None]:
    """--precision, --hand-rounding and --exact resolved against the config's display defaults."""
    return (net.precision if precision is None else precision,
            None if exact else (net.hand_rounding if hand_rounding is None else hand_rounding))


@cli.command(short_help="Draw the network with its numbers, as SVG or TikZ.")
@click.argument("config", metavar="CONFIG")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Write to FILE.svg (SVG) or FILE.tex (TikZ), atomically [default: SVG on standard output].")
@click.option("--format", "-f", "form", type=click.Choice(("svg", "tikz")), default=None,
              help="svg or tikz [default: from the extension of --output, else svg].")
@click.option("--after", is_flag=True, help="Label the edges with the weights after the update.")
@click.option("--fragment", is_flag=True,
              help="Only the <svg> element (for HTML) or the tikzpicture (to \\input into a LaTeX document).")
def figure(config: str, output: str | None, form: str | None, after: bool, fragment: bool, precision: int | None,
           hand_rounding: int | None, exact: bool) -> None:
    """Draw the network of CONFIG as the handout's figure: inputs and layers left to right, every edge
    labelled with its weight, and below each neuron p, z and, in bold blue, ∂J/∂z of the first update.

    \b
    Examples:
      bptrace figure configs/handout.yaml -o handout.svg          # open it in a browser
      bptrace figure configs/handout.yaml -o handout.tex --after  # TikZ: pdflatex handout.tex
      bptrace figure configs/deep.yaml -f tikz --fragment > net.tex   # \\input{net} in your document
    """
    from backprop_cli.figure import FORMATS, figure_text

    _check_exact(exact, hand_rounding)
    if output not in (None, "-"):
        extension = os.path.splitext(output)[1].lower()
        implied = FORMATS.get(extension)
        if implied is None and form is None:
            raise Failure(f"{output}: cannot tell the format from the extension '{extension or '(none)'}'; "
                          "use .svg or .tex, or give --format svg|tikz")
        if implied is not None and form not in (None, implied):
            raise Failure(f"--format {form} contradicts the extension of {output}, which means {implied}")
        form = form or implied
    from backprop_cli.config import load_config
    from backprop_cli.output import destination
    from backprop_cli.handout.numbers import NumberFormat

    net = load_config(config)
    fmt = NumberFormat(*_rounding(net, precision, hand_rounding, exact))
    with destination(output) as stream:
        stream.write(figure_text(net, fmt, form=form or "svg", after=after, fragment=fragment))


# The rounding options are run's own, so that both commands say and do the same.
figure.params += [param for param in run.params if param.name in ("precision", "hand_rounding", "exact")]


def _finite(value: float, option: str) -> float:
    """Refuse nan, which click's FloatRange lets through: every comparison with nan is false, so no bound stops it."""
    if value != value:
        raise click.BadParameter(f"{value} is not in the range 0<x<=1.", param_hint=f"'{option}'")
    return value


@cli.command(short_help="Check backpropagation's gradients of CONFIG against central differences.")
@click.argument("config", metavar="CONFIG")
@click.option("--eps", type=click.FloatRange(0, 1, min_open=True), default=1e-6, show_default=True,
              callback=lambda ctx, param, value: _finite(value, "--eps"),
              help="The nudge ε of each parameter: (J(Θ+ε) − J(Θ−ε)) / 2ε.")
@click.option("--format", "-f", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True,
              help="table: a row per parameter with a verdict; json: one bptrace/gradcheck-v1 document.")
@click.option("--rows", type=click.IntRange(0), default=0, show_default=True,
              help="Rows of the table before a note; 0 shows every parameter.")
def gradcheck(config: str, eps: float, fmt: str, rows: int) -> None:
    """Compare every ∂J/∂Θ and ∂J/∂b of the first update of CONFIG with the central difference of J.

    Full precision always. Exit code 0 when all agree, 3 when any does not; a warning names each ReLU
    neuron at its kink, where the derivative does not exist and the two may rightly differ.

    \b
    Examples:
      bptrace gradcheck configs/handout.yaml
      bptrace gradcheck configs/deep.yaml --eps 1e-5 --format json | jq .agree
    """
    from backprop_cli.config import load_config
    from backprop_cli.gradcheck import gradcheck as check

    result = check(load_config(config), eps)
    if fmt == "json":
        from backprop_cli.render.gradcheck import write_json

        write_json(sys.stdout, result, pretty=sys.stdout.isatty())
    else:
        from backprop_cli.render.gradcheck import write_table

        write_table(sys.stdout, result, rows)
    if not result.agree:
        raise click.exceptions.Exit(ExitStatus.CHECK_FAILED)


@cli.command(short_help="Check CONFIG: a summary of the network, or every error.")
@click.argument("config", metavar="CONFIG")
def validate(config: str) -> None:
    """Check CONFIG and print a summary of the network, or every error found.

    \b
    Example:
      bptrace validate configs/handout.yaml
    """
    from backprop_cli.config import load_config

    try:
        net = load_config(config)
    except BptraceError as error:
        errors = [error, *getattr(error, "others", [])]
        for each in errors:
            click.echo(f"bptrace: error: {each}", err=True)
        if len(errors) > 1:
            click.echo(f"bptrace: {len(errors)} errors", err=True)
        raise click.exceptions.Exit(ExitStatus.USAGE) from None
    from backprop_cli.summary import summary

    click.echo(summary(net))


@cli.command(short_help="Write a starter config from a template.")
@click.argument("template", required=False, default="handout", metavar="[TEMPLATE]")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Write to this file instead of standard output (refuses to overwrite without --force).")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@click.option("--list", "list_", is_flag=True, help="List the templates.")
def init(template: str, output: str | None, force: bool, list_: bool) -> None:
    """Write a starter config from TEMPLATE (default: handout).

    \b
    Examples:
      bptrace init --list
      bptrace init mazur -o mazur.yaml && bptrace run mazur.yaml
    """
    from backprop_cli.templates_io import read_template, template_names

    names = template_names()
    if list_:
        for name in names:
            click.echo(name)
        return
    if template not in names:
        raise Failure(f"unknown template '{template}'; expected one of: {', '.join(names)}")
    text = read_template(template)
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    if os.path.exists(output) and not force:
        raise Failure(f"{output}: the file exists; use --force to overwrite it")
    from backprop_cli.output import atomic_file

    with atomic_file(output) as stream:
        stream.write(text)
    click.echo(f"wrote {output} (template '{template}'); next: bptrace run {output}", err=True)


@cli.command(short_help="Write a blank answer sheet for CONFIG, to work by hand.")
@click.argument("config", metavar="CONFIG")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Write to this file instead of standard output (refuses to overwrite without --force).")
@click.option("--format", "-f", "fmt", type=click.Choice(SHEET_FORMATS), default="yaml", show_default=True,
              help="yaml: a ~ for every quantity, with a comment saying what it is and its formula.")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
def worksheet(config: str, output: str | None, fmt: str, force: bool) -> None:
    """Write the answer sheet of CONFIG: a blank for every number of one backpropagation step.

    \b
    Examples:
      bptrace worksheet configs/handout.yaml -o answers.yaml   # fill in the ~, then:
      bptrace check configs/handout.yaml answers.yaml
    """
    from backprop_cli.check import worksheet as sheet_of
    from backprop_cli.check.sheet_yaml import WRITERS
    from backprop_cli.config import load_config
    from backprop_cli.output import destination

    net = load_config(config)
    if output not in (None, "-") and os.path.exists(output) and not force:
        raise Failure(f"{output}: the file exists (a filled-in sheet, perhaps); use --force to overwrite it")
    with destination(output) as stream:
        WRITERS[fmt](stream, sheet_of(net), config)
    if output not in (None, "-"):
        click.echo(f"wrote {output}; fill in the ~, then: bptrace check {config} {output}", err=True)


@cli.command(short_help="Mark filled answer sheets of CONFIG, with error carried forward.")
@click.argument("config", metavar="CONFIG")
@click.argument("answers", nargs=-1, required=True, metavar="ANSWERS...")
@click.option("--format", "-f", "fmt", type=click.Choice(CHECK_FORMATS), default="table", show_default=True,
              help="table: every answer by step; json: bptrace/check-v1; csv: one row per answers file.")
@click.option("--fail-under", type=click.FloatRange(0, 100), default=None, metavar="P",
              help="Exit with 3 when a sheet scores below P percent.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Write to this file (atomically: a failed run leaves no half-written file).")
@click.option("--color/--no-color", default=None, help="Colour [default: on a terminal only; NO_COLOR is honoured].")
def check(config: str, answers: tuple[str, ...], fmt: str, fail_under: float | None, output: str | None,
          color: bool | None) -> None:
    """Mark the answers in ANSWERS (sheets from 'bptrace worksheet') against CONFIG.

    Every answer is correct (the true value to the digits written, or what a hand calculation rounding to
    those digits gets), carried (right from your own earlier answers), wrong (with the likely mistake) or
    blank. Numbers may have a decimal comma (0,61).

    \b
    Examples:
      bptrace check configs/handout.yaml answers.yaml
      bptrace check configs/handout.yaml class/*.yaml --format csv -o scores.csv
      bptrace check configs/handout.yaml answers.yaml --format json | jq .score
      bptrace check configs/handout.yaml answers.yaml --fail-under 80   # exit 3 below 80 %
    """
    from backprop_cli.check import check_files
    from backprop_cli.check.report import REPORTS
    from backprop_cli.config import load_config
    from backprop_cli.output import destination

    if "-" in answers and (config == "-" or answers.count("-") > 1):
        raise Failure("standard input can be read once: give '-' for one file only")
    net = load_config(config)
    sheet, markings = check_files(net, answers)
    with destination(output) as stream:
        REPORTS[fmt](stream, sheet, markings, color=color if output is None else False,
                     pretty=output is None and sys.stdout.isatty())
    below = [m.source for m in markings if fail_under is not None and m.score.percent < fail_under]
    if below:
        names = below[0] if len(below) == 1 else f"{len(below)} of {len(markings)} sheets"
        click.echo(f"bptrace: {names} scored below {fail_under:g} %", err=True)
        raise click.exceptions.Exit(ExitStatus.CHECK_FAILED)


@cli.command(short_help="Print the JSON Schema of the config, the trace or check.")
@click.option("--trace", "which", flag_value="trace", help="The schema of the JSON trace (--format json) instead.")
@click.option("--check", "which", flag_value="check", help="The schema of 'bptrace check --format json' instead.")
@click.option("--config", "which", flag_value="config", default=True, help="The schema of the config file (default).")
def schema(which: str) -> None:
    """Print the JSON Schema of the config file (for editors), of the JSON trace, or of a marked sheet.

    \b
    Examples:
      bptrace schema > bptrace.schema.json
      bptrace schema --trace
      bptrace schema --check
    """
    from backprop_cli.schemas import schema_text

    click.echo(schema_text(which))


@cli.command(short_help="Write a fresh exercise to work by hand (or one per student).")
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
def exercise(shape: str, activations: str | None, loss: str, bias: str, decimals: int, seed: str | None,
             variants: int | None, seeds_file: str | None, output: str | None) -> None:
    """Write a fresh config that a person can work by hand: weights with --decimals decimals in [-1, 1],
    inputs with one decimal, every ReLU p clear of the kink, an inactive ReLU neuron, no saturated sigmoid,
    no gradient that rounds to 0 except through an inactive neuron. The same seed gives the same file.

    \b
    Examples:
      bptrace exercise --seed 20231234 -o ex.yaml && bptrace run ex.yaml
      bptrace exercise --shape 2-3-3 --loss cross_entropy --bias neuron
      bptrace exercise --variants 30 --seed course-2027 -o class/   # 30 different exercises and index.md
      bptrace exercise --seeds students.txt -o class/               # one per student number
    """
    from backprop_cli.exercise_files import exercise_command
    from backprop_cli.exercise_options import parse_options

    options = parse_options(shape, activations, loss, bias, decimals)
    note = exercise_command(options, seed=seed, variants=variants, seeds_file=seeds_file, output=output)
    if note:
        click.echo(note, err=True)


def main() -> None:
    """Entry point of the ``bptrace`` script: runs the command line and handles a closed pipe quietly."""
    try:
        cli.main(prog_name="bptrace")
    except BrokenPipeError:
        # The reader went away (| head): stop quietly, and keep Python from complaining at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(ExitStatus.FAILURE)
    except KeyboardInterrupt:
        click.echo("bptrace: interrupted", err=True)
        sys.exit(ExitStatus.INTERRUPTED)
