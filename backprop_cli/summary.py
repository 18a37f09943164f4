"""The summary that `bptrace validate` prints for a valid config."""

from __future__ import annotations

from backprop_cli.errors import one_line
from backprop_cli.network import Config
from backprop_cli.losses import LOSSES


def summary(config: Config) -> str:
    """A few lines describing the network: layers, parameters, samples, loss, training settings."""
    # The file name is the user's own, as written on the command line: escaped, like every name printed.
    lines = [one_line(f"{config.source}: valid" + (f" — {config.title}" if config.title else ""))]
    widths = [f"{config.x.shape[1]} inputs"]
    params = 0
    for layer in config.layers:
        bias = "" if layer.bias is None else (", shared bias" if layer.shared_bias else ", bias")
        widths.append(f"{layer.width} {layer.act.label} [{layer.name}{bias}]")
        params += layer.parameters
    lines.append("  network:  " + " → ".join(widths))
    lines.append(f"  parameters: {params:,}")
    samples = config.x.shape[0]
    lines.append(f"  samples:  {samples}" + ("" if samples == 1 else f" (batch: {config.batch}"
                 + (f", batch_size {config.batch_size}" if config.batch_size else "") + ")"))
    lines.append(f"  loss:     {config.loss}  {LOSSES[config.loss].formula}")
    lines.append(f"  alpha:    {config.alpha:g}" + ("" if config.update_bias else "  (biases kept fixed)"))
    if not config.optimizer.plain:
        lines.append(f"  optimizer: {config.optimizer.describe()}"
                     + ("  (continues from optimizer_state)" if config.optimizer_state is not None else ""))
    if config.epochs != 1:
        lines.append(f"  epochs:   {config.epochs}")
    if config.hand_rounding is not None:
        lines.append(f"  display:  hand rounding to {config.hand_rounding}, precision {config.precision}")
    return "\n".join(lines)
