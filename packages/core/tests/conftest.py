"""Shared fixtures: a ``Skriptoteket`` container on the in-memory backend with a fake clock and
a fast fake password hasher, plus one account per role (see ``skriptoteket.testing.world``)."""

from __future__ import annotations

import pytest
from skriptoteket.testing.world import World


@pytest.fixture
async def world() -> World:
    return await World.create()
