"""`bptrace run`: the options parsed and checked, the settings resolved once, then ``runner`` computes and writes
the run."""

from __future__ import annotations

from contextlib import nullcontext

import click

from backprop_cli.cli.base import (
    Failure,
    check_exact,
    format_from_extension,
    rounding_options,
    say,
)
from backprop_cli.cli.formats import EXTENSIONS, FORMATS
from backprop_cli.cli.reading import load_user_config
from backprop_cli.cli.run_rules import refuse_idle_options, refuse_idle_precision
from backprop_cli.cli.runner import RunOptions, execute, prepare
from backprop_cli.config.save import refuse_unreadable, reserve_save_target
from backprop_cli.environment import FILE_WIDTH, MIN_COLUMNS, Environment
from backprop_cli.output import check_output
from backprop_cli.render.settings import Settings


@click.command(short_help="Trace one backpropagation step (or a training run) of CONFIG.")
@click.argument("config", metavar="CONFIG")
@click.option("--format", "-f", "fmt", type=click.Choice(list(FORMATS)), default=None,
              help="table: the handout's layout; json: one trace-v1 document; jsonl: one iteration per line; latex, "
                   "markdown, html: the worked example as a document [default: from the extension of --output "
                   "(.txt .json .jsonl .tex .md .html), else table].")
@rounding_options
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
@click.option("--fragment", is_flag=True,
              help="latex, markdown, html: the body only, to \\input into a LaTeX document or paste into a page.")
def run(config: str, fmt: str | None, precision: int | None, hand_rounding: int | None, exact: bool, rows: int | None,
        width: int | None, output: str | None, color: bool | None, step: bool, explain: bool, working: bool,
        epochs: int | None, show: int | None, save_updated: str | None, force: bool,
        fragment: bool) -> None:
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
      bptrace run configs/handout.yaml -o handout.tex  # a LaTeX document
      bptrace run configs/handout.yaml -f markdown     # Markdown, $…$ math
    """
    check_output(output, {config: "the config being run"}, force=force)  # first: that refusal is the one that matters
    fmt = format_from_extension(fmt, output, EXTENSIONS, "table")
    check_exact(exact, hand_rounding)
    refuse_idle_options(fmt, output=output, step=step, explain=explain, working=working, show=show, rows=rows,
                        width=width, color=color, fragment=fragment)

    net = load_user_config(config)
    settings = Settings.resolve(net, precision=precision, hand_rounding=hand_rounding, exact=exact, rows=rows,
                                width=width)
    refuse_idle_precision(fmt, precision, settings.rounding.digits)
    options = RunOptions(
        format=fmt,
        settings=settings,
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
        fragment=fragment,
    )
    job = prepare(net, options)
    updates = job.plan.updates
    if options.show > updates:
        raise Failure(f"--show {options.show}: the run has only {updates:,} "
                      f"update{'s' if updates != 1 else ''}: {job.plan.describe()}")
    saving = None
    if save_updated is not None:
        saving = reserve_save_target(save_updated, config, output, force)  # its temporary file, before the run
    with saving or nullcontext():  # the temporary file is removed whichever way the run ends
        if save_updated is not None:
            refuse_unreadable(job.given, settings.rounding.digits, updates, save_updated)
        execute(job, Environment.from_process(), saving)
    if save_updated is not None:
        say(f"wrote {save_updated} (the network after {updates:,} update{'s' if updates != 1 else ''}); "
            f"next: bptrace run {save_updated}")
