"""Options of ``bptrace run`` that would do nothing together are refused, with the reason, before any work
(exit code 2), as every other usage error: an option that is silently ignored looks like a bug."""

from __future__ import annotations

from backprop_cli.errors import BptraceError


def refuse_idle_options(fmt: str, *, output: str | None, step: bool, explain: bool, working: bool,
                        show: int | None, rows: int | None, width: int | None, color: bool | None,
                        fragment: bool = False, documents: tuple[str, ...] = ()) -> None:
    """Refuse table options with --format json or jsonl (the documents take --explain, --show and --rows as the
    tables do), --step into a file, --fragment outside the documents, and --color where no colour goes."""
    written = ("table", *documents)  # the formats that lay out one traced update
    for flag, given, allowed in (("--step", step, ("table",)), ("--explain", explain, written),
                                 ("--working", working, ("table",)), ("--rows", rows is not None, written),
                                 ("--width", width is not None, ("table",))):
        if given and fmt not in allowed:
            where = "the tables and documents" if len(allowed) > 1 else "the tables"
            raise BptraceError(f"{flag} works on {where}; it cannot be combined with --format {fmt}")
    if step and output is not None:
        raise BptraceError("--step shows the trace on the terminal; it cannot be combined with --output "
                           "(use '| tee FILE' to keep a copy)")
    if show is not None and fmt not in written:
        raise BptraceError(f"--show picks the update the tables trace; --format {fmt} holds every update")
    if fragment and fmt not in documents:
        raise BptraceError(f"--fragment is for the documents ({', '.join(documents)}), not --format {fmt}")
    if color and fmt != "table":
        raise BptraceError(f"--color colours the tables; --format {fmt} has no colour")
    if color and output not in (None, "-"):
        raise BptraceError("--color colours the tables on standard output; a file written with --output never "
                           "holds colour codes")


def refuse_idle_precision(fmt: str, precision: int | None, hand_rounding: int | None) -> None:
    """Refuse --precision N where hand rounding to H ≥ N decides every digit the tables show."""
    if fmt == "table" and precision is not None and hand_rounding is not None and precision <= hand_rounding:
        raise BptraceError(f"--precision {precision} changes nothing with hand rounding to {hand_rounding}: results "
                           f"are shown as rounded by hand and parameters to at least {hand_rounding} decimals; "
                           f"give more than {hand_rounding} decimals, or --exact")
