"""The S3 artifact store (RUN-22–RUN-28): objects ``{run_id}/output/...`` in one bucket.

A finished run's output directory is checked with the core's own scan (regular files and
directories only, never following a link, every path safe, the caps) before anything is
uploaded; then each file is streamed up, opened without following a link and checked again.
Downloads stream; nothing of a run's artifacts is kept on the local disk."""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import stat
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING
from uuid import UUID

import obstore
from obstore.exceptions import NotFoundError
from obstore.store import S3Store
from skriptoteket.builtin.filesystem_artifacts import scan_output
from skriptoteket.domain.errors import not_found
from skriptoteket.domain.run_results import (
    ContractViolation,
    OutputCaps,
    build_manifest,
    output_not_allowed,
    safe_artifact_path,
    special_file_kind,
)
from skriptoteket.domain.runs import Artifact
from skriptoteket.ports.execution import ARTIFACT_CHUNK_BYTES, ArtifactStream

if TYPE_CHECKING:
    from obstore import ObjectMeta
    from obstore.store import ObjectStore

log = logging.getLogger(__name__)

PART_BYTES = 5 * 1024 * 1024
"""Files up to this size go up in one request; larger ones as a multipart upload of such parts
(only one part per file is in memory at a time)."""
DELETE_BATCH = 1000  # S3's DeleteObjects limit


class S3ArtifactStore:
    def __init__(self, store: ObjectStore, caps: OutputCaps | None = None) -> None:
        self.objects = store
        self.caps = caps or OutputCaps()

    @classmethod
    def connect(
        cls,
        bucket: str,
        *,
        endpoint_url: str = "",
        region: str = "",
        caps: OutputCaps | None = None,
    ) -> S3ArtifactStore:
        """A store on ``bucket``; credentials come from the standard ``AWS_*`` variables. An
        ``http://`` endpoint (a local S3 server) is allowed as given."""
        config: dict[str, str] = {}
        if endpoint_url:
            config["endpoint"] = endpoint_url
        if region:
            config["region"] = region
        store = S3Store(
            bucket,
            config=config,  # type: ignore[arg-type]
            client_options={"allow_http": endpoint_url.startswith("http://")},
        )
        return cls(store, caps)

    # --- store ------------------------------------------------------------------------------

    async def store(self, run_id: UUID, output_dir: Path) -> Sequence[Artifact]:
        files = await asyncio.to_thread(_scan, output_dir, self.caps)
        if not files:
            return ()
        if await self._keys(f"{run_id}/"):
            raise ContractViolation(f"artifacts of run {run_id} already exist")
        uploaded: list[str] = []
        try:
            for path, _size in files:
                key = f"{run_id}/{safe_artifact_path(path)}"
                await self._upload(output_dir, path, key)
                uploaded.append(key)
        except BaseException:
            await asyncio.shield(self._delete_quietly(uploaded))
            raise
        return build_manifest(files)

    async def _upload(self, output_dir: Path, path: str, key: str) -> None:
        local = output_dir / path.removeprefix("output/")
        file = await asyncio.to_thread(_open_regular, local, path)
        try:
            size = os.fstat(file.fileno()).st_size
            if size <= PART_BYTES:
                data = await asyncio.to_thread(file.read)
                await obstore.put_async(self.objects, key, data, use_multipart=False)
            else:
                await obstore.put_async(
                    self.objects, key, _file_parts(file), use_multipart=True, chunk_size=PART_BYTES
                )
        finally:
            file.close()

    # --- read -------------------------------------------------------------------------------

    async def read(self, run_id: UUID, artifact: Artifact) -> ArtifactStream:
        try:
            key = f"{run_id}/{safe_artifact_path(artifact.path)}"
        except ContractViolation:
            raise not_found("Artifact", artifact_id=artifact.artifact_id) from None
        try:
            result = await obstore.get_async(self.objects, key)
        except (NotFoundError, FileNotFoundError):
            raise not_found("ArtifactFile", artifact_id=artifact.artifact_id) from None
        chunks = result.stream(min_chunk_size=ARTIFACT_CHUNK_BYTES)
        return ArtifactStream(size=result.meta["size"], chunks=_chunks(chunks))

    # --- prune ------------------------------------------------------------------------------

    async def prune(self, older_than: datetime) -> int:
        """RUN-28: a run (a top-level prefix named by a UUID) whose newest object was written
        before ``older_than`` is deleted whole; returns how many runs."""
        runs: dict[str, list[ObjectMeta]] = {}
        async for batch in obstore.list(self.objects, chunk_size=1000):
            for meta in batch:
                prefix = meta["path"].split("/", 1)[0]
                try:
                    uuid.UUID(prefix)
                except ValueError:
                    continue
                runs.setdefault(prefix, []).append(meta)
        deleted = 0
        for objects in runs.values():
            if max(m["last_modified"] for m in objects) >= older_than:
                continue
            await self._delete([m["path"] for m in objects])
            deleted += 1
        return deleted

    # --- helpers ----------------------------------------------------------------------------

    async def _keys(self, prefix: str) -> list[str]:
        keys: list[str] = []
        async for batch in obstore.list(self.objects, prefix, chunk_size=1000):
            keys.extend(meta["path"] for meta in batch)
        return keys

    async def _delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), DELETE_BATCH):
            await obstore.delete_async(self.objects, keys[start : start + DELETE_BATCH])

    async def _delete_quietly(self, keys: list[str]) -> None:
        try:
            await self._delete(keys)
        except Exception as error:
            log.warning("could not remove %d partly stored artifacts: %s", len(keys), error)


def _scan(output_dir: Path, caps: OutputCaps) -> list[tuple[str, int]]:
    """The core's scan of the output (RUN-22–RUN-24 and the caps); nothing for no output."""
    if not output_dir.is_dir() or output_dir.is_symlink():
        return []
    return scan_output(output_dir, caps)


def _open_regular(local: Path, path: str) -> IO[bytes]:
    """Open without following a link and check again that it is a regular file (the scan saw
    one, but the path is re-validated at upload time)."""
    try:
        fd = os.open(local, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise output_not_allowed(path, "symlink") from None
        raise
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise output_not_allowed(path, special_file_kind(mode) or "special_file")
    return os.fdopen(fd, "rb")


async def _file_parts(file: IO[bytes]) -> AsyncIterator[bytes]:
    while part := await asyncio.to_thread(file.read, PART_BYTES):
        yield part


async def _chunks(stream: obstore.BytesStream) -> AsyncIterator[bytes]:
    async for chunk in stream:
        yield chunk
