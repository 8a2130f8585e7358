"""The run form of a version's input schema (DESIGN §4, docs/tool-format.md): the fields to
render, the uploads and values read back from a submitted form, and the Swedish message for a
validation error, shown next to its field."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
from skriptoteket.application.execution import Upload
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.input_schema import (
    CONTRACT_1_SCHEMA,
    FieldKind,
    FileField,
    InputSchema,
    ValueField,
)
from starlette.datastructures import FormData, UploadFile

from skriptoteket_web.i18n import Translator
from skriptoteket_web.ui_text import N_, ui_error_text


@attrs.frozen
class RunForm:
    """What the template needs: the schema's fields, the values to show, errors by field."""

    files: tuple[FileField, ...]
    fields: tuple[ValueField, ...]
    values: Mapping[str, Any]
    errors: Mapping[str, str] = attrs.field(factory=dict)
    error: str = ""
    contract_1: bool = True


def schema_of(input_schema: InputSchema | None) -> InputSchema:
    return input_schema or CONTRACT_1_SCHEMA


def default_values(schema: InputSchema) -> dict[str, Any]:
    return {f.name: f.default for f in schema.fields}


def build_form(
    input_schema: InputSchema | None,
    values: Mapping[str, Any] | None = None,
    *,
    errors: Mapping[str, str] | None = None,
    error: str = "",
) -> RunForm:
    schema = schema_of(input_schema)
    return RunForm(
        files=schema.files,
        fields=schema.fields,
        values=dict(values) if values is not None else default_values(schema),
        errors=dict(errors or {}),
        error=error,
        contract_1=input_schema is None,
    )


async def read_run_inputs(
    form: FormData, input_schema: InputSchema | None
) -> tuple[list[Upload], dict[str, Any]]:
    """Uploads per file field (a browser sends an empty part when no file is chosen) and the
    value fields as text; a checkbox that is not sent is false. Contract 1 takes no values."""
    schema = schema_of(input_schema)
    uploads: list[Upload] = []
    for file_field in schema.files:
        for item in form.getlist(file_field.name):
            if isinstance(item, UploadFile) and (item.filename or item.size):
                data = await item.read()
                uploads.append(Upload(filename=item.filename, data=data, field=file_field.name))
    values: dict[str, Any] = {}
    if input_schema is not None:
        for value_field in schema.fields:
            raw = form.get(value_field.name)
            if value_field.kind is FieldKind.CHECKBOX:
                values[value_field.name] = "true" if raw is not None else "false"
            elif isinstance(raw, str):
                values[value_field.name] = raw
    return uploads, values


_PATTERNS: Sequence[tuple[re.Pattern[str], str]] = (
    (re.compile(r"must be a number$"), N_("Enter a number.")),
    (re.compile(r"must be a whole number$"), N_("Enter a whole number.")),
    (re.compile(r"must be at least (?P<n>\S+)$"), N_("Enter a value of at least %(n)s.")),
    (re.compile(r"must be at most (?P<n>\d+) characters$"), N_("At most %(n)s characters.")),
    (re.compile(r"must be at most (?P<n>\S+)$"), N_("Enter a value of at most %(n)s.")),
    (re.compile(r"is not one of the choices$"), N_("Choose one of the options.")),
    (re.compile(r"a value is required$"), N_("This field is required.")),
    (re.compile(r"choose at least (?P<n>\d+) file\(s\)$"), N_("Choose at least %(n)s file(s).")),
    (re.compile(r"at most (?P<n>\d+) file\(s\)$"), N_("Choose at most %(n)s file(s).")),
    (
        re.compile(r"'(?P<file>.+)' is not one of (?P<accept>.+)$"),
        N_("The file %(file)s is not an accepted type (%(accept)s)."),
    ),
    (
        re.compile(r"larger than (?P<n>\d+) MB together$"),
        N_("The files are larger than %(n)s MB together."),
    ),
    (
        re.compile(r"'(?P<file>.+)' is larger than (?P<n>\d+) MB$"),
        N_("The file %(file)s is larger than %(n)s MB."),
    ),
    (re.compile(r"^At most (?P<n>\d+) files per run$"), N_("At most %(n)s files per run.")),
    (re.compile(r"^Two files are named '(?P<file>.+)'$"), N_("Two files are named %(file)s.")),
    (re.compile(r"^The file name"), N_("The file name is not allowed.")),
)


def input_error(error: DomainError, t: Translator, schema: InputSchema) -> tuple[str | None, str]:
    """The field a validation error belongs to (None: the form as a whole) and its text."""
    if error.code is not ErrorCode.VALIDATION_ERROR:
        return None, ui_error_text(error, t)
    names = {f.name for f in schema.files} | {f.name for f in schema.fields}
    field = error.details.get("field")
    target = field if isinstance(field, str) and field in names else None
    if target is None and error.details.get("field") == "files" and len(schema.files) == 1:
        target = schema.files[0].name
    for pattern, message in _PATTERNS:
        found = pattern.search(error.message)
        if found:
            return target, t.gettext(message, **found.groupdict())
    return target, ui_error_text(error, t)
