"""Reading submitted forms: the CSRF check may already have parsed the body."""

from __future__ import annotations

from uuid import UUID

from skriptoteket.domain.errors import DomainError, ErrorCode, not_found, validation_error
from starlette.datastructures import FormData
from starlette.requests import Request

from skriptoteket_web.middleware.body_limit import parse_form
from skriptoteket_web.middleware.csrf import FORM_SCOPE_KEY


async def read_form(request: Request) -> FormData:
    parsed = request.scope.get(FORM_SCOPE_KEY)
    if isinstance(parsed, FormData):
        return parsed
    return await parse_form(request)


def field(form: FormData, name: str, default: str = "") -> str:
    """A text field (an upload or a missing field gives ``default``)."""
    value = form.get(name)
    return value if isinstance(value, str) else default


def fields(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str)]


def path_uuid(request: Request, name: str, entity: str) -> UUID:
    """A UUID path parameter; anything else is NOT_FOUND (as an unknown id would be)."""
    raw = request.path_params.get(name, "")
    try:
        return UUID(str(raw))
    except ValueError:
        raise not_found(entity, **{name: str(raw)}) from None


def form_uuid(form: FormData, name: str) -> UUID:
    """A UUID form field; anything else is a validation error."""
    raw = field(form, name).strip()
    try:
        return UUID(raw)
    except ValueError:
        raise validation_error("Invalid id", field=name) from None


def repeated_password(form: FormData, name: str, again: str) -> str:
    """A new password typed twice (``name`` and ``again``); two different texts are refused."""
    password = field(form, name)
    if password != field(form, again):
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            "The two new passwords differ",
            {"field": again},
            reason="passwords_differ",
        )
    return password
