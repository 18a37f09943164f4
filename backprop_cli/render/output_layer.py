"""The second half of Step 1: from ∂J/∂z of the output layer to ∂J/∂p, where that is not just g'(p).

Softmax is not element-wise: every z_j depends on every p_k, so ∂J/∂p_k = Σ_j ∂J/∂z_j · z_j·(δ_jk − z_k).
Where the loss has an exact form for the output activation (cross-entropy on softmax, bce on sigmoid),
the long form is shown with its numbers next to the short form it simplifies to (z_k − y_k), so both
can be compared. Values come from the trace; nothing here computes a gradient.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.text import Text

from backprop_cli.activations import Activation
from backprop_cli.network import Config
from backprop_cli.engine import Iteration
from backprop_cli.losses import LOSSES, OutputForm

if TYPE_CHECKING:
    from backprop_cli.render.table import TableOptions

# Σ_j y_j this close to 1 counts as 1: y = (0.1, 0.2, 0.7) does not add up to exactly 1.0 in floating point.
UNIT = 1e-9


def output_form(config: Config) -> OutputForm | None:
    """The loss's exact form for the output activation, if it has one."""
    return LOSSES[config.loss].fused.get(config.layers[-1].activation)


def _long_form(act: Activation) -> str:
    if act.elementwise:
        return f"∂J/∂z_k · {act.derivative_symbol.replace('(p)', '(p_k)')}"
    return f"Σ_j ∂J/∂z_j · {act.derivative_symbol}"


def _unit_sums(y) -> bool:
    return bool(abs(float(sum(y)) - 1.0) <= UNIT)


def output_gradient(config: Config, it: Iteration, s: int, opts: TableOptions) -> list[RenderableType]:
    """∂J/∂p of the output layer for sample ``s``: the long form with numbers and, where the loss has one,
    the short form; nothing for an element-wise output without an exact form (Step 3 shows that chain)."""
    if not it.passes[-1].dJ_dp_shown:
        return []
    # table.py shows this after its own Step 1 table and imports this module, so these names are imported late
    from backprop_cli.render.table import fill, formula_table, heading, neuron, sum_text

    fmt = opts.fmt
    layer, out = config.layers[-1], it.passes[-1]
    act = layer.act
    form = output_form(config)
    short = form is not None and form.text is not None
    K = out.z.shape[1]
    y = it.y[s]
    total = None if _unit_sums(y) else fmt.given(float(sum(y)))
    z = [fmt.result(v) for v in out.z[s]]
    dz = [fmt.result(v) for v in out.dJ_dz[s]]

    def long(k: int) -> str:
        if act.elementwise:
            return f"{dz[k]} · {act.derivative_text(fmt.result(out.p[s, k]))}"

        def term(j: int) -> str:
            return f"[{dz[j]} · {act.jacobian_text(z[j], z[k], j == k)}]"

        return sum_text(K, term)

    def rows():
        for k in range(K):
            simplified = [form.text(z[k], fmt.given(y[k]), total)] if short else []
            yield neuron(k, layer.name), long(k), *simplified, fmt.result(out.dJ_dp[s, k])

    general = _long_form(act)
    title = f"∂J/∂p in the output layer '{layer.name}'"
    if not act.elementwise:
        title += f" ({act.label.lower()}: every z_j depends on every p_k)"
    if len(it.x) > 1:
        title += f"  — sample {int(it.sample_indices[s]) + 1}"
    lines = [f"∂J/∂p_k = {general}"]
    columns = [f"{general} with numbers"]
    if short:
        simple = form.unit_formula if total is None and form.unit_formula else form.formula
        lines[0] += f" = {simple}"
        lines.append(f"why ({config.loss} on {layer.activation}): {form.why}"
                     + (", and Σ_j y_j = 1" if simple != form.formula else ""))
        columns.append(f"= {simple}")  # between the long form and the value, as a worked example's "="
    table = formula_table("Neuron", *columns, value="∂J/∂p")
    return [Text(""), heading(title, "\n".join(lines)), fill(table, rows(), K, opts.rows)]
