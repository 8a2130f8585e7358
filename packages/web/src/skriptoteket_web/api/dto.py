"""Request and response bodies of the JSON API, declared once as attrs classes.

The same class gives the strict parser of a request body (cattrs with ``forbid_extra_keys`` and
exact primitive types: unknown keys, a number for a string, a string for a list → 400
VALIDATION_ERROR) and the JSON Schema the OpenAPI document publishes (``json_schema``). Response
classes are unstructured with the same converter, so what the server sends is what the document
says.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar, Union, get_args, get_origin
from uuid import UUID

import attrs
import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError
from skriptoteket.domain.errors import validation_error

T = TypeVar("T")

# --- the converter ---

converter = cattrs.Converter(forbid_extra_keys=True)


def _strict(kind: type, name: str, *, exclude_bool: bool = False) -> Any:
    def structure(value: Any, _: Any) -> Any:
        if not isinstance(value, kind) or (exclude_bool and isinstance(value, bool)):
            raise ValueError(f"expected {name}")
        return value

    return structure


def _structure_enum(value: Any, t: Any) -> Any:
    choices = ", ".join(m.value for m in t)
    if not isinstance(value, str):
        raise ValueError("expected one of " + choices)
    try:
        return t(value)
    except ValueError:
        raise ValueError("expected one of " + choices) from None


def _structure_str(value: Any, t: Any) -> Any:
    # Also reached for StrEnum types (subclasses of str).
    if isinstance(t, type) and issubclass(t, enum.Enum):
        return _structure_enum(value, t)
    if not isinstance(value, str):
        raise ValueError("expected a string")
    return value


converter.register_structure_hook(str, _structure_str)
converter.register_structure_hook(bool, _strict(bool, "true or false"))
converter.register_structure_hook(int, _strict(int, "a whole number", exclude_bool=True))
converter.register_structure_hook(enum.Enum, _structure_enum)


def _structure_float(value: Any, _: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expected a number")
    return float(value)


def _structure_uuid(value: Any, _: Any) -> UUID:
    if not isinstance(value, str):
        raise ValueError("expected a UUID string")
    return UUID(value)


converter.register_structure_hook(float, _structure_float)
converter.register_structure_hook(UUID, _structure_uuid)
converter.register_unstructure_hook(UUID, str)


def _iso(value: datetime) -> str:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


converter.register_unstructure_hook(datetime, _iso)


def _is_list(t: Any) -> bool:
    return get_origin(t) is list


def _list_hook(t: Any) -> Any:
    (item,) = get_args(t)

    def structure(value: Any, _: Any) -> list[Any]:
        if not isinstance(value, list):
            raise ValueError("expected a list")
        return [converter.structure(v, item) for v in value]

    return structure


converter.register_structure_hook_factory(_is_list, _list_hook)


def _is_any_mapping(t: Any) -> bool:
    return get_origin(t) in (dict, Mapping)


def _mapping_hook(t: Any) -> Any:
    def structure(value: Any, _: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ValueError("expected an object")
        return value

    return structure


converter.register_structure_hook_factory(_is_any_mapping, _mapping_hook)


def parse_body(raw: Any, cls: type[T]) -> T:
    """A JSON body → ``cls``, or VALIDATION_ERROR naming each problem."""
    if not isinstance(raw, dict):
        raise validation_error("The request body must be a JSON object")
    try:
        return converter.structure(raw, cls)
    except (ClassValidationError, ForbiddenExtraKeysError) as error:
        problems = cattrs.transform_error(error, path="body")
        raise validation_error("Invalid request body", errors=problems) from None
    except (ValueError, TypeError) as error:
        raise validation_error("Invalid request body", errors=[str(error)]) from None


def dump(value: Any) -> Any:
    return converter.unstructure(value)


# --- JSON Schema from the classes ---


def json_schema(t: Any, components: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema of ``t``; attrs classes go to ``components`` and are referenced."""
    if t is Any:
        return {}
    origin = get_origin(t)
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(t) if a is not type(None)]
        inner = (
            json_schema(members[0], components)
            if len(members) == 1
            else {"anyOf": [json_schema(m, components) for m in members]}
        )
        return {"anyOf": [inner, {"type": "null"}]}
    if origin is list:
        return {"type": "array", "items": json_schema(get_args(t)[0], components)}
    if origin in (dict, Mapping):
        return {"type": "object"}
    if origin is Literal:
        return {"type": "string", "enum": list(get_args(t))}
    if isinstance(t, type) and issubclass(t, enum.Enum):
        return {"type": "string", "enum": [m.value for m in t]}
    simple = {
        str: {"type": "string"},
        bool: {"type": "boolean"},
        int: {"type": "integer"},
        float: {"type": "number"},
        UUID: {"type": "string", "format": "uuid"},
        datetime: {"type": "string", "format": "date-time"},
    }
    if t in simple:
        return dict(simple[t])
    if attrs.has(t):
        name = t.__name__
        if name not in components:
            components[name] = {}  # placeholder against recursion
            components[name] = _object_schema(t, components)
        return {"$ref": f"#/components/schemas/{name}"}
    raise TypeError(f"no JSON Schema for {t!r}")  # pragma: no cover - a new type needs a rule


def _object_schema(cls: type, components: dict[str, Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for field in attrs.fields(cls):
        if field.metadata.get("internal"):
            continue
        prop = json_schema(hints[field.name], components)
        if field.metadata.get("description"):
            prop = {**prop, "description": field.metadata["description"]}
        properties[field.name] = prop
        if field.default is attrs.NOTHING:
            required.append(field.name)
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    if cls.__doc__:
        schema["description"] = " ".join(cls.__doc__.split())
    return schema


INTERNAL = {"internal": True}  # attrs field metadata: not part of the JSON (nor the document)


def doc(text: str) -> dict[str, str]:
    """attrs field metadata: a description in the OpenAPI document."""
    return {"description": text}


# --- response classes from the core's objects ---


def source(attribute: str) -> dict[str, str]:
    """attrs field metadata: ``from_core`` reads this attribute of the core's object (the
    field's own name when not given): ``created_by`` ← ``created_by_user_id``."""
    return {"source": attribute}


def from_core(cls: type[T], obj: object, **values: Any) -> T:
    """A response class filled from one of the core's objects: a field is ``values[name]``
    when given, else the object's attribute of the field's name (or its ``source``); tuples
    become lists and mappings dicts. Only the response class's own fields are read, so nothing
    else of the object (a password hash, a token hash) reaches the JSON."""
    kwargs: dict[str, Any] = {}
    for field in attrs.fields(cls):  # type: ignore[arg-type]  # T is always an attrs class
        if field.name in values:
            kwargs[field.name] = values.pop(field.name)
        elif not field.metadata.get("internal"):
            kwargs[field.name] = _plain(getattr(obj, field.metadata.get("source", field.name)))
    if values:
        raise TypeError(f"{cls.__name__} has no field(s) {', '.join(sorted(values))}")
    return cls(**kwargs)


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | frozenset):
        return list(value)
    if isinstance(value, Mapping) and not isinstance(value, dict):
        return dict(value)
    return value
