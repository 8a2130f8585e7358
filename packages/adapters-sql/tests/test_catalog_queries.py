"""Catalog search and the tool names of a run history cost a fixed number of queries however
many tools a page lists (issue 4 benchmarks, DESIGN §9): the tools with their runnable flag,
then the tags of all of them, on SQLite and PostgreSQL, also past the size where tags are
selected by a subquery."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import attrs
import sqlalchemy as sa
from skriptoteket.domain.identity import Role
from skriptoteket.domain.tools import Tool
from skriptoteket.domain.versions import VersionState
from skriptoteket.ports.repositories import UnitOfWork
from skriptoteket.testing.factories import make_tool, make_user, make_version
from skriptoteket_sql.uow import SqlUnitOfWorkFactory

MANY = 230  # above the repository's 200-id list, so the tags come through a subquery


async def _add_runnable_tools(factory: SqlUnitOfWorkFactory, count: int) -> list[Tool]:
    author = make_user(role=Role.ADMIN)
    added: list[Tool] = []
    async with factory() as uow:
        await uow.users.add(author)
        for n in range(count):
            tool = make_tool(
                slug=f"verktyg-{n:03d}",
                title=f"Verktyg {n:03d} för åk {n % 9 + 1}",
                professions=("larare", "rektor") if n % 2 else ("larare",),
                categories=("administration", "ovrigt"),
            )
            await uow.tools.add(tool)
            version = make_version(tool, author, state=VersionState.ACTIVE)
            await uow.versions.add(version)
            tool = attrs.evolve(tool, active_version_id=version.id, is_published=True)
            await uow.tools.update(tool)
            added.append(tool)
        await uow.commit()
    return added


@contextmanager
def counted(factory: SqlUnitOfWorkFactory) -> Iterator[list[str]]:
    """The SQL statements (other than BEGIN) sent while inside the block."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith("BEGIN"):
            statements.append(statement)

    engines = [factory.engine.sync_engine]
    if factory.inline_reads is not None:  # read-only units of work on SQLite
        engines.append(factory.inline_reads)
    for engine in engines:
        sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        for engine in engines:
            sa.event.remove(engine, "before_cursor_execute", record)


async def _search(uow: UnitOfWork, **kwargs: Any) -> list[Tool]:
    return [entry.tool for entry in await uow.tools.search_catalog(**kwargs)]


async def test_a_page_of_tools_is_two_queries_whatever_its_size(
    factory: SqlUnitOfWorkFactory,
) -> None:
    tools = await _add_runnable_tools(factory, MANY)
    async with factory(readonly=True) as uow:
        with counted(factory) as few:
            assert await _search(uow, limit=5) == tools[:5]
        with counted(factory) as many:
            assert await _search(uow) == tools
        with counted(factory) as filtered:
            found = await _search(uow, words=["ÅK 3"], profession_slug="rektor")
        with counted(factory) as past_the_list:
            assert await _search(uow, limit=210, offset=10) == tools[10:220]
    assert len(few) == len(many) == len(filtered) == len(past_the_list) == 2
    assert found == [t for t in tools if "åk 3" in t.title and "rektor" in t.professions]
    assert found


async def test_tag_pages_get_the_runnable_flag_in_the_same_two_queries(
    factory: SqlUnitOfWorkFactory,
) -> None:
    tools = await _add_runnable_tools(factory, 12)
    broken = attrs.evolve(tools[3], active_version_id=None)
    async with factory() as uow:
        await uow.tools.update(broken)
        await uow.commit()
    async with factory(readonly=True) as uow:
        with counted(factory) as statements:
            listed = await uow.tools.search_catalog(
                profession_slug="larare", category_slug="ovrigt", runnable_only=False
            )
    assert len(statements) == 2
    assert [(e.tool.slug, e.runnable) for e in listed] == [
        (t.slug, t.id != broken.id) for t in tools
    ]


async def test_tool_names_of_a_history_page_are_two_queries(
    factory: SqlUnitOfWorkFactory,
) -> None:
    tools = await _add_runnable_tools(factory, MANY)
    async with factory(readonly=True) as uow:
        with counted(factory) as few:
            assert [e.tool for e in await uow.tools.list_entries([tools[7].id])] == [tools[7]]
        with counted(factory) as many:
            entries = await uow.tools.list_entries([t.id for t in reversed(tools)])
    assert len(few) == len(many) == 2
    assert [(e.tool, e.runnable) for e in entries] == [(t, True) for t in tools]
