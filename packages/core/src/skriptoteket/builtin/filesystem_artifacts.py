"""The filesystem artifact store (RUN-22–RUN-28): ``ARTIFACTS_ROOT/{run_id}/output/...``.

A finished run's output directory is checked entry by entry (regular files and directories
only, never following a link, every path safe, caps on count and bytes) and then moved in with
one rename. Binaries never go into the database (RUN-23)."""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from uuid import UUID

from skriptoteket.domain.errors import not_found
from skriptoteket.domain.run_results import (
    ContractViolation,
    OutputCaps,
    build_manifest,
    output_not_allowed,
    output_too_large,
    safe_artifact_path,
)
from skriptoteket.domain.runs import Artifact


def _kind_of(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "special_file"


def scan_output(output_dir: Path, caps: OutputCaps) -> list[tuple[str, int]]:
    """Every regular file under ``output_dir`` as ("output/<rel>", bytes), refusing links,
    devices, FIFOs and sockets anywhere in the tree (RUN-23)."""
    files: list[tuple[str, int]] = []
    total = 0
    pending = [output_dir]
    while pending:
        current = pending.pop()
        with os.scandir(current) as entries:
            for entry in entries:
                mode = entry.stat(follow_symlinks=False).st_mode
                rel = Path(entry.path).relative_to(output_dir).as_posix()
                if stat.S_ISDIR(mode):
                    pending.append(Path(entry.path))
                    continue
                if not stat.S_ISREG(mode):
                    raise output_not_allowed(f"output/{rel}", _kind_of(mode))
                size = entry.stat(follow_symlinks=False).st_size
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
            shutil.rmtree(output_dir)
        return build_manifest(files)

    async def store(self, run_id: UUID, output_dir: Path) -> Sequence[Artifact]:
        return await asyncio.to_thread(self._store, run_id, output_dir)

    def _open(self, run_id: UUID, artifact: Artifact) -> Path:
        try:
            relative = safe_artifact_path(artifact.path)
        except ContractViolation:
            raise not_found("Artifact", artifact_id=artifact.artifact_id) from None
        run_dir = self._run_dir(run_id).resolve()
        path = (run_dir / relative).resolve()
        if not path.is_relative_to(run_dir) or not run_dir.is_relative_to(self.root.resolve()):
            raise not_found("Artifact", artifact_id=artifact.artifact_id)
        try:
            mode = (self._run_dir(run_id) / relative).lstat().st_mode
        except OSError:
            raise not_found("ArtifactFile", artifact_id=artifact.artifact_id) from None
        if not stat.S_ISREG(mode):
            raise not_found("ArtifactFile", artifact_id=artifact.artifact_id)
        return path

    async def open(self, run_id: UUID, artifact: Artifact) -> Path:
        return await asyncio.to_thread(self._open, run_id, artifact)

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
            if entry.is_dir() and not entry.is_symlink() and entry.stat().st_mtime < cutoff:
                shutil.rmtree(entry)
                deleted += 1
        return deleted

    async def prune(self, older_than: datetime) -> int:
        return await asyncio.to_thread(self._prune, older_than)
