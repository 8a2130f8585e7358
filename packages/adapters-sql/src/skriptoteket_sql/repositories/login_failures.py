"""Login-throttle records (ID-12, issue 10): one row per key, shared by every web process.

``get(lock=True)`` reads ``FOR UPDATE`` on PostgreSQL, so two processes recording a failure of
one key take turns (SQLite writers are serial already: ``BEGIN IMMEDIATE``). ``put`` updates,
or inserts when there is no row; two first inserts of one key at once end in one CONFLICT,
which the use case retries.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from skriptoteket.domain.login_throttle import LoginFailures

from skriptoteket_sql.repositories.base import SqlRepository
from skriptoteket_sql.tables import login_failures as t


def _from_row(row: sa.Row[Any]) -> LoginFailures:
    m = row._mapping
    return LoginFailures(
        key=m["key"],
        failures=int(m["failures"]),
        recent=tuple(datetime.fromisoformat(v) for v in m["recent"]),
        expires_at=m["expires_at"],
    )


class SqlLoginFailureRepository(SqlRepository):
    async def get(self, key: str, *, lock: bool = False) -> LoginFailures | None:
        query = sa.select(t).where(t.c.key == key)
        row = await self._first(query.with_for_update() if lock else query)
        return _from_row(row) if row else None

    async def put(self, record: LoginFailures, *, new: bool) -> None:
        values = {
            "failures": record.failures,
            "recent": [v.isoformat() for v in record.recent],
            "expires_at": record.expires_at,
        }
        async with self._db.writing() as conn:
            if new:  # a duplicate key raises DUPLICATE_ENTRY: someone inserted it first
                await conn.execute(t.insert().values(key=record.key, **values))
            else:
                await conn.execute(t.update().where(t.c.key == record.key).values(values))

    async def delete(self, key: str) -> None:
        async with self._db.writing() as conn:
            await conn.execute(t.delete().where(t.c.key == key))

    async def prune(self, now: datetime, *, keep: int) -> int:
        async with self._db.writing() as conn:
            expired = await conn.execute(t.delete().where(t.c.expires_at <= now))
            beyond = (
                sa.select(t.c.key)
                .order_by(t.c.expires_at.desc(), t.c.key.desc())
                .offset(keep)
                .scalar_subquery()
            )
            over = await conn.execute(t.delete().where(t.c.key.in_(beyond)))
        return int(expired.rowcount) + int(over.rowcount)
