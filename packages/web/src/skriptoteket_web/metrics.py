"""Prometheus metrics of the web processes (issue 4 §8): HTTP requests by route template, runs
by status, the run queue, run durations. ``Metrics`` is the core's ``RunObserver`` and keeps its
own registry, so two apps in one process (tests) never share counters. ``/metrics`` renders it
in the Prometheus text format (``pages/health.py``).

Several processes (``serve --workers N``, issue 10): ``serve`` sets ``PROMETHEUS_MULTIPROC_DIR``
to a fresh directory before the children start; each child's counters and histograms go to
files there, and ``/metrics`` — whichever process answers — adds up every process's files
(prometheus_client's ``MultiProcessCollector``). The queue gauges come from ``GetQueueStats``,
the same for every process on a shared queue, so they show the most recent value; the limits
show the largest. Per-process series (CPU, memory, garbage collection) are left out then: one
process's numbers would pass for the site's."""

from __future__ import annotations

import hmac
import ipaddress
import os
import shutil
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.gc_collector import GCCollector
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.process_collector import ProcessCollector
from skriptoteket.domain.runs import RunContext, RunStatus
from skriptoteket.ports.execution import QueueStats
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
UNMATCHED = "unmatched"  # every path no route matches: one label value, whatever the path
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
FINAL = tuple(s for s in RunStatus if s.is_terminal)
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
RUN_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)


def run_buckets(timeouts: Iterable[float]) -> tuple[float, ...]:
    """Sub-second steps up to the largest configured timeout, plus each timeout itself."""
    limits = sorted(set(timeouts))
    top = limits[-1] if limits else RUN_BUCKETS[-1]
    return tuple(sorted({b for b in RUN_BUCKETS if b < top} | set(limits)))


def multiprocess_dir() -> str | None:
    """The directory prometheus_client shares between processes, when ``serve`` set one."""
    return os.environ.get(MULTIPROC_ENV) or None


def prepare_multiprocess_dir(data_dir: Path) -> Path:
    """A fresh directory for this ``serve``'s processes (``DATA_DIR/metrics/<pid>``), set as
    ``PROMETHEUS_MULTIPROC_DIR`` for the children to inherit. Directories of ``serve``
    processes that are gone are removed; a live one's are left alone."""
    parent = data_dir / "metrics"
    parent.mkdir(parents=True, exist_ok=True)
    for old in parent.iterdir():
        if old.is_dir() and (old.name == str(os.getpid()) or not _alive(old.name)):
            shutil.rmtree(old, ignore_errors=True)
    fresh = parent / str(os.getpid())
    fresh.mkdir()
    os.environ[MULTIPROC_ENV] = str(fresh)
    return fresh


def _alive(pid: str) -> bool:
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Metrics:
    def __init__(self, *, run_duration_buckets: Iterable[float] = RUN_BUCKETS) -> None:
        self.registry = CollectorRegistry()
        self._shared_dir = multiprocess_dir()
        if self._shared_dir is None:
            ProcessCollector(registry=self.registry)
            GCCollector(registry=self.registry)
        r = self.registry
        self.http_requests = Counter(
            "skriptoteket_http_requests",
            "HTTP requests by method, route template and status code.",
            ("method", "route", "status"),
            registry=r,
        )
        self.http_duration = Histogram(
            "skriptoteket_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ("method", "route"),
            registry=r,
        )
        self.process_requests = Gauge(
            "skriptoteket_http_requests_in_process",
            "HTTP requests this web process answered; with serve --workers N one series per "
            "process (its pid label), to see how the load spreads.",
            registry=r,
            multiprocess_mode="all",
        )
        self.runs_started = Counter(
            "skriptoteket_runs_started",
            "Runs this process handed to the runner, by context.",
            ("context",),
            registry=r,
        )
        self.runs_finished = Counter(
            "skriptoteket_runs_finished",
            "Runs this process brought to a final status, by context and status.",
            ("context", "status"),
            registry=r,
        )
        self.run_duration = Histogram(
            "skriptoteket_run_duration_seconds",
            "Time from running to final of runs that reached the runner.",
            ("context", "status"),
            buckets=tuple(run_duration_buckets),
            registry=r,
        )
        self.queue_waiting = Gauge(
            "skriptoteket_run_queue_waiting",
            "Runs waiting in the queue.",
            registry=r,
            multiprocess_mode="mostrecent",
        )
        self.queue_running = Gauge(
            "skriptoteket_run_queue_running",
            "Runs executing now.",
            registry=r,
            multiprocess_mode="mostrecent",
        )
        self.queue_max_waiting = Gauge(
            "skriptoteket_run_queue_max_waiting",
            "Runs that may wait before new ones are refused (503).",
            registry=r,
            multiprocess_mode="max",
        )
        self.queue_concurrency = Gauge(
            "skriptoteket_run_queue_concurrency",
            "Runs that may execute at once.",
            registry=r,
            multiprocess_mode="max",
        )
        for context in RunContext:  # every series exists from the start, at 0
            self.runs_started.labels(context.value)
            for status in FINAL:
                self.runs_finished.labels(context.value, status.value)

    # --- the core's RunObserver ---

    def run_started(self, context: RunContext) -> None:
        self.runs_started.labels(context.value).inc()

    def run_finished(self, context: RunContext, status: RunStatus, seconds: float | None) -> None:
        self.runs_finished.labels(context.value, status.value).inc()
        if seconds is not None:
            self.run_duration.labels(context.value, status.value).observe(seconds)

    # --- HTTP ---

    def request_done(self, method: str, route: str, status: int, seconds: float) -> None:
        method = method if method in METHODS else "other"
        self.http_requests.labels(method, route, str(status)).inc()
        self.http_duration.labels(method, route).observe(seconds)
        self.process_requests.inc()

    def render(self, queue: QueueStats | None) -> bytes:
        if queue is not None:
            self.queue_waiting.set(queue.waiting)
            self.queue_running.set(queue.running)
            self.queue_max_waiting.set(queue.max_waiting)
            self.queue_concurrency.set(queue.concurrency)
        if self._shared_dir is None:
            return generate_latest(self.registry)
        every_process = CollectorRegistry()
        MultiProcessCollector(every_process, path=self._shared_dir)  # type: ignore[no-untyped-call]
        return generate_latest(every_process)


def route_template(scope: Scope) -> str:
    """The matched route's path template (``/my-runs/{run_id}``), never the raw path."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return UNMATCHED
    return path + "/{path}" if isinstance(route, Mount) else path


class HttpMetricsMiddleware:
    """Outermost: counts every HTTP request with the status its client received."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # what the server sends when the app fails before answering

        async def tracking_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        began = time.perf_counter()
        try:
            await self.app(scope, receive, tracking_send)
        finally:
            self.metrics.request_done(
                scope["method"], route_template(scope), status, time.perf_counter() - began
            )


PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")


def metrics_access(
    token: str | None, authorization: str | None, client: str | None, headers: Mapping[str, str]
) -> int | None:
    """None when the scrape may see the metrics, else the HTTP status to refuse it with.

    With a token configured, only ``Authorization: Bearer TOKEN`` passes (401 otherwise).
    Without one, only a loopback client that no proxy forwarded passes (403 otherwise): a
    reverse proxy on the same host must not publish the metrics by accident."""
    if token:
        scheme, _, given = (authorization or "").partition(" ")
        ok = scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), token.encode()
        )
        return None if ok else 401
    if client is None or any(h in headers for h in PROXY_HEADERS):
        return 403
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return 403
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return None if address.is_loopback else 403
