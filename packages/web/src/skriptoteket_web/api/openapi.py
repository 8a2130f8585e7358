"""``GET /api/v1/openapi.json``: an OpenAPI 3.1 document written from the endpoint declarations
(paths, access, query, request and response classes), so it cannot drift from the server."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from skriptoteket.domain.identity import Role

from skriptoteket_web.api.dto import json_schema
from skriptoteket_web.api.framework import (
    BINARY,
    EVENT_STREAM,
    TEXT_PATH_PARAMS,
    Call,
    Endpoint,
    Items,
)

ERROR_STATUSES = {
    "400": "Invalid input (VALIDATION_ERROR)",
    "401": "No or invalid credentials (UNAUTHORIZED)",
    "403": "Not allowed for the caller's role, or no CSRF token with a cookie (FORBIDDEN)",
    "404": "Not found, or not the caller's (NOT_FOUND, ERR-06)",
    "409": "State conflict (CONFLICT, DUPLICATE_ENTRY)",
    "413": "Request body too large",
    "503": "Temporarily unavailable, e.g. the run queue is full (SERVICE_UNAVAILABLE)",
}

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "ERR-03/ERR-07: every error response.",
    "required": ["error", "correlation_id"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "object"},
                "reason": {
                    "type": "string",
                    "description": "a stable, more specific reason (docs/failure-codes.md)",
                },
            },
        },
        "correlation_id": {"type": "string"},
    },
}


def error_statuses(endpoint: Endpoint) -> list[str]:
    """The error statuses ``endpoint`` can answer with, by what it takes and who may call it."""
    if endpoint.public:
        return []
    unsafe = endpoint.method != "GET"
    has_body = endpoint.body is not None or endpoint.multipart is not None
    takes_input = has_body or bool(endpoint.query)
    found = {
        "400": takes_input or unsafe,  # input, or a rule of the use case
        "401": True,
        # the role floor, the per-object rules (§6.3), CSRF for a cookie session's unsafe call
        "403": endpoint.min_role != Role.USER or unsafe,
        "404": takes_input or bool(endpoint.path_params),  # what a path, body or query names
        "409": unsafe,
        "413": has_body or unsafe,  # any body over the cap, counted before authentication
        "503": True,  # starting up; the run queue full or running switched off
    }
    return [status for status, possible in found.items() if possible]


def _response_content(endpoint: Endpoint, components: dict[str, Any]) -> dict[str, Any]:
    if endpoint.response == BINARY:
        return {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
    if endpoint.response == EVENT_STREAM:
        return {"text/event-stream": {"schema": {"type": "string"}}}
    if endpoint.response is None:
        return {"application/json": {"schema": {"type": "object"}}}
    if isinstance(endpoint.response, Items):
        schema: dict[str, Any] = {
            "type": "object",
            "required": ["items"],
            "additionalProperties": False,
            "properties": {
                "items": {"type": "array", "items": json_schema(endpoint.response.of, components)}
            },
        }
    else:
        schema = json_schema(endpoint.response, components)
    return {"application/json": {"schema": schema}}


def _request_body(endpoint: Endpoint, components: dict[str, Any]) -> dict[str, Any] | None:
    if endpoint.body is not None:
        ref = json_schema(endpoint.body, components)
        name = ref["$ref"].rsplit("/", 1)[-1]
        required = bool(components[name].get("required"))
        return {"required": required, "content": {"application/json": {"schema": ref}}}
    if endpoint.multipart is not None:
        spec = endpoint.multipart
        properties: dict[str, Any] = {
            name: {
                "type": "array",
                "items": {"type": "string", "format": "binary"},
                "description": text,
            }
            for name, text in spec.files.items()
        }
        for name, (schema, text) in spec.fields.items():
            properties[name] = {**schema, "description": text}
        return {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": properties,
                        "additionalProperties": False,
                    },
                    "encoding": {
                        **{
                            name: {"contentType": "application/octet-stream"} for name in spec.files
                        },
                        **{name: {"contentType": "application/json"} for name in spec.fields},
                    },
                }
            },
        }
    return None


def _parameters(endpoint: Endpoint) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    for name in endpoint.path_params:
        schema = (
            {"type": "string"}
            if name in TEXT_PATH_PARAMS
            else {
                "type": "string",
                "format": "uuid",
            }
        )
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    for q in endpoint.query:
        param: dict[str, Any] = {
            "name": q.name,
            "in": "query",
            "required": False,
            "schema": dict(q.schema),
        }
        if q.description:
            param["description"] = q.description
        params.append(param)
    return params


def _operation(endpoint: Endpoint, components: dict[str, Any]) -> dict[str, Any]:
    description = f"Who: {endpoint.access}."
    if endpoint.description:
        description += " " + endpoint.description
    op: dict[str, Any] = {
        "operationId": endpoint.operation_id,
        "summary": endpoint.summary,
        "description": description,
        "tags": [endpoint.tag],
        "responses": {
            str(endpoint.status): {
                "description": endpoint.summary,
                "content": _response_content(endpoint, components),
            },
            **{
                status: {"$ref": f"#/components/responses/Error{status}"}
                for status in error_statuses(endpoint)
            },
        },
    }
    if endpoint.public:
        op["security"] = []
    params = _parameters(endpoint)
    if params:
        op["parameters"] = params
    body = _request_body(endpoint, components)
    if body is not None:
        op["requestBody"] = body
    return op


def _error_response(status: str, text: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": text,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    if status == "401":
        response["headers"] = {
            "WWW-Authenticate": {
                "description": 'RFC 6750: Bearer realm="skriptoteket", with '
                'error="invalid_token" when the token sent was refused',
                "required": True,
                "schema": {"type": "string"},
            }
        }
    return response


def build_document(endpoints: Iterable[Endpoint]) -> dict[str, Any]:
    components: dict[str, Any] = {"Error": ERROR_SCHEMA}
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        paths.setdefault(endpoint.full_path, {})[endpoint.method.lower()] = _operation(
            endpoint, components
        )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Skriptoteket API",
            "version": "1",
            "description": (
                "The JSON API for automation (DESIGN §6). Authenticate with "
                "'Authorization: Bearer TOKEN' (a token from the profile page or "
                "'skriptoteket users token EMAIL') or a session cookie plus the X-CSRF-Token "
                "header on unsafe methods (its value is csrf_token in GET /api/v1/me). "
                'Errors: {"error": {code, message, details}, '
                '"correlation_id"}.'
            ),
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.items())),
            "responses": {
                f"Error{status}": _error_response(status, text)
                for status, text in ERROR_STATUSES.items()
            },
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "skriptoteket_session"},
            },
        },
        "security": [{"bearer": []}, {"session": []}],
    }


def document_endpoint(endpoints: tuple[Endpoint, ...]) -> Endpoint:
    cache: dict[str, Any] = {}

    async def serve(call: Call) -> dict[str, Any]:
        if "doc" not in cache:
            cache["doc"] = build_document((*endpoints, this))
        return dict(cache["doc"])

    this = Endpoint(
        "GET",
        "/openapi.json",
        "getOpenApi",
        "This document",
        serve,
        "meta",
        access="anyone",
        public=True,
        response=None,
    )
    return this
