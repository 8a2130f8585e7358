"""The schema-migration port a database backend may offer (``skriptoteket db …``)."""

from __future__ import annotations

from typing import Protocol


class SchemaMigrations(Protocol):
    def upgrade(self, revision: str = "head") -> None: ...
    def downgrade(self, revision: str) -> None: ...
    def current(self) -> str | None:
        """The applied revision, or None for an empty database."""
        ...

    def head(self) -> str: ...
