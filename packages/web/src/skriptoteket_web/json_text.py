"""The one way the web parses JSON it receives (API bodies, JSON form parts, the editor's
input schema, the toast cookie): ``json.loads``, except that nesting too deep for the parser
(``[[[[…`` 100,000 levels: ``RecursionError``) is a ``JSONDecodeError`` like any other bad
JSON, so callers answer 400 instead of 500."""

from __future__ import annotations

import json
from typing import Any


def parse_json(text: str | bytes) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError("JSON is nested too deeply", "", 0) from None
