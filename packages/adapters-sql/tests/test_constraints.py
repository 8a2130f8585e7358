"""Invariants the database itself enforces, bypassing the repositories (VER-02, VER-03, VER-06,
NOM-06, ID-03, the append-only audit log) and SQLite's connection settings."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from skriptoteket_sql.engine import create_sync_engine_for
from skriptoteket_sql.tables import audit_log, nominations, tool_versions, tools, users
from sqlalchemy import exc as sa_exc

NOW = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    engine = create_sync_engine_for(db_url)
    yield engine
    engine.dispose()


def _user(conn: sa.Connection, email: str = "a@skolan.se") -> uuid.UUID:
    user_id = uuid.uuid4()
    conn.execute(
        users.insert().values(
            id=user_id,
            email=email,
            role="admin",
            auth_provider="local",
            external_id=None,
            password_hash="x",
            is_active=True,
            created_at=NOW,
            updated_at=NOW,
        )
    )
    return user_id


def _tool(conn: sa.Connection) -> uuid.UUID:
    tool_id = uuid.uuid4()
    conn.execute(
        tools.insert().values(
            id=tool_id,
            slug=f"t-{tool_id.hex[:8]}",
            title="T",
            summary=None,
            is_published=False,
            active_version_id=None,
            created_at=NOW,
            updated_at=NOW,
        )
    )
    return tool_id


def _version(tool_id: uuid.UUID, user_id: uuid.UUID, number: int, state: str) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "tool_id": tool_id,
        "version_number": number,
        "state": state,
        "source_code": "x",
        "entrypoint": "run_tool",
        "content_hash": "0" * 64,
        "created_by_user_id": user_id,
        "created_at": NOW,
    }


@pytest.fixture
def tool_and_user(engine: sa.Engine) -> tuple[uuid.UUID, uuid.UUID]:
    with engine.begin() as conn:
        return _tool(conn), _user(conn)


def test_second_active_version_is_rejected_by_the_database(
    engine: sa.Engine, tool_and_user: tuple[uuid.UUID, uuid.UUID]
) -> None:
    """VER-03: ux_tool_versions_one_active_per_tool."""
    tool_id, user_id = tool_and_user
    with engine.begin() as conn:
        conn.execute(tool_versions.insert().values(**_version(tool_id, user_id, 1, "active")))
        conn.execute(tool_versions.insert().values(**_version(tool_id, user_id, 2, "draft")))
        conn.execute(tool_versions.insert().values(**_version(tool_id, user_id, 3, "archived")))
    with pytest.raises(sa_exc.IntegrityError), engine.begin() as conn:
        conn.exec_driver_sql("UPDATE tool_versions SET state = 'active' WHERE version_number = 2")
    with pytest.raises(sa_exc.IntegrityError), engine.begin() as conn:
        conn.execute(tool_versions.insert().values(**_version(tool_id, user_id, 4, "active")))
    # Other tools are unaffected.
    with engine.begin() as conn:
        other = _tool(conn)
        conn.execute(tool_versions.insert().values(**_version(other, user_id, 1, "active")))


def test_duplicate_version_number_is_rejected_by_the_database(
    engine: sa.Engine, tool_and_user: tuple[uuid.UUID, uuid.UUID]
) -> None:
    """VER-02: uq_tool_versions_tool_id_version_number."""
    tool_id, user_id = tool_and_user
    with engine.begin() as conn:
        conn.execute(tool_versions.insert().values(**_version(tool_id, user_id, 1, "draft")))
    with pytest.raises(sa_exc.IntegrityError) as info, engine.begin() as conn:
        conn.execute(tool_versions.insert().values(**_version(tool_id, user_id, 1, "draft")))
    assert "version_number" in str(info.value)


def test_duplicate_email_and_second_pending_nomination_are_rejected(engine: sa.Engine) -> None:
    """ID-03 uq_users_email; NOM-06 one pending nomination per nominee."""
    with engine.begin() as conn:
        nominee, admin = _user(conn, "n@skolan.se"), _user(conn, "adm@skolan.se")
    with pytest.raises(sa_exc.IntegrityError), engine.begin() as conn:
        _user(conn, "n@skolan.se")

    def nomination(status: str) -> dict[str, Any]:
        return {
            "id": uuid.uuid4(),
            "nominee_user_id": nominee,
            "nominated_by_user_id": admin,
            "rationale": "r",
            "status": status,
            "created_at": NOW,
        }

    with engine.begin() as conn:
        conn.execute(nominations.insert().values(**nomination("pending")))
        conn.execute(nominations.insert().values(**nomination("denied")))
    with pytest.raises(sa_exc.IntegrityError), engine.begin() as conn:
        conn.execute(nominations.insert().values(**nomination("pending")))


def test_audit_log_is_append_only(engine: sa.Engine) -> None:
    """GOV-06/AMB-28: UPDATE and DELETE on audit_log fail in the database."""
    with engine.begin() as conn:
        conn.execute(
            audit_log.insert().values(
                id=uuid.uuid4(),
                occurred_at=NOW,
                actor_user_id=None,
                actor_label="system",
                action="user.created",
                subject_type="user",
                subject_id=uuid.uuid4(),
                details={},
            )
        )
    for statement in ("UPDATE audit_log SET actor_label = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(sa_exc.DBAPIError) as info, engine.begin() as conn:
            conn.exec_driver_sql(statement)
        assert "append-only" in str(info.value)
    if engine.dialect.name == "postgresql":
        with pytest.raises(sa_exc.DBAPIError), engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE audit_log")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM audit_log")).scalar() == 1


def test_deleting_a_referenced_user_is_restricted(
    engine: sa.Engine, tool_and_user: tuple[uuid.UUID, uuid.UUID]
) -> None:
    """VER-06 / AMB-24: actor foreign keys are RESTRICT."""
    tool_id, user_id = tool_and_user
    with engine.begin() as conn:
        conn.execute(tool_versions.insert().values(**_version(tool_id, user_id, 1, "draft")))
    with pytest.raises(sa_exc.IntegrityError), engine.begin() as conn:
        conn.execute(users.delete().where(users.c.id == user_id))


def test_foreign_keys_are_enforced(engine: sa.Engine) -> None:
    """On SQLite only with PRAGMA foreign_keys=ON, set on every connection."""
    with pytest.raises(sa_exc.IntegrityError), engine.begin() as conn:
        conn.execute(
            tool_versions.insert().values(**_version(uuid.uuid4(), uuid.uuid4(), 1, "draft"))
        )


def test_sqlite_connection_settings(sqlite_db: str) -> None:
    engine = create_sync_engine_for(sqlite_db)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    finally:
        engine.dispose()
