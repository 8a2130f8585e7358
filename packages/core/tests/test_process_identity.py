"""The owner of runs (issue 10, owner-aware start-up recovery): ``host:pid:start-time`` of this
process, and whether an owner still lives."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from skriptoteket.builtin.process_identity import (
    LocalProcessLiveness,
    current_owner,
    is_alive,
    owner_of,
    process_start_time,
)

HOST = socket.gethostname()


def test_this_process_is_its_own_live_owner() -> None:
    owner = current_owner()
    start = process_start_time(os.getpid())
    assert start is not None
    assert start.isdigit()
    assert owner == f"{HOST}:{os.getpid()}:{start}"
    assert current_owner() == owner  # computed once, stable
    assert is_alive(owner) is True
    assert LocalProcessLiveness().owner == owner
    assert LocalProcessLiveness().is_alive(owner) is True


def test_a_child_has_another_owner_and_is_dead_once_reaped() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        start = process_start_time(child.pid)
        assert start is not None
        owner = owner_of(HOST, child.pid, start)
        assert owner != current_owner()
        assert is_alive(owner) is True
    finally:
        child.kill()
        child.wait()
    assert process_start_time(child.pid) is None
    assert is_alive(owner) is False


def test_a_reused_pid_with_another_start_time_is_not_the_owner() -> None:
    start = process_start_time(os.getpid())
    assert start is not None
    assert is_alive(owner_of(HOST, os.getpid(), str(int(start) + 1))) is False
    assert is_alive(owner_of(HOST, os.getpid(), str(int(start) - 1))) is False


def test_another_hosts_owner_is_unknown_and_garbage_here_is_dead() -> None:
    assert is_alive(f"not-{HOST}:{os.getpid()}:{process_start_time(os.getpid())}") is None
    assert is_alive("worker-7.skolan.se:1:1") is None
    assert is_alive(f"{HOST}:not-a-pid:12") is False
    assert is_alive(f"{HOST}:{os.getpid()}:") is False
