"""``SchemaMigrations`` over Alembic, with the configuration built in code (no alembic.ini).

The scripts live in ``skriptoteket_sql/migrations``. Each command opens a synchronous engine on
the given URL (``sqlite+pysqlite`` or ``postgresql+psycopg``), runs in one transaction and
disposes the engine. An empty URL fails loudly (CFG-02).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from skriptoteket.domain.errors import DomainError, ErrorCode
from sqlalchemy import exc as sa_exc

from skriptoteket_sql.engine import connection_error, create_sync_engine_for, mask_url
from skriptoteket_sql.errors import to_domain_error

SCRIPT_LOCATION = Path(__file__).with_name("migrations")


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    if url:
        config.attributes["database_url"] = url
    return config


@cache
def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package ships its migrations
        raise DomainError(ErrorCode.INTERNAL_ERROR, "No migrations found")
    return head


class AlembicMigrations:
    def __init__(self, database_url: str) -> None:
        if not database_url or not database_url.strip():
            raise DomainError(
                ErrorCode.VALIDATION_ERROR,
                "No database URL to migrate; set SKRIPTOTEKET_DATABASE_URL",
            )
        self.database_url = database_url

    def _engine(self) -> sa.Engine:
        return create_sync_engine_for(self.database_url)

    def _run(self, revision: str, *, up: bool) -> None:
        engine = self._engine()
        try:
            with engine.begin() as conn:
                config = alembic_config(self.database_url)
                config.attributes["connection"] = conn
                if up:
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
                return MigrationContext.configure(conn).get_current_revision()
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
