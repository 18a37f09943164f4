"""Reading a config or answers as a person gives them: from a file, or from a terminal after saying that bptrace
waits for it there. Imported by the commands that read a config, so that --help and --version load none of it."""

from __future__ import annotations

import sys

from backprop_cli.cli.base import say
from backprop_cli.config.hints import config_warnings
from backprop_cli.config.read import load_config
from backprop_cli.engine.network import Config
from backprop_cli.environment import isatty


def load_user_config(source: str) -> Config:
    """The config at ``source``; from a terminal ('-'), after saying that bptrace waits for it there. What is
    valid but probably not meant is said on stderr (hints.config_warnings)."""
    waiting_for(source, "the config")
    config = load_config(source)
    for warning in config_warnings(config):
        say(f"bptrace: warning: {config.source}: {warning}")
    return config


def waiting_for(source: str, what: str) -> None:
    """Say that bptrace reads ``what`` from standard input when that is a terminal: else it seems to hang."""
    if source == "-" and isatty(sys.stdin):
        say(f"bptrace: reading {what} from standard input: type or paste the YAML, then Ctrl-D")
