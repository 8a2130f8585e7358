"""A small server-sent events client for the tests (standard library only): it reads a
``text/event-stream`` in a thread and timestamps every event as it arrives."""

from __future__ import annotations

import contextlib
import http.client
import json
import queue
import socket
import threading
import time
import urllib.parse
from typing import Any

import attrs


@attrs.frozen
class Event:
    at: float  # time.monotonic() when the blank line ending the event arrived
    name: str
    data: str

    def json(self) -> Any:
        return json.loads(self.data)


CLOSED = "<closed>"


class SseReader:
    """``GET url`` with ``headers``; ``status`` and ``content_type`` once ``start`` returns;
    then ``next()`` gives each event, and an ``Event`` named ``CLOSED`` when the server ends
    the stream."""

    def __init__(self, url: str, headers: dict[str, str], *, timeout: float = 30) -> None:
        self._url = urllib.parse.urlsplit(url)
        self._headers = {"Accept": "text/event-stream", **headers}
        self._timeout = timeout
        self._events: queue.Queue[Event] = queue.Queue()
        self._conn: http.client.HTTPConnection | None = None
        self.status = 0
        self.content_type = ""
        self.body = b""
        self.comments = 0

    def start(self) -> SseReader:
        assert self._url.hostname is not None
        conn = http.client.HTTPConnection(self._url.hostname, self._url.port, timeout=self._timeout)
        self._conn = conn
        path = self._url.path + (f"?{self._url.query}" if self._url.query else "")
        conn.request("GET", path, headers=self._headers)
        response = conn.getresponse()
        self.status = response.status
        self.content_type = response.getheader("content-type", "")
        if response.status != 200:
            self.body = response.read()
            conn.close()
            return self
        threading.Thread(target=self._read, args=(response,), daemon=True).start()
        return self

    def _read(self, response: http.client.HTTPResponse) -> None:
        name, data = "message", list[str]()
        try:
            while True:
                raw = response.readline()
                if not raw:
                    break
                line = raw.decode().rstrip("\r\n")
                if not line:
                    if data:
                        self._events.put(Event(time.monotonic(), name, "\n".join(data)))
                    name, data = "message", []
                elif line.startswith(":"):
                    self.comments += 1
                elif line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].removeprefix(" "))
        except OSError:
            pass
        self._events.put(Event(time.monotonic(), CLOSED, ""))
        response.close()
        if self._conn is not None:
            self._conn.close()

    def __enter__(self) -> SseReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def next(self, timeout: float = 10) -> Event:
        return self._events.get(timeout=timeout)

    def close(self) -> None:
        if self._conn is not None:
            if self._conn.sock is not None:
                with contextlib.suppress(OSError):
                    self._conn.sock.shutdown(socket.SHUT_RDWR)
            self._conn.close()
