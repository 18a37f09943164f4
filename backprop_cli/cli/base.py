"""What every command of the command line shares: messages on stderr, the error that carries an exit code,
reading a config as a person gives it, and the rounding options resolved against the config."""

from __future__ import annotations

import os

import click

from backprop_cli.errors import EXACT_AND_HAND, ExitStatus, one_line


def say(message: str) -> None:
    """A message for the user on stderr, in one line whatever file or layer names it quotes."""
    click.echo(one_line(message), err=True)


class Failure(click.ClickException):
    """A message for the user on stderr, with the exit code it carries."""

    def __init__(self, message: str, exit_code: int = ExitStatus.USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # click declares one per class; a Failure has its own

    def show(self, file=None) -> None:  # noqa: D102 - click's hook
        say(f"bptrace: error: {self.message}")


def check_exact(exact: bool, hand_rounding: int | None) -> None:
    if exact and hand_rounding is not None:
        raise Failure(EXACT_AND_HAND)


def format_from_extension(fmt: str | None, output: str | None, extensions: dict[str, str], default: str,
                          bare: bool = True) -> str:
    """--format, or the format the extension of --output names (``default`` without either); an extension
    that contradicts --format, or that names no format when --format is not given, is a usage error. A name
    without an extension (/dev/null) takes ``default`` where ``bare`` allows it."""
    if output in (None, "-"):
        return fmt or default
    extension = os.path.splitext(output)[1].lower()
    implied = extensions.get(extension)
    if fmt is not None and implied not in (None, fmt):
        raise Failure(f"--format {fmt} contradicts the extension of {output}, which means {implied}")
    if fmt is None and implied is None and (extension or not bare):
        known = sorted(set(extensions), key=list(extensions).index)
        choices = " or ".join(known) if len(known) <= 2 else ", ".join(known)
        raise Failure(f"{output}: cannot tell the format from the extension '{extension or '(none)'}'; use "
                      f"{choices}, or give --format")
    return fmt or implied or default


def rounding_options(command):
    """--precision, --hand-rounding and --exact, as run and figure take them (click lists a command's options
    in the order of their decorators, top down: applied here bottom up)."""
    command = click.option("--exact", is_flag=True,
                           help="Ignore the config's hand rounding: full precision throughout.")(command)
    command = click.option("--hand-rounding", "-r", type=click.IntRange(1, 15), default=None, metavar="N",
                           help="Compute as by hand: round every result to N decimals (N significant digits where "
                                "that keeps more), and go on with the rounded value.")(command)
    return click.option("--precision", "-p", type=click.IntRange(0, 15), default=None,
                        help="Decimals shown in tables [default: the config's display.precision, else 4].")(command)
