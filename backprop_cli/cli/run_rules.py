"""Options of ``bptrace run`` that would do nothing together are refused, with the reason, before any work
(exit code 2), as every other usage error: an option that is silently ignored looks like a bug."""

from __future__ import annotations

from backprop_cli.cli.formats import FORMATS, taking
from backprop_cli.errors import BptraceError


def refuse_idle_options(fmt: str, *, output: str | None, step: bool, explain: bool, working: bool,
                        show: int | None, rows: int | None, width: int | None, color: bool | None,
                        fragment: bool = False) -> None:
    """Refuse an option the format ``fmt`` does not take (formats.FORMATS says which take which): table options
    with --format json or jsonl, --step into a file, --fragment outside the documents, --color where no colour
    goes."""
    takes = FORMATS[fmt].options
    for option, given in (("step", step), ("explain", explain), ("working", working), ("rows", rows is not None),
                          ("width", width is not None)):
        if given and option not in takes:
            where = "the tables and documents" if len(taking(option)) > 1 else "the tables"
            raise BptraceError(f"--{option} works on {where}; it cannot be combined with --format {fmt}")
    if step and output is not None:
        raise BptraceError("--step shows the trace on the terminal; it cannot be combined with --output "
                           "(use '| tee FILE' to keep a copy)")
    if show is not None and "show" not in takes:
        raise BptraceError(f"--show picks the update the tables trace; --format {fmt} holds every update")
    if fragment and "fragment" not in takes:
        raise BptraceError(f"--fragment is for the documents ({', '.join(taking('fragment'))}), not --format {fmt}")
    if color and "color" not in takes:
        raise BptraceError(f"--color colours the tables; --format {fmt} has no colour")
    if color and output not in (None, "-"):
        raise BptraceError("--color colours the tables on standard output; a file written with --output never "
                           "holds colour codes")


def refuse_idle_precision(fmt: str, precision: int | None, hand_rounding: int | None) -> None:
    """Refuse --precision N where hand rounding to H > N decides every digit the tables show: results are
    shown as rounded by hand, and what the hand calculation does not round (g'(p), the new parameters) to
    ``precision`` decimals but never fewer than H."""
    if fmt == "table" and precision is not None and hand_rounding is not None and precision < hand_rounding:
        raise BptraceError(f"--precision {precision} changes nothing with hand rounding to {hand_rounding}: results "
                           f"are shown as rounded by hand, and the values it does not round (g'(p), the new "
                           f"parameters) to at least {hand_rounding} decimals; give {hand_rounding} or more "
                           f"decimals, or --exact")
