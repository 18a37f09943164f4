"""The options of an exercise, checked once: the shape, activations, loss, bias and decimals.

Nothing heavy is imported at the top: the command line reads the constants here to build its options.
"""

from __future__ import annotations

import difflib
import secrets
import shlex
from dataclasses import dataclass

from backprop_cli.engine.activations import ACTIVATIONS
from backprop_cli.engine.losses import LOSSES
from backprop_cli.errors import BptraceError

BIAS_MODES = ("none", "neuron", "shared")
MAX_DECIMALS = 4
MAX_WIDTH = 6  # neurons (or inputs) per layer: more is no longer work by hand
MAX_LAYERS = 4
MAX_VARIANTS = 1000
MAX_TRIES = 2000  # candidates drawn before the search gives up (a fixed number: the result is deterministic)
ALPHA = 0.1
LEAKY_SLOPE = 0.1  # large enough that a gradient through the negative side shows at 2 decimals


@dataclass(frozen=True)
class ExerciseOptions:
    """What kind of exercise to make. ``shape`` lists the widths, input first: (2, 2, 2)."""

    shape: tuple[int, ...] = (2, 2, 2)
    activations: tuple[str, ...] = ("relu", "sigmoid")
    loss: str = "sse"
    bias: str = "none"
    decimals: int = 2

    @property
    def shape_text(self) -> str:
        return "-".join(map(str, self.shape))

    def fields(self) -> tuple[tuple[str, str], ...]:
        """The options as (name, value) text, in the order of the command line and of the seed's key."""
        return (("shape", self.shape_text), ("activations", ",".join(self.activations)), ("loss", self.loss),
                ("bias", self.bias), ("decimals", str(self.decimals)))

    @property
    def flags(self) -> str:
        """The options as command-line flags, every one spelled out: --shape 2-2-2 --activations ..."""
        return " ".join(f"--{name} {value}" for name, value in self.fields())

    def command(self, seed: str) -> str:
        """The command line that makes this exercise again."""
        return f"bptrace exercise {self.flags} --seed {shlex.quote(seed)}"


def default_activations(layers: int, loss: str) -> tuple[str, ...]:
    """ReLU in the hidden layers; the output softmax for cross-entropy, else sigmoid."""
    return ("relu",) * (layers - 1) + ("softmax" if loss == "cross_entropy" else "sigmoid",)


def parse_options(shape: str, activations: str | None, loss: str, bias: str, decimals: int) -> ExerciseOptions:
    """The options as typed on the command line, checked; a BptraceError names the first bad one."""
    widths = _shape(shape)
    _choose("--loss", loss, tuple(LOSSES))
    if bias not in BIAS_MODES:
        raise BptraceError(f"--bias: expected one of {', '.join(BIAS_MODES)}, got {bias!r}")
    if not 1 <= decimals <= MAX_DECIMALS:
        raise BptraceError(f"--decimals: expected a whole number from 1 to {MAX_DECIMALS}, got {decimals}")
    layers = len(widths) - 1
    if activations is None:
        names = default_activations(layers, loss)
    else:
        names = tuple(name.strip() for name in activations.split(","))
        for name in names:
            _choose("--activations", name, tuple(ACTIVATIONS))
        if len(names) != layers:
            raise BptraceError(f"--activations: expected {layers} (one per layer of --shape {shape}), "
                               f"got {len(names)}: {activations}")
    options = ExerciseOptions(shape=widths, activations=names, loss=loss, bias=bias, decimals=decimals)
    check_possible(options)
    return options


def _shape(text: str) -> tuple[int, ...]:
    parts = text.split("-")
    if len(parts) < 2 or not all(part.isdigit() and part.isascii() for part in parts):
        raise BptraceError(f"--shape: expected layer widths joined by '-', input first (e.g. 2-2-2), got {text!r}")
    widths = tuple(int(part) for part in parts)
    if not all(1 <= w <= MAX_WIDTH for w in widths):
        raise BptraceError(f"--shape: expected widths from 1 to {MAX_WIDTH} (a network to work by hand), got {text}")
    if len(widths) - 1 > MAX_LAYERS:
        raise BptraceError(f"--shape: expected at most {MAX_LAYERS} layers after the input, got {len(widths) - 1}")
    return widths


def _choose(option: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        close = difflib.get_close_matches(value.lower(), choices, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise BptraceError(f"{option}: expected one of {', '.join(choices)}, got {value!r}{hint}")


def check_possible(options: ExerciseOptions) -> None:
    """Refuse, before any search, options under which no network can meet the rules (or the config)."""
    acts, shape, loss = options.activations, options.shape, options.loss
    given = f"--shape {options.shape_text} --activations {','.join(acts)}"
    if "softmax" in acts[:-1]:
        raise BptraceError(f"{given}: softmax is only allowed in the last layer (its outputs form one distribution)")
    if acts[-1] == "softmax" and shape[-1] == 1:
        raise BptraceError(f"{given}: a softmax of one output is always 1, so no gradient reaches the weights; "
                           "give the output layer at least 2 neurons")
    if acts[-1] == "softmax" and options.bias == "shared":
        raise BptraceError(f"{given} --bias shared: impossible: one bias shared by a softmax layer shifts "
                           "every p alike, which changes no output, so its gradient is always 0; "
                           "use --bias neuron or none")
    if loss == "bce" and acts[-1] != "sigmoid":
        raise BptraceError(f"--loss bce: the output layer must be sigmoid (each output its own yes/no "
                           f"probability), not {acts[-1]}")
    if loss == "cross_entropy" and acts[-1] != "softmax":
        raise BptraceError(f"--loss cross_entropy: the output layer must be softmax (one probability per "
                           f"class, y one-hot), not {acts[-1]}")
    relu_widths = [shape[i + 1] for i, name in enumerate(acts[:-1]) if name == "relu"]
    if relu_widths and max(relu_widths) < 2:
        raise BptraceError(f"{given}: impossible: the exercise needs an inactive ReLU neuron in a hidden layer, "
                           "and a ReLU layer of one neuron that is inactive passes no gradient at all; "
                           "give a ReLU hidden layer at least 2 neurons")


def random_seed() -> str:
    """A seed for a run without --seed: 8 hexadecimal digits, written into the exercise like any other."""
    return secrets.token_hex(4)


def check_seed(seed: str, where: str = "--seed") -> str:
    """A seed is any non-empty text of printable characters (it goes into a comment line of the config)."""
    if not seed:
        raise BptraceError(f"{where}: expected a seed (any text), got nothing")
    bad = next((c for c in seed if not c.isprintable()), None)
    if bad is not None:
        raise BptraceError(f"{where}: expected printable text, got the control character {bad!r}")
    return seed
