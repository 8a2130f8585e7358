"""Contract: taxonomy seed, tools, tags, maintainers, suggestions (CAT-01–CAT-10, SUG-05/06/11,
TOOL-01, TOOL-12), and the AMB-20 placeholder-slug rule through the use cases."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Sequence

import attrs
import pytest

from skriptoteket.application.container import Skriptoteket
from skriptoteket.application.context import Deps
from skriptoteket.builtin.system import SecretsTokenGenerator, Uuid4Generator
from skriptoteket.domain.audit import AuditAction
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.identity import Role
from skriptoteket.domain.suggestions import SuggestionDecision, SuggestionDecisionType
from skriptoteket.domain.taxonomy import SEED_CATEGORIES, SEED_PROFESSIONS, seed_profession_id
from skriptoteket.domain.tools import PLACEHOLDER_SLUG_MESSAGE, Tool
from skriptoteket.domain.versions import VersionState
from skriptoteket.ports.repositories import UnitOfWork, UnitOfWorkFactory
from skriptoteket.testing.contract.support import expect_error, write
from skriptoteket.testing.factories import (
    at,
    make_suggestion,
    make_tool,
    make_user,
    make_version,
)
from skriptoteket.testing.fakes import FakeClock, FakePasswordHasher

_PASSWORD = "Gröna-äpplen-42"
_SOURCE = "def run_tool(input_path: str, output_dir: str) -> str:\n    return '<p>Hej</p>'\n"


def _tool(
    slug: str,
    title: str,
    summary: str | None,
    *,
    professions: tuple[str, ...] = ("larare",),
    categories: tuple[str, ...] = ("administration",),
) -> Tool:
    tool = make_tool(slug=slug, title=title, professions=professions, categories=categories)
    return attrs.evolve(tool, summary=summary)


async def _search_world(uow_factory: UnitOfWorkFactory) -> dict[str, Tool]:
    """Runnable, unpublished, broken and version-less tools with Swedish titles, stored."""
    author = make_user(role=Role.ADMIN)
    runnable = {
        "mejl": _tool(
            "mejl-bcc",
            "Mejllista för VÅRDNADSHAVARE",
            "Åk 7–9, BCC",
            professions=("larare", "rektor"),
        ),
        "grupper": _tool(
            "grupper",
            "Gruppindelning",
            "Slumpa grupper i klassen",
            categories=("lektionsplanering", "mentorskap"),
        ),
        "a-grupp": _tool("a-grupp", "Gruppindelning", None),
        "procent": _tool("procent", "100% närvaro", "Frånvaro per elev"),
    }
    unpublished = _tool("utkast", "Mejl utkast", None)
    broken = _tool("trasig", "Mejl trasig", None)  # points at an archived version
    versionless = _tool("utan", "Utan version", None)  # published, no active version
    tools = {**runnable, "utkast": unpublished, "trasig": broken, "utan": versionless}

    async def setup(uow: UnitOfWork) -> None:
        await uow.users.add(author)
        for tool in tools.values():
            await uow.tools.add(tool)
        for key, tool in tools.items():
            if key == "utan":
                continue
            state = VersionState.ARCHIVED if key == "trasig" else VersionState.ACTIVE
            version = make_version(tool, author, state=state)
            await uow.versions.add(version)
            tools[key] = attrs.evolve(
                tool, active_version_id=version.id, is_published=key != "utkast"
            )
            await uow.tools.update(tools[key])
        tools["utan"] = attrs.evolve(versionless, is_published=True)
        await uow.tools.update(tools["utan"])

    await write(uow_factory, setup)
    return tools


class CatalogContract:
    async def test_seeded_taxonomy(self, uow_factory: UnitOfWorkFactory) -> None:
        """CAT-02, CAT-05, CAT-06, CAT-10: seeded values, ids and orderings."""
        async with uow_factory(readonly=True) as uow:
            professions = await uow.taxonomy.list_professions()
            assert [(p.slug, p.label, p.sort_order) for p in professions] == list(SEED_PROFESSIONS)
            assert professions[0].id == seed_profession_id("larare")
            categories = await uow.taxonomy.list_categories()
            assert [c.slug for c in categories] == sorted(s for s, _, _ in SEED_CATEGORIES)
            for_teacher = await uow.taxonomy.list_categories_for_profession("larare")
            assert [c.slug for c in for_teacher] == [s for s, _, _ in SEED_CATEGORIES]
            assert (await uow.taxonomy.get_category("ovrigt")).label == "Övrigt"  # type: ignore[union-attr]
            assert await uow.taxonomy.get_profession("okand") is None
            assert await uow.taxonomy.is_linked("rektor", "mentorskap")
            assert not await uow.taxonomy.is_linked("rektor", "okand")
            assert await uow.taxonomy.list_categories_for_profession("okand") == []

    async def test_tool_round_trip_and_slug_unique(self, uow_factory: UnitOfWorkFactory) -> None:
        tool = make_tool(
            slug="mejl-bcc",
            professions=("larare", "rektor"),
            categories=("administration", "mentorskap"),
        )
        await write(uow_factory, lambda uow: uow.tools.add(tool))
        async with uow_factory(readonly=True) as uow:
            assert await uow.tools.get(tool.id) == tool
            assert await uow.tools.get_by_slug("mejl-bcc") == tool
            assert await uow.tools.get_by_slug("saknas") is None
        await expect_error(
            {ErrorCode.CONFLICT}, uow_factory, lambda uow: uow.tools.add(make_tool(slug="mejl-bcc"))
        )
        await expect_error(
            {ErrorCode.VALIDATION_ERROR},
            uow_factory,
            lambda uow: uow.tools.add(make_tool(professions=("okand",))),
        )
        changed = attrs.evolve(
            tool,
            title="Nytt namn",
            summary=None,
            professions=("gemensamt",),
            updated_at=at(3),
            first_published_at=at(2),
        )
        await write(uow_factory, lambda uow: uow.tools.update(changed))
        async with uow_factory(readonly=True) as uow:
            assert await uow.tools.get(tool.id) == changed
        await expect_error(
            {ErrorCode.NOT_FOUND}, uow_factory, lambda uow: uow.tools.update(make_tool())
        )

    async def test_tool_listings(self, uow_factory: UnitOfWorkFactory) -> None:
        """CAT-07, CAT-08, TOOL-07: both tags, published only, distinct, by title then slug."""
        b = make_tool(
            title="B",
            slug="b",
            published=True,
            professions=("larare", "rektor"),
            categories=("administration", "ovrigt"),
        )
        a2 = make_tool(title="A", slug="a2", published=True)
        a1 = make_tool(title="A", slug="a1", published=True)
        hidden = make_tool(title="0 dold", slug="dold", published=False)
        other = make_tool(title="C", slug="c", published=True, categories=("ovrigt",))

        async def add_all(uow: UnitOfWork) -> None:
            for t in (b, a2, a1, hidden, other):
                await uow.tools.add(t)

        await write(uow_factory, add_all)
        async with uow_factory(readonly=True) as uow:
            listed = await uow.tools.list_by_tags("larare", "administration")
            assert [t.slug for t in listed] == ["a1", "a2", "b"]
            assert [t.slug for t in await uow.tools.list_by_tags("rektor", "ovrigt")] == ["b"]
            everything = await uow.tools.list_by_tags(
                "larare", "administration", published_only=False
            )
            assert [t.slug for t in everything] == ["dold", "a1", "a2", "b"]
            assert [t.slug for t in await uow.tools.list_all()] == ["dold", "a1", "a2", "b", "c"]

    async def test_search_catalog_filters_in_the_store(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        """TOOL-08, CAT-07–CAT-09 (issue 4): runnable tools only, every word in title, summary
        or slug, case-insensitive for å/ä/ö, tag filters, by title then slug, limit and offset."""
        tools = await _search_world(uow_factory)

        async def slugs(
            words: Sequence[str] = (),
            profession_slug: str | None = None,
            category_slug: str | None = None,
            limit: int | None = None,
            offset: int = 0,
        ) -> list[str]:
            async with uow_factory(readonly=True) as uow:
                found = await uow.tools.search_catalog(
                    words=words,
                    profession_slug=profession_slug,
                    category_slug=category_slug,
                    limit=limit,
                    offset=offset,
                )
            return [entry.tool.slug for entry in found]

        async with uow_factory(readonly=True) as uow:
            everything = await uow.tools.search_catalog()
        assert [(e.tool.slug, e.runnable) for e in everything] == [
            ("procent", True),
            ("a-grupp", True),
            ("grupper", True),
            ("mejl-bcc", True),
        ]
        assert [e.tool for e in everything] == [
            tools[k] for k in ("procent", "a-grupp", "grupper", "mejl")
        ]  # tags and every field come back
        assert await slugs(words=["vårdnadshavare"]) == ["mejl-bcc"]
        assert await slugs(words=["VÅRDNADSHAVARE"]) == ["mejl-bcc"]
        assert await slugs(words=["ÅK", "bcc"]) == ["mejl-bcc"]
        assert await slugs(words=[unicodedata.normalize("NFD", "vårdnadshavare")]) == ["mejl-bcc"]
        assert await slugs(words=["FRÅNVARO"]) == ["procent"]
        assert await slugs(words=["NÄRVARO"]) == ["procent"]
        assert await slugs(words=["grupp", "klassen"]) == ["grupper"]
        assert await slugs(words=["a-grupp"]) == ["a-grupp"]
        assert await slugs(words=["mejl", "saknas"]) == []
        assert await slugs(words=["%"]) == ["procent"]  # LIKE wildcards are plain characters
        assert await slugs(words=["_"]) == []
        assert await slugs(words=["mejl"]) == ["mejl-bcc"]  # not the unpublished or broken one
        assert await slugs(profession_slug="rektor") == ["mejl-bcc"]
        assert await slugs(category_slug="mentorskap") == ["grupper"]
        assert await slugs(profession_slug="larare", category_slug="lektionsplanering") == [
            "grupper"
        ]
        assert await slugs(profession_slug="rektor", category_slug="mentorskap") == []
        assert await slugs(limit=2) == ["procent", "a-grupp"]
        assert await slugs(words=["grupp"], limit=1) == ["a-grupp"]
        assert await slugs(limit=2, offset=1) == ["a-grupp", "grupper"]
        assert await slugs(offset=3) == ["mejl-bcc"]
        assert await slugs(words=["grupp"], limit=5, offset=1) == ["grupper"]
        assert await slugs(offset=4) == []

        async with uow_factory(readonly=True) as uow:
            published = await uow.tools.search_catalog(
                words=["mejl"], runnable_only=False, profession_slug="larare"
            )
            listed = await uow.tools.search_catalog(
                profession_slug="larare", category_slug="administration", runnable_only=False
            )
        assert [(e.tool.slug, e.runnable) for e in published] == [
            ("trasig", False),
            ("mejl-bcc", True),
        ]
        assert [(e.tool.slug, e.runnable) for e in listed] == [
            ("procent", True),
            ("a-grupp", True),
            ("trasig", False),
            ("mejl-bcc", True),
            ("utan", False),
        ]

        renamed = attrs.evolve(tools["grupper"], title="Klassfördelning", updated_at=at(9))
        await write(uow_factory, lambda uow: uow.tools.update(renamed))
        assert await slugs(words=["KLASSFÖRDELNING"]) == ["grupper"]
        assert await slugs(words=["gruppindelning"]) == ["a-grupp"]

    async def test_list_entries_by_id(self, uow_factory: UnitOfWorkFactory) -> None:
        """Run histories name their tools: any state, unknown ids left out, runnable flag."""
        tools = await _search_world(uow_factory)
        wanted = [tools[k].id for k in ("utan", "mejl", "utkast", "trasig")]
        async with uow_factory(readonly=True) as uow:
            entries = await uow.tools.list_entries([*wanted, uuid.uuid4(), tools["mejl"].id])
            assert await uow.tools.list_entries([]) == []
        assert [(e.tool, e.runnable) for e in entries] == [
            (tools["trasig"], False),
            (tools["utkast"], False),
            (tools["mejl"], True),
            (tools["utan"], False),
        ]

    async def test_maintainers(self, uow_factory: UnitOfWorkFactory) -> None:
        """TOOL-12, TOOL-17."""
        tool, other_tool = make_tool(title="X"), make_tool(title="Y")
        anna = make_user(email="anna@skolan.se", role=Role.CONTRIBUTOR)
        bo = make_user(email="bo@skolan.se", role=Role.CONTRIBUTOR)

        async def setup(uow: UnitOfWork) -> None:
            for t in (tool, other_tool):
                await uow.tools.add(t)
            for u in (bo, anna):
                await uow.users.add(u)
            await uow.tools.add_maintainer(tool.id, bo.id)
            await uow.tools.add_maintainer(tool.id, anna.id)
            await uow.tools.add_maintainer(other_tool.id, anna.id)

        await write(uow_factory, setup)
        async with uow_factory(readonly=True) as uow:
            assert list(await uow.tools.list_maintainers(tool.id)) == [anna.id, bo.id]
            assert await uow.tools.is_maintainer(tool.id, bo.id)
            mine = await uow.tools.list_for_maintainer(anna.id)
            assert [t.id for t in mine] == [tool.id, other_tool.id]
        await expect_error(
            {ErrorCode.CONFLICT}, uow_factory, lambda uow: uow.tools.add_maintainer(tool.id, bo.id)
        )
        await expect_error(
            {ErrorCode.VALIDATION_ERROR},
            uow_factory,
            lambda uow: uow.tools.add_maintainer(tool.id, uuid.uuid4()),
        )
        await write(uow_factory, lambda uow: uow.tools.remove_maintainer(tool.id, bo.id))
        async with uow_factory(readonly=True) as uow:
            assert not await uow.tools.is_maintainer(tool.id, bo.id)
        await expect_error(
            {ErrorCode.NOT_FOUND},
            uow_factory,
            lambda uow: uow.tools.remove_maintainer(tool.id, bo.id),
        )

    async def test_suggestions_and_decisions(self, uow_factory: UnitOfWorkFactory) -> None:
        """SUG-05, SUG-06, SUG-11."""
        user = make_user(role=Role.CONTRIBUTOR)
        older, newer = (
            make_suggestion(user, created_at=at(1)),
            make_suggestion(user, created_at=at(2)),
        )
        tool = make_tool()

        async def setup(uow: UnitOfWork) -> None:
            await uow.users.add(user)
            await uow.tools.add(tool)
            await uow.suggestions.add(older)
            await uow.suggestions.add(newer)

        await write(uow_factory, setup)
        decision = SuggestionDecision(
            id=uuid.uuid4(),
            suggestion_id=older.id,
            decided_by_user_id=user.id,
            decision=SuggestionDecisionType.ACCEPT,
            rationale="Bra",
            title=older.title,
            description=older.description,
            profession_slugs=("larare", "rektor"),
            category_slugs=("ovrigt",),
            created_tool_id=tool.id,
            decided_at=at(5),
        )
        accepted = attrs.evolve(
            older,
            reviewed_by_user_id=user.id,
            reviewed_at=at(5),
            review_rationale="Bra",
            draft_tool_id=tool.id,
            updated_at=at(5),
        )

        async def decide(uow: UnitOfWork) -> None:
            await uow.suggestions.update(accepted)
            await uow.suggestions.add_decision(decision)

        await write(uow_factory, decide)
        async with uow_factory(readonly=True) as uow:
            assert [s.id for s in await uow.suggestions.list_all()] == [newer.id, older.id]
            assert await uow.suggestions.get(older.id) == accepted
            assert list(await uow.suggestions.list_decisions(older.id)) == [decision]
            assert list(await uow.suggestions.list_decisions(newer.id)) == []
        await expect_error(
            {ErrorCode.NOT_FOUND},
            uow_factory,
            lambda uow: uow.suggestions.update(make_suggestion(user)),
        )

    async def test_no_placeholder_slug_in_the_catalog(self, uow_factory: UnitOfWorkFactory) -> None:
        """AMB-20, SUG-13, TOOL-03: through the use cases on this backend, a suggestion's draft
        tool (slug ``draft-<id>``) may get a published version, but the tool itself cannot be
        published until its slug is changed; the refusal changes nothing and audits nothing."""
        app = Skriptoteket(
            Deps(
                uow=uow_factory,
                clock=FakeClock(),
                ids=Uuid4Generator(),
                hasher=FakePasswordHasher(),
                tokens=SecretsTokenGenerator(),
            )
        )
        su = await app.bootstrap_superuser(email="rektor@skolan.se", password=_PASSWORD)
        author = await app.create_user(
            su, email="bidrag@skolan.se", password=_PASSWORD, role=Role.CONTRIBUTOR
        )
        suggestion = await app.submit_suggestion(
            author,
            title="Närvarolista",
            description="En rad per elev.",
            professions=["larare"],
            categories=["administration"],
        )
        decided = await app.decide_suggestion(
            su,
            suggestion_id=suggestion.id,
            decision=SuggestionDecisionType.ACCEPT,
            rationale="Bra",
        )
        tool_id = decided.suggestion.draft_tool_id
        assert tool_id is not None
        draft = await app.create_draft_version(author, tool_id=tool_id, source_code=_SOURCE)
        await app.submit_for_review(author, version_id=draft.id)
        # Publishing a *version* is allowed: it does not show the tool (AMB-02), and the slug
        # stays editable until the tool's first publish.
        published = await app.publish_version(su, version_id=draft.id)
        async with uow_factory(readonly=True) as uow:
            before = await uow.tools.get(tool_id)
            audit_before = len(await uow.audit.list(subject_id=tool_id))
        assert before is not None
        assert before.slug == f"draft-{suggestion.id}"
        assert before.active_version_id == published.new_active.id

        with pytest.raises(DomainError) as info:
            await app.set_tool_published(su, tool_id=tool_id, published=True)
        assert info.value.code is ErrorCode.VALIDATION_ERROR
        assert info.value.message == PLACEHOLDER_SLUG_MESSAGE
        assert info.value.details["field"] == "slug"
        assert info.value.details["slug"] == before.slug
        async with uow_factory(readonly=True) as uow:
            assert await uow.tools.get(tool_id) == before
            assert len(await uow.audit.list(subject_id=tool_id)) == audit_before

        renamed = await app.update_tool(su, tool_id=tool_id, slug="narvarolista")
        assert renamed.slug == "narvarolista"
        shown = await app.set_tool_published(su, tool_id=tool_id, published=True)
        assert shown.is_published
        async with uow_factory(readonly=True) as uow:
            stored = await uow.tools.get(tool_id)
            actions = [e.action for e in await uow.audit.list(subject_id=tool_id)]
        assert stored is not None
        assert (stored.slug, stored.is_published) == ("narvarolista", True)
        assert stored.first_published_at is not None
        assert AuditAction.TOOL_PUBLISHED in actions
