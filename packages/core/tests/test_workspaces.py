"""Workspaces and the filesystem artifact store over hostile trees (issue 9 item 1), and the
RUN-29 retention of sandbox inputs (issue 9 item 8)."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from skriptoteket.builtin import file_trees
from skriptoteket.builtin.filesystem_artifacts import FilesystemArtifactStore
from skriptoteket.builtin.workspaces import FilesystemWorkspaces
from skriptoteket.domain.run_failures import RunFailure
from skriptoteket.domain.run_results import ContractViolation
from skriptoteket.testing.trees import make_deep_tree


@pytest.fixture(autouse=True)
def _remove_deep_trees(tmp_path: Path) -> Iterator[None]:
    """pytest's own clean-up of tmp_path recurses: leave it nothing deep."""
    yield
    assert file_trees.remove_tree(tmp_path) == []


async def test_remove_and_sweep_survive_a_deep_tree(tmp_path: Path) -> None:
    spaces = FilesystemWorkspaces(tmp_path / "work")
    first, second = uuid.uuid4(), uuid.uuid4()
    for run_id in (first, second):
        workspace = await spaces.prepare(run_id, [("a.csv", b"x")])
        make_deep_tree(workspace / "output", 1200)
    (tmp_path / "work" / "keep-me").mkdir()
    await spaces.remove(first)
    assert not spaces.path(first).exists()
    assert await spaces.sweep() == 1
    assert [p.name for p in (tmp_path / "work").iterdir()] == ["keep-me"]


async def test_a_sweep_logs_what_it_cannot_remove_and_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    spaces = FilesystemWorkspaces(tmp_path / "work")
    stuck, other = uuid.uuid4(), uuid.uuid4()
    for run_id in (stuck, other):
        make_deep_tree((await spaces.prepare(run_id, [])) / "output", 1200)
    (spaces.path(stuck) / "immutable").write_text("x")
    real_unlink = os.unlink

    def unlink(path: str, *, dir_fd: int | None = None) -> None:
        if path == "immutable":
            raise PermissionError(1, "Operation not permitted")
        real_unlink(path, dir_fd=dir_fd)

    monkeypatch.setattr(os, "unlink", unlink)
    assert await spaces.sweep() == 1
    assert not spaces.path(other).exists()
    assert [p.name for p in spaces.path(stuck).iterdir()] == ["immutable"]
    assert f"could not remove all of {spaces.path(stuck)}" in caplog.text


async def test_the_artifact_store_refuses_a_deep_output_and_prunes_a_deep_tree(
    tmp_path: Path,
) -> None:
    store = FilesystemArtifactStore(tmp_path / "artifacts")
    output = tmp_path / "output"
    make_deep_tree(output, 1200)
    with pytest.raises(ContractViolation) as refused:
        await store.store(uuid.uuid4(), output)
    assert refused.value.failure is not None
    assert refused.value.failure.code is RunFailure.OUTPUT_NOT_ALLOWED
    assert refused.value.failure.details["kind"] == "too_deep"
    # a deep tree that is already stored (an older version let it in) is pruned all the same
    stored = tmp_path / "artifacts" / str(uuid.uuid4())
    make_deep_tree(stored / "output", 1200)
    old = time.time() - 10 * 86400
    os.utime(stored, (old, old))
    assert await store.prune(datetime.now(UTC) - timedelta(days=7)) == 1
    assert not stored.exists()


async def test_sandbox_inputs_are_kept_for_the_retention_then_pruned(tmp_path: Path) -> None:
    """RUN-29: a sandbox run's inputs are kept (a copy), production inputs never are; copies
    older than the retention go at the next prune or start-up sweep."""
    spaces = FilesystemWorkspaces(
        tmp_path / "work", inputs_root=tmp_path / "inputs", input_retention_hours=24
    )
    sandbox, production, old = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await spaces.prepare(sandbox, [("elever.csv", b"namn")], keep_inputs=True)
    await spaces.prepare(production, [("elever.csv", b"namn")])
    await spaces.prepare(old, [("gammal.csv", b"x")], keep_inputs=True)
    await spaces.remove(sandbox)
    kept = spaces.kept_inputs(sandbox)
    assert kept is not None
    assert (kept / "elever.csv").read_bytes() == b"namn"
    assert spaces.kept_inputs(production) is None
    long_ago = time.time() - 25 * 3600
    os.utime(tmp_path / "inputs" / str(old), (long_ago, long_ago))
    assert await spaces.prune_inputs() == 1
    assert spaces.kept_inputs(old) is None
    assert spaces.kept_inputs(sandbox) is not None
    os.utime(tmp_path / "inputs" / str(sandbox), (long_ago, long_ago))
    await spaces.sweep()  # start-up prunes too
    assert spaces.kept_inputs(sandbox) is None


async def test_no_retention_keeps_nothing(tmp_path: Path) -> None:
    spaces = FilesystemWorkspaces(
        tmp_path / "work", inputs_root=tmp_path / "inputs", input_retention_hours=0
    )
    run_id = uuid.uuid4()
    await spaces.prepare(run_id, [("a.csv", b"x")], keep_inputs=True)
    assert spaces.kept_inputs(run_id) is None
