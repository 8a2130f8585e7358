"""Checks that the workspace is wired as the design says: every member installed, every adapter
found through the ``skriptoteket`` entry-point group, and the test services reachable."""

from __future__ import annotations

import importlib
from importlib.metadata import distribution, entry_points

import pytest
from skriptoteket.testing.services import postgres_url, service_missing

MEMBERS = {
    "skriptoteket": "skriptoteket",
    "skriptoteket-sql": "skriptoteket_sql",
    "skriptoteket-docker": "skriptoteket_docker",
    "skriptoteket-web": "skriptoteket_web",
    "skriptoteket-cli": "skriptoteket_cli",
    "skriptoteket-toolbox": "skriptoteket_toolbox",
}


@pytest.mark.parametrize(("dist", "module"), sorted(MEMBERS.items()))
def test_member_installed(dist: str, module: str) -> None:
    assert distribution(dist).version
    importlib.import_module(module)


def test_adapter_plugins_registered() -> None:
    names = {ep.name for ep in entry_points(group="skriptoteket")}
    assert {"sql", "docker", "web"} <= names


@pytest.mark.postgres
def test_postgres_reachable() -> None:
    """Skips on a laptop without PostgreSQL; fails in CI (SKRIPTOTEKET_TEST_REQUIRE=postgres)."""
    url = postgres_url()
    import psycopg

    try:
        conn = psycopg.connect(url, connect_timeout=5)
    except psycopg.OperationalError as exc:
        service_missing("postgres", f"cannot connect to {url}: {exc}")
        return
    with conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
