"""The filesystem artifact store passes the artifact store contract suite (RUN-22–RUN-28)."""

from __future__ import annotations

from pathlib import Path

import pytest
from skriptoteket.builtin.filesystem_artifacts import FilesystemArtifactStore
from skriptoteket.ports.execution import ArtifactStore
from skriptoteket.testing.artifact_store_contract import ArtifactStoreContract


class TestFilesystemArtifactStore(ArtifactStoreContract):
    @pytest.fixture
    def artifact_store(self, tmp_path: Path) -> ArtifactStore:
        return FilesystemArtifactStore(tmp_path / "artifacts")
