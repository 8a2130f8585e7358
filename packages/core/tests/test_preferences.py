"""Issue 11: a person's chosen UI language is stored on the user (``SetPreferredLanguage``)."""

from __future__ import annotations

import attrs
import pytest
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.identity import UI_LANGUAGES
from skriptoteket.testing.world import World


async def test_the_choice_is_stored_and_cleared(world: World) -> None:
    assert world.stored_user(world.user).preferred_language is None
    world.tick()
    audit_before = world.audit_count()
    chosen = await world.app.set_preferred_language(world.user, language="en")
    assert chosen == world.stored_user(world.user)
    assert chosen.preferred_language == "en"
    assert chosen.updated_at == world.clock.now()
    assert attrs.evolve(chosen, preferred_language=None, updated_at=world.user.updated_at) == (
        world.user
    )  # nothing else changed
    back = await world.app.set_preferred_language(world.user, language="sv")
    assert world.stored_user(world.user).preferred_language == back.preferred_language == "sv"
    await world.app.set_preferred_language(world.user, language=None)
    assert world.stored_user(world.user).preferred_language is None
    assert world.audit_count() == audit_before  # a display preference, not audited


@pytest.mark.parametrize("language", ["de", "", "EN", "sv-SE"])
async def test_an_unknown_language_is_refused(world: World, language: str) -> None:
    with pytest.raises(DomainError) as info:
        await world.app.set_preferred_language(world.user, language=language)
    assert info.value.code is ErrorCode.VALIDATION_ERROR
    assert info.value.reason == "language_unsupported"
    assert info.value.details == {"language": language, "supported": list(UI_LANGUAGES)}
    assert world.stored_user(world.user).preferred_language is None


async def test_the_operator_has_no_account_to_store_it_on(world: World) -> None:
    with pytest.raises(DomainError) as info:
        await world.app.set_preferred_language(world.operator, language="en")
    assert info.value.code is ErrorCode.VALIDATION_ERROR


async def test_an_inactive_account_cannot_choose(world: World) -> None:
    await world.app.deactivate_user(world.superuser, email=world.user.email)
    with pytest.raises(DomainError) as info:
        await world.app.set_preferred_language(world.user, language="en")
    assert info.value.code is ErrorCode.UNAUTHORIZED
