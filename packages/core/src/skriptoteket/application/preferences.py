"""A person's own settings. Today one: the UI language (issue 11) — Swedish unless the person
chose another of ``UI_LANGUAGES``; stored on the user so the choice follows them to every
device and session.

Not audited: it changes only how pages are shown to that person, no rights and no data."""

from __future__ import annotations

import attrs

from skriptoteket.application.context import UseCase
from skriptoteket.domain.identity import User, require_real_user, validate_language


class SetPreferredLanguage(UseCase):
    """The actor chooses their UI language (one of ``UI_LANGUAGES``; ``None`` clears the
    choice); returns the stored user."""

    async def __call__(self, actor: User, *, language: str | None) -> User:
        require_real_user(actor)
        chosen = None if language is None else validate_language(language)
        async with self.deps.uow() as uow:
            stored = await self._actor(uow, actor)
            if stored.preferred_language == chosen:
                return stored
            updated = attrs.evolve(
                stored, preferred_language=chosen, updated_at=self.deps.clock.now()
            )
            await uow.users.update(updated)
            await uow.commit()
        return updated
