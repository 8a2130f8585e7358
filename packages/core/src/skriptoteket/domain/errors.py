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
    """A control-plane error with a stable code, a safe message and structured details."""

    def __init__(
        self, code: ErrorCode, message: str, details: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details: dict[str, Any] = dict(details or {})

    def __repr__(self) -> str:
        return f"DomainError({self.code.value}, {self.message!r}, {self.details!r})"


def validation_error(message: str, **details: Any) -> DomainError:
    return DomainError(ErrorCode.VALIDATION_ERROR, message, details)


def not_found(entity: str, **details: Any) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, f"{entity} not found", {"entity": entity, **details})


def conflict(message: str, **details: Any) -> DomainError:
    return DomainError(ErrorCode.CONFLICT, message, details)


def forbidden(message: str = "Insufficient permissions", **details: Any) -> DomainError:
    return DomainError(ErrorCode.FORBIDDEN, message, details)
