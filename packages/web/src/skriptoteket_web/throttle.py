"""Login throttling (issue 9 item 4): failures count per (account, client address), so wrong
passwords sent from elsewhere never lock the owner out of their account.

- Per (account, address): the first ``failures_before_delay`` failures are free; after that each
  attempt waits a growing delay after the last failure — 1 s, 2 s, 4 s, … up to
  ``max_delay_seconds`` (15 minutes). A success from that address clears it; a pair is
  forgotten once it has been quiet for its delay plus ``window_seconds`` (so waiting out the
  longest delay does not make the next guesses free again).
- Per address, across accounts: more than ``max_failures_per_address`` failures in the window
  answer 429 until the oldest leaves it, so one address cannot try many accounts.

The client address is the socket peer (no ``X-Forwarded-For``). In memory, per process (several
web processes each count on their own, which still bounds guessing). The clock is injectable so
tests can move time.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable

MAX_TRACKED_KEYS = 50_000


class _Window:
    """Failure timestamps per key in a sliding window; the least recently used keys are
    forgotten first when too many are tracked (an attacker cannot exhaust memory)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def _live(self, key: str, now: float) -> deque[float] | None:
        hits = self._hits.get(key)
        if hits is None:
            return None
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if not hits:
            del self._hits[key]
            return None
        return hits

    def retry_after(self, key: str, now: float) -> float:
        hits = self._live(key, now)
        if hits is None or len(hits) < self.limit:
            return 0.0
        return hits[-self.limit] + self.window - now

    def hit(self, key: str, now: float) -> None:
        hits = self._live(key, now) or deque()
        hits.append(now)
        self._hits[key] = hits
        self._hits.move_to_end(key)
        while len(self._hits) > MAX_TRACKED_KEYS:
            self._hits.popitem(last=False)

    def clear(self, key: str) -> None:
        self._hits.pop(key, None)


class _Backoff:
    """Failures per key and the time of the last; the least recently used keys are forgotten
    first when too many are tracked."""

    def __init__(self, free: int, base: float, cap: float, window: float) -> None:
        self.free = free
        self.base = base
        self.cap = cap
        self.window = window
        self._keys: OrderedDict[str, tuple[int, float]] = OrderedDict()

    def _delay(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return float(min(self.cap, self.base * 2.0 ** min(failures - self.free, 64)))

    def _live(self, key: str, now: float) -> tuple[int, float] | None:
        entry = self._keys.get(key)
        if entry is None:
            return None
        failures, last = entry
        if now - last >= self._delay(failures) + self.window:
            del self._keys[key]
            return None
        return entry

    def retry_after(self, key: str, now: float) -> float:
        entry = self._live(key, now)
        if entry is None:
            return 0.0
        failures, last = entry
        return last + self._delay(failures) - now

    def hit(self, key: str, now: float) -> None:
        failures, _ = self._live(key, now) or (0, now)
        self._keys[key] = (failures + 1, now)
        self._keys.move_to_end(key)
        while len(self._keys) > MAX_TRACKED_KEYS:
            self._keys.popitem(last=False)

    def clear(self, key: str) -> None:
        self._keys.pop(key, None)


class LoginThrottle:
    def __init__(
        self,
        *,
        failures_before_delay: int = 5,
        max_delay_seconds: float = 900.0,
        max_failures_per_address: int = 20,
        window_seconds: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._pairs = _Backoff(failures_before_delay, 1.0, max_delay_seconds, window_seconds)
        self._addresses = _Window(max_failures_per_address, window_seconds)
        self._clock = clock

    @staticmethod
    def _pair(account: str, address: str) -> str:
        return f"{address}\n{account}"

    def retry_after(self, account: str, address: str) -> int:
        """Seconds until a login may be tried again (0: go ahead)."""
        now = self._clock()
        wait = max(
            self._pairs.retry_after(self._pair(account, address), now),
            self._addresses.retry_after(address, now),
        )
        return 0 if wait <= 0 else max(1, int(wait + 0.999))

    def failed(self, account: str, address: str) -> None:
        now = self._clock()
        self._pairs.hit(self._pair(account, address), now)
        self._addresses.hit(address, now)

    def succeeded(self, account: str, address: str) -> None:
        self._pairs.clear(self._pair(account, address))
