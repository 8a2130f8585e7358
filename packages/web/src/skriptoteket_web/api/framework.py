"""Declaring an API endpoint once: path, who may call it, its query, its body class and its
response class. ``Endpoint.route()`` makes the Starlette route that authenticates the caller,
checks the role, parses and validates the input strictly and serializes the result;
``skriptoteket_web.api.openapi`` writes the OpenAPI document from the same declarations.

Authentication (DESIGN §6, AMB-13): ``Authorization: Bearer TOKEN`` (``authenticate_api_token``)
or the session cookie. The session middleware ignores the cookie of a request that carries an
``Authorization`` header, so bearer requests are exempt from CSRF; cookie requests go through
the CSRF check like the pages. No credentials → 401; errors are the JSON of ERR-03/ERR-07.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import attrs
from skriptoteket.application.container import Skriptoteket
from skriptoteket.domain.errors import DomainError, ErrorCode, not_found, validation_error
from skriptoteket.domain.identity import Role, User, require_at_least_role, system_actor
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from skriptoteket_web.api.dto import dump, parse_body
from skriptoteket_web.auth import current_session
from skriptoteket_web.forms import read_form
from skriptoteket_web.json_text import parse_json
from skriptoteket_web.middleware.body_limit import UploadRoute
from skriptoteket_web.runtime import core

API_PREFIX = "/api/v1"
BINARY = "binary"
EVENT_STREAM = "event-stream"
_PATH_PARAM = re.compile(r"{([a-z_]+)}")
# Path parameters that are not UUIDs.
TEXT_PATH_PARAMS = frozenset({"slug", "artifact_id"})


def unauthorized(message: str = "Authentication required") -> DomainError:
    return DomainError(ErrorCode.UNAUTHORIZED, message)


async def authenticate(request: Request, app: Skriptoteket) -> User:
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, secret = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise unauthorized("Use 'Authorization: Bearer <token>'")
        user = await app.authenticate_api_token(secret.strip())
        if user is None:
            raise unauthorized("Invalid, revoked or expired API token")
        return user
    current = current_session(request)
    if current is None:
        raise unauthorized()
    return current.user


@attrs.frozen
class Query:
    """A query parameter: ``parse`` turns the text into the value (or raises ValueError)."""

    name: str
    schema: Mapping[str, Any]
    parse: Callable[[str], Any] = str
    description: str = ""


def int_query(name: str, *, minimum: int, maximum: int, description: str = "") -> Query:
    def parse(raw: str) -> int:
        value = int(raw)
        if not minimum <= value <= maximum:
            raise ValueError(f"must be {minimum}..{maximum}")
        return value

    return Query(
        name,
        {"type": "integer", "minimum": minimum, "maximum": maximum},
        parse,
        description,
    )


def uuid_query(name: str, description: str = "") -> Query:
    return Query(name, {"type": "string", "format": "uuid"}, UUID, description)


def enum_query(name: str, values: Sequence[str], description: str = "") -> Query:
    def parse(raw: str) -> str:
        if raw not in values:
            raise ValueError("must be one of " + ", ".join(values))
        return raw

    return Query(name, {"type": "string", "enum": list(values)}, parse, description)


@attrs.frozen
class Items:
    """A response ``{"items": [of]}``."""

    of: type


@attrs.frozen
class Multipart:
    """A multipart body: file parts (name → description) and JSON parts (name → the JSON
    Schema of the part's value and a description)."""

    files: Mapping[str, str]
    fields: Mapping[str, tuple[Mapping[str, Any], str]]


# The actor of a public endpoint's call (it never reaches a use case).
ANONYMOUS = system_actor(datetime(1970, 1, 1, tzinfo=UTC), label="anonymous")


@attrs.define
class Call:
    request: Request
    app: Skriptoteket | None
    actor: User
    body: Any = None
    body_keys: frozenset[str] = frozenset()
    query: dict[str, Any] = attrs.Factory(dict)
    form: FormData | None = None

    @property
    def core(self) -> Skriptoteket:
        assert self.app is not None
        return self.app

    def uuid(self, name: str, entity: str) -> UUID:
        """A UUID path parameter; anything else is NOT_FOUND, as an unknown id would be."""
        raw = str(self.request.path_params.get(name, ""))
        try:
            return UUID(raw)
        except ValueError:
            raise not_found(entity, **{name: raw}) from None

    def text(self, name: str) -> str:
        return str(self.request.path_params[name])


Handler = Callable[[Call], Awaitable[Any]]


@attrs.frozen
class Endpoint:
    method: str
    path: str  # under /api/v1
    operation_id: str
    summary: str
    handler: Handler
    tag: str
    access: str = "any logged-in user"
    min_role: Role = Role.USER
    body: type | None = None
    multipart: Multipart | None = None
    query: tuple[Query, ...] = ()
    status: int = 200
    response: type | Items | str | None = None
    public: bool = False  # no authentication (the OpenAPI document)
    description: str = ""

    @property
    def full_path(self) -> str:
        return API_PREFIX + self.path

    @property
    def path_params(self) -> list[str]:
        return _PATH_PARAM.findall(self.path)

    def route(self) -> Route:
        kind = UploadRoute if self.multipart is not None else Route
        return kind(
            self.full_path, self._serve, methods=[self.method], name=f"api.{self.operation_id}"
        )

    async def _serve(self, request: Request) -> Response:
        if self.public:
            return self._respond(await self.handler(Call(request, None, ANONYMOUS)))
        app = core(request)
        actor = await authenticate(request, app)
        require_at_least_role(actor, self.min_role)
        call = Call(request, app, actor, query=self._parse_query(request))
        if self.body is not None:
            raw = await _json_body(request)
            call.body = parse_body(raw, self.body)
            call.body_keys = frozenset(raw)
        elif self.multipart is not None:
            call.form = await _multipart(request, self.multipart)
        try:
            return self._respond(await self.handler(call))
        finally:
            if call.form is not None:
                await call.form.close()

    def _parse_query(self, request: Request) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for q in self.query:
            raw = request.query_params.get(q.name)
            if raw is None or raw == "":
                continue
            try:
                values[q.name] = q.parse(raw)
            except ValueError as error:
                raise validation_error(
                    f"Invalid query parameter {q.name}: {error}", parameter=q.name
                ) from None
        return values

    def _respond(self, result: Any) -> Response:
        if isinstance(result, Response):
            return result
        if isinstance(self.response, Items):
            payload = {"items": [dump(item) for item in result]}
        else:
            payload = dump(result)
        return JSONResponse(payload, status_code=self.status)


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return {}
    content_type = request.headers.get("content-type", "application/json")
    if "json" not in content_type:
        raise validation_error("Send the body as application/json", content_type=content_type)
    try:
        return parse_json(raw)
    except (ValueError, UnicodeDecodeError):
        raise validation_error("The request body is not valid JSON") from None


async def _multipart(request: Request, spec: Multipart) -> FormData:
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise validation_error("Send the body as multipart/form-data", content_type=content_type)
    try:
        form = await read_form(request)
    except DomainError:
        raise
    except Exception:
        raise validation_error("The multipart body could not be read") from None
    allowed = set(spec.files) | set(spec.fields)
    unknown = sorted({key for key in form if key not in allowed})
    if unknown:
        await form.close()
        raise validation_error("Unknown form field(s): " + ", ".join(unknown), fields=unknown)
    return form
