"""The filesystem artifact store (RUN-22–RUN-28): ``ARTIFACTS_ROOT/{run_id}/output/...``.

A finished run's output directory is checked entry by entry (regular files and directories
only, never following a link, every path safe, caps on count and bytes) and then moved in with
one rename. Binaries never go into the database (RUN-23)."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import stat
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from uuid import UUID

from skriptoteket.builtin import file_trees
from skriptoteket.domain.errors import not_found
from skriptoteket.domain.run_results import (
    MAX_OUTPUT_DEPTH,
    ContractViolation,
    OutputCaps,
    build_manifest,
    output_not_allowed,
    output_too_large,
    safe_artifact_path,
    special_file_kind,
    unsafe_output_name,
)
from skriptoteket.domain.runs import Artifact
from skriptoteket.ports.execution import ARTIFACT_CHUNK_BYTES, ArtifactStream

log = logging.getLogger(__name__)


def walk_output(output_dir: Path, max_entries: int) -> Iterator[file_trees.TreeEntry]:
    """Every entry of a run's output directory, refusing (``ContractViolation`` with an
    OUTPUT_NOT_ALLOWED failure, ``path`` ``output/<rel>``) links, devices, FIFOs, sockets and
    unsafe names anywhere in the tree (RUN-22–RUN-24), a tree deeper than MAX_OUTPUT_DEPTH
    (``too_deep``) and more than ``max_entries`` entries (``too_many_entries``). Iterative
    and bounded, so a hostile tree is a violation, never a crash."""
    try:
        for entry in file_trees.walk(
            output_dir, max_depth=MAX_OUTPUT_DEPTH, max_entries=max_entries
        ):
            kind = special_file_kind(entry.mode)
            if kind is None and unsafe_output_name(entry.path.rsplit("/", 1)[-1]):
                kind = "unsafe_name"
            if kind is not None:
                raise output_not_allowed(f"output/{entry.path}", kind)
            yield entry
    except file_trees.TreeLimitExceeded as limit:
        raise output_not_allowed(f"output/{limit.path}", limit.kind) from None


def scan_output(output_dir: Path, caps: OutputCaps) -> list[tuple[str, int]]:
    """Every regular file under ``output_dir`` as ("output/<rel>", bytes), refusing what
    ``walk_output`` refuses and enforcing the artifact caps (RUN-23)."""
    files: list[tuple[str, int]] = []
    total = 0
    # Entries, directories included: a few per artifact, never an unbounded walk.
    for entry in walk_output(output_dir, max_entries=caps.max_artifacts * 4 + 64):
        if not stat.S_ISREG(entry.mode):
            continue
        rel = entry.path
        size = entry.size
        if size > caps.max_artifact_bytes:
            raise output_too_large(
                f"output/{rel} is larger than the cap",
                "artifact",
                caps.max_artifact_bytes,
                size,
            )
        total += size
        files.append((safe_artifact_path(f"output/{rel}"), size))
        if len(files) > caps.max_artifacts:
            raise output_too_large(
                f"more than {caps.max_artifacts} output files",
                "artifact_count",
                caps.max_artifacts,
            )
        if total > caps.max_total_artifact_bytes:
            raise output_too_large(
                "the output files are larger than the cap together",
                "artifacts_total",
                caps.max_total_artifact_bytes,
            )
    return files


class FilesystemArtifactStore:
    def __init__(self, root: Path, caps: OutputCaps | None = None) -> None:
        self.root = root
        self.caps = caps or OutputCaps()

    def _run_dir(self, run_id: UUID) -> Path:
        return self.root / str(run_id)

    def _store(self, run_id: UUID, output_dir: Path) -> Sequence[Artifact]:
        run_dir = self._run_dir(run_id)
        if run_dir.exists():
            raise ContractViolation(f"artifacts of run {run_id} already exist")
        if not output_dir.is_dir() or output_dir.is_symlink():
            return ()
        files = scan_output(output_dir, self.caps)
        if not files:
            return ()
        self.root.mkdir(parents=True, exist_ok=True)
        run_dir.mkdir(mode=0o750)
        try:
            os.rename(output_dir, run_dir / "output")
        except OSError:  # another file system: copy without following links, then remove
            shutil.copytree(output_dir, run_dir / "output", symlinks=True)
            _remove(output_dir)
        return build_manifest(files)

    async def store(self, run_id: UUID, output_dir: Path) -> Sequence[Artifact]:
        return await asyncio.to_thread(self._store, run_id, output_dir)

    def _locate(self, run_id: UUID, artifact: Artifact) -> tuple[Path, int]:
        """EXE-08: a safe manifest path inside this run's directory that is a regular file
        (never followed through a link); its path and size."""
        try:
            relative = safe_artifact_path(artifact.path)
        except ContractViolation:
            raise not_found("Artifact", artifact_id=artifact.artifact_id) from None
        run_dir = self._run_dir(run_id).resolve()
        path = (run_dir / relative).resolve()
        if not path.is_relative_to(run_dir) or not run_dir.is_relative_to(self.root.resolve()):
            raise not_found("Artifact", artifact_id=artifact.artifact_id)
        try:
            info = (self._run_dir(run_id) / relative).lstat()
        except OSError:
            raise not_found("ArtifactFile", artifact_id=artifact.artifact_id) from None
        if not stat.S_ISREG(info.st_mode):
            raise not_found("ArtifactFile", artifact_id=artifact.artifact_id)
        return path, info.st_size

    async def read(self, run_id: UUID, artifact: Artifact) -> ArtifactStream:
        path, size = await asyncio.to_thread(self._locate, run_id, artifact)
        return ArtifactStream(size=size, chunks=_file_chunks(path))

    def _prune(self, older_than: datetime) -> int:
        """RUN-28: only directories named by a UUID, by modification time."""
        if not self.root.is_dir():
            return 0
        cutoff = older_than.timestamp()
        deleted = 0
        for entry in self.root.iterdir():
            try:
                uuid.UUID(entry.name)
            except ValueError:
                continue
            old = entry.is_dir() and not entry.is_symlink() and entry.stat().st_mtime < cutoff
            if old and _remove(entry):
                deleted += 1
        return deleted

    async def prune(self, older_than: datetime) -> int:
        return await asyncio.to_thread(self._prune, older_than)


async def _file_chunks(path: Path) -> AsyncIterator[bytes]:
    """The file's bytes in ARTIFACT_CHUNK_BYTES chunks, opened (not following a link) only when
    the first chunk is asked for and closed when the iteration ends or is dropped."""
    fd = await asyncio.to_thread(os.open, path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(fd, "rb", buffering=0) as file:
        while chunk := await asyncio.to_thread(file.read, ARTIFACT_CHUNK_BYTES):
            yield chunk


def _remove(path: Path) -> bool:
    """Remove a tree (iteratively: stored output can be deep); log what stays."""
    problems = file_trees.remove_tree(path)
    if problems:
        log.warning("could not remove all of %s: %s", path, "; ".join(problems))
    return not problems
