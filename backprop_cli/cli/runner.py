"""Running a config as ``bptrace run`` does: the options resolved once, the updates computed as a stream,
written by the renderer of the chosen format, and the trained network saved where asked.

The command line parses arguments into ``RunOptions``, calls ``prepare`` and ``execute`` with the
``Environment`` of the process, and turns errors into exit codes; nothing here reads ``sys`` or
``os.environ``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from itertools import dropwhile

from backprop_cli.cli.formats import FORMATS
from backprop_cli.config.save import save_network, saved_config_text
from backprop_cli.engine.backprop import Iteration, Network, trace
from backprop_cli.engine.finite import finite
from backprop_cli.engine.network import Config
from backprop_cli.engine.training import Plan, plan, summarize, with_epochs
from backprop_cli.environment import JSON, Environment, escaping
from backprop_cli.output import PendingFile, destination
from backprop_cli.render.progress import with_progress
from backprop_cli.render.settings import Settings


@dataclass(frozen=True)
class RunOptions:
    """How to run and show a config, resolved once against its display defaults."""

    format: str = "table"  # a name of formats.FORMATS
    settings: Settings = Settings()  # rounding, precision, rows, width
    color: bool | None = None  # None: on a terminal only
    output: str | None = None  # a file, or None for stdout
    step: bool = False  # walk through the phases by key
    explain: bool = False
    working: bool = False  # the intermediate values of every step (model/working.py)
    stdin_config: bool = False  # standard input held the YAML, so it holds no keys
    epochs: int | None = None  # else the config's
    show: int = 1  # the update traced in full
    save_updated: str | None = None  # where to save the trained network
    force: bool = False  # --force: -o may replace a write-protected file (--save-updated: see reserve_save_target)
    fragment: bool = False  # documents: the body only

    def table_options(self):
        from backprop_cli.render.table import TableOptions

        s = self.settings
        return TableOptions(fmt=s.numbers, rows=s.rows, explain=self.explain, working=self.working, width=s.width)


@dataclass(frozen=True)
class Job:
    """A run ready to be written: the config, the network being trained and its iterations (a stream)."""

    given: Config  # as loaded, before the epochs were overridden
    config: Config
    network: Network
    plan: Plan
    options: RunOptions

    def table_options(self):
        return self.options.table_options()


def prepare(config: Config, options: RunOptions) -> Job:
    """The job of running ``config`` with ``options``: its plan of updates, and the network to train."""
    run_config = with_epochs(config, options.epochs)
    return Job(config, run_config, Network(run_config, options.settings.rounding), plan(run_config), options)


def _write_table(stream, job: Job, iterations: Iterator[Iteration], env: Environment) -> None:
    color = job.options.color if job.options.output is None else False  # never colour codes in a file
    if job.plan.updates == 1:
        from backprop_cli.render.table import write_table

        write_table(stream, job.config, iterations, job.table_options(), color=color, env=env)
    else:
        from backprop_cli.render.training import write_training

        summary = summarize(job.config, iterations, job.network, job.options.show)
        write_training(stream, job.config, summary, job.table_options(), color=color, env=env)


def _write_json(stream, job: Job, iterations: Iterator[Iteration], env: Environment) -> None:
    from backprop_cli.render.json import write_json

    settings = job.options.settings
    write_json(escaping(stream, JSON), job.config, iterations, settings.precision, settings.rounding.digits,
               pretty=job.options.output is None and env.stdout_isatty)


def _write_jsonl(stream, job: Job, iterations: Iterator[Iteration], env: Environment) -> None:
    from backprop_cli.render.json import write_jsonl

    write_jsonl(escaping(stream, JSON), iterations)


def _write_document(stream, job: Job, iterations: Iterator[Iteration], env: Environment | None) -> None:
    """A document of the run (LaTeX, Markdown or HTML): the traced update as the handout lays it out, the
    network's figure, the derivation with --explain, and the loss per epoch of a training run."""
    summary = None
    if job.plan.updates == 1:
        it = next(iter(iterations))
    else:
        summary = summarize(job.config, iterations, job.network, job.options.show)
        it = summary.shown
    write_document(stream, job.config, it, job.options, summary)


def write_document(stream, config: Config, it: Iteration, options: RunOptions, summary=None) -> None:
    """The document of update ``it`` of ``config`` in the format ``options.format`` names (with the loss per
    epoch of ``summary``, an engine.training.Summary, for a run of several updates)."""
    from backprop_cli.model.page import page
    from backprop_cli.render.documents import writer

    shown = page(config, it, options.settings.numbers, explain=options.explain, working=options.working,
                 summary=summary)
    writer(options.format).write_page(stream, shown, options.settings.rows, fragment=options.fragment)


WRITERS = {"table": _write_table, "json": _write_json, "jsonl": _write_jsonl, "document": _write_document}


def execute(job: Job, env: Environment, saving: PendingFile | None = None) -> None:
    """Compute the run as a stream and write it (or walk through it by key); then save the trained network
    into ``saving`` (see config.save.reserve_save_target) if asked, finishing the run first where the output
    did not need all of it."""

    options = job.options
    # JSON Lines on stdout are their own progress report, and a bar would overwrite what their reader prints.
    quiet = options.step or (options.format == "jsonl" and options.output in (None, "-"))
    iterations = with_progress(finite(job.config, trace(job.config, network=job.network)), job.plan.updates,
                               job.plan.epochs, enabled=not quiet and env.stderr_isatty)
    if options.step:
        from backprop_cli.render.step import step_mode

        shown = dropwhile(lambda it: it.number < options.show, iterations) if options.show > 1 else iterations
        step_mode(job.config, shown, job.table_options(), env, color=options.color,
                  stdin_holds_config=options.stdin_config)
    else:
        with destination(options.output, env.stdout, force=options.force) as stream:
            WRITERS[FORMATS[options.format].writer](stream, job, iterations, env)
    if saving is not None:
        for _ in iterations:  # step mode and a one-update table stop early; the saved network is the last one
            pass
        save(job, saving)


def save(job: Job, saving: PendingFile) -> None:
    """Write the network after the last update, as a config with the keys of the one it came from, into
    the file ``saving`` reserved for it."""

    trained = replace(job.network.updated_config(), epochs=job.given.epochs)  # only the parameters change
    save_network(saving, saved_config_text(trained, job.options.settings.rounding.digits, updates=job.plan.updates,
                                           origin=job.given.source))
