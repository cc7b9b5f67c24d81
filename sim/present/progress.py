"""Progress on long work: a bar on a terminal, plain lines when the output is not one.

A planner who runs ccsim in a terminal sees a transient bar with elapsed time and ETA on
stderr; a piped or logged run gets a plain line now and then instead, so it is never silent.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from sim.io.names import printable
from sim.present.format import format_seconds

PLAIN_EVERY = 10.0
"""Seconds between plain progress lines when stderr is not a terminal."""


class PlainLines(Progress):
    """Progress for a piped or logged run: no bar, a plain line on stderr every
    :data:`PLAIN_EVERY` seconds and when the work is done, so a log is never silent."""

    def __init__(self, counted: str, every: float = PLAIN_EVERY) -> None:
        super().__init__(disable=True)
        self.counted = counted
        self.every = every
        self.last = time.monotonic()
        self.done_said = False

    def advance(self, task_id: TaskID, advance: float = 1) -> None:
        super().advance(task_id, advance)
        self._tell()

    def update(self, task_id: TaskID, **fields: Any) -> None:  # type: ignore[override]
        super().update(task_id, **fields)
        self._tell()

    def _tell(self) -> None:
        now = time.monotonic()
        finished = all(t.total and t.completed >= t.total for t in self.tasks)
        if finished and not self.done_said:
            self.done_said = True
        elif now - self.last < self.every:
            return
        self.last = now
        for task in self.tasks:
            sys.stderr.write(self.line(task) + "\n")
        sys.stderr.flush()

    def line(self, task: Any) -> str:
        """``baseline: 3/10 replications, 12.0 s elapsed, about 28.0 s left``."""
        counted = Text.from_markup(self.counted.format(task=task)).plain
        total = int(task.total or 0)
        text = f"{task.description}: {int(task.completed)}/{total} {counted}"
        text += f", {format_seconds(task.elapsed or 0.0)} elapsed"
        if task.completed and total and task.completed < total and task.elapsed:
            left = task.elapsed / task.completed * (total - task.completed)
            text += f", about {format_seconds(left)} left"
        return text


def progress_bar(counted: str, enabled: bool = True) -> Progress:
    """Progress on stderr: on a terminal a bar, gone when done (label, bar, ``done/total``
    followed by ``counted`` — a rich format string: what is counted — elapsed time and ETA);
    elsewhere (piped, logged) plain lines now and then (:class:`PlainLines`)."""
    console = Console(stderr=True)
    if enabled and not console.is_terminal:
        return PlainLines(counted)
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(counted),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not enabled,
    )


@contextmanager
def replication_progress(total: int, label: str, enabled: bool = True) -> Iterator[Progress]:
    """A progress bar over replications with elapsed time and ETA (stderr, transient)."""
    progress = progress_bar("replications", enabled)
    with progress:
        progress.add_task(printable(label), total=total)
        yield progress


class SweepProgress:
    """A progress bar over a sweep's replications, with points done and an ETA (stderr).

    It is the sweep's listener (:class:`sim.studies.sweep.SweepListener`).
    """

    def __init__(self, label: str, enabled: bool = True) -> None:
        self.label = printable(label)  # a scenario name: never escape codes
        self.progress = progress_bar("replications · {task.fields[points]}", enabled)
        self.task: Any = None
        self.points_total = 0
        self.points_done = 0

    def __enter__(self) -> SweepProgress:
        self.progress.__enter__()
        return self

    def __exit__(self, *args: Any) -> None:
        self.progress.__exit__(*args)

    def start(self, points_total: int, points_done: int) -> None:
        self.points_total, self.points_done = points_total, points_done
        self.task = self.progress.add_task(self.label, total=0, points=self._points())

    def _points(self) -> str:
        return f"{self.points_done}/{self.points_total} points"

    def scheduled(self, count: int) -> None:
        total = (self.progress.tasks[0].total or 0) + count
        self.progress.update(self.task, total=total)

    def replication(self) -> None:
        self.progress.advance(self.task)

    def point_done(self) -> None:
        self.points_done += 1
        self.progress.update(self.task, points=self._points())
