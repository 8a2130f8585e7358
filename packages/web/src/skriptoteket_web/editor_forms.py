"""The script editor's form fields: the input schema as JSON (ED-05/06 with DESIGN §4), the
starter template (ED-02), and the Swedish text of a schema error."""

from __future__ import annotations

import json
from typing import Any

from skriptoteket.domain.errors import DomainError, ErrorCode, validation_error
from skriptoteket.domain.input_schema import InputSchema, schema_to_data

from skriptoteket_web.i18n import Translator
from skriptoteket_web.json_text import parse_json
from skriptoteket_web.ui_text import N_, ui_error_text

STARTER_SOURCE = """def run_tool(input_path: str, output_dir: str) -> str:
    import os

    size = os.path.getsize(input_path)
    return f"<p>Received file of {size} bytes.</p>"
"""
STARTER_ENTRYPOINT = "run_tool"


def schema_json(schema: InputSchema | None) -> str:
    return (
        "" if schema is None else json.dumps(schema_to_data(schema), indent=2, ensure_ascii=False)
    )


def parse_schema_field(raw: str) -> dict[str, Any] | None:
    """Blank: contract 1 (one file). Otherwise a JSON object, checked by the core on save."""
    text = raw.strip()
    if not text:
        return None
    try:
        data = parse_json(text)
    except json.JSONDecodeError as error:
        raise validation_error(
            "The input schema is not valid JSON",
            field="input_schema",
            line=error.lineno,
            column=error.colno,
        ) from None
    if not isinstance(data, dict):
        raise validation_error(
            "The input schema must be an object", field="input_schema", path="input_schema"
        )
    return data


def editor_error(error: DomainError, t: Translator) -> tuple[str, str]:
    """(message, technical detail): schema errors name the place; others follow UI-05."""
    details = error.details
    if error.code is ErrorCode.VALIDATION_ERROR and "line" in details and "column" in details:
        return (
            t.gettext(
                N_("The input schema is not valid JSON (line %(line)s, column %(column)s)."),
                line=details["line"],
                column=details["column"],
            ),
            "",
        )
    if error.code is ErrorCode.VALIDATION_ERROR and "path" in details:
        return (
            t.gettext(N_("The input schema is invalid at %(path)s."), path=details["path"]),
            error.message,
        )
    if error.code is ErrorCode.VALIDATION_ERROR and details.get("field") == "entrypoint":
        return t.gettext(N_("Enter a valid start function name.")), ""
    if error.reason == "source_code_required":
        return t.gettext(N_("The source code may not be empty.")), ""
    return ui_error_text(error, t), ""
