"""The Python API: what the commands do, as functions that return data a notebook displays well.

    >>> import backprop_cli as bptrace
    >>> result = bptrace.run("configs/handout.yaml")   # its display.hand_rounding: 2
    >>> result.loss
    0.47

``run`` and ``trace`` (running.py) are ``bptrace run`` without a terminal; ``worksheet``, ``check``,
``exercise``, ``gradcheck`` and ``figure`` (course.py) are the commands of the same names.
"""

from backprop_cli.api.course import check, exercise, figure, gradcheck, worksheet
from backprop_cli.api.running import Run, Update, run, trace
from backprop_cli.config.read import config_from_data, load_config
from backprop_cli.engine.rounding import Rounding
from backprop_cli.render.settings import Settings

__all__ = ["Rounding", "Run", "Settings", "Update", "check", "config_from_data", "exercise", "figure", "gradcheck",
           "load_config", "run", "trace", "worksheet"]
