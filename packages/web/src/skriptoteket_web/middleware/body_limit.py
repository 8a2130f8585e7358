"""Request body caps, enforced while the body streams in (issue 9 item 2).

Every request with a body — bearer, cookie or anonymous, before any authentication — is counted
chunk by chunk as the app reads it; the moment the count passes the cap the read fails and the
client gets 413 (a ``Content-Length`` over the cap is answered before a byte is read). Nothing
here buffers: the cap only counts. Uploads are spooled to disk by Starlette's multipart parser
(``SpooledTemporaryFile``, 1 MB in memory per file at most).

The cap depends on the route: a multipart body sent to an ``UploadRoute`` may be as large as the
configured upload total (``SKRIPTOTEKET_UPLOAD_MAX_TOTAL_BYTES``) plus the small cap for the
multipart framing and value fields; every other body (JSON, form posts) has the small cap
(``SKRIPTOTEKET_REQUEST_MAX_BODY_BYTES``).

``parse_form`` is the one place a form body is parsed, with caps on the number of parts.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
from skriptoteket.domain.errors import DomainError, ErrorCode
from starlette.datastructures import FormData, Headers
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from skriptoteket_web.errors import error_response
from skriptoteket_web.runtime import runtime
from skriptoteket_web.ui_text import N_

MULTIPART = "multipart/form-data"
# Value fields a form may carry besides its files: an input schema has at most 20 fields, the
# editor's forms a handful; this leaves room and still bounds the parser's work.
MAX_FORM_FIELDS = 200
MIB = 1024 * 1024


class UploadRoute(Route):
    """A route whose POST takes file uploads: its multipart bodies get the upload cap."""


class RequestTooLarge(DomainError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            ErrorCode.VALIDATION_ERROR,
            "Request body too large",
            {"max_bytes": limit},
            reason="request_too_large",
        )
        self.limit = limit


@attrs.frozen
class BodyLimits:
    """``small``: any body; ``upload_total``: the files of one run (the core's setting), whose
    multipart body may be that plus ``small`` (framing and value fields)."""

    small: int
    upload_total: int
    upload_routes: Sequence[BaseRoute] = ()

    def for_scope(self, scope: Scope) -> tuple[int, int]:
        """The cap of this request's body, and the size to tell a person (the files' total
        for an upload)."""
        content_type = Headers(scope=scope).get("content-type", "")
        if content_type.startswith(MULTIPART) and any(
            route.matches(scope)[0] is Match.FULL for route in self.upload_routes
        ):
            return self.upload_total + self.small, self.upload_total
        return self.small, self.small


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, shown = self.limits.for_scope(scope)
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(scope, receive, send, limit, shown)
            return
        received = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise RequestTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise RequestTooLarge(limit)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # whatever the app made of the failed read; the 413 goes out below
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not exceeded or started:
                raise
        if exceeded and not started:
            await _refuse(scope, receive, send, limit, shown)


async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int, shown: int) -> None:
    megabytes = max(1, round(shown / MIB))
    response = error_response(
        Request(scope),
        status=413,
        code=ErrorCode.VALIDATION_ERROR.value,
        message="Request body too large",
        ui_message=N_("The request is too large: at most %(megabytes)s MB can be sent."),
        ui_values={"megabytes": megabytes},
        details={"reason": "request_too_large", "max_bytes": limit},
        headers={"Connection": "close"},
    )
    await response(scope, receive, send)


async def parse_form(request: Request) -> FormData:
    """The request's form, files spooled to disk, with caps on the number of parts."""
    web = runtime(request)
    try:
        return await request.form(
            # One more than a run takes, so that the core says "at most N files per run".
            max_files=web.settings.upload_max_files + 1,
            max_fields=MAX_FORM_FIELDS,
            max_part_size=web.web.request_max_body_bytes,
        )
    except (HTTPException, MultiPartException) as error:
        detail = error.detail if isinstance(error, HTTPException) else error.message
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            "The form could not be read",
            {"detail": str(detail)},
            reason="invalid_form",
        ) from None
