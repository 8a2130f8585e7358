"""Login throttling: too many failed logins per account or per client address within a window
answer 429 until the oldest counted failure leaves the window.

In memory, per process (several web processes each count on their own, which still bounds
guessing). The clock is injectable so tests can move time.
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


class LoginThrottle:
    def __init__(
        self,
        *,
        max_failures_per_account: int = 5,
        max_failures_per_address: int = 20,
        window_seconds: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._accounts = _Window(max_failures_per_account, window_seconds)
        self._addresses = _Window(max_failures_per_address, window_seconds)
        self._clock = clock

    def retry_after(self, account: str, address: str) -> int:
        """Seconds until a login may be tried again (0: go ahead)."""
        now = self._clock()
        wait = max(
            self._accounts.retry_after(account, now), self._addresses.retry_after(address, now)
        )
        return 0 if wait <= 0 else max(1, int(wait + 0.999))

    def failed(self, account: str, address: str) -> None:
        now = self._clock()
        self._accounts.hit(account, now)
        self._addresses.hit(address, now)

    def succeeded(self, account: str) -> None:
        self._accounts.clear(account)
