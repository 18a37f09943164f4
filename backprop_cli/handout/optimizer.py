"""What is said of an optimizer other than plain gradient descent (momentum, Adam, weight decay, ...):
the settings line of Step 5 and the explanation of ``--explain``. The lines of every parameter come from
``optimizers.py`` as plain data (``Optimizer.describe``)."""

from __future__ import annotations

from backprop_cli.handout.numbers import NumberFormat
from backprop_cli.network import Config
from backprop_cli.optimizers import AT_ONCE, HYPERS, OptimizerSpec


def hyper_line(spec: OptimizerSpec, alpha: float, fmt: NumberFormat) -> str:
    """'α = 0.1, β1 = 0.9, β2 = 0.999, ε = 1e-08' (λ only where there is weight decay)."""
    given = [f"{HYPERS[key].symbol} = {fmt.given(value)}" for key, value in spec.hyper.items()
             if key != "weight_decay" or value]
    return ", ".join([f"α = {fmt.given(alpha)}", *given])


def optimizer_explanation(config: Config) -> dict:
    """The parts of the explanation before Step 5 with this optimizer (the fields of an Explanation)."""
    spec, out = config.optimizer, config.layers[-1].name
    opt = spec.optimizer
    example = f"Θ_11[{out}]"
    chain = [f.replace("Θ", example) for f in opt.formulas(spec.hyper)]
    notes = []
    if spec.hyper.get("weight_decay"):
        notes.append(f"Weight decay λ = {NumberFormat().given(spec.hyper['weight_decay'])} adds λ·Θ to every "
                     "gradient, biases included, as PyTorch's weight_decay does: the gradient of the L2 penalty "
                     "(λ/2)·ΣΘ², which pulls every parameter towards 0.")
    if opt.state:
        kept = " and ".join(symbol for key, symbol in opt.state if key != "t")
        notes.append(f"Every weight and bias keeps its own {kept} from one update to the next (the JSON trace "
                     "shows them as state); --save-updated writes them, so a saved run continues exactly.")
    return {
        "formulas": [*opt.formulas(spec.hyper), hyper_line(spec, config.alpha, NumberFormat())],
        "source": f"{opt.torch}, as PyTorch documents its algorithm",
        "reason": f"{opt.reason} {AT_ONCE}",
        "example": f"Example {example} (its gradient from Step 3):",
        "chain": ";  ".join(chain),
        "notes": notes,
    }
