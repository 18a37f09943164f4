"""bptrace: trace one backpropagation step of a small neural network, as a course handout does.

The Python API (see README "Python API"): ``load_config``, ``config_from_data``, ``run``, ``trace``,
``Run``, ``Rounding`` and ``Settings``, all from ``backprop_cli.api``.
"""

from backprop_cli._version import __version__

__all__ = ["__version__", "Rounding", "Run", "Settings", "config_from_data", "load_config", "run", "trace"]


def __getattr__(name: str):
    # Loaded on first use, for start-up speed: the command line needs none of it (numpy, the engine).
    if name in __all__:
        from backprop_cli import api

        return getattr(api, name)
    raise AttributeError(f"module 'backprop_cli' has no attribute {name!r}")
