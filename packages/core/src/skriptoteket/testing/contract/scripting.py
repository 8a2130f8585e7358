"""Contract: versions, runs, audit log (VER-02, VER-03, VER-08, VER-20, VER-21, GOV-06)."""

from __future__ import annotations

import uuid

import attrs

from skriptoteket.domain.audit import AuditAction
from skriptoteket.domain.errors import ErrorCode
from skriptoteket.domain.identity import Role, User
from skriptoteket.domain.input_schema import parse_input_schema
from skriptoteket.domain.runs import RunContext, RunStatus
from skriptoteket.domain.tools import Tool
from skriptoteket.domain.versions import VersionState
from skriptoteket.ports.repositories import UnitOfWork, UnitOfWorkFactory
from skriptoteket.testing.contract.support import expect_error, write
from skriptoteket.testing.factories import (
    at,
    make_artifact,
    make_audit,
    make_run,
    make_tool,
    make_user,
    make_version,
)


async def _tool_and_author(uow_factory: UnitOfWorkFactory) -> tuple[Tool, User]:
    tool, author = make_tool(), make_user(role=Role.ADMIN)

    async def setup(uow: UnitOfWork) -> None:
        await uow.users.add(author)
        await uow.tools.add(tool)

    await write(uow_factory, setup)
    return tool, author


class ScriptingContract:
    async def test_version_round_trip_and_numbering(self, uow_factory: UnitOfWorkFactory) -> None:
        """VER-01, VER-08: numbers count across all states."""
        tool, author = await _tool_and_author(uow_factory)
        v1 = make_version(tool, author, number=1, state=VersionState.ARCHIVED)
        v2 = attrs.evolve(
            make_version(tool, author, number=2, created_at=at(2)),
            derived_from_version_id=v1.id,
            change_summary="Ändrat",
            review_note=None,
        )
        async with uow_factory() as uow:
            assert await uow.versions.next_version_number(tool.id) == 1
            await uow.versions.add(v1)
            await uow.versions.add(v2)
            await uow.commit()
        async with uow_factory(readonly=True) as uow:
            assert await uow.versions.get(v2.id) == v2
            assert await uow.versions.next_version_number(tool.id) == 3
            assert [v.id for v in await uow.versions.list_for_tool(tool.id)] == [v2.id, v1.id]
            assert await uow.versions.get(uuid.uuid4()) is None

    async def test_version_input_schema_round_trip(self, uow_factory: UnitOfWorkFactory) -> None:
        """DESIGN §4: a contract-2 version keeps its input schema exactly."""
        tool, author = await _tool_and_author(uow_factory)
        schema = parse_input_schema(
            {
                "files": [
                    {
                        "name": "klasslista",
                        "label": "Klasslista",
                        "accept": [".csv", ".xlsx"],
                        "min_count": 1,
                        "max_count": 2,
                    }
                ],
                "fields": [
                    {
                        "name": "gruppstorlek",
                        "label": "Gruppstorlek",
                        "kind": "number",
                        "default": 4,
                        "integer": True,
                        "min": 2,
                        "max": 10,
                    },
                    {"name": "slumpa", "label": "Slumpa", "kind": "checkbox"},
                    {
                        "name": "sortering",
                        "label": "Sortering",
                        "kind": "choice",
                        "choices": ["namn", {"value": "klass", "label": "Klass"}],
                    },
                ],
            }
        )
        version = attrs.evolve(make_version(tool, author), input_schema=schema)
        await write(uow_factory, lambda uow: uow.versions.add(version))
        async with uow_factory(readonly=True) as uow:
            stored = await uow.versions.get(version.id)
        assert stored == version
        assert stored.contract_version == 2

    async def test_duplicate_version_number_is_conflict(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        """VER-02."""
        tool, author = await _tool_and_author(uow_factory)
        await write(uow_factory, lambda uow: uow.versions.add(make_version(tool, author)))
        await expect_error(
            {ErrorCode.CONFLICT},
            uow_factory,
            lambda uow: uow.versions.add(make_version(tool, author)),
        )

    async def test_one_active_version_per_tool(self, uow_factory: UnitOfWorkFactory) -> None:
        """VER-03: a second active version of the same tool is a CONFLICT."""
        tool, author = await _tool_and_author(uow_factory)
        active = make_version(tool, author, number=1, state=VersionState.ACTIVE)
        await write(uow_factory, lambda uow: uow.versions.add(active))
        await expect_error(
            {ErrorCode.CONFLICT},
            uow_factory,
            lambda uow: uow.versions.add(
                make_version(tool, author, number=2, state=VersionState.ACTIVE)
            ),
        )
        other_tool = make_tool()
        await write(uow_factory, lambda uow: uow.tools.add(other_tool))
        await write(
            uow_factory,
            lambda uow: uow.versions.add(
                make_version(other_tool, author, number=1, state=VersionState.ACTIVE)
            ),
        )
        async with uow_factory(readonly=True) as uow:
            assert await uow.versions.get_active(tool.id) == active

    async def test_version_update_guards(self, uow_factory: UnitOfWorkFactory) -> None:
        """VER-21: a missing row is NOT_FOUND; a changed state is CONFLICT."""
        tool, author = await _tool_and_author(uow_factory)
        draft = make_version(tool, author)
        await write(uow_factory, lambda uow: uow.versions.add(draft))
        submitted = attrs.evolve(
            draft,
            state=VersionState.IN_REVIEW,
            submitted_for_review_by_user_id=author.id,
            submitted_for_review_at=at(1),
            review_note="Titta",
        )
        await write(
            uow_factory,
            lambda uow: uow.versions.update(submitted, expected_state=VersionState.DRAFT),
        )
        async with uow_factory(readonly=True) as uow:
            assert await uow.versions.get(draft.id) == submitted
        await expect_error(
            {ErrorCode.CONFLICT},
            uow_factory,
            lambda uow: uow.versions.update(submitted, expected_state=VersionState.DRAFT),
        )
        await expect_error(
            {ErrorCode.NOT_FOUND},
            uow_factory,
            lambda uow: uow.versions.update(
                make_version(tool, author, number=9), expected_state=VersionState.DRAFT
            ),
        )

    async def test_draft_head_and_unknown_tool(self, uow_factory: UnitOfWorkFactory) -> None:
        """AMB-15: the draft head is the highest-numbered draft."""
        tool, author = await _tool_and_author(uow_factory)
        versions = [
            make_version(tool, author, number=1),
            make_version(tool, author, number=2),
            make_version(tool, author, number=3, state=VersionState.IN_REVIEW),
        ]

        async def add_all(uow: UnitOfWork) -> None:
            for v in versions:
                await uow.versions.add(v)

        await write(uow_factory, add_all)
        async with uow_factory(readonly=True) as uow:
            assert await uow.versions.get_draft_head(tool.id) == versions[1]
            assert await uow.versions.get_active(tool.id) is None
        await expect_error(
            {ErrorCode.VALIDATION_ERROR},
            uow_factory,
            lambda uow: uow.versions.add(make_version(make_tool(), author)),
        )

    async def test_tool_active_pointer(self, uow_factory: UnitOfWorkFactory) -> None:
        """TOOL-01: tools point at their active version."""
        tool, author = await _tool_and_author(uow_factory)
        active = make_version(tool, author, state=VersionState.ACTIVE)
        pointed = attrs.evolve(tool, active_version_id=active.id, is_published=True)

        async def activate(uow: UnitOfWork) -> None:
            await uow.versions.add(active)
            await uow.tools.update(pointed)

        await write(uow_factory, activate)
        async with uow_factory(readonly=True) as uow:
            assert await uow.tools.get(tool.id) == pointed

    async def test_run_round_trip_and_guards(self, uow_factory: UnitOfWorkFactory) -> None:
        """VER-05, VER-20, VER-21."""
        tool, author = await _tool_and_author(uow_factory)
        version = make_version(tool, author)
        run = make_run(version, author)

        async def setup(uow: UnitOfWork) -> None:
            await uow.versions.add(version)
            await uow.runs.add(run)

        await write(uow_factory, setup)
        finished = attrs.evolve(
            run,
            status=RunStatus.SUCCEEDED,
            started_at=at(1),
            finished_at=at(2),
            html_output="<p>Klart – åäö</p>",
            stdout="ut",
            stderr="fel",
            artifacts=(make_artifact("output/a.txt", 3), make_artifact("output/b.xlsx", 40)),
        )
        await write(
            uow_factory, lambda uow: uow.runs.update(finished, expected_status=RunStatus.QUEUED)
        )
        async with uow_factory(readonly=True) as uow:
            assert await uow.runs.get(run.id) == finished
            assert await uow.runs.get(uuid.uuid4()) is None
        await expect_error(
            {ErrorCode.CONFLICT},
            uow_factory,
            lambda uow: uow.runs.update(finished, expected_status=RunStatus.QUEUED),
        )
        await expect_error(
            {ErrorCode.NOT_FOUND},
            uow_factory,
            lambda uow: uow.runs.update(
                make_run(version, author), expected_status=RunStatus.QUEUED
            ),
        )

    async def test_run_inputs_round_trip_and_go_with_the_run(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        """Issue 10: the uploads of a run a worker elsewhere executes, stored with the queued
        row (same transaction: a rollback leaves neither), read back byte for byte in order,
        deleted when the run ends; the worker's name round-trips on the run."""
        tool, author = await _tool_and_author(uow_factory)
        version = make_version(tool, author)
        await write(uow_factory, lambda uow: uow.versions.add(version))
        run = make_run(version, author)
        files = [("b.csv", bytes(range(256)) * 3), ("a – åäö.txt", b""), ("c.bin", b"\x00\xff")]

        async with uow_factory() as uow:
            await uow.runs.add(run)
            await uow.run_inputs.add(run.id, files)
            await uow.rollback()
        async with uow_factory(readonly=True) as uow:
            assert await uow.runs.get(run.id) is None
            assert list(await uow.run_inputs.list(run.id)) == []

        async def add(uow: UnitOfWork) -> None:
            await uow.runs.add(run)
            await uow.run_inputs.add(run.id, files)

        await write(uow_factory, add)
        async with uow_factory(readonly=True) as uow:
            assert list(await uow.run_inputs.list(run.id)) == files
            assert list(await uow.run_inputs.list(uuid.uuid4())) == []
        await expect_error(
            {ErrorCode.CONFLICT}, uow_factory, lambda uow: uow.run_inputs.add(run.id, files)
        )
        await expect_error(
            {ErrorCode.VALIDATION_ERROR},
            uow_factory,
            lambda uow: uow.run_inputs.add(uuid.uuid4(), files[:1]),
        )
        running = attrs.evolve(run, status=RunStatus.RUNNING, started_at=at(1), worker="w1:42")

        async def finish(uow: UnitOfWork) -> None:
            await uow.runs.update(running, expected_status=RunStatus.QUEUED)
            assert await uow.run_inputs.delete(run.id) == len(files)

        await write(uow_factory, finish)
        async with uow_factory(readonly=True) as uow:
            assert list(await uow.run_inputs.list(run.id)) == []
            stored = await uow.runs.get(run.id)
            assert stored is not None
            assert stored.worker == "w1:42"
        async with uow_factory() as uow:
            assert await uow.run_inputs.delete(run.id) == 0

    async def test_run_listings(self, uow_factory: UnitOfWorkFactory) -> None:
        """EXE-11: newest first, context filter, keyset pages; unfinished runs oldest first."""
        tool, author = await _tool_and_author(uow_factory)
        other = make_user()
        version = make_version(tool, author)
        runs = [
            make_run(
                version,
                author,
                created_at=at(i),
                context=RunContext.SANDBOX if i == 2 else RunContext.PRODUCTION,
                status=RunStatus.SUCCEEDED if i < 3 else RunStatus.QUEUED,
            )
            for i in range(5)
        ]
        # issue 10: the owner process of a run is stored (start-up recovery reads it)
        theirs = attrs.evolve(
            make_run(version, other, created_at=at(10), status=RunStatus.RUNNING),
            owner="worker-7.skolan.se:4242:987654",
        )

        async def setup(uow: UnitOfWork) -> None:
            await uow.users.add(other)
            await uow.versions.add(version)
            for r in (*runs, theirs):
                await uow.runs.add(r)

        await write(uow_factory, setup)
        async with uow_factory(readonly=True) as uow:
            mine = await uow.runs.list_for_user(author.id)
            assert [r.id for r in mine] == [r.id for r in reversed(runs)]
            prod = await uow.runs.list_for_user(author.id, context=RunContext.PRODUCTION, limit=2)
            assert [r.id for r in prod] == [runs[4].id, runs[3].id]
            cursor = (prod[-1].created_at, prod[-1].id)
            rest = await uow.runs.list_for_user(
                author.id, context=RunContext.PRODUCTION, before=cursor
            )
            assert [r.id for r in rest] == [runs[1].id, runs[0].id]
            unfinished = await uow.runs.list_unfinished()
            assert [r.id for r in unfinished] == [runs[3].id, runs[4].id, theirs.id]
            assert [r.owner for r in unfinished] == [None, None, theirs.owner]

    async def test_audit_log(self, uow_factory: UnitOfWorkFactory) -> None:
        """GOV-06, ID-21: append and filter, newest first; the system actor has no user id."""
        actor = make_user(role=Role.SUPERUSER)
        subject = uuid.uuid4()
        first = make_audit(actor, occurred_at=at(1), subject_id=subject)
        second = make_audit(None, action=AuditAction.USER_ROLE_CHANGED, occurred_at=at(2))
        third = make_audit(
            actor,
            action=AuditAction.USER_ROLE_CHANGED,
            occurred_at=at(3),
            details={"from_role": "user", "to_role": "admin"},
        )

        async def setup(uow: UnitOfWork) -> None:
            await uow.users.add(actor)
            for e in (first, second, third):
                await uow.audit.append(e)

        await write(uow_factory, setup)
        async with uow_factory(readonly=True) as uow:
            assert list(await uow.audit.list()) == [third, second, first]
            changed = await uow.audit.list(action=AuditAction.USER_ROLE_CHANGED)
            assert [e.id for e in changed] == [third.id, second.id]
            assert [e.id for e in await uow.audit.list(actor_user_id=actor.id)] == [
                third.id,
                first.id,
            ]
            assert [e.id for e in await uow.audit.list(subject_id=subject)] == [first.id]
            assert [e.id for e in await uow.audit.list(limit=1, offset=1)] == [second.id]
