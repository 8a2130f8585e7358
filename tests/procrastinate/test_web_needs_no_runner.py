"""Issue 10, docs/deploy.md: a web process beside workers needs no sandbox. With the
Procrastinate queue it creates no runner (no Docker engine reached, no warm pool), its
readiness does not depend on one, and the runs it queues execute on a worker."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from skriptoteket.application.execution import Upload
from skriptoteket.bootstrap import bootstrap
from skriptoteket.domain.runs import RunStatus

from .support import EMAIL, queue_settings, start_worker, wait_for_run


async def test_a_web_process_with_the_docker_runner_set_never_touches_docker(
    tmp_path: Path, queue_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    web = attrs.evolve(queue_settings(tmp_path / "web", queue_db), runner="docker")
    worker = start_worker(tmp_path, queue_db, "arbetare-utan-docker")  # the local runner
    try:
        async with bootstrap(web, execution=True) as app:
            assert app.deps.execution is not None
            assert not app.deps.execution.runs_here
            readiness = await app.check_readiness()
            assert (readiness.database, readiness.runner) == ("ok", None)
            assert readiness.ready
            root = await app.find_active_user(EMAIL)
            assert root is not None
            run = await app.start_production_run(
                root, slug="eko", uploads=[Upload(filename="a.bin", data=b"abc")]
            )
            done = await wait_for_run(app, run.id)
            assert done.status is RunStatus.SUCCEEDED, (done, worker.output())
            assert done.worker == "arbetare-utan-docker"
    finally:
        worker.stop()
