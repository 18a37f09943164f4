"""The summary that `bptrace validate` prints for a valid config."""

from __future__ import annotations

from backprop_cli.engine.losses import LOSSES
from backprop_cli.engine.network import Config
from backprop_cli.errors import one_line
from backprop_cli.words import counted


def summary(config: Config) -> str:
    """A few lines describing the network: layers, parameters, samples, loss, training and display settings,
    each under the one before."""
    widths = [counted(config.x.shape[1], "input")]
    params = 0
    for layer in config.layers:
        bias = "" if layer.bias is None else (", shared bias" if layer.shared_bias else ", bias")
        widths.append(f"{layer.width} {layer.act.label} [{layer.name}{bias}]")
        params += layer.parameters
    samples = config.x.shape[0]
    rows = [("network", " → ".join(widths)), ("parameters", f"{params:,}"),
            ("samples", f"{samples}" + ("" if samples == 1 else f" (batch: {config.batch}"
                                        + (f", batch_size {config.batch_size}" if config.batch_size else "") + ")")),
            ("loss", f"{config.loss}: {LOSSES[config.loss].formula}"),
            ("alpha", f"{config.alpha:g}" + ("" if config.update_bias else "  (biases kept fixed)"))]
    if not config.optimizer.plain:
        rows.append(("optimizer", config.optimizer.describe()
                     + ("  (continues from optimizer_state)" if config.optimizer_state is not None else "")))
    if config.epochs != 1:
        rows.append(("epochs", f"{config.epochs:,}"))
    rounding = "none" if config.hand_rounding is None else f"{config.hand_rounding}"
    rows.append(("display", f"precision {config.precision}, hand rounding {rounding}"))
    width = max(len(label) for label, _ in rows) + 2
    # The file name is the user's own, as written on the command line: escaped, like every name printed.
    head = one_line(f"{config.source}: valid" + (f" — {config.title}" if config.title else ""))
    return "\n".join([head] + [f"  {label + ':':<{width}}{value}" for label, value in rows])
