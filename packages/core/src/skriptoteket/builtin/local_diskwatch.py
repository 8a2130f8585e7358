"""The local runner's disk watchdog: the writable host directories of a run, measured often.

The local runner's output and result directories are host directories (DESIGN §5: a fresh temp
dir per run), so nothing in the kernel bounds what a tool writes there besides the per-file
size limit. A watchdog thread sums their disk usage every few milliseconds and, when the work
area is exceeded, kills the run itself — not via the event loop, which may be busy serving
pages — so the overshoot is what a tool writes in one interval plus one measurement.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

MIN_INTERVAL_SECONDS = 0.005
# A big output tree takes a while to measure: wait this many measurement times between two, so
# the watchdog costs at most a fifth of a core.
INTERVAL_PER_MEASUREMENT = 4.0


def disk_usage(directory: Path) -> int:
    """Bytes allocated under ``directory`` (never following links)."""
    used = 0
    for root, dirs, files in os.walk(directory, followlinks=False):
        for name in dirs + files:
            with contextlib.suppress(OSError):
                used += os.lstat(os.path.join(root, name)).st_blocks * 512
    return used


class DiskWatch:
    """Watches ``directories`` in a daemon thread until ``stop()``; ``exceeded`` is a future
    that completes once their usage was above ``limit`` (after ``on_exceeded`` ran)."""

    def __init__(
        self, directories: Sequence[Path], limit: int, on_exceeded: Callable[[], None]
    ) -> None:
        self._directories = tuple(directories)
        self._limit = limit
        self._on_exceeded = on_exceeded
        self._loop = asyncio.get_running_loop()
        self._stopped = threading.Event()
        self.exceeded: asyncio.Future[None] = self._loop.create_future()
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

    def _watch(self) -> None:
        interval = MIN_INTERVAL_SECONDS
        while not self._stopped.wait(interval):
            started = time.monotonic()
            used = sum(disk_usage(d) for d in self._directories)
            if used > self._limit:
                if not self._stopped.is_set():
                    self._on_exceeded()
                    with contextlib.suppress(RuntimeError):  # the loop is closed
                        self._loop.call_soon_threadsafe(self._set_exceeded)
                return
            measured = time.monotonic() - started
            interval = max(MIN_INTERVAL_SECONDS, measured * INTERVAL_PER_MEASUREMENT)

    def _set_exceeded(self) -> None:
        if not self.exceeded.done():
            self.exceeded.set_result(None)
