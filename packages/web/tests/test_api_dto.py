"""``dto.from_core``: a response class filled from a core object by field name (issue 4 §6)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any
from uuid import uuid4

import attrs
import pytest
from skriptoteket.domain.identity import AuthProvider, Role, User
from skriptoteket_web.api.dto import INTERNAL, dump, from_core, source
from skriptoteket_web.api.responses import UserOut

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


@attrs.frozen
class Core:
    id: str
    tags: tuple[str, ...]
    details: Mapping[str, Any]
    secret: str


@attrs.frozen
class ShapeOut:
    id: str
    labels: list[str] = attrs.field(metadata=source("tags"))
    details: dict[str, Any]
    note: str
    hidden: bool = attrs.field(default=False, metadata=INTERNAL)


CORE = Core(id="a", tags=("x", "y"), details=MappingProxyType({"k": 1}), secret="s")


def test_fields_come_by_name_or_source_with_tuples_as_lists() -> None:
    out = from_core(ShapeOut, CORE, note="given")
    assert out == ShapeOut(id="a", labels=["x", "y"], details={"k": 1}, note="given")
    assert type(out.details) is dict


def test_an_unknown_value_name_is_an_error() -> None:
    with pytest.raises(TypeError, match="no field"):
        from_core(ShapeOut, CORE, note="n", secret="s")


def test_a_missing_attribute_fails_loudly() -> None:
    with pytest.raises(AttributeError):
        from_core(ShapeOut, CORE)  # no "note" on Core and none given


def test_only_the_response_fields_reach_the_json() -> None:
    user = User(
        id=uuid4(),
        email="larare@skolan.se",
        role=Role.USER,
        auth_provider=AuthProvider.LOCAL,
        external_id=None,
        password_hash="hemlig-hash",
        is_active=True,
        created_at=NOW,
        updated_at=NOW,
    )
    data = dump(from_core(UserOut, user))
    assert set(data) == {"id", "email", "role", "is_active", "created_at"}
    assert data["created_at"] == NOW.isoformat()
