"""A fresh PostgreSQL database per test, ready for the Procrastinate run queue."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ..databases import fresh_postgres_database  # noqa: TID252 (the workspace tests share it)
from .support import prepare_database

pytestmark = pytest.mark.postgres


@pytest.fixture
async def queue_db(tmp_path: Path) -> AsyncIterator[str]:
    with fresh_postgres_database() as url:
        await prepare_database(url, tmp_path / "seed")
        yield url
