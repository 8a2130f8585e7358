"""Professions and categories: the catalog's allowlisted tags (CAT-01–CAT-04)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from uuid import UUID

import attrs

from skriptoteket.domain.errors import validation_error
from skriptoteket.domain.text_limits import text_too_long

TAG_SLUG_MAX_LENGTH = 128
MAX_TAGS = 50  # professions or categories on one tool or suggestion


@attrs.frozen
class Profession:
    id: UUID
    slug: str
    label: str
    sort_order: int
    created_at: datetime
    updated_at: datetime


@attrs.frozen
class Category:
    id: UUID
    slug: str
    label: str
    created_at: datetime
    updated_at: datetime


# CAT-02: the seeded values. Migrations and the in-memory store both seed from this table.
SEED_PROFESSIONS: tuple[tuple[str, str, int], ...] = (
    ("larare", "Lärare", 10),
    ("specialpedagog", "Specialpedagog", 20),
    ("skoladministrator", "Skoladministratör", 30),
    ("rektor", "Rektor", 40),
    ("gemensamt", "Gemensamt", 50),
)
SEED_CATEGORIES: tuple[tuple[str, str, int], ...] = (
    ("lektionsplanering", "Lektionsplanering", 10),
    ("mentorskap", "Mentorskap", 20),
    ("administration", "Administration", 30),
    ("ovrigt", "Övrigt", 40),
)


# Seeded rows get stable ids (uuid5 over this namespace), the same in every backend.
TAXONOMY_NAMESPACE = uuid.UUID("5b0f1f1e-6d2c-4c8e-9a55-2f3d7a6c9e10")


def seed_profession_id(slug: str) -> UUID:
    return uuid.uuid5(TAXONOMY_NAMESPACE, f"profession:{slug}")


def seed_category_id(slug: str) -> UUID:
    return uuid.uuid5(TAXONOMY_NAMESPACE, f"category:{slug}")


def clean_tag_slugs(raw: Iterable[str], *, kind: str) -> tuple[str, ...]:
    """SUG-02 rules for a list of profession or category slugs.

    ``kind`` is ``"profession"`` or ``"category"``; messages follow the spec's wording.
    """
    plural = "professions" if kind == "profession" else "categories"
    title = "Profession" if kind == "profession" else "Category"
    slugs = [s.strip() for s in raw]
    if not slugs:
        raise validation_error(
            f"At least one {kind} is required", reason=f"{kind}_required", field=plural
        )
    if any(not s for s in slugs):
        raise validation_error(f"{title} slugs must not be empty", field=plural)
    if any(len(s) > TAG_SLUG_MAX_LENGTH for s in slugs):
        raise text_too_long(plural, TAG_SLUG_MAX_LENGTH)
    if len(slugs) > MAX_TAGS:
        raise validation_error(f"At most {MAX_TAGS} {plural}", field=plural, max_count=MAX_TAGS)
    if len(set(slugs)) != len(slugs):
        raise validation_error(
            f"Duplicate {plural} are not allowed", reason=f"duplicate_{kind}", field=plural
        )
    return tuple(slugs)


def require_known_slugs(slugs: Sequence[str], known: Iterable[str], *, kind: str) -> None:
    """SUG-03: every slug must exist in the taxonomy."""
    known_set = set(known)
    for slug in slugs:
        if slug not in known_set:
            raise validation_error(
                f"Unknown {kind}", reason=f"unknown_{kind}", slug=slug, field=kind
            )
