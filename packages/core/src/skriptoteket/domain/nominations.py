"""Admin nomination with superuser approval (NOM-01–NOM-07, AMB-29).

An admin nominates a user for the admin role with a rationale; a superuser approves (the nominee
becomes admin) or denies (role unchanged). A decision applies only to a pending nomination.
"""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID

import attrs

from skriptoteket.domain.errors import conflict, validation_error
from skriptoteket.domain.identity import Role, User, require_at_least_role
from skriptoteket.domain.text_limits import RATIONALE_MAX_LENGTH, require_length


class NominationStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"


class NominationDecision(enum.StrEnum):
    APPROVE = "approve"
    DENY = "deny"

    @classmethod
    def parse(cls, raw: str) -> NominationDecision:
        try:
            return cls(raw.strip().lower())
        except ValueError:
            raise validation_error(
                "Unknown decision; use approve or deny",
                reason="unknown_decision",
                field="decision",
                value=raw,
            ) from None


@attrs.frozen
class Nomination:
    id: UUID
    nominee_user_id: UUID
    nominated_by_user_id: UUID
    rationale: str
    status: NominationStatus
    created_at: datetime
    decided_by_user_id: UUID | None = None
    decided_at: datetime | None = None
    decision_rationale: str | None = None


def _clean_rationale(raw: str | None, *, required: bool) -> str | None:
    text = (raw or "").strip()
    if not text:
        if required:
            raise validation_error(
                "Rationale is required", reason="rationale_required", field="rationale"
            )
        return None
    return require_length(text, field="rationale", max_length=RATIONALE_MAX_LENGTH)


def nominate(*, id: UUID, actor: User, nominee: User, rationale: str, now: datetime) -> Nomination:
    """NOM-01: admin+ nominates an active user or contributor."""
    require_at_least_role(actor, Role.ADMIN)
    if not nominee.is_active:
        raise validation_error(
            "Inactive users cannot be nominated", reason="nominee_inactive", field="nominee"
        )
    if nominee.role.rank >= Role.ADMIN.rank:
        raise validation_error(
            "The user is already admin or superuser",
            reason="nominee_already_admin",
            field="nominee",
        )
    text = _clean_rationale(rationale, required=True)
    assert text is not None
    return Nomination(
        id=id,
        nominee_user_id=nominee.id,
        nominated_by_user_id=actor.id,
        rationale=text,
        status=NominationStatus.PENDING,
        created_at=now,
    )


def decide_nomination(
    nomination: Nomination,
    *,
    actor: User,
    decision: NominationDecision,
    rationale: str | None,
    now: datetime,
) -> Nomination:
    """NOM-03–NOM-06: superuser only, pending only; records actor and time."""
    require_at_least_role(actor, Role.SUPERUSER)
    if nomination.status is not NominationStatus.PENDING:
        raise conflict(
            "Nomination has already been decided",
            reason="already_decided",
            nomination_id=str(nomination.id),
        )
    status = (
        NominationStatus.APPROVED
        if decision is NominationDecision.APPROVE
        else NominationStatus.DENIED
    )
    return attrs.evolve(
        nomination,
        status=status,
        decided_by_user_id=None if actor.is_system else actor.id,
        decided_at=now,
        decision_rationale=_clean_rationale(rationale, required=False),
    )
