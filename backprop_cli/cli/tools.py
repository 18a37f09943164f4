"""Commands beside 'run': validate a config, start one from a template, print a schema, draw the network,
check the gradients against central differences. Each is a thin layer over its module."""

from __future__ import annotations

import os
import sys

import click

from backprop_cli.cli.base import (
    Failure,
    check_exact,
    format_from_extension,
    rounding_options,
    say,
)
from backprop_cli.cli.reading import load_user_config
from backprop_cli.config.summary import summary
from backprop_cli.config.templates import read_template, template_list, template_names
from backprop_cli.engine.gradcheck import GradCheck
from backprop_cli.engine.gradcheck import gradcheck as check
from backprop_cli.engine.network import Config
from backprop_cli.environment import JSON, XML, escaping, printable
from backprop_cli.errors import BptraceError, ExitStatus, one_line
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.output import atomic_file, destination
from backprop_cli.render.figure import FORMATS, figure_text
from backprop_cli.render.settings import Settings
from backprop_cli.schemas import schema_text


@click.command(short_help="Check CONFIG: a summary of the network, or every error.")
@click.argument("config", metavar="CONFIG")
def validate(config: str) -> None:
    """Check CONFIG and print a summary of the network, or every error found.

    \b
    Example:
      bptrace validate configs/handout.yaml
    """
    try:
        net = load_user_config(config)
    except BptraceError as error:
        errors = [error, *getattr(error, "others", [])]
        for each in errors:
            say(f"bptrace: error: {each}")
        if getattr(error, "more", False):
            click.echo(f"bptrace: {len(errors)} errors shown; there may be more after them", err=True)
        elif len(errors) > 1:
            click.echo(f"bptrace: {len(errors)} errors", err=True)
        raise click.exceptions.Exit(ExitStatus.USAGE) from None

    click.echo(printable(summary(net)))


@click.command(short_help="Write a starter config from a template.")
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

    with atomic_file(output, exclusive=not force, force=force) as stream:
        stream.write(text)
    say(f"wrote {output} (template '{template}'); next: bptrace run {output}")


@click.command(short_help="Print the JSON Schema of the config, the trace or check.")
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
    chosen = [name for name, given in (("trace", trace), ("check", check), ("config", config)) if given]
    if len(chosen) > 1:
        raise Failure(f"--{chosen[0]} and --{chosen[1]} each pick one schema; give one of them")
    escaping(sys.stdout, JSON).write(schema_text(chosen[0] if chosen else "config") + "\n")


@click.command(short_help="Draw the network with its numbers, as SVG or TikZ.")
@click.argument("config", metavar="CONFIG")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Write to FILE.svg (SVG) or FILE.tex (TikZ), atomically [default: SVG on standard output].")
@click.option("--format", "-f", "form", type=click.Choice(("svg", "tikz")), default=None,
              help="svg or tikz [default: from the extension of --output, else svg].")
@click.option("--after", is_flag=True, help="Label the edges with the weights after the update.")
@click.option("--fragment", is_flag=True,
              help="Only the <svg> element (for HTML) or the tikzpicture (to \\input into a LaTeX document).")
@rounding_options
def figure(config: str, output: str | None, form: str | None, after: bool, fragment: bool, precision: int | None,
           hand_rounding: int | None, exact: bool) -> None:
    """Draw the network of CONFIG as the handout's figure: inputs and layers left to right, every edge
    labelled with its weight, and below each neuron p, z and, in bold blue, ∂J/∂z of the first update
    (∂J/∂p in a softmax layer).

    \b
    Examples:
      bptrace figure configs/handout.yaml -o handout.svg  # for a browser
      bptrace figure configs/handout.yaml -o handout.tex --after  # pdflatex
      bptrace figure configs/deep.yaml -f tikz --fragment > net.tex  # \\input
    """
    check_exact(exact, hand_rounding)
    form = format_from_extension(form, output, FORMATS, "svg", bare=False)

    net = load_user_config(config)
    fmt = Settings.resolve(net, precision=precision, hand_rounding=hand_rounding, exact=exact).numbers
    form = form or "svg"
    with destination(output, reads={config: "the config being drawn"}) as stream:
        write_figure(stream, net, fmt, form, after=after, fragment=fragment)


def write_figure(stream, config: Config, fmt: NumberFormat, form: str, *, after: bool = False,
                 fragment: bool = False) -> None:
    """The figure of ``config`` as ``bptrace figure --format FORM`` writes it (svg or tikz)."""
    (escaping(stream, XML) if form == "svg" else stream).write(
        figure_text(config, fmt, form=form, after=after, fragment=fragment))




def _finite(value: float, option: str) -> float:
    """Refuse nan, which click's FloatRange lets through: every comparison with nan is false, so no bound stops it."""
    if value != value:
        raise click.BadParameter(f"{value} is not in the range 0<x<=1.", param_hint=f"'{option}'")
    return value


@click.command(short_help="Check backpropagation's gradients of CONFIG against central differences.")
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
    result = check(load_user_config(config), eps)
    write_gradcheck(sys.stdout, result, fmt, rows, pretty=sys.stdout.isatty())
    if not result.agree:
        raise click.exceptions.Exit(ExitStatus.CHECK_FAILED)


def write_gradcheck(stream, result: GradCheck, fmt: str, rows: int = 0, *, color: bool | None = None,
                    pretty: bool = False) -> None:
    """The gradient check as ``bptrace gradcheck --format FMT`` writes it (table or json)."""
    if fmt == "json":
        from backprop_cli.render.gradcheck import write_json

        write_json(escaping(stream, JSON), result, pretty=pretty)
    else:
        from backprop_cli.render.gradcheck import write_table

        write_table(stream, result, rows, color)
