"""Running a config from Python: ``run`` keeps every update in a ``Run``, ``trace`` yields them one by one.

A ``Run`` is written by the writers of ``bptrace run`` (cli/runner.py's WRITERS, cli/formats.py's options):
``to_text``, ``to_latex``, ``to_markdown``, ``to_html`` and ``to_json`` return the text the command writes
into a file, and a notebook displays a Run (and one update of it, ``Run.update(n)``) as the worked example.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from backprop_cli.cli.formats import FORMATS
from backprop_cli.cli.run_rules import refuse_idle_precision
from backprop_cli.cli.runner import WRITERS, Job, RunOptions, write_document
from backprop_cli.config.read import load_config
from backprop_cli.engine.backprop import Iteration, Network
from backprop_cli.engine.backprop import trace as _engine_trace
from backprop_cli.engine.finite import finite
from backprop_cli.engine.network import Config
from backprop_cli.engine.rounding import Rounding
from backprop_cli.engine.training import plan, with_epochs
from backprop_cli.environment import Environment
from backprop_cli.errors import BptraceError
from backprop_cli.render.json import iteration_data, trace_document
from backprop_cli.render.settings import Settings

ConfigLike = Config | str | os.PathLike  # a Config, or the path of a config file


def trace(config: ConfigLike, *, hand_rounding: int | Rounding | None = None, exact: bool = False,
          epochs: int | None = None, network: Network | None = None) -> Iterator[Iteration]:
    """Yield every update of the run, as ``bptrace run`` computes it, keeping none of them (for long runs).

    The rounding is the config's own (``display.hand_rounding``) unless ``hand_rounding=N`` rounds by hand
    to N decimals or ``exact=True`` computes in full precision; ``epochs`` overrides the config's. A NaN or
    an infinity stops it with a BptraceError that names it, as ``bptrace run`` does.

    Examples:
        >>> for it in trace("configs/xor.yaml", epochs=2):
        ...     print(it.epoch, round(it.loss, 4))
        1 0.2538
        2 0.2529
    """
    config = _config(config, epochs)
    rounding = Settings.resolve(config, hand_rounding=hand_rounding, exact=exact).rounding
    return finite(config, _engine_trace(config, hand_rounding=rounding, network=network))


@dataclass(frozen=True)
class Options:
    """How a Run is shown, as ``bptrace run`` takes it: ``precision`` decimals (None: the config's), ``rows``
    per table (None: 16, 0: all), ``explain`` (the derivation), ``working`` (the intermediate values),
    ``show`` (the update traced in full; None: the first)."""

    precision: int | None = None
    rows: int | None = None
    explain: bool = False
    working: bool = False
    show: int | None = None


def _whole(name: str, value, least: int, most: int | None = None) -> None:
    """Refuse what the command line's option would refuse: a number that is not whole or out of range."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < least or (most is not None and value > most):
        span = f"from {least} to {most}" if most is not None else f"of at least {least}"
        raise BptraceError(f"{name}: expected a whole number {span}, got {value!r}")


class _Documents:
    """The documents of a run or an update, and what a notebook displays: the worked example (HTML with
    MathML; Markdown or LaTeX where a front end prefers them)."""

    def document(self, form: str, fragment: bool = False) -> str:
        raise NotImplementedError  # each class writes its own

    def to_latex(self, fragment: bool = False) -> str:
        """The LaTeX document, as ``bptrace run CONFIG --format latex`` writes it (``fragment``: its body)."""
        return self.document("latex", fragment)

    def to_markdown(self, fragment: bool = False) -> str:
        """The Markdown document, as ``bptrace run CONFIG --format markdown`` writes it."""
        return self.document("markdown", fragment)

    def to_html(self, fragment: bool = False) -> str:
        """The HTML page (math as MathML, the figure as inline SVG), as ``bptrace run CONFIG --format html``
        writes it (``fragment``: the <div> alone, its style inside it)."""
        return self.document("html", fragment)

    def _repr_html_(self) -> str:
        return self.to_html(fragment=True)

    def _repr_markdown_(self) -> str:
        return self.to_markdown(fragment=True)

    def _repr_latex_(self) -> str:
        return self.to_latex(fragment=True)


@dataclass(frozen=True, repr=False)
class Run(_Documents):
    """A finished run: every update, the network after the last one, and how the run is shown.

    Examples:
        >>> result = run("configs/handout.yaml")
        >>> result.loss, len(result.iterations)
        (0.47, 1)
        >>> print(result.to_text(width=80).splitlines()[0])
        Handout example
    """

    config: Config
    rounding: Rounding
    iterations: tuple[Iteration, ...]
    network: Network
    options: Options = field(default_factory=Options)

    def __repr__(self) -> str:
        updates = len(self.iterations)
        return (f"<Run of {self.config.source}: {updates:,} update{'s' if updates != 1 else ''}, "
                f"J = {self.loss:g} before the first>")

    @property
    def loss(self) -> float:
        """J of the first update, before its step (the loss of the forward pass)."""
        return self.iterations[0].loss

    @property
    def trained(self) -> Config:
        """The config with the weights and biases after the last update (what ``--save-updated`` writes)."""
        return self.network.updated_config()

    def to_dict(self) -> dict:
        """The JSON trace (schema bptrace/trace-v1) as a dict: what ``bptrace run --format json`` writes."""
        return trace_document(self.config, self.iterations, self.settings().precision, self.rounding.digits)

    def with_options(self, *, precision: int | None = None, rows: int | None = None, explain: bool | None = None,
                     working: bool | None = None, show: int | None = None) -> Run:
        """The same run shown otherwise (nothing is computed again); an option left out keeps its value.

        Examples:
            >>> run("configs/xor.yaml").with_options(show=3, rows=0).options.show
            3
        """
        given = (("precision", precision), ("rows", rows), ("explain", explain), ("working", working), ("show", show))
        changes: dict[str, Any] = {name: value for name, value in given if value is not None}
        _whole("precision", precision, 0, 15)
        _whole("rows", rows, 0)
        _whole("show", show, 1)
        if show is not None and show > len(self.iterations):
            raise BptraceError(f"show={show}: the run has only {len(self.iterations):,} "
                               f"update{'s' if len(self.iterations) != 1 else ''}")
        return replace(self, options=replace(self.options, **changes))

    def settings(self, width: int | None = None) -> Settings:
        """The settings the run is shown with (Settings.resolve over the options and the config)."""
        return Settings.resolve(self.config, precision=self.options.precision, hand_rounding=self.rounding,
                                rows=self.options.rows, width=width)

    def run_options(self, form: str, *, width: int | None = None, fragment: bool = False) -> RunOptions:
        """The options ``bptrace run --format FORM`` is given for this run: those of ``options`` the format
        takes (cli/formats.py), the others left out as the command line would have to leave them out."""
        takes, o = FORMATS[form].options, self.options
        return RunOptions(format=form, settings=self.settings(width), color=False,
                          explain=o.explain and "explain" in takes, working=o.working and "working" in takes,
                          show=(o.show or 1) if "show" in takes else 1, fragment=fragment)

    def write(self, form: str, *, width: int | None = None, fragment: bool = False) -> str:
        """The text ``bptrace run --format FORM -o FILE`` writes into FILE, with this run's options."""
        if form == "table":
            refuse_idle_precision(form, self.options.precision, self.rounding.digits)
        options = self.run_options(form, width=width, fragment=fragment)
        job = Job(self.config, self.config, self.network, plan(self.config), options)
        out = io.StringIO()
        WRITERS[FORMATS[form].writer](out, job, iter(self.iterations), _quiet(out))
        return out.getvalue()

    def to_text(self, width: int | None = None) -> str:
        """The tables, as ``bptrace run CONFIG --width WIDTH -o FILE.txt`` writes them (no colour; WIDTH
        defaults to 100 columns, as in a file)."""
        _whole("width", width, 60)
        return self.write("table", width=width)

    def document(self, form: str, fragment: bool = False) -> str:
        return self.write(form, fragment=fragment)

    def to_json(self) -> str:
        """The JSON trace, as ``bptrace run CONFIG --format json`` writes it into a file or a pipe."""
        return self.write("json")

    def update(self, number: int = 1) -> Update:
        """Update ``number`` (1-based) of the run alone, shown as a run of that one update is.

        Examples:
            >>> run("configs/xor.yaml", epochs=2).update(2).iteration.epoch
            2
        """
        _whole("number", number, 1, len(self.iterations))
        return Update(self, self.iterations[number - 1])


@dataclass(frozen=True, repr=False)
class Update(_Documents):
    """One update of a Run (``Run.update(n)``), shown alone with the Run's options: its worked example."""

    run: Run
    iteration: Iteration

    def __repr__(self) -> str:
        return f"<Update {self.iteration.number:,} of {self.run.config.source}: J = {self.iteration.loss:g}>"

    def to_dict(self) -> dict:
        """The update in the trace-v1 form (an item of ``Run.to_dict()["iterations"]``, a line of jsonl)."""
        return iteration_data(self.iteration)

    def document(self, form: str, fragment: bool = False) -> str:
        out = io.StringIO()
        write_document(out, self.run.config, self.iteration, self.run.run_options(form, fragment=fragment))
        return out.getvalue()

    def to_text(self, width: int | None = None) -> str:
        """The tables of this update alone."""
        from backprop_cli.render.table import write_table

        _whole("width", width, 60)
        out = io.StringIO()
        options = self.run.run_options("table", width=width)
        write_table(out, self.run.config, [self.iteration], options.table_options(), color=False, env=_quiet(out))
        return out.getvalue()


def run(config: ConfigLike, *, hand_rounding: int | Rounding | None = None, exact: bool = False,
        epochs: int | None = None, precision: int | None = None, rows: int | None = None, explain: bool = False,
        working: bool = False, show: int | None = None) -> Run:
    """Run ``config`` (a Config, or the path of a config file) to the end and keep every update.

    The rounding and ``epochs`` are as for ``trace``; ``precision``, ``rows``, ``explain``, ``working`` and
    ``show`` say how the Run is shown, as the options of ``bptrace run`` do (``Run.with_options`` changes them).

    Examples:
        >>> result = run("configs/handout.yaml")      # its display.hand_rounding: 2
        >>> out = result.iterations[0].layers[1]       # update 1, layer 'out'
        >>> float(out.dJ_dweights[0, 0]), float(out.new_weights[0, 0])
        (0.077, -1.4077)
        >>> round(run("configs/handout.yaml", exact=True).loss, 4)   # as --exact
        0.4749
    """
    config = _config(config, epochs)
    rounding = Settings.resolve(config, hand_rounding=hand_rounding, exact=exact).rounding
    network = Network(config, rounding)
    iterations = tuple(finite(config, _engine_trace(config, network=network)))
    return Run(config, rounding, iterations, network).with_options(
        precision=precision, rows=rows, explain=explain, working=working, show=show)


def _config(config: ConfigLike, epochs: int | None) -> Config:
    if not isinstance(config, Config):
        config = load_config(os.fspath(config))
    _whole("epochs", epochs, 1)
    return with_epochs(config, epochs)


def _quiet(stream: io.StringIO) -> Environment:
    """The environment of a run written into a file: no terminal, no COLUMNS, no colour."""
    return Environment(stdin=io.StringIO(), stdout=stream, stderr=io.StringIO())
