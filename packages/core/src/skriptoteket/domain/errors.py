"""Framework-agnostic errors (ERR-01). Hosts map ``ErrorCode`` to HTTP statuses or exit codes."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any


class ErrorCode(enum.StrEnum):
    VALIDATION_ERROR = "VALIDATION_ERROR"
    UNAUTHORIZED = "UNAUTHORIZED"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    USER_NOT_FOUND = "USER_NOT_FOUND"
    SESSION_NOT_FOUND = "SESSION_NOT_FOUND"
    CONFLICT = "CONFLICT"
    DUPLICATE_ENTRY = "DUPLICATE_ENTRY"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    DATABASE_ERROR = "DATABASE_ERROR"


class DomainError(Exception):
    """A control-plane error with a stable code, a safe message and structured details.

    ``code`` is the kind of error (it decides the HTTP status or exit code); ``reason`` is a
    stable, more specific identifier (``"title_required"``, ``"upload_too_large"``) that hosts
    translate into their own words — never the English ``message``, which is for logs and API
    clients. ``details`` hold the values such a text needs (``{"limit_bytes": 20971520}``)."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        details: Mapping[str, Any] | None = None,
        *,
        reason: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details: dict[str, Any] = dict(details or {})
        self.reason = reason

    def __repr__(self) -> str:
        reason = f", reason={self.reason!r}" if self.reason else ""
        return f"DomainError({self.code.value}, {self.message!r}, {self.details!r}{reason})"


def validation_error(message: str, *, reason: str | None = None, **details: Any) -> DomainError:
    return DomainError(ErrorCode.VALIDATION_ERROR, message, details, reason=reason)


def not_found(entity: str, **details: Any) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, f"{entity} not found", {"entity": entity, **details})


def conflict(message: str, *, reason: str | None = None, **details: Any) -> DomainError:
    return DomainError(ErrorCode.CONFLICT, message, details, reason=reason)


def forbidden(
    message: str = "Insufficient permissions", *, reason: str | None = None, **details: Any
) -> DomainError:
    return DomainError(ErrorCode.FORBIDDEN, message, details, reason=reason)
