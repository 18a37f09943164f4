"""bptrace: trace one backpropagation step of a small neural network, as a course handout does.

The Python API (README "Python API"; each function's docstring has an example):

    >>> import backprop_cli as bptrace
    >>> bptrace.run("configs/handout.yaml").loss
    0.47

``run``, ``trace``, ``load_config`` and ``config_from_data``; the course commands ``worksheet``, ``check``,
``exercise``, ``gradcheck`` and ``figure``; ``Run`` and ``Update`` (what ``run`` returns), ``Rounding`` and
``Settings``. All of them come from ``backprop_cli.api``.
"""

from typing import TYPE_CHECKING

from backprop_cli._version import __version__

if TYPE_CHECKING:  # what editors, type checkers and static completion read
    from backprop_cli.api import (
        Rounding,
        Run,
        Settings,
        Update,
        check,
        config_from_data,
        exercise,
        figure,
        gradcheck,
        load_config,
        run,
        trace,
        worksheet,
    )

__all__ = ["__version__", "Rounding", "Run", "Settings", "Update", "check", "config_from_data", "exercise", "figure",
           "gradcheck", "load_config", "run", "trace", "worksheet"]


def __getattr__(name: str):
    # The API is imported on first use, not with the package: every `bptrace` command imports this package
    # first, and numpy, rich and the course modules would take most of a second there, before the command
    # line installs its signal handlers (a Ctrl-C then would end in a traceback).
    if name in __all__:
        from backprop_cli import api

        value = getattr(api, name)
        globals()[name] = value  # found directly from now on
        return value
    raise AttributeError(f"module 'backprop_cli' has no attribute {name!r}")


def __dir__() -> list[str]:
    """Every public name, for dir() and tab completion, whether loaded yet or not."""
    return sorted(set(globals()) | set(__all__))
