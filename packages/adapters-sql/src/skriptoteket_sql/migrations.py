"""``SchemaMigrations`` over Alembic, with the configuration built in code (no alembic.ini).

The scripts live in ``skriptoteket_sql/migrations``. Plugins may add branches of their own
(``skriptoteket_register_migrations``, e.g. the Procrastinate queue's schema): their version
locations join ours, ``upgrade("head")`` upgrades every head, and ``current``/``head`` speak of
this backend's own branch. Each command opens a synchronous engine on
the given URL (``sqlite+pysqlite`` or ``postgresql+psycopg``), runs in one transaction and
disposes the engine. An empty URL fails loudly (CFG-02).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.plugins.records import MigrationBranch
from sqlalchemy import exc as sa_exc

from skriptoteket_sql.engine import connection_error, create_sync_engine_for, mask_url
from skriptoteket_sql.errors import to_domain_error

SCRIPT_LOCATION = Path(__file__).with_name("migrations")


def alembic_config(url: str | None = None, extra_locations: Sequence[Path] = ()) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    if extra_locations:
        config.set_main_option("path_separator", "os")
        locations = [SCRIPT_LOCATION / "versions", *extra_locations]
        config.set_main_option("version_locations", os.pathsep.join(str(p) for p in locations))
    if url:
        config.attributes["database_url"] = url
    return config


@cache
def own_revisions() -> frozenset[str]:
    """The revisions of this backend's own branch (not the plugins')."""
    script = ScriptDirectory.from_config(alembic_config())
    return frozenset(r.revision for r in script.walk_revisions())


def own_current(heads: Sequence[str]) -> str | None:
    """Of the applied heads (one per branch), this backend's own."""
    mine = [h for h in heads if h in own_revisions()]
    return mine[0] if mine else None


@cache
def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package ships its migrations
        raise DomainError(ErrorCode.INTERNAL_ERROR, "No migrations found")
    return head


class AlembicMigrations:
    def __init__(self, database_url: str, branches: Sequence[MigrationBranch] = ()) -> None:
        if not database_url or not database_url.strip():
            raise DomainError(
                ErrorCode.VALIDATION_ERROR,
                "No database URL to migrate; set SKRIPTOTEKET_DATABASE_URL",
            )
        self.database_url = database_url
        self.extra_locations = tuple(b.version_location for b in branches)

    def _engine(self) -> sa.Engine:
        return create_sync_engine_for(self.database_url)

    def _run(self, revision: str, *, up: bool) -> None:
        engine = self._engine()
        try:
            with engine.begin() as conn:
                config = alembic_config(self.database_url, self.extra_locations)
                config.attributes["connection"] = conn
                if up:
                    if revision == "head" and self.extra_locations:
                        revision = "heads"  # one head per branch
                    command.upgrade(config, revision)
                else:
                    command.downgrade(config, revision)
        except (sa_exc.OperationalError, sa_exc.InterfaceError) as error:
            if _is_connect_failure(error):
                raise connection_error(self.database_url, error) from error
            raise to_domain_error(error) from error
        except sa_exc.SQLAlchemyError as error:
            raise to_domain_error(error) from error
        finally:
            engine.dispose()

    def upgrade(self, revision: str = "head") -> None:
        self._run(revision, up=True)

    def downgrade(self, revision: str) -> None:
        self._run(revision, up=False)

    def current(self) -> str | None:
        engine = self._engine()
        try:
            with engine.connect() as conn:
                return own_current(MigrationContext.configure(conn).get_current_heads())
        except sa_exc.SQLAlchemyError as error:
            if _is_connect_failure(error):
                raise connection_error(self.database_url, error) from error
            raise to_domain_error(error) from error
        finally:
            engine.dispose()

    def head(self) -> str:
        return head_revision()

    def __repr__(self) -> str:
        return f"AlembicMigrations({mask_url(self.database_url)!r})"


def _is_connect_failure(error: sa_exc.SQLAlchemyError) -> bool:
    return bool(getattr(error, "connection_invalidated", False)) or "connect" in str(error).lower()
