"""Error responses (ERR-03, ERR-04, ERR-05): a Swedish error page for people, or the JSON shape
``{"error": {"code", "message", "details"[, "reason"]}, "correlation_id"}`` for ``/api/`` paths
and clients that ask for JSON. HTML never shows an English domain message or a stack trace."""

from __future__ import annotations

from typing import Any

from skriptoteket.domain.errors import DomainError, ErrorCode
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from skriptoteket_web.templating import render
from skriptoteket_web.ui_text import N_, http_status, ui_error_message, ui_error_values

REALM = "skriptoteket"
_HTTP_MESSAGES = {
    404: (ErrorCode.NOT_FOUND, "Not found", N_("Not found.")),
    405: (ErrorCode.VALIDATION_ERROR, "Method not allowed", N_("Invalid input.")),
    413: (ErrorCode.VALIDATION_ERROR, "Request body too large", N_("The upload is too large.")),
}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


def error_response(
    request: Request,
    *,
    status: int,
    code: str,
    message: str,
    ui_message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    ui_values: dict[str, object] | None = None,
    reason: str | None = None,
) -> Response:
    """``message`` is the English API text; ``ui_message`` the message id for the HTML page
    (with ``ui_values`` filled into it); ``reason`` the error's stable reason
    (docs/failure-codes.md), for clients to act on."""
    correlation_id = getattr(request.state, "correlation_id", "")
    if wants_json(request):
        error: dict[str, Any] = {"code": code, "message": message, "details": details or {}}
        if reason:
            error["reason"] = reason
        body = {"error": error, "correlation_id": correlation_id}
        return JSONResponse(body, status_code=status, headers=headers)
    return render(
        request,
        "error.html",
        {
            "error_message": request.state.translator.gettext(ui_message, **(ui_values or {})),
            "status": status,
        },
        status=status,
        headers=headers,
    )


def bearer_challenge(request: Request) -> str:
    """RFC 6750 §3: the ``WWW-Authenticate`` value of an API 401. A request that sent no
    bearer token gets no error code; one whose token was refused gets ``invalid_token``."""
    scheme, _, secret = request.headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        return f'Bearer realm="{REALM}", error="invalid_token"'
    return f'Bearer realm="{REALM}"'


def domain_error_response(request: Request, error: DomainError) -> Response:
    status = http_status(error)
    api_401 = status == 401 and request.url.path.startswith("/api/")
    return error_response(
        request,
        status=status,
        code=error.code.value,
        message=error.message,
        ui_message=ui_error_message(error),
        ui_values=ui_error_values(error, request.state.translator),
        details=error.details,
        headers={"WWW-Authenticate": bearer_challenge(request)} if api_401 else None,
        reason=error.reason,
    )


def internal_error_response(request: Request) -> Response:
    """ERR-04."""
    return error_response(
        request,
        status=500,
        code=ErrorCode.INTERNAL_ERROR.value,
        message="Internal server error",
        ui_message=N_("Internal server error."),
    )


async def http_exception_handler(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405/413 (unknown routes, wrong methods) in the same shapes."""
    assert isinstance(exc, HTTPException)
    code, message, ui_message = _HTTP_MESSAGES.get(
        exc.status_code,
        (ErrorCode.VALIDATION_ERROR, "Bad request", N_("Invalid input.")),
    )
    return error_response(
        request,
        status=exc.status_code,
        code=code.value,
        message=message,
        ui_message=ui_message,
        headers=dict(exc.headers) if exc.headers else None,
    )


async def domain_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    return domain_error_response(request, exc)
