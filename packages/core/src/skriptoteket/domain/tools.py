"""Tools: catalog metadata, slug, tags and catalog visibility (TOOL-01–TOOL-18, AMB-02, AMB-20)."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from uuid import UUID

import attrs

from skriptoteket.domain.errors import conflict, validation_error
from skriptoteket.domain.identity import Role, User, has_at_least_role
from skriptoteket.domain.text_limits import (
    REASON_MAX_LENGTH,
    SEARCH_QUERY_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    require_length,
    text_too_long,
)
from skriptoteket.domain.versions import ToolVersion, VersionState

SLUG_MAX_LENGTH = 128
TITLE_MAX_LENGTH = 255
_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# SUG-13/AMB-20: a tool made from an accepted suggestion gets the placeholder slug
# ``draft-<suggestion id>``; it must be replaced before the tool is first shown in the catalog.
PLACEHOLDER_SLUG_PREFIX = "draft-"
PLACEHOLDER_SLUG_MESSAGE = "The slug is still a placeholder (draft-…); change it before publishing"


@attrs.frozen
class Tool:
    id: UUID
    slug: str
    title: str
    summary: str | None
    is_published: bool
    active_version_id: UUID | None
    professions: tuple[str, ...]
    categories: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    first_published_at: datetime | None = None


def clean_slug(raw: str) -> str:
    slug = raw.strip().lower()
    if not slug:
        raise validation_error("Slug is required", field="slug")
    if len(slug) > SLUG_MAX_LENGTH:
        raise text_too_long("slug", SLUG_MAX_LENGTH)
    if not _SLUG_RE.match(slug):
        raise validation_error(
            "Slug may contain only a-z, 0-9 and single hyphens between them", field="slug"
        )
    return slug


def clean_title(raw: str) -> str:
    """TOOL-10 / SUG-02 title rules."""
    title = raw.strip()
    if not title:
        raise validation_error("Title is required", reason="title_required", field="title")
    if len(title) > TITLE_MAX_LENGTH:
        raise text_too_long("title", TITLE_MAX_LENGTH)
    return title


def clean_summary(raw: str | None) -> str | None:
    summary = (raw or "").strip()
    return require_length(summary, field="summary", max_length=SUMMARY_MAX_LENGTH) or None


def clean_maintainer_reason(raw: str | None) -> str | None:
    """Why a maintainer was added or removed (audited): stripped, blank is None."""
    reason = (raw or "").strip()
    return require_length(reason, field="reason", max_length=REASON_MAX_LENGTH) or None


def new_tool(
    *,
    id: UUID,
    slug: str,
    title: str,
    summary: str | None,
    professions: tuple[str, ...],
    categories: tuple[str, ...],
    now: datetime,
) -> Tool:
    """A new tool is never published and has no active version (SUG-13)."""
    return Tool(
        id=id,
        slug=clean_slug(slug),
        title=clean_title(title),
        summary=clean_summary(summary),
        is_published=False,
        active_version_id=None,
        professions=professions,
        categories=categories,
        created_at=now,
        updated_at=now,
    )


def update_metadata(tool: Tool, *, title: str, summary: str | None, now: datetime) -> Tool:
    """TOOL-10: unchanged values are a no-op (the same object comes back)."""
    new_title, new_summary = clean_title(title), clean_summary(summary)
    if (new_title, new_summary) == (tool.title, tool.summary):
        return tool
    return attrs.evolve(tool, title=new_title, summary=new_summary, updated_at=now)


def is_placeholder_slug(slug: str) -> bool:
    """SUG-13: the ``draft-…`` slug a suggestion's draft tool starts with."""
    return slug.startswith(PLACEHOLDER_SLUG_PREFIX)


def needs_real_slug(tool: Tool) -> bool:
    """AMB-20: the tool still has its placeholder slug and may still change it (never published)."""
    return tool.first_published_at is None and is_placeholder_slug(tool.slug)


def require_real_slug(slug: str) -> None:
    """No ``draft-…`` address in the catalog (AMB-20): refused while the slug is a placeholder."""
    if is_placeholder_slug(slug):
        raise validation_error(
            PLACEHOLDER_SLUG_MESSAGE, reason="placeholder_slug", field="slug", slug=slug
        )


def change_slug(tool: Tool, *, slug: str, now: datetime) -> Tool:
    """AMB-20: a slug is editable until the tool is first published."""
    new_slug = clean_slug(slug)
    if new_slug == tool.slug:
        return tool
    if tool.first_published_at is not None:
        raise conflict("The slug cannot change after the tool has been published", slug=tool.slug)
    return attrs.evolve(tool, slug=new_slug, updated_at=now)


def set_tags(
    tool: Tool, *, professions: tuple[str, ...], categories: tuple[str, ...], now: datetime
) -> Tool:
    if (professions, categories) == (tool.professions, tool.categories):
        return tool
    return attrs.evolve(tool, professions=professions, categories=categories, updated_at=now)


def require_publishable(tool: Tool, active_version: ToolVersion | None) -> None:
    """TOOL-03/TOOL-04: published implies runnable; AMB-20: no placeholder slug in the catalog.

    The slug rule applies to the first publish only: that is when the slug freezes (AMB-20), so
    it is the last moment it can be fixed. A tool first published before this rule existed keeps
    its (frozen) address and may be shown again after a depublish.
    """
    if tool.active_version_id is None:
        raise validation_error(
            "Tool has no active script version and cannot be published",
            reason="no_active_version",
            tool_id=str(tool.id),
        )
    if active_version is None:
        raise conflict("Active version does not exist", version_id=str(tool.active_version_id))
    if active_version.tool_id != tool.id:
        raise conflict("Active version belongs to another tool", version_id=str(active_version.id))
    if active_version.state is not VersionState.ACTIVE:
        raise conflict(
            "Active version pointer is not in state active",
            version_id=str(active_version.id),
            state=active_version.state.value,
        )
    if needs_real_slug(tool):
        require_real_slug(tool.slug)


def set_published_state(
    tool: Tool, *, published: bool, active_version: ToolVersion | None, now: datetime
) -> Tool:
    """TOOL-05: idempotent; ``updated_at`` moves only on a real change."""
    if tool.is_published == published:
        return tool
    if published:
        require_publishable(tool, active_version)
        return attrs.evolve(
            tool,
            is_published=True,
            updated_at=now,
            first_published_at=tool.first_published_at or now,
        )
    return attrs.evolve(tool, is_published=False, updated_at=now)


def is_runnable(tool: Tool, active_version: ToolVersion | None) -> bool:
    """TOOL-08: published, with an existing active version of this tool."""
    return (
        tool.is_published
        and tool.active_version_id is not None
        and active_version is not None
        and active_version.id == tool.active_version_id
        and active_version.tool_id == tool.id
        and active_version.state is VersionState.ACTIVE
    )


@attrs.frozen
class CatalogTool:
    """CAT-09: a listed tool and whether its "Kör" button shows (TOOL-08)."""

    tool: Tool
    runnable: bool


def fold_search_text(text: str) -> str:
    """The form catalog search compares: Unicode-normalised (NFKC, so a decomposed "å" typed
    on a Mac equals the composed one) and case-folded ("ÅK 7" → "åk 7", "ß" → "ss"). Done in
    Python, not by the database, so every backend folds Swedish letters the same way whatever
    its locale or collation (SQLite's LIKE folds ASCII only)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def search_words(query: str) -> tuple[str, ...]:
    """The folded words of a search query; a tool matches when it contains every one."""
    require_length(query, field="query", max_length=SEARCH_QUERY_MAX_LENGTH)
    return tuple(fold_search_text(query).split())


def search_text(tool: Tool) -> str:
    """What catalog search looks in: title, summary and slug, folded (stored by SQL backends in
    ``tools.search_text``, kept up to date on every write)."""
    return fold_search_text("\n".join((tool.title, tool.summary or "", tool.slug)))


def require_maintainer_candidate(user: User) -> None:
    """TOOL-14: maintainers must be contributor or above."""
    if not has_at_least_role(user, Role.CONTRIBUTOR):
        raise validation_error(
            "Maintainers must have role contributor or higher",
            reason="maintainer_role",
            role=user.role.value,
        )
