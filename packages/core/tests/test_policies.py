"""Pure domain policies: who may see and do what (VER-24, VER-25, TOOL-18, ED-10, EXE-04)."""

from __future__ import annotations

import uuid

import attrs
import pytest
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.identity import Role
from skriptoteket.domain.policies import (
    can_access_tool_scripting,
    can_view_run,
    can_view_run_logs,
    can_view_version,
    require_can_sandbox_run,
    require_can_save_draft,
    require_can_submit,
    visible_versions_for_actor,
)
from skriptoteket.domain.runs import RunContext
from skriptoteket.domain.versions import VersionState
from skriptoteket.testing.factories import make_run, make_tool, make_user, make_version

TOOL = make_tool()
AUTHOR = make_user(role=Role.CONTRIBUTOR)
OTHER = make_user(role=Role.CONTRIBUTOR)
ADMIN = make_user(role=Role.ADMIN)
SUPER = make_user(role=Role.SUPERUSER)
USER = make_user(role=Role.USER)
VERSIONS = {s: make_version(TOOL, AUTHOR, state=s) for s in VersionState}


@pytest.mark.parametrize(
    ("actor", "maintainer", "expected"),
    [
        (ADMIN, False, True),
        (SUPER, False, True),
        (AUTHOR, True, True),
        (AUTHOR, False, False),
        (USER, True, False),  # a plain user is never a maintainer in effect
        (attrs.evolve(ADMIN, is_active=False), False, False),
    ],
)
def test_tool_scripting_access_TOOL_18(actor: object, maintainer: bool, expected: bool) -> None:
    from skriptoteket.domain.identity import User

    assert isinstance(actor, User)
    assert can_access_tool_scripting(actor, is_maintainer=maintainer) is expected


def test_visible_versions_for_actor_VER_25() -> None:
    every = list(VERSIONS.values())
    assert visible_versions_for_actor(ADMIN, every, is_maintainer=False) == every
    assert visible_versions_for_actor(AUTHOR, every, is_maintainer=True) == every  # own + rest
    other_sees = visible_versions_for_actor(OTHER, every, is_maintainer=True)
    assert {v.state for v in other_sees} == {VersionState.ACTIVE, VersionState.ARCHIVED}
    assert visible_versions_for_actor(OTHER, every, is_maintainer=False) == []
    assert visible_versions_for_actor(AUTHOR, every, is_maintainer=False) == []
    assert visible_versions_for_actor(USER, every, is_maintainer=True) == []
    assert not can_view_version(USER, VERSIONS[VersionState.ACTIVE], is_maintainer=False)


@pytest.mark.parametrize(
    ("guard", "message"),
    [
        (require_can_save_draft, "Cannot edit another user's draft"),
        (require_can_submit, "Cannot submit another user's draft for review"),
        (require_can_sandbox_run, "Cannot run another user's draft in sandbox"),
    ],
)
def test_own_version_guards_and_messages_VER_24(guard: object, message: str) -> None:
    assert callable(guard)
    draft = VERSIONS[VersionState.DRAFT]
    guard(AUTHOR, draft, is_maintainer=True)
    guard(ADMIN, draft, is_maintainer=False)  # admins act on any version (§6.3)
    with pytest.raises(DomainError) as other:
        guard(OTHER, draft, is_maintainer=True)
    assert other.value.code is ErrorCode.FORBIDDEN
    assert other.value.message == message
    with pytest.raises(DomainError) as nm:
        guard(AUTHOR, draft, is_maintainer=False)
    assert nm.value.code is ErrorCode.FORBIDDEN
    assert nm.value.message == "You are not a maintainer of this tool"


def test_run_visibility_and_logs_ED_10_EXE_04_EXE_07_EXE_09() -> None:
    version = VERSIONS[VersionState.ACTIVE]
    production = make_run(version, USER, context=RunContext.PRODUCTION)
    sandbox = make_run(version, AUTHOR, context=RunContext.SANDBOX)
    assert can_view_run(USER, production)
    assert can_view_run(ADMIN, production)
    assert not can_view_run(OTHER, production)
    assert not can_view_run(attrs.evolve(USER, is_active=False), production)
    assert not can_view_run_logs(USER, production)  # production owner: no stdout/stderr
    assert can_view_run_logs(ADMIN, production)
    assert can_view_run_logs(SUPER, production)
    assert can_view_run_logs(AUTHOR, sandbox)  # sandbox author sees logs
    assert not can_view_run_logs(OTHER, sandbox)
    assert can_view_run_logs(ADMIN, sandbox)
    stranger = attrs.evolve(production, requested_by_user_id=uuid.uuid4())
    assert not can_view_run(USER, stranger)
