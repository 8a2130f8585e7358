"""What every log line of a request or a run inherits: the correlation id and the run id.

Context variables follow asyncio tasks created inside the context (a request's handlers, a
run's task) but not plain threads: a thread that should carry them starts with
``contextvars.copy_context().run``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from uuid import UUID

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
run_id: ContextVar[str | None] = ContextVar("run_id", default=None)


@contextmanager
def bind_correlation_id(value: str) -> Iterator[None]:
    """Every line logged inside carries ``correlation_id`` (ERR-08)."""
    token = correlation_id.set(value)
    try:
        yield
    finally:
        correlation_id.reset(token)


@contextmanager
def bind_run(value: UUID | str) -> Iterator[None]:
    """Every line logged inside carries ``run_id`` (RUN-35)."""
    token = run_id.set(str(value))
    try:
        yield
    finally:
        run_id.reset(token)


def current() -> dict[str, str]:
    """The bound ids, only those that are set."""
    found = {"correlation_id": correlation_id.get(), "run_id": run_id.get()}
    return {name: value for name, value in found.items() if value is not None}
