"""Tool contract 2: the input schema a version declares (DESIGN §4).

A schema lists file fields (accepted extensions, how many files) and value fields (text, number,
choice, checkbox, with defaults). It is validated when a version is saved (``parse_input_schema``)
and the inputs of every run are validated against it before anything runs (``validate_inputs``).
Contract 1 versions have no schema: exactly one file of any type.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from skriptoteket.domain.errors import validation_error
from skriptoteket.domain.runs import InputValue

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
EXTENSION_RE = re.compile(r"^\.[a-z0-9]{1,10}$")
MAX_FIELDS = 20
MAX_CHOICES = 50
MAX_LABEL = 200
DEFAULT_TEXT_MAX_LENGTH = 2000
MAX_FILES_PER_FIELD = 50


class FieldKind(enum.StrEnum):
    TEXT = "text"
    NUMBER = "number"
    CHOICE = "choice"
    CHECKBOX = "checkbox"


@attrs.frozen
class Choice:
    value: str
    label: str


@attrs.frozen
class FileField:
    name: str
    label: str
    accept: tuple[str, ...] = ()  # lower-case extensions with the dot; empty = any
    min_count: int = 1
    max_count: int = 1
    help: str | None = None

    def accepts(self, filename: str) -> bool:
        return not self.accept or any(filename.lower().endswith(ext) for ext in self.accept)


@attrs.frozen
class ValueField:
    name: str
    label: str
    kind: FieldKind
    default: InputValue = None
    required: bool = False
    choices: tuple[Choice, ...] = ()
    min: float | None = None
    max: float | None = None
    integer: bool = False
    max_length: int = DEFAULT_TEXT_MAX_LENGTH
    help: str | None = None


@attrs.frozen
class InputSchema:
    files: tuple[FileField, ...] = ()
    fields: tuple[ValueField, ...] = ()


CONTRACT_1_SCHEMA = InputSchema(files=(FileField(name="file", label="Fil"),))


# --- parsing and checking a schema (on save) ---


def _text(
    raw: Mapping[str, Any], key: str, where: str, *, required: bool = True, limit: int = MAX_LABEL
) -> str | None:
    value = raw.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise validation_error(f"{where}: '{key}' is required", path=f"{where}.{key}")
        return None
    if not isinstance(value, str):
        raise validation_error(f"{where}: '{key}' must be text", path=f"{where}.{key}")
    if len(value) > limit:
        raise validation_error(f"{where}: '{key}' is too long", path=f"{where}.{key}")
    return value.strip()


def _int(raw: Mapping[str, Any], key: str, where: str, default: int) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise validation_error(f"{where}: '{key}' must be a whole number", path=f"{where}.{key}")
    return value


def _number(raw: Mapping[str, Any], key: str, where: str) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise validation_error(f"{where}: '{key}' must be a number", path=f"{where}.{key}")
    return float(value)


def _name(raw: Mapping[str, Any], where: str, seen: set[str]) -> str:
    name = _text(raw, "name", where, limit=40)
    assert name is not None
    if not NAME_RE.match(name):
        raise validation_error(
            f"{where}: name {name!r} must be lower-case letters, digits and _ (a letter first)",
            path=f"{where}.name",
        )
    if name in seen:
        raise validation_error(f"{where}: the name {name!r} is used twice", path=f"{where}.name")
    seen.add(name)
    return name


def _check_keys(raw: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise validation_error(f"{where}: unknown key(s) {', '.join(unknown)}", path=where)


def _parse_file_field(raw: Any, where: str, seen: set[str]) -> FileField:
    if not isinstance(raw, Mapping):
        raise validation_error(f"{where} must be an object", path=where)
    _check_keys(raw, {"name", "label", "accept", "min_count", "max_count", "help"}, where)
    name = _name(raw, where, seen)
    accept_raw = raw.get("accept", [])
    if not isinstance(accept_raw, list) or not all(isinstance(a, str) for a in accept_raw):
        raise validation_error(
            f"{where}: 'accept' must be a list of extensions", path=f"{where}.accept"
        )
    accept = tuple(
        dict.fromkeys((a if a.startswith(".") else f".{a}").strip().lower() for a in accept_raw)
    )
    for ext in accept:
        if not EXTENSION_RE.match(ext):
            raise validation_error(
                f"{where}: {ext!r} is not a file extension such as .csv", path=f"{where}.accept"
            )
    min_count = _int(raw, "min_count", where, 1)
    max_count = _int(raw, "max_count", where, max(1, min_count))
    if not 0 <= min_count <= max_count <= MAX_FILES_PER_FIELD or max_count < 1:
        raise validation_error(
            f"{where}: need 0 <= min_count <= max_count (1..50)", path=f"{where}.max_count"
        )
    return FileField(
        name=name,
        label=_text(raw, "label", where) or name,
        accept=accept,
        min_count=min_count,
        max_count=max_count,
        help=_text(raw, "help", where, required=False, limit=1000),
    )


def _parse_value_field(raw: Any, where: str, seen: set[str]) -> ValueField:
    if not isinstance(raw, Mapping):
        raise validation_error(f"{where} must be an object", path=where)
    _check_keys(
        raw,
        {
            "name",
            "label",
            "kind",
            "default",
            "required",
            "choices",
            "min",
            "max",
            "integer",
            "max_length",
            "help",
        },
        where,
    )
    name = _name(raw, where, seen)
    try:
        kind = FieldKind(str(raw.get("kind")))
    except ValueError:
        raise validation_error(
            f"{where}: 'kind' must be text, number, choice or checkbox", path=f"{where}.kind"
        ) from None
    required = raw.get("required", False)
    if not isinstance(required, bool):
        raise validation_error(
            f"{where}: 'required' must be true or false", path=f"{where}.required"
        )
    choices: tuple[Choice, ...] = ()
    if kind is FieldKind.CHOICE:
        raw_choices = raw.get("choices")
        if not isinstance(raw_choices, list) or not 1 <= len(raw_choices) <= MAX_CHOICES:
            raise validation_error(
                f"{where}: a choice field needs 1 to 50 choices", path=f"{where}.choices"
            )
        parsed = []
        for i, c in enumerate(raw_choices):
            if isinstance(c, str) and c.strip():
                parsed.append(Choice(value=c.strip(), label=c.strip()))
            elif isinstance(c, Mapping):
                value = _text(c, "value", f"{where}.choices[{i}]")
                assert value is not None
                parsed.append(
                    Choice(
                        value=value,
                        label=_text(c, "label", f"{where}.choices[{i}]", required=False) or value,
                    )
                )
            else:
                raise validation_error(
                    f"{where}.choices[{i}] must be text or an object", path=f"{where}.choices"
                )
        if len({c.value for c in parsed}) != len(parsed):
            raise validation_error(f"{where}: choices must be unique", path=f"{where}.choices")
        choices = tuple(parsed)
    elif "choices" in raw:
        raise validation_error(f"{where}: only choice fields have choices", path=f"{where}.choices")
    integer = raw.get("integer", False)
    if not isinstance(integer, bool):
        raise validation_error(f"{where}: 'integer' must be true or false", path=f"{where}.integer")
    field = ValueField(
        name=name,
        label=_text(raw, "label", where) or name,
        kind=kind,
        required=required,
        choices=choices,
        min=_number(raw, "min", where),
        max=_number(raw, "max", where),
        integer=integer,
        max_length=_int(raw, "max_length", where, DEFAULT_TEXT_MAX_LENGTH),
        help=_text(raw, "help", where, required=False, limit=1000),
    )
    if field.min is not None and field.max is not None and field.min > field.max:
        raise validation_error(f"{where}: min is greater than max", path=f"{where}.min")
    if not 1 <= field.max_length <= 100_000:
        raise validation_error(f"{where}: max_length must be 1..100000", path=f"{where}.max_length")
    if "default" in raw and raw["default"] is not None:
        default = coerce_value(field, raw["default"], where=f"{where}.default")
        field = attrs.evolve(field, default=default)
    elif kind is FieldKind.CHECKBOX:
        field = attrs.evolve(field, default=False)
    return field


def parse_input_schema(raw: Any) -> InputSchema:
    """Check a schema given as JSON-like data; errors name the offending path."""
    if not isinstance(raw, Mapping):
        raise validation_error(
            "The input schema must be an object with 'files' and 'fields'", path="input_schema"
        )
    _check_keys(raw, {"files", "fields"}, "input_schema")
    files_raw, fields_raw = raw.get("files", []), raw.get("fields", [])
    if not isinstance(files_raw, list) or not isinstance(fields_raw, list):
        raise validation_error("'files' and 'fields' must be lists", path="input_schema")
    if len(files_raw) + len(fields_raw) > MAX_FIELDS:
        raise validation_error("An input schema has at most 20 fields", path="input_schema")
    seen: set[str] = set()
    files = tuple(_parse_file_field(f, f"files[{i}]", seen) for i, f in enumerate(files_raw))
    fields = tuple(_parse_value_field(f, f"fields[{i}]", seen) for i, f in enumerate(fields_raw))
    return InputSchema(files=files, fields=fields)


def schema_to_data(schema: InputSchema) -> dict[str, Any]:
    """The JSON-like form ``parse_input_schema`` reads back (round trip)."""

    def file_data(f: FileField) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": f.name,
            "label": f.label,
            "accept": list(f.accept),
            "min_count": f.min_count,
            "max_count": f.max_count,
        }
        if f.help:
            data["help"] = f.help
        return data

    def field_data(f: ValueField) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": f.name,
            "label": f.label,
            "kind": f.kind.value,
            "required": f.required,
        }
        if f.default is not None:
            data["default"] = f.default
        if f.choices:
            data["choices"] = [{"value": c.value, "label": c.label} for c in f.choices]
        for key in ("min", "max"):
            if getattr(f, key) is not None:
                data[key] = getattr(f, key)
        if f.integer:
            data["integer"] = True
        if f.kind is FieldKind.TEXT and f.max_length != DEFAULT_TEXT_MAX_LENGTH:
            data["max_length"] = f.max_length
        if f.help:
            data["help"] = f.help
        return data

    return {
        "files": [file_data(f) for f in schema.files],
        "fields": [field_data(f) for f in schema.fields],
    }


# --- checking the inputs of one run ---

_TRUE = {"true", "1", "on", "yes", "ja"}
_FALSE = {"false", "0", "off", "no", "nej", ""}


def coerce_value(field: ValueField, raw: Any, *, where: str | None = None) -> InputValue:
    """Form text or JSON to the field's type; Swedish decimal commas are accepted."""
    path = where or field.name

    def bad(message: str, reason: str = "invalid_value", **details: Any) -> Exception:
        return validation_error(
            f"{field.label}: {message}", reason=reason, field=field.name, path=path, **details
        )

    if field.kind is FieldKind.CHECKBOX:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
            return raw.strip().lower() in _TRUE
        raise bad("must be checked or not")
    if field.kind is FieldKind.NUMBER:
        if isinstance(raw, bool):
            raise bad("must be a number", "not_a_number")
        if isinstance(raw, str):
            text = raw.strip().replace(" ", "").replace(",", ".")
            try:
                raw = float(text)
            except ValueError:
                raise bad("must be a number", "not_a_number") from None
        if not isinstance(raw, int | float) or not math.isfinite(raw):
            raise bad("must be a number", "not_a_number")
        if field.integer:
            if float(raw) != int(raw):
                raise bad("must be a whole number", "not_a_whole_number")
            raw = int(raw)
        if field.min is not None and raw < field.min:
            raise bad(f"must be at least {field.min:g}", "below_minimum", min=field.min)
        if field.max is not None and raw > field.max:
            raise bad(f"must be at most {field.max:g}", "above_maximum", max=field.max)
        number: int | float = raw
        return number
    if not isinstance(raw, str):
        raise bad("must be text")
    if field.kind is FieldKind.CHOICE:
        if raw not in {c.value for c in field.choices}:
            raise bad("is not one of the choices", "not_a_choice")
        return raw
    if len(raw) > field.max_length:
        raise bad(
            f"must be at most {field.max_length} characters",
            "text_too_long",
            max_length=field.max_length,
        )
    return raw


@attrs.frozen
class UploadedFile:
    """A sanitized upload: ``field`` is the file field it was sent for, if the sender said."""

    name: str
    size: int
    field: str | None = None


@attrs.frozen
class ValidatedInputs:
    files_by_field: Mapping[str, tuple[str, ...]]
    values: Mapping[str, InputValue]


def _assign(schema: InputSchema, upload: UploadedFile) -> FileField:
    if upload.field is not None:
        for f in schema.files:
            if f.name == upload.field:
                return f
        raise validation_error(
            f"No file field named {upload.field!r}", reason="unknown_field", field=upload.field
        )
    candidates = [f for f in schema.files if f.accepts(upload.name)]
    if len(schema.files) == 1:
        return schema.files[0]
    if len(candidates) == 1:
        return candidates[0]
    raise validation_error(
        f"Say which file field {upload.name!r} is for",
        reason="file_field_unclear",
        file=upload.name,
    )


def validate_inputs(
    schema: InputSchema, uploads: Sequence[UploadedFile], values: Mapping[str, Any]
) -> ValidatedInputs:
    """Every upload lands in a field that accepts it, every count is met, every value is typed;
    unknown value names are rejected and missing ones take their default."""
    assigned: dict[str, list[str]] = {f.name: [] for f in schema.files}
    for upload in uploads:
        field = _assign(schema, upload)
        if not field.accepts(upload.name):
            raise validation_error(
                f"{field.label}: {upload.name!r} is not one of {', '.join(field.accept)}",
                reason="file_type_not_accepted",
                field=field.name,
                file=upload.name,
                accept=", ".join(field.accept),
            )
        assigned[field.name].append(upload.name)
    for ff in schema.files:
        count = len(assigned[ff.name])
        if count < ff.min_count:
            raise validation_error(
                f"{ff.label}: choose at least {ff.min_count} file(s)",
                reason="too_few_files",
                field=ff.name,
                min=ff.min_count,
            )
        if count > ff.max_count:
            raise validation_error(
                f"{ff.label}: at most {ff.max_count} file(s)",
                reason="too_many_files_in_field",
                field=ff.name,
                max=ff.max_count,
            )
    known = {f.name: f for f in schema.fields}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise validation_error(
            f"Unknown input field(s): {', '.join(unknown)}", reason="unknown_field", fields=unknown
        )
    clean: dict[str, InputValue] = {}
    for f in schema.fields:
        raw = values.get(f.name)
        if raw is None or (
            isinstance(raw, str)
            and not raw.strip()
            and f.kind in (FieldKind.NUMBER, FieldKind.CHOICE)
        ):
            if f.required and f.default is None:
                raise validation_error(
                    f"{f.label}: a value is required", reason="value_required", field=f.name
                )
            clean[f.name] = f.default
            continue
        value = coerce_value(f, raw)
        if f.required and f.kind is FieldKind.TEXT and not str(value).strip():
            raise validation_error(
                f"{f.label}: a value is required", reason="value_required", field=f.name
            )
        clean[f.name] = value
    return ValidatedInputs(files_by_field={k: tuple(v) for k, v in assigned.items()}, values=clean)
