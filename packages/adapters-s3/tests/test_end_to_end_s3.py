"""A real run whose artifacts go to S3 (issue 10): the core bootstrapped with
``artifact_store="s3"`` on SQLite and the local runner, a tool that writes two files, both
downloaded through the core's use case by streaming from the bucket; the run's workspace is gone
afterwards, so nothing of its output stays on the local disk. Needs the SQL adapter for SQLite
(the workspace has it; this package's isolated venv does not, so there it skips)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from skriptoteket.application.execution import Upload
from skriptoteket.bootstrap import bootstrap
from skriptoteket.domain.errors import DomainError
from skriptoteket.domain.runs import RunStatus
from skriptoteket.settings import Settings
from skriptoteket.testing.seeding import publish_tool
from skriptoteket_s3.testing import S3Bucket

pytestmark = pytest.mark.s3

TOOL = """
from pathlib import Path

def run_tool(input_path, output_dir):
    out = Path(output_dir)
    (out / "översikt.txt").write_text("Rader: " + Path(input_path).read_text(), encoding="utf-8")
    (out / "data").mkdir()
    (out / "data" / "tal.csv").write_bytes(b"a;b\\n1;2\\n" * 20000)
    return "<p>klart</p>"
"""


async def test_a_run_stores_its_artifacts_in_s3_and_they_stream_back(
    s3_bucket: S3Bucket, tmp_path: Path
) -> None:
    migrations = pytest.importorskip(
        "skriptoteket_sql.migrations", reason="SQLite needs skriptoteket-sql (the workspace)"
    )
    settings = Settings(
        data_dir=tmp_path / "data",
        artifact_store="s3",
        s3_bucket=s3_bucket.name,
        s3_endpoint_url=s3_bucket.endpoint_url,
        s3_region=s3_bucket.region,
    )
    await asyncio.to_thread(migrations.AlembicMigrations(settings.database_url).upgrade, "head")
    async with bootstrap(settings, execution=True) as app:
        root = await app.bootstrap_superuser(email="rektor@skolan.se", password="Kanelbulle-42")
        await publish_tool(app, root, slug="tva-filer", title="Två filer", source_code=TOOL)

        run = await app.start_production_run(
            root, slug="tva-filer", uploads=[Upload(filename="in.txt", data=b"3")]
        )
        deadline = time.monotonic() + 60
        while (view := await app.get_run(root, run_id=run.id)).run.status in (
            RunStatus.QUEUED,
            RunStatus.RUNNING,
        ):
            assert time.monotonic() < deadline, "the run never finished"
            await asyncio.sleep(0.1)
        finished = view.run
        assert finished.status is RunStatus.SUCCEEDED, (finished.error_summary, finished.stderr)
        assert [(a.path, a.bytes) for a in finished.artifacts] == [
            ("output/data/tal.csv", 160000),
            ("output/översikt.txt", len(b"Rader: 3")),
        ]

        downloaded = {}
        for artifact in finished.artifacts:
            found = await app.open_artifact(
                root, run_id=run.id, artifact_id=artifact.artifact_id, production_only=True
            )
            chunks = [chunk async for chunk in found.stream.chunks]
            assert found.stream.size == artifact.bytes
            downloaded[found.filename] = (len(chunks), b"".join(chunks))
        assert downloaded["översikt.txt"] == (1, b"Rader: 3")
        count, data = downloaded["tal.csv"]
        assert data == b"a;b\n1;2\n" * 20000
        assert count > 1, "streamed in chunks"

        # The workspace is removed: nothing of the run's output is left on this disk.
        assert not (settings.workspace_dir / str(run.id)).exists()
        assert not list(settings.workspace_dir.rglob("*.csv"))
        assert not settings.artifacts_dir.exists()

        with pytest.raises(DomainError):
            await app.open_artifact(root, run_id=run.id, artifact_id="saknas")
