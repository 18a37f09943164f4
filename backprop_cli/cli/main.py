"""The command line: a thin click layer that parses, calls ``runner`` (or the config, the templates, the
schemas) and writes; the run itself is orchestrated in ``runner.py``.

Domain errors become one-line messages with exit code 2 here, at the edge. Heavy modules (numpy,
PyYAML, rich) are imported by the commands that need them: each command's module is loaded when it is named.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback

import click

from backprop_cli._version import __version__
from backprop_cli.cli.base import (
    Failure,
)
from backprop_cli.cli.pipes import closed_pipe_status, flush_stdout
from backprop_cli.cli.signals import report
from backprop_cli.cli.streams import standard_streams
from backprop_cli.environment import settle_size
from backprop_cli.errors import BptraceError, ExitStatus, StreamError, headline

DEBUG = "bptrace.debug"  # where --debug, given anywhere on the command line, is noted (ctx.meta)


def _debug() -> bool:
    return os.environ.get("BPTRACE_DEBUG", "") not in ("", "0")


def _take_debug(args: list[str]) -> tuple[list[str], bool]:
    """``args`` without --debug, wherever it stands before a ``--`` (bptrace run c.yaml --debug works too)."""
    end = args.index("--") if "--" in args else len(args)
    kept = [arg for arg in args[:end] if arg != "--debug"] + args[end:]
    return kept, len(kept) != len(args)


# The commands beside 'run', by the module that holds each: imported only when named (or listed in the help),
# so that 'bptrace run' starts without them.
COMMANDS = {"run": "cli.run", "validate": "cli.tools", "init": "cli.tools", "schema": "cli.tools",
            "figure": "cli.tools", "gradcheck": "cli.tools", "worksheet": "cli.course", "check": "cli.course",
            "exercise": "cli.course"}


class Group(click.Group):
    """Turns every exception into a message and an exit code, for every command."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *COMMANDS])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS:
            return getattr(importlib.import_module(f"backprop_cli.{COMMANDS[name]}"), name)
        return super().get_command(ctx, name)

    def main(self, *args, **kwargs):
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
            raise click.exceptions.Exit(report(error)) from None
        except BrokenPipeError:  # the reader of the output left: pipes.py says what happens
            raise click.exceptions.Exit(closed_pipe_status()) from None
        except Exception as error:  # a bug: say so in one line, the traceback only on request
            debugging = _debug() or bool(ctx.obj and ctx.obj.get("debug"))
            if debugging:
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


def main() -> None:
    """Run the command line (``bptrace`` starts in ``__main__.main``); a closed pipe ends it quietly (pipes.py)."""
    try:
        cli.main(prog_name="bptrace")
    except BrokenPipeError:  # from outside a command, where click did not see it
        sys.exit(closed_pipe_status())
    except KeyboardInterrupt as error:
        sys.exit(report(error))
