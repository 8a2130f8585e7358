"""Versions: drafts, saves, submit (VER-08–VER-16, VER-21, VER-22, AMB-15, ED-05, ED-06)."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from skriptoteket.application.versions import default_editor_version
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.versions import (
    VersionState,
    clean_entrypoint,
    compute_content_hash,
    create_draft,
    require_version_number,
    save_draft_snapshot,
    submit_for_review,
)
from skriptoteket.testing.factories import T0, make_tool, make_user, make_version
from skriptoteket.testing.world import SOURCE, World


async def test_create_draft_fields_and_audit_ED_05_VER_09_VER_11_VER_12(world: World) -> None:
    tool = await world.tool()
    mark = world.audit_count()
    world.tick()
    source = "\n\ndef kör(input_path, output_dir):\n    return ''\n\n"
    v = await world.app.create_draft_version(
        world.contributor,
        tool_id=tool.id,
        source_code=source,
        entrypoint="  kör ",
        change_summary="   ",
    )
    assert (v.tool_id, v.version_number, v.state) == (tool.id, 1, VersionState.DRAFT)
    assert v.source_code == source  # VER-10: never stripped
    assert v.entrypoint == "kör"
    assert v.change_summary is None
    assert v.content_hash == hashlib.sha256(f"kör\n{source}".encode()).hexdigest()
    assert (v.created_by_user_id, v.created_at) == (world.contributor.id, world.clock.now())
    assert v.derived_from_version_id is None
    assert v.submitted_for_review_by_user_id is None
    assert v.published_by_user_id is None
    [row] = world.audit_since(mark)
    assert (row.actor_user_id, row.action.value, row.subject_id) == (
        world.contributor.id,
        "version.created",
        v.id,
    )
    default = await world.app.create_draft_version(world.admin, tool_id=tool.id, source_code=SOURCE)
    assert default.entrypoint == "run_tool"


@pytest.mark.parametrize(("raw", "ok"), [("  ", False), ("x" * 128, True), ("x" * 129, False)])
def test_entrypoint_rules_VER_09(raw: str, ok: bool) -> None:
    if ok:
        assert clean_entrypoint(raw) == raw.strip()
    else:
        with pytest.raises(DomainError) as info:
            clean_entrypoint(raw)
        assert info.value.code is ErrorCode.VALIDATION_ERROR


@pytest.mark.parametrize("source", ["", "   \n\t"])
async def test_empty_source_is_rejected_VER_10(world: World, source: str) -> None:
    tool = await world.tool()
    with pytest.raises(DomainError) as info:
        await world.app.create_draft_version(world.contributor, tool_id=tool.id, source_code=source)
    assert info.value.code is ErrorCode.VALIDATION_ERROR
    assert world.versions_of(tool) == []


def test_content_hash_covers_entrypoint_VER_12() -> None:
    a = compute_content_hash("run_tool", SOURCE)
    assert a == hashlib.sha256(f"run_tool\n{SOURCE}".encode()).hexdigest()
    assert a == a.lower()
    assert len(a) == 64
    assert compute_content_hash("main", SOURCE) != a


def test_version_number_below_one_is_rejected_VER_08() -> None:
    assert require_version_number(1) == 1
    with pytest.raises(DomainError) as info:
        require_version_number(0)
    assert info.value.code is ErrorCode.VALIDATION_ERROR


async def test_numbers_are_monotonic_over_all_states_VER_08(world: World) -> None:
    tool = await world.tool()
    other = await world.tool()
    await world.activate(tool)  # v1 (archived), v2 (active)
    changes = await world.in_review(tool)  # v3
    await world.app.request_changes(world.admin, version_id=changes.id)  # v4 draft
    v5 = await world.draft(tool)
    assert v5.version_number == 5
    assert [v.version_number for v in world.versions_of(tool)] == [1, 2, 3, 4, 5]
    assert (await world.draft(other)).version_number == 1


async def test_save_creates_new_immutable_draft_VER_13_VER_15_ED_06(world: World) -> None:
    tool = await world.tool()
    first = await world.draft(tool)
    mark = world.audit_count()
    world.tick()
    saved = await world.app.save_draft_version(
        world.contributor,
        version_id=first.id,
        expected_parent_version_id=first.id,
        source_code=SOURCE + "# ändrad\n",
        entrypoint="run_tool",
        change_summary=" Fix ",
    )
    assert saved.id != first.id
    assert saved.version_number == 2
    assert saved.state is VersionState.DRAFT
    assert saved.derived_from_version_id == first.id
    assert saved.created_by_user_id == world.contributor.id
    assert saved.created_at == world.clock.now()
    assert saved.change_summary == "Fix"
    assert saved.content_hash == compute_content_hash("run_tool", SOURCE + "# ändrad\n")
    assert world.stored_version(first.id) == first  # left unchanged, still draft
    [row] = world.audit_since(mark)
    assert (row.actor_user_id, row.action.value, row.subject_id) == (
        world.contributor.id,
        "version.saved",
        saved.id,
    )


async def test_save_guards_ED_06_VER_22(world: World) -> None:
    tool = await world.tool()
    first = await world.draft(tool)
    with pytest.raises(DomainError) as mismatch:
        await world.app.save_draft_version(
            world.contributor,
            version_id=first.id,
            expected_parent_version_id=uuid.uuid4(),
            source_code=SOURCE,
        )
    assert mismatch.value.code is ErrorCode.VALIDATION_ERROR
    second = await world.app.save_draft_version(
        world.contributor,
        version_id=first.id,
        expected_parent_version_id=first.id,
        source_code=SOURCE,
    )
    with pytest.raises(DomainError) as stale:
        await world.app.save_draft_version(
            world.contributor,
            version_id=first.id,
            expected_parent_version_id=first.id,
            source_code=SOURCE,
        )
    assert stale.value.code is ErrorCode.CONFLICT
    assert stale.value.message == "Draft head has advanced; reload before saving"
    await world.app.submit_for_review(world.contributor, version_id=second.id)
    await world.app.submit_for_review(world.contributor, version_id=first.id)
    with pytest.raises(DomainError) as none_left:
        await world.app.save_draft_version(
            world.contributor,
            version_id=second.id,
            expected_parent_version_id=second.id,
            source_code=SOURCE,
        )
    assert none_left.value.code is ErrorCode.CONFLICT
    with pytest.raises(DomainError) as missing:
        await world.app.save_draft_version(
            world.contributor,
            version_id=(u := uuid.uuid4()),
            expected_parent_version_id=u,
            source_code=SOURCE,
        )
    assert missing.value.code is ErrorCode.NOT_FOUND


def test_save_snapshot_domain_rules_VER_15() -> None:
    author = make_user()
    tool = make_tool()
    for state in (VersionState.IN_REVIEW, VersionState.ACTIVE, VersionState.ARCHIVED):
        with pytest.raises(DomainError) as info:
            save_draft_snapshot(
                make_version(tool, author, state=state),
                id=uuid.uuid4(),
                version_number=9,
                source_code=SOURCE,
                entrypoint=None,
                saved_by=author.id,
                now=T0,
            )
        assert info.value.code is ErrorCode.CONFLICT
        assert info.value.message == "Only draft versions can be saved"
    draft = make_version(tool, author, number=3)
    with pytest.raises(DomainError) as lower:
        save_draft_snapshot(
            draft,
            id=uuid.uuid4(),
            version_number=3,
            source_code=SOURCE,
            entrypoint=None,
            saved_by=author.id,
            now=T0,
        )
    assert lower.value.code is ErrorCode.CONFLICT
    other_tool = make_version(make_tool(), author)
    with pytest.raises(DomainError) as foreign:
        create_draft(
            id=uuid.uuid4(),
            tool_id=tool.id,
            version_number=1,
            source_code=SOURCE,
            entrypoint=None,
            created_by=author.id,
            now=T0,
            derived_from=other_tool,
        )
    assert foreign.value.code is ErrorCode.CONFLICT


async def test_submit_for_review_VER_16(world: World) -> None:
    tool = await world.tool()
    draft = await world.draft(tool)
    mark = world.audit_count()
    world.tick()
    submitted = await world.app.submit_for_review(
        world.contributor, version_id=draft.id, review_note="  Titta på raden 3 "
    )
    assert submitted.id == draft.id
    assert submitted.state is VersionState.IN_REVIEW
    assert submitted.submitted_for_review_by_user_id == world.contributor.id
    assert submitted.submitted_for_review_at == world.clock.now()
    assert submitted.review_note == "Titta på raden 3"
    assert submitted.reviewed_by_user_id is None
    assert submitted.reviewed_at is None
    assert world.stored_version(draft.id) == submitted
    [row] = world.audit_since(mark)
    assert (row.actor_user_id, row.action.value, row.subject_id) == (
        world.contributor.id,
        "version.submitted",
        draft.id,
    )
    with pytest.raises(DomainError) as again:
        await world.app.submit_for_review(world.contributor, version_id=draft.id)
    assert again.value.code is ErrorCode.CONFLICT
    assert again.value.message == "Only draft versions can be submitted for review"


def test_submit_never_touches_reviewed_fields_VER_16() -> None:
    import attrs

    author = make_user()
    draft = attrs.evolve(
        make_version(make_tool(), author), reviewed_by_user_id=author.id, reviewed_at=T0
    )
    out = submit_for_review(draft, submitted_by=author.id, now=T0, review_note=" ")
    assert (out.reviewed_by_user_id, out.reviewed_at) == (author.id, T0)
    assert out.review_note is None


async def test_editor_default_skips_drafts_that_were_saved_over_ED_02_AMB_15(
    world: World,
) -> None:
    """After "save, then send for review" the old snapshot is still a draft (VER-15); the editor
    must open on the version waiting for review, not on that stale code."""
    tool = await world.tool()
    first = await world.draft(tool)
    assert default_editor_version([first]) == first
    world.tick()
    saved = await world.app.save_draft_version(
        world.contributor,
        version_id=first.id,
        expected_parent_version_id=first.id,
        source_code=SOURCE.replace("Hej", "Hej igen"),
    )
    listed = await world.app.list_versions(world.contributor, tool_id=tool.id)
    assert default_editor_version(listed) == saved
    world.tick()
    submitted = await world.app.submit_for_review(world.contributor, version_id=saved.id)
    listed = await world.app.list_versions(world.contributor, tool_id=tool.id)
    assert [v.state for v in sorted(listed, key=lambda v: v.version_number)] == [
        VersionState.DRAFT,  # the stale snapshot
        VersionState.IN_REVIEW,
    ]
    assert default_editor_version(listed) == submitted
    published = await world.app.publish_version(world.admin, version_id=submitted.id)
    listed = await world.app.list_versions(world.contributor, tool_id=tool.id)
    assert default_editor_version(listed) == published.new_active
    assert default_editor_version([]) is None
