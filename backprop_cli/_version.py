"""The version of bptrace, in a module of its own so that every module can import it without the package."""

__version__ = "0.1.0"
