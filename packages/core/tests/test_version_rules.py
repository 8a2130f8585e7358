"""Version rules across rows: draft head, derived-from, one active, races (AMB-15, ED-05,
VER-03, VER-21, VER-22, VER-25)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.versions import (
    VersionState,
)
from skriptoteket.testing.factories import make_version
from skriptoteket.testing.world import SOURCE, World


async def test_concurrent_saves_one_wins_one_conflicts_VER_22(world: World) -> None:
    tool = await world.tool()
    head = await world.draft(tool)
    results = await asyncio.gather(
        *[
            world.app.save_draft_version(
                world.contributor,
                version_id=head.id,
                expected_parent_version_id=head.id,
                source_code=SOURCE + f"# {n}\n",
            )
            for n in range(2)
        ],
        return_exceptions=True,
    )
    errors = [r for r in results if isinstance(r, DomainError)]
    assert len(errors) == 1
    assert errors[0].code is ErrorCode.CONFLICT
    assert len(world.versions_of(tool)) == 2


async def test_several_drafts_and_submitting_an_older_one_AMB_15(world: World) -> None:
    tool = await world.tool()
    v1 = await world.draft(tool)
    v2 = await world.draft(tool)
    v3 = await world.draft(tool, world.admin)
    states = [v.state for v in world.versions_of(tool)]
    assert states == [VersionState.DRAFT] * 3
    # The draft head is the highest-numbered draft, whoever wrote it.
    with pytest.raises(DomainError) as head:
        await world.app.save_draft_version(
            world.contributor,
            version_id=v2.id,
            expected_parent_version_id=v2.id,
            source_code=SOURCE,
        )
    assert head.value.code is ErrorCode.CONFLICT
    older = await world.app.submit_for_review(world.contributor, version_id=v1.id)
    assert older.state is VersionState.IN_REVIEW
    assert world.stored_version(v3.id).state is VersionState.DRAFT


async def test_create_draft_derived_from_checks_ED_05(world: World) -> None:
    tool = await world.tool()
    other = await world.tool()
    foreign = await world.draft(other)
    with pytest.raises(DomainError) as conflict:
        await world.app.create_draft_version(
            world.contributor,
            tool_id=tool.id,
            source_code=SOURCE,
            derived_from_version_id=foreign.id,
        )
    assert conflict.value.code is ErrorCode.CONFLICT
    with pytest.raises(DomainError) as missing:
        await world.app.create_draft_version(
            world.contributor,
            tool_id=tool.id,
            source_code=SOURCE,
            derived_from_version_id=uuid.uuid4(),
        )
    assert missing.value.code is ErrorCode.NOT_FOUND
    with pytest.raises(DomainError) as no_tool:
        await world.app.create_draft_version(world.admin, tool_id=uuid.uuid4(), source_code=SOURCE)
    assert no_tool.value.code is ErrorCode.NOT_FOUND


async def test_update_of_missing_version_or_run_is_not_found_VER_21(world: World) -> None:
    tool = await world.tool()
    ghost = make_version(tool, world.contributor)
    async with world.store.unit_of_work() as uow:
        with pytest.raises(DomainError) as info:
            await uow.versions.update(ghost, expected_state=VersionState.DRAFT)
    assert info.value.code is ErrorCode.NOT_FOUND


async def test_one_active_version_per_tool_VER_03(world: World) -> None:
    tool = await world.tool()
    await world.activate(tool)
    second = make_version(tool, world.admin, number=99, state=VersionState.ACTIVE)
    async with world.store.unit_of_work() as uow:
        with pytest.raises(DomainError) as info:
            await uow.versions.add(second)
    assert info.value.code is ErrorCode.CONFLICT


async def test_derived_from_must_be_viewable_by_the_maintainer_ED_05_VER_25(
    world: World,
) -> None:
    tool = await world.tool(maintainers=[world.contributor, world.other_contributor])
    theirs = await world.draft(tool, world.other_contributor)
    with pytest.raises(DomainError) as info:
        await world.app.create_draft_version(
            world.contributor,
            tool_id=tool.id,
            source_code=SOURCE,
            derived_from_version_id=theirs.id,
        )
    assert info.value.code is ErrorCode.FORBIDDEN
    assert world.versions_of(tool) == [theirs]
