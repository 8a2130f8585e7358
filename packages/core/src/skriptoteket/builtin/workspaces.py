"""Per-run workspaces on the local disk: ``WORKSPACE_ROOT/{run_id}/{input,output}``."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path
from uuid import UUID


class FilesystemWorkspaces:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, run_id: UUID) -> Path:
        return self.root / str(run_id)

    def _prepare(self, run_id: UUID, files: Sequence[tuple[str, bytes]]) -> Path:
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
        return workspace

    async def prepare(self, run_id: UUID, files: Sequence[tuple[str, bytes]]) -> Path:
        return await asyncio.to_thread(self._prepare, run_id, files)

    async def remove(self, run_id: UUID) -> None:
        await asyncio.to_thread(shutil.rmtree, self.path(run_id), True)

    def _sweep(self) -> int:
        if not self.root.is_dir():
            return 0
        removed = 0
        for entry in self.root.iterdir():
            try:
                uuid.UUID(entry.name)
            except ValueError:
                continue
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
        return removed

    async def sweep(self) -> int:
        return await asyncio.to_thread(self._sweep)
