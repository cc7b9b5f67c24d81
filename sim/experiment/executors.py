"""Where replications run: in this process, in local processes, or on a Dask cluster.

Every executor runs the task it is made with (the replication path gives
:func:`sim.experiment.replication.simulate_data`: a scenario as plain data, a replication
index and a trace folder) and hands results back as they finish, each with the tag it was
submitted with. Replication ``r`` of a scenario is the same whichever executor
runs it (its random streams depend only on the seed, ``r`` and the purpose), so results are
identical, bit for bit, whatever the executor and the number of workers; only the order in
which they arrive differs, and callers sort by replication.

- :class:`SerialExecutor` — one after another in this process (``workers=1``);
- :class:`ProcessExecutor` — a pool of local processes (the default: one per core);
- :class:`DaskExecutor` — a Dask distributed cluster: ``Client(address)`` for a running
  scheduler, or ``"local"`` for a ``LocalCluster`` of single-threaded worker processes.
  Remote workers need ccsim installed (the same version) to import the task.

All three are context managers; leaving the ``with`` block early (an error, Ctrl-C) cancels
whatever has not started and shuts the workers down.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.experiment.results import ReplicationResult

Task = Callable[..., "ReplicationResult"]
"""A module-level function (so it pickles by name) that runs one replication."""

Tag = Hashable
CONNECT_TIMEOUT = "15s"


class ExecutorError(ValueError):
    """An executor that cannot be used (e.g. no Dask scheduler at the address given)."""


NO_WORKERS_SECONDS = 60.0
"""How long a Dask cluster may have no workers at all before the work stops (default)."""
POLL_SECONDS = 1.0


class NoWorkers(KeyboardInterrupt):
    """The Dask cluster had no workers for too long: the work stops as on Ctrl-C (finished
    results kept), with this message instead of silence."""


def _ignore_sigint(parent_pid: int | None = None) -> None:
    """Worker initialiser: Ctrl-C is the parent's to handle (it cancels and shuts down),
    SIGTERM ends the worker at once (not the parent's SIGTERM-as-Ctrl-C, inherited by fork),
    and the worker dies with its parent: after a ``kill -9`` of the parent no orphan is left
    computing, or waiting on its pipe, under PID 1."""
    from sim.io.workers import die_with_parent

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent(parent_pid)


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore SIGINT while starting processes that should leave Ctrl-C to this one."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class Executor:
    """Submit replications, collect them as they finish. ``task`` runs one replication."""

    name = "executor"
    workers = 1

    def __init__(self, task: Task) -> None:
        self.task = task

    def submit(self, tag: Tag, *args: Any) -> None:
        """Run ``task(*args)``; its result comes back from :meth:`completed` with ``tag``."""
        raise NotImplementedError

    def completed(self) -> Iterator[tuple[Tag, ReplicationResult]]:
        """Yield ``(tag, result)`` as tasks finish, until none is pending.

        Tasks submitted while iterating are picked up by the same iteration.
        """
        raise NotImplementedError

    def close(self, cancel: bool = False) -> None:
        """Release the workers; ``cancel`` drops tasks that have not started."""

    def describe(self) -> str:
        return f"{self.workers} {self.name} worker{'s' if self.workers != 1 else ''}"

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, kind: Any, error: Any, trace: Any) -> None:
        self.close(cancel=kind is not None)


class SerialExecutor(Executor):
    """Run each task in this process when its result is asked for, in submission order."""

    name = "in-process"

    def __init__(self, task: Task) -> None:
        super().__init__(task)
        self._pending: deque[tuple[Tag, tuple[Any, ...]]] = deque()

    def submit(self, tag: Tag, *args: Any) -> None:
        self._pending.append((tag, args))

    def completed(self) -> Iterator[tuple[Tag, ReplicationResult]]:
        while self._pending:
            tag, args = self._pending.popleft()
            yield tag, self.task(*args)

    def close(self, cancel: bool = False) -> None:
        self._pending.clear()


class ProcessExecutor(Executor):
    """A pool of local worker processes (Ctrl-C ignored in workers, handled here)."""

    name = "local process"

    def __init__(self, task: Task, workers: int) -> None:
        super().__init__(task)
        self.workers = max(1, workers)
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers, initializer=_ignore_sigint, initargs=(os.getpid(),)
        )
        self._pending: dict[Future[ReplicationResult], Tag] = {}

    def submit(self, tag: Tag, *args: Any) -> None:
        self._pending[self._pool.submit(self.task, *args)] = tag

    def completed(self) -> Iterator[tuple[Tag, ReplicationResult]]:
        while self._pending:
            done, _ = wait(list(self._pending), return_when=FIRST_COMPLETED)
            # Report in submission order among those that finished together.
            for future in [f for f in self._pending if f in done]:
                tag = self._pending.pop(future)
                yield tag, future.result()

    def close(self, cancel: bool = False) -> None:
        if cancel:
            for future in self._pending:
                future.cancel()
            # Workers ignore SIGINT; stop the ones still computing instead of waiting.
            processes = list((getattr(self._pool, "_processes", None) or {}).values())
            self._pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                if process.is_alive():
                    process.terminate()
            for process in processes:
                process.join(timeout=5)
        else:
            self._pool.shutdown(wait=True)
        self._pending.clear()


class DaskExecutor(Executor):
    """Tasks on a Dask distributed cluster: ``address`` of a scheduler, or ``"local"``.

    ``"local"`` starts a ``LocalCluster`` of ``workers`` single-threaded processes (one per
    core by default) and stops it on close; a cluster given by address is left running.
    """

    name = "Dask"

    def __init__(
        self,
        task: Task,
        address: str,
        workers: int | None = None,
        no_workers: float = NO_WORKERS_SECONDS,
    ) -> None:
        import logging

        from distributed import Client, LocalCluster, as_completed

        super().__init__(task)
        self._cluster = None
        if address == "local":
            with _sigint_ignored():  # the worker processes inherit it: Ctrl-C is ours
                self._cluster = LocalCluster(
                    n_workers=workers or os.cpu_count() or 1,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            self.client = Client(self._cluster)
        else:
            try:
                self.client = Client(address, timeout=CONNECT_TIMEOUT)
            except (OSError, ValueError, TimeoutError) as error:
                raise ExecutorError(
                    f"dask {address}: cannot use a Dask scheduler there ({error}); give "
                    "its address (tcp://host:8786) or 'local'"
                ) from None
        self.address = address
        self.no_workers = no_workers
        threads = self.client.nthreads()
        self.workers = max(1, sum(threads.values()))
        self._as_completed = as_completed()
        self._tags: dict[str, Tag] = {}
        self._futures: dict[str, Any] = {}

    def submit(self, tag: Tag, *args: Any) -> None:
        future = self.client.submit(self.task, *args, pure=False)
        self._tags[future.key] = tag
        self._futures[future.key] = future
        self._as_completed.add(future)

    def completed(self) -> Iterator[tuple[Tag, ReplicationResult]]:
        """Results as they finish; raises :class:`NoWorkers` once the cluster has had no
        worker for :attr:`no_workers` seconds while tasks wait (workers that come back in
        time are waited for)."""
        from distributed import wait as wait_any

        idle_since: float | None = None
        while not self._as_completed.is_empty():
            if self._as_completed.has_ready():
                idle_since = None
                for future in self._as_completed.next_batch(block=False):
                    self._futures.pop(future.key, None)
                    yield self._tags.pop(future.key), future.result()
                continue
            with suppress(TimeoutError):  # returns as soon as one finishes
                wait_any(list(self._futures.values()), POLL_SECONDS, "FIRST_COMPLETED")
            if self._as_completed.has_ready() or self.client.nthreads():
                idle_since = None
                continue
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since >= self.no_workers:
                raise NoWorkers(
                    f"the Dask cluster at {self.address} has had no workers for "
                    f"{self.no_workers:g} s"
                )

    def close(self, cancel: bool = False) -> None:
        try:
            if cancel:
                futures = list(self._as_completed.futures)
                if futures:
                    self.client.cancel(futures)
            self._as_completed.clear()
            self.client.close()
        finally:
            if self._cluster is not None:
                self._cluster.close()
        self._tags.clear()
        self._futures.clear()

    def describe(self) -> str:
        where = "a local Dask cluster" if self._cluster is not None else f"Dask at {self.address}"
        return f"{self.workers} worker{'s' if self.workers != 1 else ''} on {where}"


def make_executor(
    task: Task,
    workers: int | None = None,
    dask: str | None = None,
    tasks: int = 0,
    no_workers: float = NO_WORKERS_SECONDS,
) -> Executor:
    """The executor for ``workers`` / ``dask``, running ``task``.

    Without ``dask``: local processes, one per core unless ``workers`` says otherwise, never
    more than ``tasks`` (when known); one worker runs in this process.
    """
    if dask:
        return DaskExecutor(task, dask, workers, no_workers)
    if workers is None:
        workers = os.cpu_count() or 1
        if tasks:
            workers = min(workers, tasks)
    if workers <= 1:
        return SerialExecutor(task)
    return ProcessExecutor(task, workers)
