"""The real ``skriptoteket`` command in a subprocess, on SQLite and PostgreSQL (CLI spec of the
foundation issue: db upgrade/current/downgrade, bootstrap-superuser, users …, one-line errors)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from .databases import fresh_postgres_database

ACCEPTANCE = Path(__file__).parents[1] / "packages" / "cli" / "tests" / "data" / "acceptance"
PASSWORD = "Kanelbulle-42"


@attrs.frozen
class Done:
    code: int
    out: str
    err: str


@attrs.frozen
class Skriptoteket:
    env: dict[str, str]
    cwd: Path | None = None

    def __call__(self, *args: str) -> Done:
        proc = subprocess.run(
            [sys.executable, "-m", "skriptoteket_cli", *args],
            env=self.env,
            cwd=self.cwd,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
        return Done(proc.returncode, proc.stdout, proc.stderr)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKRIPTOTEKET_")}
    env.update(extra)
    return env


@pytest.fixture
def sqlite_cli(tmp_path: Path) -> Skriptoteket:
    return Skriptoteket(_env(SKRIPTOTEKET_DATA_DIR=str(tmp_path / "data")))


@pytest.fixture
def postgres_cli() -> Iterator[Skriptoteket]:
    with fresh_postgres_database() as url:
        yield Skriptoteket(_env(SKRIPTOTEKET_DATABASE_URL=url))


def _full_lifecycle(skt: Skriptoteket) -> None:
    before = skt("users", "list")
    assert before.code == 1
    assert before.err == (
        "Error: The database schema is not up to date; run: skriptoteket db upgrade\n"
    )
    assert skt("db", "current").out.startswith("(empty)")
    upgraded = skt("db", "upgrade")
    assert upgraded.code == 0, upgraded.err
    assert "(head:" in upgraded.out
    assert skt("db", "current").out.endswith("(head)\n")

    created = skt("bootstrap-superuser", "--email", "rektor@skolan.se", "--password", PASSWORD)
    assert created.code == 0, created.err
    refused = skt("bootstrap-superuser", "--email", "b@skolan.se", "--password", PASSWORD)
    assert (refused.code, refused.err) == (
        1,
        "Error: A superuser already exists; use --force to add another\n",
    )
    assert (
        skt(
            "users",
            "add",
            "--email",
            "admin@skolan.se",
            "--password",
            PASSWORD,
            "--role",
            "admin",
            "--actor",
            "rektor@skolan.se",
        ).code
        == 0
    )
    assert (
        skt(
            "users",
            "add",
            "--email",
            "larare@skolan.se",
            "--password",
            PASSWORD,
            "--actor",
            "admin@skolan.se",
        ).code
        == 0
    )
    denied = skt("users", "set-role", "larare@skolan.se", "admin", "--actor", "admin@skolan.se")
    assert (denied.code, denied.err) == (
        1,
        "Error: Insufficient permissions to change that user's role\n",
    )
    assert skt("users", "set-role", "larare@skolan.se", "contributor").code == 0
    token = skt("users", "token", "larare@skolan.se", "--name", "skript")
    assert token.code == 0, token.err
    assert token.out.splitlines()[-1].startswith("skt_")
    assert skt("users", "deactivate", "larare@skolan.se", "--actor", "admin@skolan.se").code == 0

    listed = skt("users", "list").out.splitlines()
    assert listed[0].split() == ["EMAIL", "ROLE", "ACTIVE", "CREATED"]
    rows = {line.split()[0]: line.split()[1:3] for line in listed[1:]}
    assert rows == {
        "admin@skolan.se": ["admin", "yes"],
        "larare@skolan.se": ["contributor", "no"],
        "rektor@skolan.se": ["superuser", "yes"],
    }
    audit = skt("audit").out
    for action in ("user.created", "user.role_changed", "user.deactivated", "token.created"):
        assert action in audit
    assert "admin@skolan.se" in audit  # the --actor is recorded
    assert "bootstrap" in audit

    for args, message in [
        (
            ("users", "add", "--email", "x@skolan.se", "--password", PASSWORD, "--role", "chef"),
            "Error: Unknown role 'chef'; use one of: user, contributor, admin, superuser\n",
        ),
        (
            ("users", "add", "--email", "admin@skolan.se", "--password", PASSWORD),
            "Error: Email already exists\n",
        ),
        (
            ("users", "add", "--email", "y@skolan.se", "--password", ""),
            "Error: Password is required\n",
        ),
        (
            ("users", "set-role", "ingen@skolan.se", "user"),
            "Error: No user with email 'ingen@skolan.se'\n",
        ),
    ]:
        result = skt(*args)
        assert (result.code, result.err) == (1, message), args

    down = skt("db", "downgrade", "base")
    assert down.code == 0, down.err
    assert skt("db", "current").out.startswith("(empty)")
    assert skt("db", "upgrade").code == 0
    assert skt("users", "list").out.startswith("No users yet")


def test_cli_lifecycle_on_sqlite(sqlite_cli: Skriptoteket, tmp_path: Path) -> None:
    _full_lifecycle(sqlite_cli)
    assert (tmp_path / "data" / "skriptoteket.db").exists()


@pytest.mark.postgres
def test_cli_lifecycle_on_postgres(postgres_cli: Skriptoteket) -> None:
    _full_lifecycle(postgres_cli)


def test_unreachable_postgres_is_one_clear_line() -> None:
    skt = Skriptoteket(_env(SKRIPTOTEKET_DATABASE_URL="postgresql://skt:hemligt@127.0.0.1:9/x"))
    for args in (("users", "list"), ("db", "upgrade")):
        result = skt(*args)
        assert result.code == 1
        assert result.err.count("\n") == 1, result.err
        assert result.err.startswith("Error: ")
        assert "hemligt" not in result.err
        assert "127.0.0.1:9" in result.err


def test_demo_as_the_readme_starts_it_runs_a_tool(tmp_path: Path) -> None:
    """`./run demo` uses the embedded default's relative data directory (.skriptoteket in the
    working directory); a tool must run there, through the local runner, like anywhere else."""
    skt = Skriptoteket(_env(), cwd=tmp_path)
    assert skt("demo", "--no-serve").code == 0
    assert (tmp_path / ".skriptoteket" / "skriptoteket.db").is_file()
    class_list = ACCEPTANCE / "klasslista_8a_cp1252_komma.csv"
    done = skt("run", "vardnadshavare-mejl", str(class_list), "--out", "resultat")
    assert done.code == 0, done.out + done.err
    assert (tmp_path / "resultat" / "result.html").is_file()
    assert any((tmp_path / "resultat").glob("*.txt")), list((tmp_path / "resultat").iterdir())


def test_demo_on_sqlite(sqlite_cli: Skriptoteket) -> None:
    first = sqlite_cli("demo", "--no-serve")
    assert first.code == 0, first.err
    assert "rektor@demo.skriptoteket.se" in first.out
    second = sqlite_cli("demo", "--no-serve")
    assert second.code == 0, second.err
    assert "tool.published" in sqlite_cli("audit", "--action", "tool.published").out
