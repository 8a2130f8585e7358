"""A child process the local runner can supervise: its exit is known even while a descendant
still holds its pipes open, and its stdout/stderr are stream readers."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable

import attrs

CHUNK = 65536


class ExitProtocol(asyncio.subprocess.SubprocessStreamProtocol):
    """Tells when the child exits, even while a descendant still holds its pipes open
    (``Process.wait`` in Python 3.11 waits for the pipes as well)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(limit=CHUNK, loop=loop)
        self.exited: asyncio.Future[None] = loop.create_future()

    def process_exited(self) -> None:
        super().process_exited()
        if not self.exited.done():
            self.exited.set_result(None)


@attrs.frozen
class Spawned:
    transport: asyncio.SubprocessTransport
    protocol: ExitProtocol
    stdout: asyncio.StreamReader
    stderr: asyncio.StreamReader

    @property
    def pid(self) -> int:
        return self.transport.get_pid()


async def spawn(
    argv: list[str],
    env: dict[str, str],
    cwd: str,
    preexec: Callable[[], None] | None,
    *,
    stdin: int = subprocess.DEVNULL,
) -> Spawned:
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.subprocess_exec(
        lambda: ExitProtocol(loop),
        *argv,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
        start_new_session=True,
        preexec_fn=preexec,
    )
    assert protocol.stdout is not None
    assert protocol.stderr is not None
    return Spawned(transport, protocol, protocol.stdout, protocol.stderr)
