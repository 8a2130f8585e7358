"""Per-run workspaces on the local disk: ``WORKSPACE_ROOT/{run_id}/{input,output}``.

RUN-29: a sandbox run's inputs may be kept for debugging for a short while, as a copy under
``INPUTS_ROOT/{run_id}/`` written when the workspace is prepared (production inputs never are).
Copies older than the retention are pruned at start-up (``sweep``) and by ``artifacts prune``.
The start-up sweep removes every workspace except the ones of runs a live process still holds
(``keep``, from the database) and recent ones (``grace_seconds``: a process prepares a
workspace just before it commits the run's row), so a second server on the same data dir never
deletes the first one's live workspaces.
Every removal is iterative (``file_trees``): a tool's 1,200-level tree is removed like any other,
and what cannot be removed is logged, never raised."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Collection, Sequence
from pathlib import Path
from uuid import UUID

from skriptoteket.builtin import file_trees

log = logging.getLogger(__name__)


class FilesystemWorkspaces:
    def __init__(
        self,
        root: Path,
        *,
        inputs_root: Path | None = None,
        input_retention_hours: float = 0.0,
    ) -> None:
        self.root = root
        self.inputs_root = inputs_root
        self.input_retention_hours = input_retention_hours

    def path(self, run_id: UUID) -> Path:
        return self.root / str(run_id)

    def _prepare(self, run_id: UUID, files: Sequence[tuple[str, bytes]], keep_inputs: bool) -> Path:
        workspace = self.path(run_id)
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        (workspace / "input").mkdir(parents=True, mode=0o755)
        (workspace / "output").mkdir(mode=0o777)
        (workspace / "output").chmod(0o777)  # the sandbox user may differ from ours
        for name, data in files:
            target = workspace / "input" / name
            if target.parent != workspace / "input":
                raise ValueError(f"unsafe input name {name!r}")
            target.write_bytes(data)
            target.chmod(0o644)
        if keep_inputs and files and self._retains_inputs():
            self._keep_inputs(run_id, files)
        return workspace

    def _retains_inputs(self) -> bool:
        return self.inputs_root is not None and self.input_retention_hours > 0

    def _keep_inputs(self, run_id: UUID, files: Sequence[tuple[str, bytes]]) -> None:
        """A copy (not a link: the tool must not be able to change it) for RUN-29."""
        assert self.inputs_root is not None
        self.inputs_root.mkdir(parents=True, exist_ok=True, mode=0o700)
        kept = self.inputs_root / str(run_id)
        kept.mkdir(mode=0o700)
        for name, data in files:
            (kept / name).write_bytes(data)

    async def prepare(
        self, run_id: UUID, files: Sequence[tuple[str, bytes]], *, keep_inputs: bool = False
    ) -> Path:
        return await asyncio.to_thread(self._prepare, run_id, files, keep_inputs)

    def kept_inputs(self, run_id: UUID) -> Path | None:
        """Where a sandbox run's inputs are kept (RUN-29), if they still are."""
        if self.inputs_root is None:
            return None
        kept = self.inputs_root / str(run_id)
        return kept if kept.is_dir() else None

    async def remove(self, run_id: UUID) -> None:
        await asyncio.to_thread(_remove, self.path(run_id))

    def _sweep(self, keep: frozenset[str], grace_seconds: float) -> int:
        self._prune_inputs()
        newer_than = time.time() - grace_seconds if grace_seconds > 0 else None
        return _remove_uuid_dirs(self.root, None, keep=keep, newer_than=newer_than)

    async def sweep(self, keep: Collection[UUID] = (), *, grace_seconds: float = 0.0) -> int:
        names = frozenset(str(run_id) for run_id in keep)
        return await asyncio.to_thread(self._sweep, names, grace_seconds)

    def _prune_inputs(self) -> int:
        if self.inputs_root is None:
            return 0
        cutoff = time.time() - self.input_retention_hours * 3600
        return _remove_uuid_dirs(self.inputs_root, cutoff)

    async def prune_inputs(self) -> int:
        """RUN-29: remove kept sandbox inputs older than the retention; how many runs'."""
        return await asyncio.to_thread(self._prune_inputs)


def _remove_uuid_dirs(
    root: Path,
    older_than: float | None,
    *,
    keep: frozenset[str] = frozenset(),
    newer_than: float | None = None,
) -> int:
    """Remove ``root``'s entries named by a UUID, except those in ``keep``: modified before
    ``older_than`` if given, and not after ``newer_than`` if given."""
    try:
        entries = list(root.iterdir())
    except FileNotFoundError:
        return 0
    removed = 0
    for entry in entries:
        try:
            if str(uuid.UUID(entry.name)) in keep:
                continue
            if older_than is not None or newer_than is not None:
                modified = entry.lstat().st_mtime
                if older_than is not None and modified >= older_than:
                    continue
                if newer_than is not None and modified > newer_than:
                    continue
        except (ValueError, OSError):
            continue
        if _remove(entry):
            removed += 1
    return removed


def _remove(path: Path) -> bool:
    problems = file_trees.remove_tree(path)
    if problems:
        log.warning("could not remove all of %s: %s", path, "; ".join(problems))
    return not problems
