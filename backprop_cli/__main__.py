"""`python -m backprop_cli` runs the command line."""

from backprop_cli.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
