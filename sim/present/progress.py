"""Progress on long work: a bar on a terminal, plain lines when the output is not one.

A planner who runs ccsim in a terminal sees a transient bar with elapsed time and ETA on
stderr; a piped or logged run gets a plain line now and then instead, so it is never silent.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


def progress_bar(counted: str, enabled: bool = True) -> Progress:
    """A progress bar on stderr, gone when done: label, bar, ``done/total`` followed by
    ``counted`` (a rich format string: what is counted), elapsed time and ETA."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(counted),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=not enabled,
    )


@contextmanager
def replication_progress(total: int, label: str, enabled: bool = True) -> Iterator[Progress]:
    """A progress bar over replications with elapsed time and ETA (stderr, transient)."""
    progress = progress_bar("replications", enabled)
    with progress:
        progress.add_task(label, total=total)
        yield progress


class SweepProgress:
    """A progress bar over a sweep's replications, with points done and an ETA (stderr).

    It is the sweep's listener (:class:`sim.studies.sweep.SweepListener`).
    """

    def __init__(self, label: str, enabled: bool = True) -> None:
        self.label = label
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
