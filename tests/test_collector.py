"""The collector's tuning around a replication is undone afterwards, whatever happens.

The tuning itself changes no result (``tests/test_fingerprint.py``); what could go wrong is
leaving the process tuned (a library user's own code would then run with it), or untuning
it under a replication still running in another thread.
"""

from __future__ import annotations

import gc
import threading

import pytest

from sim.experiment.replication import YOUNG_THRESHOLD, collector_for_a_long_run


def test_tuned_inside_and_restored_after_even_on_error() -> None:
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    with pytest.raises(RuntimeError), collector_for_a_long_run():
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD
        raise RuntimeError("a replication failed")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen


def test_overlapping_replications_in_threads_keep_the_tuning_until_the_last_ends() -> None:
    """A enters, B enters, A ends (B still runs: still tuned), B ends (restored)."""
    before = gc.get_threshold()
    a_in, b_in, a_out, b_may_end = (threading.Event() for _ in range(4))

    def a() -> None:
        with collector_for_a_long_run():
            a_in.set()
            b_in.wait(5)
        a_out.set()

    def b() -> None:
        a_in.wait(5)
        with collector_for_a_long_run():
            b_in.set()
            b_may_end.wait(5)

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for thread in threads:
        thread.start()
    assert a_out.wait(5)
    during = gc.get_threshold()[0]  # A has ended, B still runs
    b_may_end.set()
    for thread in threads:
        thread.join(5)
    assert during == YOUNG_THRESHOLD
    assert gc.get_threshold() == before
