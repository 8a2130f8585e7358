"""The run form of a version's input schema (DESIGN §4, docs/tool-format.md): the fields to
render, the uploads and values read back from a submitted form, and the Swedish message for a
validation error, shown next to its field."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


def _mb(details: Mapping[str, Any]) -> dict[str, object]:
    return {"n": int(details.get("limit", 0)) // (1024 * 1024)}


def _number(key: str) -> Callable[[Mapping[str, Any]], dict[str, object]]:
    def values(details: Mapping[str, Any]) -> dict[str, object]:
        value = details.get(key)
        return {"n": f"{value:g}" if isinstance(value, int | float) else value}

    return values


def _file(details: Mapping[str, Any]) -> dict[str, object]:
    return {"file": details.get("file", ""), "accept": details.get("accept", "")}


def _nothing(details: Mapping[str, Any]) -> dict[str, object]:
    return {}


# A run input's validation error by its reason (DomainError.reason), with the values of the
# sentence taken from its details; never from the English message.
_BY_REASON: Mapping[str, tuple[str, Callable[[Mapping[str, Any]], dict[str, object]]]] = {
    "not_a_number": (N_("Enter a number."), _nothing),
    "not_a_whole_number": (N_("Enter a whole number."), _nothing),
    "below_minimum": (N_("Enter a value of at least %(n)s."), _number("min")),
    "above_maximum": (N_("Enter a value of at most %(n)s."), _number("max")),
    "text_too_long": (N_("At most %(n)s characters."), _number("max_length")),
    "not_a_choice": (N_("Choose one of the options."), _nothing),
    "value_required": (N_("This field is required."), _nothing),
    "too_few_files": (N_("Choose at least %(n)s file(s)."), _number("min")),
    "too_many_files_in_field": (N_("Choose at most %(n)s file(s)."), _number("max")),
    "file_type_not_accepted": (
        N_("The file %(file)s is not an accepted type (%(accept)s)."),
        _file,
    ),
    "files_too_large_together": (N_("The files are larger than %(n)s MB together."), _mb),
    "file_too_large": (
        N_("The file %(file)s is larger than %(n)s MB."),
        lambda d: {**_mb(d), "file": d.get("file", "")},
    ),
    "too_many_files": (N_("At most %(n)s files per run."), _number("limit")),
    "duplicate_file_name": (N_("Two files are named %(file)s."), _file),
    "bad_file_name": (N_("The file name is not allowed."), _nothing),
}


def input_error(error: DomainError, t: Translator, schema: InputSchema) -> tuple[str | None, str]:
    """The field a validation error belongs to (None: the form as a whole) and its text."""
    if error.code is not ErrorCode.VALIDATION_ERROR:
        return None, ui_error_text(error, t)
    names = {f.name for f in schema.files} | {f.name for f in schema.fields}
    field = error.details.get("field")
    target = field if isinstance(field, str) and field in names else None
    if target is None and error.details.get("field") == "files" and len(schema.files) == 1:
        target = schema.files[0].name
    known = _BY_REASON.get(error.reason or "")
    if known is not None:
        message, values = known
        return target, t.gettext(message, **values(error.details))
    return target, ui_error_text(error, t)
