"""bptrace: trace one backpropagation step of a small neural network, as a course handout does.

The Python API (README "Python API"; each function's docstring has an example):

    >>> import backprop_cli as bptrace
    >>> bptrace.run("configs/handout.yaml").loss
    0.47

``run``, ``trace``, ``load_config`` and ``config_from_data``; the course commands ``worksheet``, ``check``,
``exercise``, ``gradcheck`` and ``figure``; ``Run`` and ``Update`` (what ``run`` returns), ``Rounding`` and
``Settings``. All of them come from ``backprop_cli.api``.
"""

from backprop_cli._version import __version__
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
