"""Login throttling rules (issue 9 item 4, ID-12; issue 10: kept in the database so every web
process and machine counts the same failures).

Failures count per (account, client address), so wrong passwords sent from elsewhere never lock
the owner out of their account:

- Per (account, address): the first ``failures_before_delay`` failures are free; after that each
  attempt waits a growing delay after the last failure — 1 s, 2 s, 4 s, … up to
  ``max_delay_seconds`` (15 minutes). A success from that address clears it; a pair is
  forgotten once it has been quiet for its delay plus ``window_seconds`` (so waiting out the
  longest delay does not make the next guesses free again).
- Per address, across accounts: ``max_failures_per_address`` failures in the window answer
  "wait" until the oldest leaves it, so one address cannot try many accounts.

Both are ``LoginFailures`` records; this module holds only the arithmetic. Storage is bounded:
a record is dropped when it expires, and at most ``max_records`` are kept (the ones expiring
soonest go first), so an attacker cannot grow the table without bound.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs


@attrs.frozen
class LoginFailures:
    """Failures counted under one key (a pair or an address; the key is a digest).

    ``failures``: failures since the record was (re)started; ``recent``: the times of the latest
    failures, oldest first (one for a pair, up to the address cap for an address);
    ``expires_at``: when the record no longer matters and may be deleted."""

    key: str
    failures: int
    recent: tuple[datetime, ...]
    expires_at: datetime


@attrs.frozen
class ThrottlePolicy:
    failures_before_delay: int = 5
    max_delay_seconds: float = 900.0
    max_failures_per_address: int = 20
    window_seconds: float = 900.0
    max_records: int = 50_000

    def delay(self, failures: int) -> float:
        if failures < self.failures_before_delay:
            return 0.0
        exponent = min(failures - self.failures_before_delay, 64)
        return float(min(self.max_delay_seconds, 2.0**exponent))

    @property
    def _window(self) -> timedelta:
        return timedelta(seconds=self.window_seconds)

    # --- per (account, address): growing delays ---

    def _live_pair(self, record: LoginFailures | None, now: datetime) -> LoginFailures | None:
        return record if record is not None and now < record.expires_at else None

    def pair_wait(self, record: LoginFailures | None, now: datetime) -> float:
        live = self._live_pair(record, now)
        if live is None or not live.recent:
            return 0.0
        ready = live.recent[-1] + timedelta(seconds=self.delay(live.failures))
        return (ready - now).total_seconds()

    def pair_failed(self, key: str, record: LoginFailures | None, now: datetime) -> LoginFailures:
        live = self._live_pair(record, now)
        failures = (live.failures if live else 0) + 1
        quiet = timedelta(seconds=self.delay(failures)) + self._window
        return LoginFailures(key, failures, (now,), now + quiet)

    # --- per address: a sliding window with a cap ---

    def _live_hits(self, record: LoginFailures | None, now: datetime) -> tuple[datetime, ...]:
        if record is None:
            return ()
        return tuple(t for t in record.recent if t > now - self._window)

    def address_wait(self, record: LoginFailures | None, now: datetime) -> float:
        hits = self._live_hits(record, now)
        limit = self.max_failures_per_address
        if len(hits) < limit:
            return 0.0
        return (hits[-limit] + self._window - now).total_seconds()

    def address_failed(
        self, key: str, record: LoginFailures | None, now: datetime
    ) -> LoginFailures:
        hits = (*self._live_hits(record, now), now)[-self.max_failures_per_address :]
        return LoginFailures(key, len(hits), hits, now + self._window)


def whole_seconds(wait: float) -> int:
    """A wait as the ``Retry-After`` seconds: 0 means go ahead, else at least 1, rounded up."""
    return 0 if wait <= 0 else max(1, int(wait + 0.999))
