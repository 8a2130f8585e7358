"""Turns driver and SQLAlchemy errors into ``DomainError`` so none escapes a repository.

Unique violations become CONFLICT (a duplicate email: DUPLICATE_ENTRY, ID-08), foreign-key and
NOT NULL violations VALIDATION_ERROR, lock and serialization failures CONFLICT or
SERVICE_UNAVAILABLE, anything else DATABASE_ERROR. The constraint is found by name on PostgreSQL
and by the column list in the message on SQLite (which does not report names).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import sqlalchemy as sa
from skriptoteket.domain.errors import DomainError, ErrorCode
from sqlalchemy import exc as sa_exc

from skriptoteket_sql.tables import metadata

_UNIQUE_MESSAGES: dict[str, tuple[ErrorCode, str]] = {
    "uq_users_email": (ErrorCode.DUPLICATE_ENTRY, "Email already exists"),
    "pk_users": (ErrorCode.DUPLICATE_ENTRY, "User already exists"),
    "uq_users_auth_provider_external_id": (
        ErrorCode.CONFLICT,
        "That external identity belongs to another user",
    ),
    "pk_sessions": (ErrorCode.CONFLICT, "Session already exists"),
    "pk_api_tokens": (ErrorCode.CONFLICT, "Token already exists"),
    "uq_api_tokens_token_hash": (ErrorCode.CONFLICT, "Token already exists"),
    "pk_nominations": (ErrorCode.CONFLICT, "Nomination already exists"),
    "ux_nominations_one_pending_per_nominee": (
        ErrorCode.CONFLICT,
        "The user already has a pending nomination",
    ),
    "pk_tools": (ErrorCode.CONFLICT, "Tool already exists"),
    "uq_tools_slug": (ErrorCode.CONFLICT, "A tool with that slug already exists"),
    "pk_tool_maintainers": (ErrorCode.CONFLICT, "Already a maintainer"),
    "pk_script_suggestions": (ErrorCode.CONFLICT, "Suggestion already exists"),
    "pk_script_suggestion_decisions": (ErrorCode.CONFLICT, "Decision already exists"),
    "pk_tool_versions": (ErrorCode.CONFLICT, "Version already exists"),
    "uq_tool_versions_tool_id_version_number": (
        ErrorCode.CONFLICT,
        "Version number already exists for this tool",
    ),
    "ux_tool_versions_one_active_per_tool": (
        ErrorCode.CONFLICT,
        "The tool already has an active version",
    ),
    "pk_tool_runs": (ErrorCode.CONFLICT, "Run already exists"),
    "pk_audit_log": (ErrorCode.CONFLICT, "Audit entry already exists"),
}


def _sqlite_unique_keys() -> dict[str, str]:
    """``"table.col_a, table.col_b"`` (SQLite's wording) → constraint or index name."""
    keys: dict[str, str] = {}
    for table in metadata.tables.values():
        groups: list[tuple[str, list[str]]] = []
        for constraint in table.constraints:
            if isinstance(constraint, sa.PrimaryKeyConstraint | sa.UniqueConstraint):
                groups.append((str(constraint.name), [c.name for c in constraint.columns]))
        for index in table.indexes:
            if index.unique:
                groups.append((str(index.name), [c.name for c in index.columns]))
        for name, columns in groups:
            keys[", ".join(f"{table.name}.{c}" for c in columns)] = name
    return keys


_SQLITE_UNIQUE_KEYS = _sqlite_unique_keys()


def _constraint_name(orig: BaseException) -> str | None:
    diag = getattr(orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name:
        return str(name)
    text = str(orig)
    for prefix in ("UNIQUE constraint failed: ", "NOT NULL constraint failed: "):
        if text.startswith(prefix):
            key = text.removeprefix(prefix).strip()
            if key.startswith("index '"):
                return key.removeprefix("index '").rstrip("'")
            return _SQLITE_UNIQUE_KEYS.get(key, key)
    return None


def _kind(orig: BaseException) -> str:
    state = getattr(orig, "sqlstate", None)
    if state:
        return {
            "23505": "unique",
            "23503": "foreign_key",
            "23502": "not_null",
            "23514": "check",
            "40001": "serialization",
            "40P01": "serialization",
            "55P03": "locked",
        }.get(str(state), "other")
    text = str(orig)
    for marker, kind in (
        ("UNIQUE constraint failed", "unique"),
        ("FOREIGN KEY constraint failed", "foreign_key"),
        ("NOT NULL constraint failed", "not_null"),
        ("CHECK constraint failed", "check"),
        ("database is locked", "locked"),
        ("database table is locked", "locked"),
    ):
        if marker in text:
            return kind
    return "other"


DRIVER_ERRORS: tuple[type[Exception], ...] = (sa_exc.SQLAlchemyError, sqlite3.Error, psycopg.Error)


def to_domain_error(error: Exception) -> DomainError:
    """The ``DomainError`` a repository raises for ``error``."""
    if isinstance(error, sa_exc.TimeoutError):  # no pooled connection within the wait
        return DomainError(
            ErrorCode.SERVICE_UNAVAILABLE,
            "The database is busy; retry.",
            {"reason": "no database connection free in time"},
            reason="database_busy",
        )
    orig: BaseException = getattr(error, "orig", None) or error
    kind = _kind(orig)
    details: dict[str, Any] = {"reason": str(orig).strip()[:500]}
    if kind == "unique":
        name = _constraint_name(orig)
        code, message = _UNIQUE_MESSAGES.get(
            name or "", (ErrorCode.CONFLICT, "Conflicts with an existing record")
        )
        return DomainError(code, message, {**details, "constraint": name})
    if kind == "foreign_key":
        return DomainError(
            ErrorCode.VALIDATION_ERROR, "A referenced record does not exist", details
        )
    if kind in ("not_null", "check"):
        return DomainError(
            ErrorCode.VALIDATION_ERROR,
            "A required value is missing or invalid",
            {**details, "constraint": _constraint_name(orig)},
        )
    if kind == "serialization":
        return DomainError(
            ErrorCode.CONFLICT,
            "A concurrent change conflicted with this one; reload and retry",
            details,
        )
    if kind == "locked":
        return DomainError(
            ErrorCode.SERVICE_UNAVAILABLE,
            "The database is busy; retry.",
            details,
            reason="database_busy",
        )
    return DomainError(ErrorCode.DATABASE_ERROR, "Database error", details)


@contextmanager
def translated() -> Iterator[None]:
    """Re-raise any SQLAlchemy or driver error inside the block as a ``DomainError``."""
    try:
        yield
    except DRIVER_ERRORS as error:
        raise to_domain_error(error) from error
