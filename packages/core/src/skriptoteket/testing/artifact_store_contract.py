"""The artifact store contract suite every ``ArtifactStore`` backend runs (DESIGN §5; SPEC
RUN-22–RUN-25, RUN-28, EXE-08).

Subclass ``ArtifactStoreContract`` in a test module and provide an ``artifact_store`` fixture
holding a fresh, empty store::

    class TestFilesystemArtifactStore(ArtifactStoreContract):
        @pytest.fixture
        def artifact_store(self, tmp_path): return FilesystemArtifactStore(tmp_path / "a")

The tests only use the port: ``store`` an output directory, ``read`` by streaming, ``prune``.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest

from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.run_failures import RunFailure
from skriptoteket.domain.run_results import ContractViolation
from skriptoteket.domain.runs import Artifact
from skriptoteket.ports.execution import ArtifactStore

BIG_BYTES = 5 * 1024 * 1024 + 4321  # over 5 MiB: a multipart upload where a store uses one


def write_output(root: Path, files: dict[str, bytes]) -> Path:
    """``root/output`` holding ``files`` (paths relative to ``output/``); returns it."""
    output = root / "output"
    output.mkdir(parents=True)
    for name, data in files.items():
        path = output / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return output


async def read_all(store: ArtifactStore, run_id: UUID, artifact: Artifact) -> tuple[int, bytes]:
    """The stream's announced size and its bytes, read chunk by chunk; also how it came."""
    stream = await store.read(run_id, artifact)
    chunks = [chunk async for chunk in stream.chunks]
    assert all(chunks[:-1]), "no empty chunk before the end"
    return stream.size, b"".join(chunks)


async def chunk_count(store: ArtifactStore, run_id: UUID, artifact: Artifact) -> int:
    stream = await store.read(run_id, artifact)
    return len([chunk async for chunk in stream.chunks])


def _artifact(path: str) -> Artifact:
    return Artifact(artifact_id=path.replace("/", "_"), path=path, bytes=1)


class ArtifactStoreContract:
    """Every test takes the subclass's ``artifact_store`` fixture."""

    async def test_stores_an_output_tree_and_streams_it_back_byte_exact(
        self, artifact_store: ArtifactStore, tmp_path: Path
    ) -> None:
        """RUN-22/RUN-25: nested dirs, Swedish names, a 5 MB file, an empty file."""
        files = {
            "rapport.txt": b"hej\n",
            "undermapp/djup/\u00f6versikt \u00e5\u00e4\u00f6.txt": "räksmörgås\n".encode(),
            "stor.bin": os.urandom(BIG_BYTES),
            "tom.txt": b"",
        }
        run_id = uuid.uuid4()
        manifest = await artifact_store.store(run_id, write_output(tmp_path / "ws", files))

        assert [(a.path, a.bytes) for a in manifest] == sorted(
            (f"output/{name}", len(data)) for name, data in files.items()
        )
        assert len({a.artifact_id for a in manifest}) == len(files)
        for artifact in manifest:
            size, data = await read_all(artifact_store, run_id, artifact)
            expected = files[artifact.path.removeprefix("output/")]
            assert (size, data) == (len(expected), expected), artifact.path
        big = next(a for a in manifest if a.path == "output/stor.bin")
        assert await chunk_count(artifact_store, run_id, big) > 1, "streamed, not one blob"

    async def test_an_empty_or_missing_output_stores_nothing(
        self, artifact_store: ArtifactStore, tmp_path: Path
    ) -> None:
        assert await artifact_store.store(uuid.uuid4(), write_output(tmp_path / "a", {})) == ()
        assert await artifact_store.store(uuid.uuid4(), tmp_path / "absent" / "output") == ()

    async def test_unknown_artifacts_runs_and_unsafe_paths_are_not_found(
        self, artifact_store: ArtifactStore, tmp_path: Path
    ) -> None:
        """EXE-08: only what was stored for this run, by a safe path."""
        run_id = uuid.uuid4()
        other_run = uuid.uuid4()
        await artifact_store.store(run_id, write_output(tmp_path / "a", {"a.txt": b"a"}))
        await artifact_store.store(other_run, write_output(tmp_path / "b", {"b.txt": b"b"}))
        for rid, path in [
            (run_id, "output/saknas.txt"),
            (uuid.uuid4(), "output/a.txt"),
            (run_id, "output/b.txt"),  # another run's artifact
            (run_id, "output/../../" + str(other_run) + "/output/b.txt"),
            (run_id, "/etc/passwd"),
            (run_id, "input/a.txt"),
            (run_id, "output"),
        ]:
            with pytest.raises(DomainError) as error:
                await artifact_store.read(rid, _artifact(path))
            assert error.value.code is ErrorCode.NOT_FOUND, path

    @pytest.mark.parametrize("special", ["symlink", "fifo"])
    async def test_a_link_or_special_file_refuses_the_whole_output(
        self, artifact_store: ArtifactStore, tmp_path: Path, special: str
    ) -> None:
        """RUN-23/RUN-24: nothing is stored, and the run can still store a clean output."""
        run_id = uuid.uuid4()
        output = write_output(tmp_path / "ws", {"ok.txt": b"ok", "sub/ok2.txt": b"ok2"})
        if special == "symlink":
            (output / "sub" / "link.txt").symlink_to("/etc/passwd")
        else:
            os.mkfifo(output / "sub" / "pipe")
        with pytest.raises(ContractViolation) as violation:
            await artifact_store.store(run_id, output)
        assert violation.value.failure is not None
        assert violation.value.failure.code is RunFailure.OUTPUT_NOT_ALLOWED
        with pytest.raises(DomainError) as missing:
            await artifact_store.read(run_id, _artifact("output/ok.txt"))
        assert missing.value.code is ErrorCode.NOT_FOUND

        clean = write_output(tmp_path / "again", {"ok.txt": b"ok"})
        (manifest,) = await artifact_store.store(run_id, clean)
        assert await read_all(artifact_store, run_id, manifest) == (2, b"ok")

    async def test_storing_twice_for_one_run_is_refused(
        self, artifact_store: ArtifactStore, tmp_path: Path
    ) -> None:
        run_id = uuid.uuid4()
        (first,) = await artifact_store.store(run_id, write_output(tmp_path / "a", {"a.txt": b"1"}))
        with pytest.raises(ContractViolation):
            await artifact_store.store(run_id, write_output(tmp_path / "b", {"a.txt": b"22"}))
        assert await read_all(artifact_store, run_id, first) == (1, b"1")

    async def test_prune_deletes_only_runs_stored_before_the_cutoff(
        self, artifact_store: ArtifactStore, tmp_path: Path
    ) -> None:
        """RUN-28. The pauses outlast a store's one-second timestamp resolution (S3)."""
        old = [uuid.uuid4(), uuid.uuid4()]
        for n, run_id in enumerate(old):
            await artifact_store.store(run_id, write_output(tmp_path / f"o{n}", {"x/a.txt": b"a"}))
        await asyncio.sleep(1.1)
        cutoff = datetime.now(UTC)
        await asyncio.sleep(1.1)
        new = uuid.uuid4()
        (kept,) = await artifact_store.store(new, write_output(tmp_path / "n", {"b.txt": b"b"}))

        assert await artifact_store.prune(cutoff) == 2
        for run_id in old:
            with pytest.raises(DomainError) as gone:
                await artifact_store.read(run_id, _artifact("output/x/a.txt"))
            assert gone.value.code is ErrorCode.NOT_FOUND
        assert await read_all(artifact_store, new, kept) == (1, b"b")
        assert await artifact_store.prune(cutoff) == 0
