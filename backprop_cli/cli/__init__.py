"""The command line: the click commands, the runner of `bptrace run`, the standard streams, signals and pipes.

Imports every other folder; nothing imports it (but `backprop_cli.__main__`).
"""
