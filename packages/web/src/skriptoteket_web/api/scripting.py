"""Tools, versions, maintainers and sandbox runs under ``/admin`` (TOOL-02–TOOL-18, ED-03–ED-08,
GOV-01–GOV-05, §6.3). The use cases check every permission; the role here is the floor."""

from __future__ import annotations

from typing import Any

from skriptoteket.application.versions import KEEP, SchemaInput
from skriptoteket.domain.identity import Role

from skriptoteket_web.api.dto import from_core
from skriptoteket_web.api.framework import Call, Endpoint, Items
from skriptoteket_web.api.requests import (
    AddMaintainerIn,
    CreateToolIn,
    CreateVersionIn,
    PublishVersionIn,
    RequestChangesIn,
    RollbackIn,
    SaveVersionIn,
    SubmitReviewIn,
    UpdateToolIn,
)
from skriptoteket_web.api.responses import (
    MaintainerOut,
    PublishResultOut,
    RunOut,
    ToolOut,
    VersionListItemOut,
    VersionOut,
    run_out,
    version_out,
)
from skriptoteket_web.api.runs import RUN_FORM, read_run_form

ADMIN = "admin, superuser"
MAINTAINER = "a contributor who maintains the tool; admin, superuser"


def _schema(call: Call, value: dict[str, Any] | None) -> SchemaInput:
    return value if "input_schema" in call.body_keys else KEEP


async def list_tools(call: Call) -> list[ToolOut]:
    return [from_core(ToolOut, t) for t in await call.core.list_all_tools(call.actor)]


async def get_tool(call: Call) -> ToolOut:
    found = await call.core.get_tool(call.actor, tool_id=call.uuid("tool_id", "Tool"))
    return from_core(ToolOut, found)


async def create_tool(call: Call) -> ToolOut:
    body: CreateToolIn = call.body
    tool = await call.core.create_tool(
        call.actor,
        slug=body.slug,
        title=body.title,
        summary=body.summary,
        professions=body.professions,
        categories=body.categories,
    )
    return from_core(ToolOut, tool)


async def update_tool(call: Call) -> ToolOut:
    body: UpdateToolIn = call.body
    tool = await call.core.update_tool(
        call.actor,
        tool_id=call.uuid("tool_id", "Tool"),
        title=body.title,
        summary=body.summary,
        slug=body.slug,
        professions=body.professions,
        categories=body.categories,
        clear_summary="summary" in call.body_keys and body.summary is None,
    )
    return from_core(ToolOut, tool)


async def publish_tool(call: Call) -> ToolOut:
    tool_id = call.uuid("tool_id", "Tool")
    return from_core(
        ToolOut, await call.core.set_tool_published(call.actor, tool_id=tool_id, published=True)
    )


async def depublish_tool(call: Call) -> ToolOut:
    tool_id = call.uuid("tool_id", "Tool")
    tool = await call.core.set_tool_published(call.actor, tool_id=tool_id, published=False)
    return from_core(ToolOut, tool)


async def list_versions(call: Call) -> list[VersionListItemOut]:
    found = await call.core.list_versions(call.actor, tool_id=call.uuid("tool_id", "Tool"))
    return [from_core(VersionListItemOut, v) for v in found]


async def create_version(call: Call) -> VersionOut:
    body: CreateVersionIn = call.body
    version = await call.core.create_draft_version(
        call.actor,
        tool_id=call.uuid("tool_id", "Tool"),
        source_code=body.source_code,
        entrypoint=body.entrypoint,
        change_summary=body.change_summary,
        derived_from_version_id=body.derived_from_version_id,
        input_schema=_schema(call, body.input_schema),
    )
    return version_out(version)


async def rollback(call: Call) -> PublishResultOut:
    body: RollbackIn = call.body
    result = await call.core.rollback_version(
        call.actor, tool_id=call.uuid("tool_id", "Tool"), from_version_id=body.from_version_id
    )
    return from_core(PublishResultOut, result)


async def _maintainers(call: Call) -> list[MaintainerOut]:
    found = await call.core.list_maintainers(call.actor, tool_id=call.uuid("tool_id", "Tool"))
    return [from_core(MaintainerOut, x) for x in found]


async def list_maintainers(call: Call) -> list[MaintainerOut]:
    return await _maintainers(call)


async def add_maintainer(call: Call) -> list[MaintainerOut]:
    body: AddMaintainerIn = call.body
    await call.core.assign_maintainer(
        call.actor, tool_id=call.uuid("tool_id", "Tool"), email=body.email, reason=body.reason
    )
    return await _maintainers(call)


async def remove_maintainer(call: Call) -> list[MaintainerOut]:
    await call.core.remove_maintainer(
        call.actor, tool_id=call.uuid("tool_id", "Tool"), user_id=call.uuid("user_id", "User")
    )
    return await _maintainers(call)


def _version_id(call: Call) -> Any:
    return call.uuid("version_id", "ToolVersion")


async def get_version(call: Call) -> VersionOut:
    return version_out(await call.core.get_version(call.actor, version_id=_version_id(call)))


async def save_version(call: Call) -> VersionOut:
    body: SaveVersionIn = call.body
    version = await call.core.save_draft_version(
        call.actor,
        version_id=_version_id(call),
        expected_parent_version_id=body.expected_parent_version_id,
        source_code=body.source_code,
        entrypoint=body.entrypoint,
        change_summary=body.change_summary,
        input_schema=_schema(call, body.input_schema),
    )
    return version_out(version)


async def submit_review(call: Call) -> VersionOut:
    body: SubmitReviewIn = call.body
    version = await call.core.submit_for_review(
        call.actor, version_id=_version_id(call), review_note=body.review_note
    )
    return version_out(version)


async def publish_version(call: Call) -> PublishResultOut:
    body: PublishVersionIn = call.body
    result = await call.core.publish_version(
        call.actor, version_id=_version_id(call), change_summary=body.change_summary
    )
    return from_core(PublishResultOut, result)


async def request_changes(call: Call) -> VersionOut:
    body: RequestChangesIn = call.body
    draft = await call.core.request_changes(
        call.actor, version_id=_version_id(call), message=body.message
    )
    return version_out(draft)


async def sandbox_run(call: Call) -> RunOut:
    uploads, values = await read_run_form(call.form)
    run = await call.core.start_sandbox_run(
        call.actor, version_id=_version_id(call), uploads=uploads, values=values
    )
    return run_out(await call.core.get_run(call.actor, run_id=run.id))


def _e(method: str, path: str, op: str, summary: str, handler: Any, **kw: Any) -> Endpoint:
    kw.setdefault("tag", "tools" if "/versions" not in path else "versions")
    return Endpoint(method, path, op, summary, handler, **kw)


T = "/admin/tools/{tool_id}"
V = "/admin/versions/{version_id}"
A = {"access": ADMIN, "min_role": Role.ADMIN}
M = {"access": MAINTAINER, "min_role": Role.CONTRIBUTOR}

ENDPOINTS = (
    _e(
        "GET",
        "/admin/tools",
        "listAllTools",
        "Every tool (TOOL-07)",
        list_tools,
        response=Items(ToolOut),
        **A,
    ),
    _e(
        "POST",
        "/admin/tools",
        "createTool",
        "Create an unpublished tool (TOOL-09)",
        create_tool,
        body=CreateToolIn,
        status=201,
        response=ToolOut,
        **A,
    ),
    _e("GET", T, "getAdminTool", "A tool's metadata", get_tool, response=ToolOut, **M),
    _e(
        "PATCH",
        T,
        "updateTool",
        "Edit title, summary, slug (until first publish) and tags",
        update_tool,
        body=UpdateToolIn,
        response=ToolOut,
        **A,
    ),
    _e(
        "POST",
        T + "/publish",
        "publishTool",
        "Show the tool in the catalog (TOOL-03/04; refused while the slug is draft-…, AMB-20)",
        publish_tool,
        response=ToolOut,
        **A,
    ),
    _e(
        "POST",
        T + "/depublish",
        "depublishTool",
        "Hide the tool from the catalog (TOOL-06)",
        depublish_tool,
        response=ToolOut,
        **A,
    ),
    _e(
        "GET",
        T + "/versions",
        "listVersions",
        "The versions the caller may see (VER-25)",
        list_versions,
        response=Items(VersionListItemOut),
        **M,
    ),
    _e(
        "POST",
        T + "/versions",
        "createVersion",
        "Create a draft version (ED-05)",
        create_version,
        body=CreateVersionIn,
        status=201,
        response=VersionOut,
        **M,
    ),
    _e(
        "POST",
        T + "/rollback",
        "rollbackTool",
        "Make an archived version active again (GOV-05)",
        rollback,
        tag="versions",
        body=RollbackIn,
        response=PublishResultOut,
        access="superuser",
        min_role=Role.SUPERUSER,
    ),
    _e(
        "GET",
        T + "/maintainers",
        "listMaintainers",
        "The tool's maintainers (TOOL-12)",
        list_maintainers,
        response=Items(MaintainerOut),
        **A,
    ),
    _e(
        "POST",
        T + "/maintainers",
        "addMaintainer",
        "Add a maintainer by email (TOOL-14)",
        add_maintainer,
        body=AddMaintainerIn,
        response=Items(MaintainerOut),
        **A,
    ),
    _e(
        "DELETE",
        T + "/maintainers/{user_id}",
        "removeMaintainer",
        "Remove a maintainer (TOOL-15)",
        remove_maintainer,
        response=Items(MaintainerOut),
        **A,
    ),
    _e(
        "GET",
        V,
        "getVersion",
        "A version with its source (ED-03)",
        get_version,
        tag="versions",
        response=VersionOut,
        access="a maintainer: active, archived and own versions; admin, superuser",
        min_role=Role.CONTRIBUTOR,
    ),
    _e(
        "POST",
        V + "/save",
        "saveVersion",
        "Save a new draft snapshot (ED-06)",
        save_version,
        tag="versions",
        body=SaveVersionIn,
        status=201,
        response=VersionOut,
        access="a maintainer, own draft; admin, superuser",
        min_role=Role.CONTRIBUTOR,
    ),
    _e(
        "POST",
        V + "/submit-review",
        "submitReview",
        "Submit a draft for review (VER-16)",
        submit_review,
        tag="versions",
        body=SubmitReviewIn,
        response=VersionOut,
        access="a maintainer, own draft; admin, superuser",
        min_role=Role.CONTRIBUTOR,
    ),
    _e(
        "POST",
        V + "/publish",
        "publishVersion",
        "Publish an in-review version (GOV-01/02)",
        publish_version,
        tag="versions",
        body=PublishVersionIn,
        response=PublishResultOut,
        **A,
    ),
    _e(
        "POST",
        V + "/request-changes",
        "requestChanges",
        "Send a version back (GOV-04)",
        request_changes,
        tag="versions",
        body=RequestChangesIn,
        response=VersionOut,
        **A,
    ),
    _e(
        "POST",
        V + "/sandbox-runs",
        "startSandboxRun",
        "Test-run a version (ED-08)",
        sandbox_run,
        tag="runs",
        multipart=RUN_FORM,
        status=202,
        response=RunOut,
        access="a maintainer, own version; admin, superuser (any version)",
        min_role=Role.CONTRIBUTOR,
    ),
)
