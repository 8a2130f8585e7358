"""Who may do what with tools, versions and runs (VER-24, VER-25, TOOL-18, §6.3).

Each ``require_*`` raises FORBIDDEN with the spec's message; each ``can_*`` answers a question.
``is_maintainer`` is passed in because it is stored data, not part of the actor.
"""

from __future__ import annotations

from collections.abc import Iterable

from skriptoteket.domain.errors import forbidden
from skriptoteket.domain.identity import Role, User, has_at_least_role
from skriptoteket.domain.run_failures import INFRASTRUCTURE_FAILURES
from skriptoteket.domain.runs import RunContext, ToolRun
from skriptoteket.domain.versions import ToolVersion, VersionState


def is_admin(actor: User) -> bool:
    return has_at_least_role(actor, Role.ADMIN)


def can_access_tool_scripting(actor: User, *, is_maintainer: bool) -> bool:
    """TOOL-18: admins implicitly maintain every tool; contributors only their own tools."""
    if is_admin(actor):
        return True
    return has_at_least_role(actor, Role.CONTRIBUTOR) and is_maintainer


def require_tool_scripting_access(actor: User, *, is_maintainer: bool) -> None:
    if not can_access_tool_scripting(actor, is_maintainer=is_maintainer):
        raise forbidden("You are not a maintainer of this tool")


def can_view_version(actor: User, version: ToolVersion, *, is_maintainer: bool) -> bool:
    """VER-25: admins see all; maintainers see active, archived and their own versions."""
    if is_admin(actor):
        return True
    if not can_access_tool_scripting(actor, is_maintainer=is_maintainer):
        return False
    return (
        version.state in (VersionState.ACTIVE, VersionState.ARCHIVED)
        or version.created_by_user_id == actor.id
    )


def visible_versions_for_actor(
    actor: User, versions: Iterable[ToolVersion], *, is_maintainer: bool
) -> list[ToolVersion]:
    return [v for v in versions if can_view_version(actor, v, is_maintainer=is_maintainer)]


def require_can_view_version(actor: User, version: ToolVersion, *, is_maintainer: bool) -> None:
    if not can_view_version(actor, version, is_maintainer=is_maintainer):
        raise forbidden("You may not view this version")


def _require_own_or_admin(
    actor: User, version: ToolVersion, *, is_maintainer: bool, message: str
) -> None:
    require_tool_scripting_access(actor, is_maintainer=is_maintainer)
    if not is_admin(actor) and version.created_by_user_id != actor.id:
        raise forbidden(message)


def require_can_save_draft(actor: User, version: ToolVersion, *, is_maintainer: bool) -> None:
    _require_own_or_admin(
        actor, version, is_maintainer=is_maintainer, message="Cannot edit another user's draft"
    )


def require_can_submit(actor: User, version: ToolVersion, *, is_maintainer: bool) -> None:
    _require_own_or_admin(
        actor,
        version,
        is_maintainer=is_maintainer,
        message="Cannot submit another user's draft for review",
    )


def require_can_sandbox_run(actor: User, version: ToolVersion, *, is_maintainer: bool) -> None:
    _require_own_or_admin(
        actor,
        version,
        is_maintainer=is_maintainer,
        message="Cannot run another user's draft in sandbox",
    )


def require_admin(actor: User) -> None:
    """Publish version, request changes, tool publish/depublish, metadata, maintainers."""
    if not is_admin(actor):
        raise forbidden(required=Role.ADMIN.value, actual=actor.role.value)


def require_superuser(actor: User) -> None:
    """Rollback and admin approval."""
    if not has_at_least_role(actor, Role.SUPERUSER):
        raise forbidden(required=Role.SUPERUSER.value, actual=actor.role.value)


def can_view_run(actor: User, run: ToolRun) -> bool:
    """Owners see their own runs; admins see every run (ED-10, EXE-07)."""
    return is_admin(actor) or (actor.is_active and run.requested_by_user_id == actor.id)


def can_view_failure_details(actor: User, run: ToolRun) -> bool:
    """An infrastructure failure's details (an engine address, an exception text) are for
    admins; a tool's own failure reads the same for everyone who may see the run."""
    return is_admin(actor) or run.failure_code not in INFRASTRUCTURE_FAILURES


def can_view_run_logs(actor: User, run: ToolRun) -> bool:
    """stdout/stderr: sandbox runs to their author and admins; production runs to admins only."""
    if is_admin(actor):
        return True
    return run.context is RunContext.SANDBOX and run.requested_by_user_id == actor.id
