"""The command line: a thin click layer that parses, calls ``runner`` (or the config, the templates, the
schemas) and writes; the run itself is orchestrated in ``runner.py``.

Domain errors become one-line messages with exit code 2 here, at the edge. Heavy modules (numpy,
PyYAML, rich) are imported inside the commands that need them, so start-up stays quick.
"""

from __future__ import annotations

import os
import sys
from contextlib import nullcontext

import click

from backprop_cli._version import __version__
from backprop_cli.errors import BptraceError, ExitStatus, headline, one_line
from backprop_cli.exercise_options import BIAS_MODES, MAX_DECIMALS, MAX_VARIANTS
from backprop_cli.pipes import closed_pipe_status, flush_stdout
from backprop_cli.environment import FILE_WIDTH, MIN_COLUMNS

FORMATS = ("table", "json", "jsonl")
SHEET_FORMATS = ("yaml",)  # of 'worksheet'
CHECK_FORMATS = ("table", "json", "csv")  # of 'check'


DEBUG = "bptrace.debug"  # where --debug, given anywhere on the command line, is noted (ctx.meta)


def _debug() -> bool:
    return os.environ.get("BPTRACE_DEBUG", "") not in ("", "0")


def say(message: str) -> None:
    """A message for the user on stderr, in one line whatever file or layer names it quotes."""
    click.echo(one_line(message), err=True)


def _take_debug(args: list[str]) -> tuple[list[str], bool]:
    """``args`` without --debug, wherever it stands before a ``--`` (bptrace run c.yaml --debug works too)."""
    end = args.index("--") if "--" in args else len(args)
    kept = [arg for arg in args[:end] if arg != "--debug"] + args[end:]
    return kept, len(kept) != len(args)


class Failure(click.ClickException):
    """A message for the user on stderr, with the exit code it carries."""

    def __init__(self, message: str, exit_code: int = ExitStatus.USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:  # noqa: D102 - click's hook
        say(f"bptrace: error: {self.message}")


class Group(click.Group):
    """Turns every exception into a message and an exit code, for every command."""

    def main(self, *args, **kwargs):
        from backprop_cli.environment import settle_size
        from backprop_cli.errors import StreamError
        from backprop_cli.streams import standard_streams

        settle_size(os.environ)
        with standard_streams():
            try:
                return super().main(*args, **kwargs)
            except StreamError as error:  # outside any command: --help or --version to a full disk
                Failure(str(error)).show()
                sys.exit(ExitStatus.USAGE)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        args, debug = _take_debug(list(args))
        if debug:
            ctx.meta[DEBUG] = True
        try:
            return super().parse_args(ctx, args)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as error:  # a bad option of bptrace itself, before any command runs
            raise Failure(f"{error.format_message()} — see 'bptrace --help'") from None
        except BrokenPipeError:  # --help or --version into a pipe whose reader left
            raise click.exceptions.Exit(closed_pipe_status()) from None

    def invoke(self, ctx: click.Context):
        try:
            try:
                result = super().invoke(ctx)
            except click.exceptions.Exit:
                flush_stdout()
                raise
            # What is still buffered fails here, if it fails (a reader that left, a full disk), and is
            # reported like the rest.
            flush_stdout()
            return result
        except click.UsageError as error:  # a bad option of a command: one line, like every other error
            command = f" {error.ctx.info_name}" if error.ctx is not None and error.ctx is not ctx else ""
            raise Failure(f"{error.format_message()} — see 'bptrace{command} --help'") from None
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except BptraceError as error:
            raise Failure(headline(error), error.exit_status) from None
        except KeyboardInterrupt as error:  # Ctrl-C, SIGTERM, SIGHUP (see signals.py)
            from backprop_cli.signals import report

            raise click.exceptions.Exit(report(error)) from None
        except BrokenPipeError:  # the reader of the output left: pipes.py says what happens
            raise click.exceptions.Exit(closed_pipe_status()) from None
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
@click.option("--debug", is_flag=True,
              help="Show the Python traceback of an unexpected error (anywhere on the command line).")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Trace one backpropagation step of a small neural network, laid out like a course handout.

    \b
    Example:
      bptrace init handout -o net.yaml     # a starter config
      bptrace run net.yaml                 # forward pass, Steps 1-5, as tables
      bptrace run net.yaml --format json | jq '.iterations[0].loss'
    """
    ctx.obj = {"debug": debug or ctx.meta.get(DEBUG, False)}


@cli.command(short_help="Trace one backpropagation step (or a training run) of CONFIG.")
@click.argument("config", metavar="CONFIG")
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="table: the handout's layout; json: one trace-v1 document; jsonl: one iteration per line.")
@click.option("--precision", "-p", type=click.IntRange(0, 15), default=None,
              help="Decimals shown in tables [default: the config's display.precision, else 4].")
@click.option("--hand-rounding", "-r", type=click.IntRange(1, 15), default=None, metavar="N",
              help="Compute as by hand: round every result to N decimals (N significant digits where that keeps "
                   "more), and go on with the rounded value.")
@click.option("--exact", is_flag=True, help="Ignore the config's hand rounding: full precision throughout.")
@click.option("--rows", type=click.IntRange(0), default=None,
              help="Tables: rows shown per table before a note; 0 shows all [default: 16].")
@click.option("--width", type=click.IntRange(MIN_COLUMNS), default=None, metavar="N",
              help=f"Tables: columns to lay them out in [default: the terminal's width; {FILE_WIDTH} for a file "
                   "or a pipe, or COLUMNS if set].")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Write to this file (atomically: a failed run leaves no half-written file).")
@click.option("--color/--no-color", default=None,
              help="Tables on standard output: colour [default: on a terminal only; NO_COLOR is honoured].")
@click.option("--step", "-i", is_flag=True,
              help="Interactive: pause after each phase (n/Enter: next, b: back, a: all, q: quit). Keys are single "
                   "presses on a terminal, one per line from a pipe; with CONFIG '-' they are read from /dev/tty.")
@click.option("--explain", is_flag=True,
              help="Before each step, its general formula, why it holds (the chain rule) and an example weight.")
@click.option("--working", is_flag=True,
              help="Show the working: the weights before the update, each p as its sum, every g'(p) and "
                   "∂J/∂p = ∂J/∂z · g'(p).")
@click.option("--epochs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Passes over the samples [default: the config's epochs, else 1].")
@click.option("--show", type=click.IntRange(min=1), default=None, metavar="N",
              help="Tables: trace update N in full instead of the first (then the loss per epoch follows).")
@click.option("--save-updated", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Write the network after the last update to FILE as a config that runs as is (atomically; "
                   "never over CONFIG, nor over an existing file without --force).")
@click.option("--force", is_flag=True,
              help="Let --save-updated overwrite an existing file, and -o or --save-updated a write-protected one.")
def run(config: str, fmt: str, precision: int | None, hand_rounding: int | None, exact: bool, rows: int | None,
        width: int | None, output: str | None, color: bool | None, step: bool, explain: bool, working: bool,
        epochs: int | None, show: int | None, save_updated: str | None, force: bool) -> None:
    """Trace the forward pass and Steps 1-5 of backpropagation for CONFIG ('-' reads standard input).

    \b
    Examples:
      bptrace run configs/handout.yaml            # as the handout: by hand
      bptrace run configs/handout.yaml --exact    # full precision
      bptrace run configs/handout.yaml --working  # every sum and g'(p) too
      bptrace run configs/handout.yaml --step --explain  # a phase per key
      bptrace run configs/handout.yaml -f json | jq .iterations[0].loss
      bptrace run configs/xor.yaml --epochs 5000 --save-updated xor2.yaml
      bptrace run configs/xor.yaml -f jsonl | jq -c .loss  # line per update
    """
    from backprop_cli.run_rules import refuse_idle_options, refuse_idle_precision

    _check_exact(exact, hand_rounding)
    refuse_idle_options(fmt, output=output, step=step, explain=explain, working=working, show=show, rows=rows,
                        width=width, color=color)
    from backprop_cli.environment import Environment
    from backprop_cli.runner import RunOptions, execute, prepare

    net = _load_config(config)
    from backprop_cli.output import check_output

    check_output(output, {config: "the config being run"}, force=force)
    given_precision = precision
    precision, hand_rounding = _rounding(net, precision, hand_rounding, exact)
    refuse_idle_precision(fmt, given_precision, hand_rounding)
    options = RunOptions(
        format=fmt,
        precision=precision,
        hand_rounding=hand_rounding,
        rows=16 if rows is None else rows,
        width=width,
        color=color,
        output=output,
        step=step,
        explain=explain,
        working=working,
        stdin_config=config == "-",
        epochs=epochs,
        show=show or 1,
        save_updated=save_updated,
        force=force,
    )
    job = prepare(net, options)
    updates = job.plan.updates
    if options.show > updates:
        raise Failure(f"--show {options.show}: the run has only {updates:,} "
                      f"update{'s' if updates != 1 else ''}: {job.plan.describe()}")
    saving = None
    if save_updated is not None:
        from backprop_cli.training import reserve_save_target

        saving = reserve_save_target(save_updated, config, output, force)  # its temporary file, before the run
    with saving or nullcontext():  # the temporary file is removed whichever way the run ends
        execute(job, Environment.from_process(), saving)
    if save_updated is not None:
        say(f"wrote {save_updated} (the network after {updates:,} update{'s' if updates != 1 else ''}); "
            f"next: bptrace run {save_updated}")


def _load_config(source: str):
    """The config at ``source``; from a terminal ('-'), after saying that bptrace waits for it there. What is
    valid but probably not meant is said on stderr (hints.config_warnings)."""
    from backprop_cli.config import load_config
    from backprop_cli.hints import config_warnings

    _waiting_for(source, "the config")
    config = load_config(source)
    for warning in config_warnings(config):
        say(f"bptrace: warning: {config.source}: {warning}")
    return config


def _waiting_for(source: str, what: str) -> None:
    """Say that bptrace reads ``what`` from standard input when that is a terminal: else it seems to hang."""
    from backprop_cli.environment import isatty

    if source == "-" and isatty(sys.stdin):
        say(f"bptrace: reading {what} from standard input: type or paste the YAML, then Ctrl-D")


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
      bptrace figure configs/handout.yaml -o handout.svg  # for a browser
      bptrace figure configs/handout.yaml -o handout.tex --after  # pdflatex
      bptrace figure configs/deep.yaml -f tikz --fragment > net.tex  # \\input
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
    from backprop_cli.environment import XML, escaping
    from backprop_cli.output import destination
    from backprop_cli.handout.numbers import NumberFormat

    net = _load_config(config)
    fmt = NumberFormat(*_rounding(net, precision, hand_rounding, exact))
    form = form or "svg"
    with destination(output, reads={config: "the config being drawn"}) as stream:
        (escaping(stream, XML) if form == "svg" else stream).write(
            figure_text(net, fmt, form=form, after=after, fragment=fragment))


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
    from backprop_cli.gradcheck import gradcheck as check

    result = check(_load_config(config), eps)
    if fmt == "json":
        from backprop_cli.environment import JSON, escaping
        from backprop_cli.render.gradcheck import write_json

        write_json(escaping(sys.stdout, JSON), result, pretty=sys.stdout.isatty())
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
    from backprop_cli.environment import printable

    try:
        net = _load_config(config)
    except BptraceError as error:
        errors = [error, *getattr(error, "others", [])]
        for each in errors:
            say(f"bptrace: error: {each}")
        if getattr(error, "more", False):
            click.echo(f"bptrace: {len(errors)} errors shown; there may be more after them", err=True)
        elif len(errors) > 1:
            click.echo(f"bptrace: {len(errors)} errors", err=True)
        raise click.exceptions.Exit(ExitStatus.USAGE) from None
    from backprop_cli.summary import summary

    click.echo(printable(summary(net)))


@cli.command(short_help="Write a starter config from a template.")
@click.argument("template", required=False, default=None, metavar="[TEMPLATE]")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Write to this file instead of standard output (refuses to overwrite without --force).")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@click.option("--list", "list_", is_flag=True, help="List the templates.")
def init(template: str | None, output: str | None, force: bool, list_: bool) -> None:
    """Write a starter config from TEMPLATE (default: handout).

    \b
    Examples:
      bptrace init --list
      bptrace init mazur -o mazur.yaml && bptrace run mazur.yaml
    """
    from backprop_cli.templates_io import read_template, template_list, template_names

    names = template_names()
    if list_:
        if template is not None or output is not None:
            raise Failure("--list lists the templates and writes none; give it alone, or leave it out")
        click.echo(template_list(names))
        return
    template = template or "handout"
    if template not in names:
        raise Failure(f"unknown template '{template}'; expected one of: {', '.join(names)}")
    text = read_template(template)
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    if os.path.exists(output) and not force:
        raise Failure(f"{one_line(output)}: the file exists; use --force to overwrite it")
    from backprop_cli.output import atomic_file

    with atomic_file(output, exclusive=not force, force=force) as stream:
        stream.write(text)
    say(f"wrote {output} (template '{template}'); next: bptrace run {output}")


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
      bptrace worksheet configs/handout.yaml -o answers.yaml  # fill in, then:
      bptrace check configs/handout.yaml answers.yaml
    """
    from backprop_cli.check import worksheet as sheet_of
    from backprop_cli.check.sheet_yaml import WRITERS
    from backprop_cli.environment import TEXT, escaping
    from backprop_cli.output import destination

    net = _load_config(config)
    if output not in (None, "-") and os.path.exists(output) and not force:
        raise Failure(f"{output}: the file exists (a filled-in sheet, perhaps); use --force to overwrite it")
    with destination(output, force=force, exclusive=not force, reads={config: "the config"}) as stream:
        WRITERS[fmt](escaping(stream, TEXT), sheet_of(net), config)
    if output not in (None, "-"):
        say(f"wrote {output}; fill in the ~, then: bptrace check {config} {output}")


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
      bptrace check configs/handout.yaml answers.yaml --fail-under 80
    """
    from backprop_cli.check import check_files
    from backprop_cli.check.report import REPORTS
    from backprop_cli.environment import JSON, TEXT, escaping
    from backprop_cli.output import destination

    if "-" in answers and (config == "-" or answers.count("-") > 1):
        raise Failure("standard input can be read once: give '-' for one file only")
    net = _load_config(config)
    if "-" in answers:
        _waiting_for("-", "the answers")
    sheet, markings = check_files(net, answers)
    reads = {config: "the config", **{name: "an answer sheet being marked" for name in answers}}
    forms = {"json": JSON, "csv": TEXT}  # the table's console makes its text printable itself
    with destination(output, reads=reads) as stream:
        REPORTS[fmt](escaping(stream, forms[fmt]) if fmt in forms else stream, sheet, markings,
                     color=color if output is None else False, pretty=output is None and sys.stdout.isatty())
    below = [m.source for m in markings if fail_under is not None and m.score.percent < fail_under]
    if below:
        names = below[0] if len(below) == 1 else f"{len(below)} of {len(markings)} sheets"
        say(f"bptrace: {names} scored below {fail_under:g} %")
        raise click.exceptions.Exit(ExitStatus.CHECK_FAILED)


@cli.command(short_help="Print the JSON Schema of the config, the trace or check.")
@click.option("--trace", is_flag=True, help="The schema of the JSON trace (--format json) instead.")
@click.option("--check", is_flag=True, help="The schema of 'bptrace check --format json' instead.")
@click.option("--config", is_flag=True, help="The schema of the config file (the default).")
def schema(trace: bool, check: bool, config: bool) -> None:
    """Print the JSON Schema of the config file (for editors), of the JSON trace, or of a marked sheet.

    \b
    Examples:
      bptrace schema > bptrace.schema.json
      bptrace schema --trace
      bptrace schema --check
    """
    from backprop_cli.environment import JSON, escaping
    from backprop_cli.schemas import schema_text

    chosen = [name for name, given in (("trace", trace), ("check", check), ("config", config)) if given]
    if len(chosen) > 1:
        raise Failure(f"--{chosen[0]} and --{chosen[1]} each pick one schema; give one of them")
    escaping(sys.stdout, JSON).write(schema_text(chosen[0] if chosen else "config") + "\n")


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
      bptrace exercise --variants 30 --seed course-2027 -o class/  # 30 of them
      bptrace exercise --seeds students.txt -o class/   # one per student
    """
    from backprop_cli.exercise_files import exercise_command
    from backprop_cli.exercise_options import parse_options

    options = parse_options(shape, activations, loss, bias, decimals)
    note = exercise_command(options, seed=seed, variants=variants, seeds_file=seeds_file, output=output)
    if note:
        say(note)


def main() -> None:
    """Run the command line (``bptrace`` starts in ``__main__.main``); a closed pipe ends it quietly (pipes.py)."""
    try:
        cli.main(prog_name="bptrace")
    except BrokenPipeError:  # from outside a command, where click did not see it
        sys.exit(closed_pipe_status())
    except KeyboardInterrupt as error:
        from backprop_cli.signals import report

        sys.exit(report(error))
