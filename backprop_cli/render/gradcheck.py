"""The output of ``bptrace gradcheck``: a table (the terminal) or one JSON document (bptrace/gradcheck-v1).

Numbers are written in full precision: the point is to see how many digits agree.
"""

from __future__ import annotations

import json
import math
from typing import IO

from rich import box
from rich.table import Table
from rich.text import Text

from backprop_cli._version import __version__
from backprop_cli.engine.gradcheck import RTOL, Check, GradCheck, Kink
from backprop_cli.model.numbers import signed
from backprop_cli.render.console import make_console
from backprop_cli.render.parts import fill, heading
from backprop_cli.render.unicode import bias_text as bias_label
from backprop_cli.render.unicode import weight_text as weight

SCHEMA = "bptrace/gradcheck-v1"
MAX_NAMED = 8  # differing parameters named in the verdict before "…"


def full(value: float) -> str:
    """A number to 10 significant digits (enough to see where two agree), with true minus signs (the
    exponent's too: 2.9e−10)."""
    return signed(f"{value:.10g}")


def short(value: float, spec: str = ".1e") -> str:
    """A tolerance, an error or ε as the tables write numbers: 1.0e−08, ε = 1e−06."""
    return signed(f"{value:{spec}}")


def notes(result: GradCheck) -> list[str]:
    """What the reader should know beside the numbers: hand rounding ignored, weight decay not part of J."""
    config, out = result.config, []
    if config.hand_rounding is not None:
        out.append(f"The config asks for hand rounding to {config.hand_rounding}; the check computes in full "
                   "precision (rounding would move J by far more than ε does).")
    largest = max((abs(c.backprop) for c in result.checks), default=0.0)
    if result.tolerance > RTOL * largest > 0:
        out.append(f"J = {full(result.loss)} is so large that its rounding noise divided by 2ε "
                   f"({short(result.tolerance)}) exceeds the gradients: the verdicts say little; a larger --eps helps.")
    if config.optimizer.hyper.get("weight_decay"):
        out.append("weight_decay is not part of J: it is added to ∂J/∂Θ by the optimizer in Step 5, so the "
                   "gradients checked here are without it.")
    return out


def kink_warning(result: GradCheck, kink: Kink) -> str:
    layer = result.config.layers[kink.layer]
    sample = f" in sample {kink.sample + 1}" if len(result.samples) > 1 else ""
    derivative = "ReLU'(0) = 0" if layer.activation == "relu" else f"LReLU'(0) = {layer.negative_slope:g}"
    return (f"n{kink.neuron + 1}[{layer.name}]{sample} has p = {full(kink.p)}, within reach of the kink of its "
            f"{layer.act.label} at 0 for a nudge of ±ε: there the derivative does not exist, backpropagation takes "
            f"{derivative} and the central difference sees both sides, so the two may rightly differ.")


def verdict(result: GradCheck, labels: list[str]) -> str:
    total = len(result.checks)
    if result.agree:
        return (f"All {total} gradients agree with their central differences (largest relative error "
                f"{short(result.largest_error)}).")
    named = [label for label, check in zip(labels, result.checks) if not check.agree]
    shown = ", ".join(named[:MAX_NAMED]) + (", …" if len(named) > MAX_NAMED else "")
    why = " at a ReLU kink (see above)" if all(c.kink for c in result.differing) else ""
    return f"{len(named)} of {total} gradients differ from their central differences{why}: {shown}."


def write_table(stream, result: GradCheck, rows: int, color: bool | None = None) -> None:
    """The check as the terminal shows it: a header, a row per parameter, the warnings and the verdict."""

    config = result.config

    def label(check: Check) -> str:
        name = config.layers[check.layer].name
        if check.kind == "weight":
            k, t = check.index
            return weight(k, t, name)
        return bias_label(check.index[0] if check.index else None, name)

    labels = [label(c) for c in result.checks]
    first, last = result.samples[0] + 1, result.samples[-1] + 1  # an update's samples follow each other
    samples = f"sample {first}" if first == last else f"samples {first}–{last}"
    title = f"Gradient check of {config.source}"
    about = (f"the first update ({samples}), J(Θ) = {full(result.loss)}, ε = {short(result.eps, 'g')}\n"
             "Backprop: ∂J/∂Θ from Steps 3 and 4; central difference: (J(Θ+ε) − J(Θ−ε)) / 2ε; they agree "
             f"when their relative error is ≤ {short(RTOL, 'g')} or they differ by ≤ {short(result.tolerance)} "
             "(the rounding "
             "noise of J divided by 2ε)")
    table = Table(box=box.HEAVY_HEAD, header_style="bold")
    table.add_column("Parameter", no_wrap=True)
    for column in ("Backprop", "Central diff.", "Rel. error"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("Verdict", no_wrap=True, style="bold")
    cells = ((name, full(c.backprop), full(c.numerical), short(c.relative_error),
              "ok" if c.agree else ("differs (kink)" if c.kink else "DIFFERS"))
             for name, c in zip(labels, result.checks))
    console = make_console(stream, color)
    console.print(heading(title, about))
    console.print(fill(table, cells, len(result.checks), rows))
    for kink in result.kinks:
        console.print(Text(f"! {kink_warning(result, kink)}", style="yellow"))
    for note in notes(result):
        console.print(Text(note, style="dim"))
    console.print(Text(verdict(result, labels), style="bold green" if result.agree else "bold red"))


def _finite(value: float) -> float | None:
    """Strict JSON has no NaN or Infinity: a difference quotient that overflowed is null."""
    return value if math.isfinite(value) else None


def document(result: GradCheck) -> dict:
    """The check as plain data, schema bptrace/gradcheck-v1."""
    config = result.config
    return {
        "schema": SCHEMA,
        "version": __version__,
        "eps": result.eps,
        "samples": list(result.samples),
        "loss": result.loss,
        "tolerance": {"relative": RTOL, "absolute": result.tolerance},
        "agree": result.agree,
        "parameters": [
            {"layer": config.layers[c.layer].name, "kind": c.kind, "index": list(c.index),
             "backprop": _finite(c.backprop), "numerical": _finite(c.numerical),
             "relative_error": _finite(c.relative_error), "agree": c.agree, "kink": c.kink}
            for c in result.checks
        ],
        "kinks": [{"layer": config.layers[k.layer].name, "neuron": k.neuron, "sample": k.sample, "p": k.p,
                   "warning": kink_warning(result, k)} for k in result.kinks],
        "notes": notes(result),
    }


def write_json(stream: IO[str], result: GradCheck, pretty: bool = False) -> None:
    stream.write(json.dumps(document(result), allow_nan=False, ensure_ascii=False, indent=2 if pretty else None))
    stream.write("\n")
