"""`python -m backprop_cli` and the `bptrace` script start here.

The signal handlers go in before anything else is imported: click, numpy and the rest take a moment to
import, and a Ctrl-C (or SIGTERM) in that moment must end bptrace as quietly as one during a run.
"""

import sys

from backprop_cli.cli.signals import install, report


def main() -> None:
    """Install the signal handlers, then run the command line."""
    install()
    try:
        from backprop_cli.cli.main import main as command_line
    except KeyboardInterrupt as error:
        sys.exit(report(error))
    command_line()


if __name__ == "__main__":  # pragma: no cover
    main()
