"""The local runner's disk watchdog: the writable host directories of a run, measured often.

The local runner's output and result directories are host directories (DESIGN §5: a fresh temp
dir per run), so nothing in the kernel bounds what a tool writes there besides the per-file
size limit. A watchdog thread measures their disk usage and entries (inodes) every few
milliseconds and, when the work area's bytes or files are exceeded, kills the run itself — not
via the event loop, which may be busy serving pages — so the overshoot is what a tool writes in
one interval plus one measurement. Measuring is iterative and bounded (``file_trees``): a tree
thousands of levels deep is measured like any other. The watchdog never dies silently: when a
measurement fails for any reason, it kills the run too and says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from skriptoteket.builtin import file_trees
from skriptoteket.domain.run_failures import FailureReport, work_area_full

log = logging.getLogger(__name__)

MIN_INTERVAL_SECONDS = 0.005
# A big output tree takes a while to measure: wait this many measurement times between two, so
# the watchdog costs at most a fifth of a core — but never longer than MAX_INTERVAL_SECONDS, which
# bounds the overshoot for trees thousands of directories deep (measuring stops early once the
# limit is passed, so a tree's size is counted before its depth is walked).
INTERVAL_PER_MEASUREMENT = 4.0
MAX_INTERVAL_SECONDS = 0.02


class DiskWatch:
    """Watches ``directories`` in a daemon thread until ``stop()``. ``exceeded`` is a future
    that completes with the failure (``DISK``: ``resource`` ``bytes``, ``files`` or
    ``unmeasurable``) once their usage was above ``limit`` bytes or ``max_files`` entries, or
    could not be measured (after ``on_exceeded`` ran)."""

    def __init__(
        self,
        directories: Sequence[Path],
        limit: int,
        on_exceeded: Callable[[], None],
        *,
        max_files: int | None = None,
    ) -> None:
        self._directories = tuple(directories)
        self.limit = limit
        self._max_files = max_files
        self._on_exceeded = on_exceeded
        self._loop = asyncio.get_running_loop()
        self._stopped = threading.Event()
        self.exceeded: asyncio.Future[FailureReport] = self._loop.create_future()
        # Set (in the thread) before the run is killed: the process's exit may reach the event
        # loop before ``exceeded`` does.
        self.failure: FailureReport | None = None
        self._thread = threading.Thread(  # in a copy of the context: its lines carry the run id
            target=contextvars.copy_context().run,
            args=(self._watch,),
            name="local-disk-watch",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if not self.exceeded.done():
            self.exceeded.cancel()

    def check(self) -> FailureReport | None:
        """One measurement: the failure when a limit is passed (raises when it cannot)."""
        allocated = entries = 0
        for directory in self._directories:
            left = None if self._max_files is None else self._max_files - entries
            usage = file_trees.measure(
                directory, max_entries=left, max_allocated=self.limit - allocated
            )
            allocated += usage.allocated
            entries += usage.entries
            if self._max_files is not None and entries > self._max_files:
                return work_area_full("files", self._max_files)
        if allocated > self.limit:
            return work_area_full("bytes", self.limit)
        return None

    def _watch(self) -> None:
        interval = MIN_INTERVAL_SECONDS
        while not self._stopped.wait(interval):
            started = time.monotonic()
            try:
                failure = self.check()
            except BaseException:  # never die silently: a run we cannot measure is stopped
                log.warning("the disk watchdog could not measure the work area", exc_info=True)
                failure = work_area_full("unmeasurable", self.limit)
            if failure is not None:
                if not self._stopped.is_set():
                    self.failure = failure
                    try:
                        self._on_exceeded()
                    finally:
                        with contextlib.suppress(RuntimeError):  # the loop is closed
                            self._loop.call_soon_threadsafe(self._set_exceeded, failure)
                return
            measured = time.monotonic() - started
            interval = min(
                MAX_INTERVAL_SECONDS,
                max(MIN_INTERVAL_SECONDS, measured * INTERVAL_PER_MEASUREMENT),
            )

    def _set_exceeded(self, failure: FailureReport) -> None:
        if not self.exceeded.done():
            self.exceeded.set_result(failure)
