"""Issue 9 item 6: when the Docker engine cannot be reached, a run fails with the stable code
``engine_unavailable``; a teacher reads a Swedish sentence without engine details, an admin
also sees what the runner said, and readiness says "not ready". Real SQLite, the real Docker
runner pointed at a socket where no engine listens (nothing is contacted beyond it)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from skriptoteket.application.execution import Upload
from skriptoteket.bootstrap import bootstrap
from skriptoteket.domain.identity import Role
from skriptoteket.domain.run_failures import RunFailure
from skriptoteket.domain.runs import RunStatus
from skriptoteket.settings import Settings
from skriptoteket.testing.seeding import publish_tool
from skriptoteket_sql.migrations import AlembicMigrations
from skriptoteket_web.i18n import translator
from skriptoteket_web.run_text import error_text

TOOL = "def run_tool(input_path, output_dir):\n    return '<p>ok</p>'\n"


async def test_engine_unreachable_run_and_readiness(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    settings = Settings(data_dir=tmp_path / "data", runner="docker", runner_pool_size=0)
    await asyncio.to_thread(AlembicMigrations(settings.database_url).upgrade, "head")
    async with bootstrap(settings, execution=True) as app:
        root = await app.bootstrap_superuser(email="rektor@skolan.se", password="Kanelbulle-42")
        teacher = await app.create_user(
            root, email="larare@skolan.se", password="Blabarssylt-17", role=Role.USER
        )
        await publish_tool(app, root, slug="enkel", title="Enkel", source_code=TOOL)

        readiness = await app.check_readiness()
        assert not readiness.ready
        assert (readiness.database, readiness.runner) == ("ok", "unavailable")

        run = await app.start_production_run(
            teacher, slug="enkel", uploads=[Upload(filename="a.csv", data=b"x")]
        )
        deadline = time.monotonic() + 60
        while True:
            seen = (await app.get_run(teacher, run_id=run.id)).run
            if seen.status.is_terminal:
                break
            assert time.monotonic() < deadline
            await asyncio.sleep(0.1)
        assert seen.status is RunStatus.FAILED
        assert seen.failure_code is RunFailure.ENGINE_UNAVAILABLE
        assert seen.artifacts == ()
        as_admin = (await app.get_run(root, run_id=run.id)).run

    teacher_text = error_text(seen, translator("sv")) or ""
    assert teacher_text.startswith("Verktyg kan inte köras just nu")
    assert "Docker" not in teacher_text
    assert "no-engine.sock" not in (seen.error_summary or "")
    admin_text = error_text(as_admin, translator("sv"), detailed=True) or ""
    assert admin_text.startswith(teacher_text)
    assert "Docker engine" in admin_text
