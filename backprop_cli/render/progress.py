"""A progress bar on standard error for long training runs; nothing at all for quick ones.

The bar appears only once a run has taken longer than a moment, so short runs never flicker, and it
vanishes when the run ends, so stderr keeps only messages. rich is imported only if a bar is drawn.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backprop_cli.engine.backprop import Iteration

DELAY = 0.5  # seconds a run may take before a bar appears
REFRESH = 0.1  # seconds between updates of the bar


def make_stderr_console():
    from rich.console import Console  # the bar, and rich, only when a run is long enough to draw it

    return Console(stderr=True)


def with_progress(iterations: Iterable[Iteration], total: int, epochs: int, *, enabled: bool = True,
                  console_factory: Callable = make_stderr_console, delay: float = DELAY,
                  clock: Callable[[], float] = time.monotonic) -> Iterator[Iteration]:
    """Yield ``iterations`` unchanged, drawing a bar of ``total`` updates once ``delay`` has passed."""
    if not enabled:
        yield from iterations
        return
    start = last = clock()
    progress = task = None
    try:
        for it in iterations:
            yield it
            now = clock()
            if now - last < REFRESH:
                continue
            last = now
            if progress is None:
                if now - start < delay:
                    continue
                progress = _bar(console_factory(), total, epochs)
                progress.start()  # hides the cursor: from here on the finally shows it again, whatever fails
                task = progress.add_task("training", total=total, epoch=0)
            progress.update(task, completed=it.number, epoch=it.epoch)
    finally:
        if progress is not None:
            progress.stop()


def _bar(console, total: int, epochs: int):
    """The bar of a run of ``total`` updates in ``epochs`` epochs, not started yet."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    count = "{task.completed:,.0f}/{task.total:,.0f} updates"
    if total != epochs:  # several updates per epoch: say which epoch too
        count += ", epoch {task.fields[epoch]:,}"
    progress = Progress(
        TextColumn("training"),
        BarColumn(bar_width=16),
        TextColumn(count),
        TimeRemainingColumn(),
        TextColumn("left"),
        console=console,
        transient=True,
    )
    return progress
