"""Which containers a worker's start-up sweep may remove (issue 10: several workers share one
Docker engine). Real processes on this host stand for live and dead owners."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator

import pytest
from skriptoteket.builtin.process_identity import current_owner, owner_of, process_start_time
from skriptoteket.settings import Settings
from skriptoteket_docker.ownership import INSTANCE, WORKER, Claim, Owner, claim

HOST = socket.gethostname()


@pytest.fixture
def live_owner() -> Iterator[str]:
    """The identity of a live process on this host (another worker)."""
    process = subprocess.Popen(["sleep", "300"])
    try:
        yield owner_of(HOST, process.pid, process_start_time(process.pid) or "?")
    finally:
        process.kill()
        process.wait()


@pytest.fixture
def dead_owner() -> str:
    process = subprocess.Popen(["true"])
    start = process_start_time(process.pid) or "1"
    process.wait()
    return owner_of(HOST, process.pid, start)


def labels(instance: str, worker: str | None = None) -> dict[str, str]:
    return {INSTANCE: instance} if worker is None else {INSTANCE: instance, WORKER: worker}


ME = Owner.current("worker-b")


def test_default_worker_name_is_the_process_identity() -> None:
    assert Owner.current() == Owner(current_owner(), current_owner())
    assert Owner.current("w1").labels == {INSTANCE: current_owner(), WORKER: "w1"}


def test_worker_name_setting_is_read_from_the_environment() -> None:
    assert Settings.from_env({"SKRIPTOTEKET_WORKER_NAME": "host-a-1"}).worker_name == "host-a-1"
    assert Settings.from_env({}).worker_name == ""


def test_own_containers_are_removed_only_when_stopped() -> None:
    assert claim(ME, ME.labels, stopped=False) is Claim.OWN
    assert claim(ME, ME.labels, stopped=True) is Claim.OWN_STOPPED
    assert Claim.OWN_STOPPED.removable
    assert not Claim.OWN.removable


def test_another_live_worker_on_this_host_is_left_alone(live_owner: str) -> None:
    for worker in ("worker-a", None):
        assert claim(ME, labels(live_owner, worker), stopped=False) is Claim.OTHER_LIVE
        assert claim(ME, labels(live_owner, worker), stopped=True) is Claim.OTHER_STOPPED
    assert not Claim.OTHER_LIVE.removable
    assert not Claim.OTHER_STOPPED.removable


def test_a_live_process_using_our_name_is_not_taken_for_an_earlier_incarnation(
    live_owner: str,
) -> None:
    assert claim(ME, labels(live_owner, "worker-b"), stopped=False) is Claim.OTHER_LIVE


def test_a_dead_process_on_this_host_is_an_orphan_whatever_its_name(dead_owner: str) -> None:
    for worker in ("worker-a", "worker-b", None):
        assert claim(ME, labels(dead_owner, worker), stopped=False) is Claim.DEAD_OWNER
    assert Claim.DEAD_OWNER.removable


def test_another_host_s_worker_is_left_alone() -> None:
    other = "worker-host-2:4242:987654"
    for worker in ("worker-a", None):
        assert claim(ME, labels(other, worker), stopped=False) is Claim.OTHER_LIVE


def test_an_earlier_incarnation_of_this_worker_name_elsewhere_is_removed() -> None:
    """E.g. the worker restarted in a container with a new host name."""
    old = "old-container-hostname:7:12345"
    assert claim(ME, labels(old, "worker-b"), stopped=False) is Claim.EARLIER_INCARNATION
    assert Claim.EARLIER_INCARNATION.removable


def test_a_container_without_an_owner_label_is_left_alone() -> None:
    assert claim(ME, {}, stopped=False) is Claim.OTHER_LIVE
