"""Suggestions: submit, review queue, decisions (SUG-01–SUG-16, AMB-12, AMB-20)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from skriptoteket.application.suggestions import DecisionResult
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.identity import User
from skriptoteket.domain.suggestions import (
    Suggestion,
    SuggestionDecisionType,
    SuggestionStatus,
    decide,
)
from skriptoteket.testing.factories import make_suggestion, make_user
from skriptoteket.testing.world import World

ACCEPT, DENY = SuggestionDecisionType.ACCEPT, SuggestionDecisionType.DENY
VALID: dict[str, Any] = {
    "title": "Gruppindelning",
    "description": "Dela in klassen i grupper",
    "professions": ["larare"],
    "categories": ["lektionsplanering", "mentorskap"],
}


async def submit(world: World, actor: User | None = None, **changes: Any) -> Suggestion:
    world.tick()
    return await world.app.submit_suggestion(actor or world.contributor, **{**VALID, **changes})


async def test_user_role_cannot_submit_SUG_01(world: World) -> None:
    with pytest.raises(DomainError) as info:
        await submit(world, world.user)
    assert info.value.code is ErrorCode.FORBIDDEN
    assert world.store.state.suggestions == {}


@pytest.mark.parametrize("role", ["contributor", "admin", "superuser"])
async def test_contributor_and_above_submit_SUG_01_SUG_04(world: World, role: str) -> None:
    actor: User = getattr(world, role)
    mark = world.audit_count()
    s = await submit(world, actor, title="  Gruppindelning ", description=" Dela in ")
    assert s.status is SuggestionStatus.PENDING_REVIEW
    assert s.submitted_by_user_id == actor.id
    assert s.created_at == s.updated_at == world.clock.now()
    assert (s.title, s.description) == ("Gruppindelning", "Dela in")
    assert s.profession_slugs == ("larare",)
    assert s.category_slugs == ("lektionsplanering", "mentorskap")
    assert s.reviewed_by_user_id is None
    assert s.draft_tool_id is None
    assert world.store.state.suggestions[s.id] == s
    [row] = world.audit_since(mark)
    assert (row.actor_user_id, row.action.value, row.subject_id) == (
        actor.id,
        "suggestion.submitted",
        s.id,
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "Title is required"),
        ({"title": "x" * 256}, "Title must be 255 characters or less"),
        ({"description": " \n "}, "Description is required"),
        ({"professions": []}, "At least one profession is required"),
        ({"professions": ["larare", " larare"]}, "Duplicate professions are not allowed"),
        ({"professions": ["larare", " "]}, "Profession slugs must not be empty"),
        ({"categories": []}, "At least one category is required"),
        ({"categories": ["ovrigt", "ovrigt"]}, "Duplicate categories are not allowed"),
        ({"categories": [""]}, "Category slugs must not be empty"),
        ({"professions": ["lärare"]}, "Unknown profession"),
        ({"categories": ["okand"]}, "Unknown category"),
    ],
)
async def test_submission_validation_messages_SUG_02_SUG_03(
    world: World, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(DomainError) as info:
        await submit(world, **changes)
    assert info.value.code is ErrorCode.VALIDATION_ERROR
    assert info.value.message == message
    assert world.store.state.suggestions == {}


async def test_unknown_slug_is_named_in_details_SUG_03(world: World) -> None:
    with pytest.raises(DomainError) as info:
        await submit(world, categories=["ovrigt", "okand"])
    assert info.value.details["slug"] == "okand"


async def test_title_of_exactly_255_is_accepted_SUG_02(world: World) -> None:
    assert (await submit(world, title="x" * 255)).title == "x" * 255


async def test_review_queue_lists_all_newest_first_admin_only_SUG_06(world: World) -> None:
    first = await submit(world)
    second = await submit(world)
    third = await submit(world)
    await world.app.decide_suggestion(
        world.admin, suggestion_id=second.id, decision=DENY, rationale="Nej"
    )
    queue = await world.app.list_suggestions(world.admin)
    assert [s.id for s in queue] == [third.id, second.id, first.id]
    assert queue[1].status is SuggestionStatus.DENIED
    for actor in (world.contributor, world.user):
        with pytest.raises(DomainError) as info:
            await world.app.list_suggestions(actor)
        assert info.value.code is ErrorCode.FORBIDDEN


async def test_detail_shows_decision_history_SUG_07(world: World) -> None:
    s = await submit(world)
    empty = await world.app.get_suggestion_for_review(world.admin, suggestion_id=s.id)
    assert empty.suggestion == s
    assert list(empty.decisions) == []
    result = await world.app.decide_suggestion(
        world.admin, suggestion_id=s.id, decision=DENY, rationale="Nej"
    )
    detail = await world.app.get_suggestion_for_review(world.superuser, suggestion_id=s.id)
    assert detail.suggestion == result.suggestion
    assert list(detail.decisions) == [result.decision]
    with pytest.raises(DomainError) as missing:
        await world.app.get_suggestion_for_review(world.admin, suggestion_id=uuid.uuid4())
    assert missing.value.code is ErrorCode.NOT_FOUND
    with pytest.raises(DomainError) as forbidden:
        await world.app.get_suggestion_for_review(world.contributor, suggestion_id=s.id)
    assert forbidden.value.code is ErrorCode.FORBIDDEN


def test_decision_types_are_exactly_accept_and_deny_SUG_08_SUG_16_AMB_12() -> None:
    assert [d.value for d in SuggestionDecisionType] == ["accept", "deny"]
    assert SuggestionDecisionType.parse(" ACCEPT ") is ACCEPT
    for raw in ["modify", "", "approve", "nej"]:
        with pytest.raises(DomainError) as info:
            SuggestionDecisionType.parse(raw)
        assert info.value.code is ErrorCode.VALIDATION_ERROR


@pytest.mark.parametrize("decision", [ACCEPT, DENY])
async def test_rationale_is_required_SUG_09(world: World, decision: SuggestionDecisionType) -> None:
    s = await submit(world)
    with pytest.raises(DomainError) as info:
        await world.app.decide_suggestion(
            world.admin, suggestion_id=s.id, decision=decision, rationale="   "
        )
    assert info.value.code is ErrorCode.VALIDATION_ERROR
    assert info.value.message == "Rationale is required"
    assert world.store.state.suggestions[s.id].status is SuggestionStatus.PENDING_REVIEW
    assert world.store.state.tools == {}


async def test_accept_with_edits_revalidates_SUG_08_SUG_09(world: World) -> None:
    s = await submit(world)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"title": " "}, "Title is required"),
        ({"professions": ["okand"]}, "Unknown profession"),
        ({"categories": ["ovrigt", "ovrigt"]}, "Duplicate categories are not allowed"),
    ]
    for kwargs, message in cases:
        with pytest.raises(DomainError) as info:
            await world.app.decide_suggestion(
                world.admin, suggestion_id=s.id, decision=ACCEPT, rationale="Ja", **kwargs
            )
        assert info.value.code is ErrorCode.VALIDATION_ERROR
        assert info.value.message == message
    assert world.store.state.tools == {}
    assert world.store.state.suggestions[s.id].status is SuggestionStatus.PENDING_REVIEW


async def accept(world: World, s: Suggestion, **edits: Any) -> DecisionResult:
    world.tick()
    return await world.app.decide_suggestion(
        world.admin, suggestion_id=s.id, decision=ACCEPT, rationale=" Bra idé ", **edits
    )


async def test_accept_updates_suggestion_and_snapshots_decision_SUG_11(world: World) -> None:
    s = await submit(world)
    r = await accept(world, s, title="Nya grupper", categories=["ovrigt"])
    now = world.clock.now()
    tool_id = r.suggestion.draft_tool_id
    assert tool_id is not None
    assert r.suggestion.status is SuggestionStatus.ACCEPTED
    assert r.suggestion.reviewed_by_user_id == world.admin.id
    assert r.suggestion.reviewed_at == r.suggestion.updated_at == now
    assert r.suggestion.review_rationale == "Bra idé"
    assert r.suggestion.title == "Gruppindelning"  # the suggestion itself keeps its values
    d = r.decision
    assert (d.suggestion_id, d.decided_by_user_id, d.decision, d.rationale) == (
        s.id,
        world.admin.id,
        ACCEPT,
        "Bra idé",
    )
    assert (d.title, d.description) == ("Nya grupper", s.description)
    assert (d.profession_slugs, d.category_slugs) == (("larare",), ("ovrigt",))
    assert d.created_tool_id == tool_id
    assert d.decided_at == now
    assert world.store.state.suggestions[s.id] == r.suggestion
    assert world.store.state.decisions == [d]


async def test_accept_creates_unpublished_draft_tool_with_maintainer_SUG_12_SUG_13_SUG_14(
    world: World,
) -> None:
    s = await submit(world)
    r = await accept(world, s, description="Slumpa grupper", professions=["larare", "rektor"])
    assert r.suggestion.draft_tool_id is not None
    tool = world.stored_tool(r.suggestion.draft_tool_id)
    assert tool.slug == f"draft-{s.id}"
    assert (tool.title, tool.summary) == ("Gruppindelning", "Slumpa grupper")
    assert tool.professions == ("larare", "rektor")
    assert tool.categories == ("lektionsplanering", "mentorskap")
    assert tool.is_published is False
    assert tool.active_version_id is None
    assert (tool.id, world.contributor.id) in world.store.state.maintainers
    assert [t.id for t in await world.app.list_my_tools(world.contributor)] == [tool.id]
    listed = await world.app.list_tools_by_tags(
        world.user, profession_slug="larare", category_slug="mentorskap"
    )
    assert listed.tools == []


async def test_deny_creates_no_tool_SUG_11_SUG_12(world: World) -> None:
    s = await submit(world)
    world.tick()
    r = await world.app.decide_suggestion(
        world.admin,
        suggestion_id=s.id,
        decision=DENY,
        rationale="Finns redan",
        professions=["okand"],  # edits are not validated against the taxonomy on deny
    )
    assert r.suggestion.status is SuggestionStatus.DENIED
    assert r.suggestion.draft_tool_id is None
    assert r.decision.created_tool_id is None
    assert r.suggestion.reviewed_at == world.clock.now()
    assert world.store.state.tools == {}
    assert world.store.state.maintainers == set()


def test_domain_requires_tool_on_accept_and_none_on_deny_SUG_12() -> None:
    s = make_suggestion(make_user())
    from skriptoteket.domain.suggestions import clean_suggestion_content

    final = clean_suggestion_content(
        title=s.title, description=s.description, professions=["larare"], categories=["ovrigt"]
    )
    for decision, tool_id in [(ACCEPT, None), (DENY, uuid.uuid4())]:
        with pytest.raises(DomainError) as info:
            decide(
                s,
                decision_id=uuid.uuid4(),
                decided_by=uuid.uuid4(),
                decision=decision,
                rationale="x",
                final=final,
                created_tool_id=tool_id,
                now=s.created_at,
            )
        assert info.value.code is ErrorCode.VALIDATION_ERROR


@pytest.mark.parametrize("first", [ACCEPT, DENY])
async def test_only_pending_suggestions_can_be_decided_SUG_10(
    world: World, first: SuggestionDecisionType
) -> None:
    s = await submit(world)
    await world.app.decide_suggestion(
        world.admin, suggestion_id=s.id, decision=first, rationale="x"
    )
    tools_before, mark = dict(world.store.state.tools), world.audit_count()
    for again in (ACCEPT, DENY):
        with pytest.raises(DomainError) as info:
            await world.app.decide_suggestion(
                world.superuser, suggestion_id=s.id, decision=again, rationale="y"
            )
        assert info.value.code is ErrorCode.CONFLICT
        assert info.value.message == "Suggestion has already been reviewed"
    assert world.store.state.tools == tools_before
    assert len(world.store.state.decisions) == 1
    assert world.audit_since(mark) == []


@pytest.mark.parametrize("role", ["contributor", "user"])
async def test_only_admins_decide_SUG_08(world: World, role: str) -> None:
    s = await submit(world)
    with pytest.raises(DomainError) as info:
        await world.app.decide_suggestion(
            getattr(world, role), suggestion_id=s.id, decision=ACCEPT, rationale="x"
        )
    assert info.value.code is ErrorCode.FORBIDDEN
    with pytest.raises(DomainError) as missing:
        await world.app.decide_suggestion(
            world.admin, suggestion_id=uuid.uuid4(), decision=DENY, rationale="x"
        )
    assert missing.value.code is ErrorCode.NOT_FOUND


async def test_draft_slug_editable_until_first_publish_AMB_20(world: World) -> None:
    s = await submit(world)
    r = await accept(world, s)
    assert r.suggestion.draft_tool_id is not None
    tool = world.stored_tool(r.suggestion.draft_tool_id)
    renamed = await world.app.update_tool(world.admin, tool_id=tool.id, slug="gruppindelning")
    assert renamed.slug == "gruppindelning"
