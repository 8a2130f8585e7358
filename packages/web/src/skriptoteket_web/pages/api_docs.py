"""R35: ``/docs`` and ``/openapi.json``, for anyone, only when ``SKRIPTOTEKET_ENABLE_DOCS`` is on
(otherwise 404, as for a path that does not exist).

``/openapi.json`` is the document ``/api/v1/openapi.json`` serves. ``/docs`` shows that document
as one server-rendered page — every operation with its method, path, summary, parameters,
request body and responses, then every schema — so it needs no script, no CDN and no network
(the CSP forbids inline scripts). The page's own words are Swedish through the catalogs; the
API's descriptions stay in English, as in the document.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from skriptoteket_web.api import openapi_document
from skriptoteket_web.runtime import runtime
from skriptoteket_web.templating import render

# A type as words, some of which link to a schema: [("array of ", None), ("ToolOut", "ToolOut")].
TypeText = list[tuple[str, str | None]]
METHODS = ("get", "post", "put", "patch", "delete")


@attrs.frozen
class Field:
    name: str
    type: TypeText
    required: bool
    description: str = ""
    location: str = ""  # path or query, for parameters


@attrs.frozen
class Body:
    content_type: str
    type: TypeText
    required: bool
    fields: list[Field]  # a multipart form's parts


@attrs.frozen
class Reply:
    status: str
    description: str
    type: TypeText
    content_type: str
    headers: list[str]


@attrs.frozen
class Operation:
    method: str
    path: str
    operation_id: str
    tag: str
    summary: str
    description: str
    public: bool
    parameters: list[Field]
    body: Body | None
    responses: list[Reply]


@attrs.frozen
class Schema:
    name: str
    description: str
    fields: list[Field]


def type_text(schema: Mapping[str, Any]) -> TypeText:
    if "$ref" in schema:
        name = str(schema["$ref"]).rsplit("/", 1)[-1]
        return [(name, name)]
    if "anyOf" in schema:
        words: TypeText = []
        for index, member in enumerate(schema["anyOf"]):
            if index:
                words.append((" | ", None))
            words.extend(type_text(member))
        return words
    kind = str(schema.get("type", "any"))
    if kind == "array":
        return [("array of ", None), *type_text(schema.get("items", {}))]
    if "enum" in schema:
        return [(" | ".join(str(v) for v in schema["enum"]), None)]
    if "format" in schema:
        return [(f"{kind} ({schema['format']})", None)]
    return [(kind, None)]


def _fields(schema: Mapping[str, Any]) -> list[Field]:
    required = set(schema.get("required", ()))
    return [
        Field(name, type_text(prop), name in required, str(prop.get("description", "")))
        for name, prop in schema.get("properties", {}).items()
    ]


def _body(op: Mapping[str, Any]) -> Body | None:
    body = op.get("requestBody")
    if body is None:
        return None
    content_type, media = next(iter(body["content"].items()))
    schema = media["schema"]
    fields = [] if "$ref" in schema else _fields(schema)
    return Body(content_type, type_text(schema), bool(body.get("required")), fields)


def _replies(op: Mapping[str, Any], components: Mapping[str, Any]) -> list[Reply]:
    replies = []
    for status, response in op["responses"].items():
        if "$ref" in response:
            response = components["responses"][str(response["$ref"]).rsplit("/", 1)[-1]]
        content: Mapping[str, Any] = response.get("content", {})
        content_type, media = next(iter(content.items())) if content else ("", {})
        replies.append(
            Reply(
                status,
                response["description"],
                type_text(media.get("schema", {})),
                content_type,
                list(response.get("headers", {})),
            )
        )
    return replies


def operations(document: Mapping[str, Any]) -> list[Operation]:
    found = []
    for path, item in document["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            parameters = [
                Field(
                    p["name"],
                    type_text(p["schema"]),
                    bool(p.get("required")),
                    str(p.get("description", "")),
                    p["in"],
                )
                for p in op.get("parameters", ())
            ]
            found.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    operation_id=op["operationId"],
                    tag=op["tags"][0],
                    summary=op["summary"],
                    description=op.get("description", ""),
                    public=op.get("security") == [],
                    parameters=parameters,
                    body=_body(op),
                    responses=_replies(op, document["components"]),
                )
            )
    return found


def by_tag(found: list[Operation]) -> dict[str, list[Operation]]:
    groups: dict[str, list[Operation]] = {}
    for op in found:
        groups.setdefault(op.tag, []).append(op)
    return groups


def schemas(document: Mapping[str, Any]) -> list[Schema]:
    return [
        Schema(name, str(schema.get("description", "")), _fields(schema))
        for name, schema in document["components"]["schemas"].items()
    ]


def _require_enabled(request: Request) -> None:
    if not runtime(request).web.enable_docs:
        raise HTTPException(404)


async def openapi_json(request: Request) -> Response:
    _require_enabled(request)
    return JSONResponse(openapi_document())


async def docs(request: Request) -> Response:
    _require_enabled(request)
    document = openapi_document()
    context = {
        "info": document["info"],
        "groups": by_tag(operations(document)),
        "schemas": schemas(document),
    }
    return render(request, "api_docs.html", context)


routes: list[BaseRoute] = [
    Route("/docs", docs, methods=["GET"]),
    Route("/openapi.json", openapi_json, methods=["GET"]),
]
