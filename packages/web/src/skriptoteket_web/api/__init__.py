"""The JSON API under ``/api/v1`` (DESIGN §6): one declaration per endpoint (``Endpoint``), from
which both the routes and the OpenAPI document at ``/api/v1/openapi.json`` are made."""

from __future__ import annotations

import functools
from typing import Any

from starlette.routing import BaseRoute

from skriptoteket_web.api import people, runs, scripting
from skriptoteket_web.api.framework import Endpoint
from skriptoteket_web.api.openapi import build_document, document_endpoint

_DECLARED: tuple[Endpoint, ...] = (*runs.ENDPOINTS, *scripting.ENDPOINTS, *people.ENDPOINTS)
ENDPOINTS: tuple[Endpoint, ...] = (*_DECLARED, document_endpoint(_DECLARED))


def api_routes() -> list[BaseRoute]:
    return [endpoint.route() for endpoint in ENDPOINTS]


@functools.cache
def openapi_document() -> dict[str, Any]:
    """The document ``/api/v1/openapi.json`` serves (R35's ``/openapi.json`` and ``/docs``
    show the same one). Callers must not change it."""
    return build_document(ENDPOINTS)
