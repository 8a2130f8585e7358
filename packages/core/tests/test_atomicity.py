"""Publish and rollback write in VER-19 order, all or nothing (VER-19)."""

from __future__ import annotations

from typing import Any

import pytest
from skriptoteket.domain.versions import VersionState
from skriptoteket.ports.repositories import UnitOfWork
from skriptoteket.testing.fakes import FaultyUnitOfWorkFactory, InjectedFault, fail_when
from skriptoteket.testing.world import World

A, ARCH, D, R = (
    VersionState.ACTIVE,
    VersionState.ARCHIVED,
    VersionState.DRAFT,
    VersionState.IN_REVIEW,
)


async def test_activation_persists_in_VER_19_order(world: World) -> None:
    tool = await world.tool()
    await world.activate(tool)
    reviewed = await world.in_review(tool)
    calls: list[tuple[str, Any]] = []

    def record(uow: UnitOfWork) -> None:
        for repo, name in [(uow.versions, "update"), (uow.versions, "add"), (uow.tools, "update")]:
            original = getattr(repo, name)
            label = f"{'versions' if repo is uow.versions else 'tools'}.{name}"

            async def spy(obj: Any, *a: Any, _o: Any = original, _l: str = label, **k: Any) -> Any:
                calls.append((_l, getattr(obj, "state", None)))
                return await _o(obj, *a, **k)

            setattr(repo, name, spy)

    app = world.with_uow(FaultyUnitOfWorkFactory(world.store.unit_of_work, record))
    await app.publish_version(world.admin, version_id=reviewed.id)
    assert calls == [
        ("versions.update", ARCH),  # previous active archived first
        ("versions.update", ARCH),  # then the reviewed row consumed
        ("versions.add", A),  # then the new active inserted
        ("tools.update", None),  # then the pointer moved
    ]


FAULTS = {
    "versions.add(active)": lambda uow: fail_when(
        uow.versions, "add", lambda v, *a, **k: v.state is A
    ),
    "tools.update": lambda uow: fail_when(uow.tools, "update"),
    "audit.append": lambda uow: fail_when(uow.audit, "append"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_publish_is_atomic_VER_19(world: World, fault: str) -> None:
    tool, first = await world.published_tool()
    reviewed = await world.in_review(tool)
    versions, tools = dict(world.store.state.versions), dict(world.store.state.tools)
    mark = world.audit_count()
    app = world.with_uow(FaultyUnitOfWorkFactory(world.store.unit_of_work, FAULTS[fault]))
    with pytest.raises(InjectedFault):
        await app.publish_version(world.admin, version_id=reviewed.id)
    assert world.store.state.versions == versions  # no new row, nothing archived
    assert world.store.state.tools == tools
    assert world.stored_version(first.new_active_version_id).state is A
    assert world.stored_version(reviewed.id).state is R
    assert world.stored_tool(tool.id).active_version_id == first.new_active_version_id
    assert world.audit_since(mark) == []
    # And the same publish succeeds afterwards.
    done = await world.app.publish_version(world.admin, version_id=reviewed.id)
    assert world.stored_tool(tool.id).active_version_id == done.new_active_version_id


async def test_rollback_is_atomic_VER_19(world: World) -> None:
    tool, first = await world.published_tool()
    v1 = world.versions_of(tool)[0]
    versions, mark = dict(world.store.state.versions), world.audit_count()
    app = world.with_uow(FaultyUnitOfWorkFactory(world.store.unit_of_work, FAULTS["tools.update"]))
    with pytest.raises(InjectedFault):
        await app.rollback_version(world.superuser, tool_id=tool.id, from_version_id=v1.id)
    assert world.store.state.versions == versions
    assert world.audit_since(mark) == []
    assert world.stored_tool(tool.id).active_version_id == first.new_active_version_id
