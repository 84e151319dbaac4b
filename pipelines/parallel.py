"""Bulk CPU work: an ordered map over worker processes (the middle of a load), and the cyclic collector paused.

Why its own pool and not the flow's task runner: the load is one writer holding the warehouse
lock, and only the pure part (report bodies → Arrow tables) is spread out; the writing, the
content hashes and the commit stay in the process that holds the lock. Results come back in
submission order with at most ``window`` items in flight, so memory is bounded by the window,
not by the number of partitions. Workers are spawned (the caller may run threads: Prefect's), and
die with their parent.
"""

from __future__ import annotations

import gc
import multiprocessing
import sys
import types
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, TypeVar

from extractors.readers.limits import die_with_parent

T = TypeVar("T")
R = TypeVar("R")


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic collector off while many rows or reports are made: they are acyclic (JSON values, dicts,
    dataclasses) and freed by reference counting, but each collection would scan every live one again (measured:
    a fifth of a load's CPU and a third of an extraction task's own, charged to whatever allocated). Cycles made
    meanwhile (an exception's frames) are collected once it is back on."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def may_start_workers() -> bool:
    """A daemonic process (a multiprocessing pool's worker) may not start children of its own."""
    return not multiprocessing.current_process().daemon


@contextmanager
def _bare_main() -> Iterator[None]:
    """Spawned children re-run the parent's main script unless it is guarded by ``if __name__ == "__main__"``; a
    researcher's script or a benchmark need not be. The workers need nothing from it (their function and initializer
    are importable), so while a child is started the main module it is told about is an empty one."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def _start(initializer: Callable[..., None] | None, initargs: tuple) -> None:
    die_with_parent()
    if initializer is not None:
        initializer(*initargs)


def ordered_map(
    fn: Callable[[T], R],
    items: Iterable[T],
    workers: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple = (),
    window: int | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> Iterator[R]:
    """``fn(item)`` for each item, computed in ``workers`` spawned processes, yielded in the items' order.

    ``meanwhile``: the caller's own work, called once, when the first ``window`` items are submitted (all of them,
    if fewer) and before the first result is awaited, so that it runs while the workers do. An exception raised by
    ``fn`` or ``meanwhile`` is raised here (the pool is shut down, pending items cancelled)."""
    window = window or 2 * workers
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start, initargs=(initializer, initargs))
    pending: list[Future[Any]] = []
    try:
        for item in items:
            with _bare_main():  # submit starts the workers it needs
                pending.append(pool.submit(fn, item))
            if len(pending) >= window:
                if meanwhile is not None:
                    meanwhile, then = None, meanwhile
                    then()
                yield pending.pop(0).result()
        if meanwhile is not None:
            meanwhile()
        while pending:
            yield pending.pop(0).result()
    finally:
        for fut in pending:
            fut.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
