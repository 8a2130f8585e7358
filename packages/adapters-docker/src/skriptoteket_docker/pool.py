"""The warm pool (DESIGN §5): ``size`` containers created, attached and STARTED before requests
arrive. Each one's agent waits, blocked on stdin, for exactly one job; after its run the container
is destroyed and the pool refills in the background. Containers are never reused.

Thread-based on purpose: the pool fills from its own small executor, independent of any event
loop, so the runner can start filling as soon as it is created (RUN-30: no SDK call on the loop).
"""

from __future__ import annotations

import collections
import logging
import socket
import threading
from concurrent.futures import Future, ThreadPoolExecutor

import attrs

from skriptoteket_docker.containers import Created, Engine, SandboxSpec, new_pool_labels
from skriptoteket_docker.transfer import Channel

log = logging.getLogger(__name__)


@attrs.define
class Warm:
    """A started container whose agent waits for its job on the attached socket."""

    container: Created
    channel: Channel

    @property
    def sock(self) -> socket.socket:
        return self.channel.sock

    @property
    def id(self) -> str:
        return str(self.container.id)


class WarmPool:
    def __init__(self, engine: Engine, spec: SandboxSpec, size: int, workers: int = 2) -> None:
        self.engine = engine
        self.spec = spec
        self.size = max(0, size)
        self._ready: collections.deque[Warm] = collections.deque()
        self._lock = threading.Lock()
        self._pending: set[Future[None]] = set()
        self._closed = False
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="skt-pool")
        self.created = 0
        self.failures = 0

    def start(self) -> None:
        for _ in range(self.size):
            self._schedule()

    def _schedule(self) -> None:
        with self._lock:
            if self._closed or len(self._ready) + len(self._pending) >= self.size:
                return
            future = self._executor.submit(self._fill_one)
            self._pending.add(future)
        future.add_done_callback(self._done)

    def _done(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    def _fill_one(self) -> None:
        container = None
        try:
            container = self.engine.create(self.spec, new_pool_labels())
            sock = self.engine.attach(container)
            self.engine.start(container)
        except Exception as error:
            self.failures += 1
            log.warning("warm pool: could not prepare a container: %s", error)
            if container is not None:
                self._discard_id(container.id)
            return
        warm = Warm(container, sock)
        with self._lock:
            if not self._closed:
                self._ready.append(warm)
                self.created += 1
                return
        self._discard(warm)

    def take(self) -> Warm | None:
        """A ready container for one run (never returned to the pool), or None: go cold."""
        with self._lock:
            warm = self._ready.popleft() if self._ready else None
        self._schedule()
        return warm

    def ready_ids(self) -> list[str]:
        with self._lock:
            return [w.id for w in self._ready]

    def wait_filled(self, timeout: float = 60.0) -> bool:
        """Block until no refill is pending (tests and the benchmark)."""
        for _ in range(int(timeout / 0.05)):
            with self._lock:
                pending = list(self._pending)
            if not pending:
                return True
            for future in pending:
                future.exception(timeout=timeout)
        return False

    def _discard(self, warm: Warm) -> None:
        warm.channel.close()
        self._discard_id(warm.id)

    def _discard_id(self, container_id: str) -> None:
        try:
            self.engine.remove(container_id)
        except Exception as error:
            log.warning("warm pool: could not remove %s: %s", container_id[:12], error)

    def close(self) -> None:
        """Stop refilling, wait for fills in flight, remove every ready container."""
        with self._lock:
            self._closed = True
            pending = list(self._pending)
        for future in pending:
            try:
                future.result(timeout=60)
            except Exception as error:
                log.warning("warm pool: fill failed during close: %s", error)
        with self._lock:
            ready, self._ready = list(self._ready), collections.deque()
        for warm in ready:
            self._discard(warm)
        self._executor.shutdown(wait=True)
