"""``GET /api/v1/runs/{id}/events`` on the real server (uvicorn on 127.0.0.1), issue 10.

SQLite: the server itself changes the run (it executes it; the API cancels it) and its
in-process broadcast wakes the stream. PostgreSQL: ANOTHER process (this test process, through
the core's unit of work on the same database) commits the changes, and LISTEN/NOTIFY must bring
each to the server's stream within a second, long before the watcher's fallback re-read
(``FALLBACK_SECONDS`` after the previous event) could have. Authorisation as for
``GET /api/v1/runs/{id}`` (ERR-06: someone else's run is 404, never 403).
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from skriptoteket.application.container import Skriptoteket
from skriptoteket.application.run_watch import FALLBACK_SECONDS
from skriptoteket.bootstrap import bootstrap
from skriptoteket.domain.runs import (
    RunContext,
    RunStatus,
    ToolRun,
    finish_run,
    queue_run,
    start_run,
)
from skriptoteket.settings import Settings
from skriptoteket.testing.processes import cli_output

from .browser.harness import ACCOUNTS, Server, clean_env, running_server
from .databases import fresh_postgres_database
from .sse_client import CLOSED, Event, SseReader

API = "/api/v1"
LATENCY_LIMIT = 1.0

SLOW_TOOL = {
    "tool.toml": (
        'slug = "sov-en-stund"\n'
        'title = "Sov en stund"\n'
        'summary = "Sover två sekunder och svarar sedan."\n'
        'professions = ["larare"]\n'
        'categories = ["ovrigt"]\n'
    ),
    "script.py": (
        "import time\n"
        "def run_tool(input_path, output_dir):\n"
        "    time.sleep(2)\n"
        "    return '<p>Utvilad</p>'\n"
    ),
}


def _token(env: dict[str, str], email: str) -> str:
    return cli_output(env, "users", "token", email).strip().splitlines()[-1]


def _request(
    server: Server,
    method: str,
    path: str,
    token: str | None,
    body: bytes | None = None,
    content_type: str | None = None,
) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(server.url(API + path), data=body, method=method)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    if content_type is not None:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _start_run(server: Server, token: str, slug: str) -> str:
    boundary = uuid.uuid4().hex
    body = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="files"; filename="text.txt"\r\n'
        "Content-Type: text/plain\r\n\r\nhej\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    status, run = _request(
        server,
        "POST",
        f"/tools/{slug}/runs",
        token,
        body,
        f"multipart/form-data; boundary={boundary}",
    )
    assert status == 202, run
    return str(run["id"])


def _stream(server: Server, run_id: str, token: str | None) -> SseReader:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return SseReader(server.url(f"{API}/runs/{run_id}/events"), headers).start()


def _statuses_until_closed(reader: SseReader, timeout: float = 20) -> list[str]:
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while True:
        event = reader.next(timeout=max(0.1, deadline - time.monotonic()))
        if event.name == CLOSED:
            return seen
        assert event.name == "status"
        seen.append(event.json()["status"])


SqliteServer = tuple[Server, dict[str, str]]


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteServer]:
    workdir = tmp_path_factory.mktemp("run-events-sqlite")
    with running_server(workdir) as server:
        env = clean_env(server.data_dir)
        tool = workdir / "sov-en-stund"
        tool.mkdir()
        for name, text in SLOW_TOOL.items():
            (tool / name).write_text(text, encoding="utf-8")
        cli_output(env, "tools", "import", str(tool), "--publish")
        yield server, env


def test_sqlite_stream_follows_a_run_to_its_end_and_closes(
    sqlite_server: SqliteServer,
) -> None:
    server, env = sqlite_server
    token = _token(env, ACCOUNTS["user"].email)
    run_id = _start_run(server, token, "sov-en-stund")
    reader = _stream(server, run_id, token)
    assert reader.status == 200
    assert reader.content_type.startswith("text/event-stream")
    first = reader.next()
    assert first.name == "status"
    assert first.json()["id"] == run_id
    statuses = [first.json()["status"], *_statuses_until_closed(reader)]
    # Each status once, in order, ending with the final one (the first may already be running).
    assert statuses in (["queued", "running", "succeeded"], ["running", "succeeded"])
    _, run = _request(server, "GET", f"/runs/{run_id}", token)
    assert run["status"] == "succeeded"

    # A finished run: one event, then the stream ends.
    again = _stream(server, run_id, token)
    assert [again.next().json()["status"]] == ["succeeded"]
    assert again.next().name == CLOSED


def test_sqlite_cancel_arrives_at_once(sqlite_server: SqliteServer) -> None:
    server, env = sqlite_server
    token = _token(env, ACCOUNTS["user"].email)
    run_id = _start_run(server, token, "sov-en-stund")
    reader = _stream(server, run_id, token)
    first = reader.next()
    if first.json()["status"] == "queued":
        assert reader.next().json()["status"] == "running"
    cancelled_at = time.monotonic()
    status, _ = _request(server, "POST", f"/runs/{run_id}/cancel", token)
    assert status == 200
    event = reader.next()
    assert event.json()["status"] == "cancelled"
    assert event.at - cancelled_at < LATENCY_LIMIT
    assert reader.next().name == CLOSED


def test_events_are_authorised_like_the_run(sqlite_server: SqliteServer) -> None:
    server, env = sqlite_server
    owner = _token(env, ACCOUNTS["user"].email)
    other = _token(env, ACCOUNTS["contributor"].email)
    admin = _token(env, ACCOUNTS["admin"].email)
    run_id = _start_run(server, owner, "sov-en-stund")

    anonymous = _stream(server, run_id, None)
    assert anonymous.status == 401
    assert json.loads(anonymous.body)["error"]["code"] == "UNAUTHORIZED"
    stranger = _stream(server, run_id, other)
    assert stranger.status == 404  # ERR-06: not 403
    assert json.loads(stranger.body)["error"]["code"] == "NOT_FOUND"
    unknown = _stream(server, str(uuid.uuid4()), owner)
    assert unknown.status == 404
    not_an_id = _stream(server, "nej", owner)
    assert not_an_id.status == 404

    watched = _stream(server, run_id, admin)  # admins see every run
    assert watched.status == 200
    assert _statuses_until_closed(watched)[-1] == "succeeded"


def _settings(url: str, data_dir: Path) -> Settings:
    return Settings(database_url=url, data_dir=data_dir)


async def _commit_and_hear(
    app: Skriptoteket, reader: SseReader, run: ToolRun, *, was: RunStatus
) -> Event:
    """After a pause, commit ``run`` (whose stored status is ``was``) from this process; the
    server's next event, which must carry the new status within ``LATENCY_LIMIT``."""
    await asyncio.sleep(0.3)
    async with app.deps.uow() as uow:
        await uow.runs.update(run, expected_status=was)
        await uow.commit()
    committed = time.monotonic()
    event = await asyncio.to_thread(reader.next, FALLBACK_SECONDS)
    assert event.json()["status"] == run.status.value
    assert event.at - committed < LATENCY_LIMIT
    return event


async def test_postgres_changes_from_another_process_arrive_within_a_second(
    tmp_path: Path,
) -> None:
    assert FALLBACK_SECONDS >= 3 * LATENCY_LIMIT  # else the fallback could pass for NOTIFY
    (tmp_path / "server").mkdir()
    with (
        fresh_postgres_database() as url,
        running_server(tmp_path / "server", extra_env={"SKRIPTOTEKET_DATABASE_URL": url}) as server,
    ):
        env = {**clean_env(server.data_dir), "SKRIPTOTEKET_DATABASE_URL": url}
        token = _token(env, ACCOUNTS["user"].email)
        # This test process is the "other machine": it writes through the core's unit of work.
        async with bootstrap(_settings(url, tmp_path / "writer")) as app:
            user = await app.find_active_user(ACCOUNTS["user"].email)
            assert user is not None
            tool = await app.get_runnable_tool(user, slug="lasbarhet-lix")
            uow_factory = app.deps.uow
            run = queue_run(
                id=uuid.uuid4(),
                tool_id=tool.tool.id,
                version_id=tool.version_id,
                context=RunContext.PRODUCTION,
                requested_by=user.id,
                input_files=(),
                input_values=None,
                now=app.deps.clock.now(),
            )
            async with uow_factory() as uow:
                await uow.runs.add(run)
                await uow.commit()

            reader = _stream(server, str(run.id), token)
            assert reader.status == 200
            first = await asyncio.to_thread(reader.next)
            assert first.json() == {"id": str(run.id), "status": "queued", "queue_position": None}

            # A change that is rolled back is never announced.
            async with uow_factory() as uow:
                await uow.runs.update(
                    start_run(run, now=app.deps.clock.now()), expected_status=RunStatus.QUEUED
                )
                await uow.rollback()

            running = start_run(run, now=app.deps.clock.now())
            event = await _commit_and_hear(app, reader, running, was=RunStatus.QUEUED)
            assert event.at - first.at < FALLBACK_SECONDS  # so not the fallback re-read

            done = finish_run(
                running,
                status=RunStatus.SUCCEEDED,
                now=app.deps.clock.now(),
                html_output="<p>klar</p>",
            )
            await _commit_and_hear(app, reader, done, was=RunStatus.RUNNING)
            closed = await asyncio.to_thread(reader.next, 5)
            assert closed.name == CLOSED
