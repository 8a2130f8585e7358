"""Suggestions (SUG-01–SUG-16), users (ID-10, AMB-16), the caller's API tokens, admin
nominations (NOM-01–NOM-07) and the audit log."""

from __future__ import annotations

from typing import Any

from skriptoteket.domain.audit import AuditAction
from skriptoteket.domain.identity import Role
from skriptoteket.domain.nominations import NominationStatus

from skriptoteket_web.api import models as m
from skriptoteket_web.api.framework import Call, Endpoint, Items, enum_query, int_query, uuid_query

ADMIN = {"access": "admin, superuser", "min_role": Role.ADMIN}


async def submit_suggestion(call: Call) -> m.SuggestionOut:
    body: m.SuggestionIn = call.body
    suggestion = await call.core.submit_suggestion(
        call.actor,
        title=body.title,
        description=body.description,
        professions=body.professions,
        categories=body.categories,
    )
    return m.suggestion_out(suggestion)


async def list_suggestions(call: Call) -> list[m.SuggestionOut]:
    return [m.suggestion_out(s) for s in await call.core.list_suggestions(call.actor)]


async def get_suggestion(call: Call) -> m.SuggestionDetailOut:
    found = await call.core.get_suggestion_for_review(
        call.actor, suggestion_id=call.uuid("suggestion_id", "Suggestion")
    )
    return m.SuggestionDetailOut(
        suggestion=m.suggestion_out(found.suggestion),
        decisions=[m.decision_out(d) for d in found.decisions],
    )


async def decide_suggestion(call: Call) -> m.DecisionResultOut:
    body: m.SuggestionDecisionIn = call.body
    result = await call.core.decide_suggestion(
        call.actor,
        suggestion_id=call.uuid("suggestion_id", "Suggestion"),
        decision=body.decision,
        rationale=body.rationale,
        title=body.title,
        description=body.description,
        professions=body.professions,
        categories=body.categories,
    )
    return m.DecisionResultOut(
        suggestion=m.suggestion_out(result.suggestion), decision=m.decision_out(result.decision)
    )


async def list_users(call: Call) -> list[m.UserOut]:
    found = await call.core.list_users(
        call.actor, limit=call.query.get("limit", 1000), offset=call.query.get("offset", 0)
    )
    return [m.user_out(u) for u in found]


async def create_user(call: Call) -> m.UserOut:
    body: m.CreateUserIn = call.body
    user = await call.core.create_user(
        call.actor, email=body.email, password=body.password, role=body.role
    )
    return m.user_out(user)


async def change_role(call: Call) -> m.UserOut:
    body: m.ChangeRoleIn = call.body
    return m.user_out(
        await call.core.change_user_role(call.actor, email=body.email, role=body.role)
    )


async def deactivate(call: Call) -> m.UserOut:
    body: m.DeactivateUserIn = call.body
    return m.user_out(await call.core.deactivate_user(call.actor, email=body.email))


async def list_tokens(call: Call) -> list[m.TokenOut]:
    return [m.token_out(t) for t in await call.core.list_api_tokens(call.actor)]


async def create_token(call: Call) -> m.IssuedTokenOut:
    body: m.CreateTokenIn = call.body
    issued = await call.core.create_api_token(
        call.actor, owner_email=call.actor.email, name=body.name
    )
    return m.issued_token_out(issued)


async def revoke_token(call: Call) -> m.TokenOut:
    token_id = call.uuid("token_id", "ApiToken")
    return m.token_out(await call.core.revoke_api_token(call.actor, token_id=token_id))


async def list_nominations(call: Call) -> list[m.NominationOut]:
    status = call.query.get("status")
    found = await call.core.list_nominations(
        call.actor, status=NominationStatus(status) if status else None
    )
    return [m.nomination_out(n) for n in found]


async def nominate(call: Call) -> m.NominationOut:
    body: m.NominationIn = call.body
    found = await call.core.nominate_admin(
        call.actor, nominee_email=body.email, rationale=body.rationale
    )
    return m.nomination_out(found)


async def decide_nomination(call: Call) -> m.NominationOut:
    body: m.NominationDecisionIn = call.body
    found = await call.core.decide_nomination(
        call.actor,
        nomination_id=call.uuid("nomination_id", "Nomination"),
        decision=body.decision,
        rationale=body.rationale,
    )
    return m.nomination_out(found)


async def audit(call: Call) -> list[m.AuditEntryOut]:
    q = call.query
    action = q.get("action")
    found = await call.core.list_audit_log(
        call.actor,
        action=AuditAction(action) if action else None,
        actor_user_id=q.get("actor_user_id"),
        subject_id=q.get("subject_id"),
        limit=q.get("limit", 100),
        offset=q.get("offset", 0),
    )
    return [m.audit_out(e) for e in found]


def _e(method: str, path: str, op: str, summary: str, handler: Any, **kw: Any) -> Endpoint:
    return Endpoint(method, path, op, summary, handler, **kw)


S = "/admin/suggestions/{suggestion_id}"
PAGE = (
    int_query("limit", minimum=1, maximum=1000),
    int_query("offset", minimum=0, maximum=1_000_000),
)

ENDPOINTS = (
    _e(
        "POST",
        "/suggestions",
        "submitSuggestion",
        "Suggest a tool (SUG-01–SUG-04)",
        submit_suggestion,
        tag="suggestions",
        body=m.SuggestionIn,
        status=201,
        response=m.SuggestionOut,
        access="contributor, admin, superuser",
        min_role=Role.CONTRIBUTOR,
    ),
    _e(
        "GET",
        "/admin/suggestions",
        "listSuggestions",
        "The review queue (SUG-06)",
        list_suggestions,
        tag="suggestions",
        response=Items(m.SuggestionOut),
        **ADMIN,
    ),
    _e(
        "GET",
        S,
        "getSuggestion",
        "A suggestion and its decisions (SUG-07)",
        get_suggestion,
        tag="suggestions",
        response=m.SuggestionDetailOut,
        **ADMIN,
    ),
    _e(
        "POST",
        S + "/decision",
        "decideSuggestion",
        "Accept (creates a draft tool) or deny (SUG-08–SUG-14)",
        decide_suggestion,
        tag="suggestions",
        body=m.SuggestionDecisionIn,
        response=m.DecisionResultOut,
        **ADMIN,
    ),
    _e(
        "GET",
        "/admin/users",
        "listUsers",
        "Every account",
        list_users,
        tag="users",
        query=PAGE,
        response=Items(m.UserOut),
        **ADMIN,
    ),
    _e(
        "POST",
        "/admin/users",
        "createUser",
        "Create a local account (ID-10)",
        create_user,
        tag="users",
        body=m.CreateUserIn,
        status=201,
        response=m.UserOut,
        **ADMIN,
    ),
    _e(
        "POST",
        "/admin/users/role",
        "changeUserRole",
        "Change a user's role (audited)",
        change_role,
        tag="users",
        body=m.ChangeRoleIn,
        response=m.UserOut,
        **ADMIN,
    ),
    _e(
        "POST",
        "/admin/users/deactivate",
        "deactivateUser",
        "Deactivate an account",
        deactivate,
        tag="users",
        body=m.DeactivateUserIn,
        response=m.UserOut,
        **ADMIN,
    ),
    _e(
        "GET",
        "/tokens",
        "listTokens",
        "The caller's API tokens",
        list_tokens,
        tag="tokens",
        response=Items(m.TokenOut),
    ),
    _e(
        "POST",
        "/tokens",
        "createToken",
        "Issue an API token for the caller",
        create_token,
        tag="tokens",
        body=m.CreateTokenIn,
        status=201,
        response=m.IssuedTokenOut,
    ),
    _e(
        "POST",
        "/tokens/{token_id}/revoke",
        "revokeToken",
        "Revoke one of the caller's tokens",
        revoke_token,
        tag="tokens",
        response=m.TokenOut,
    ),
    _e(
        "GET",
        "/admin/nominations",
        "listNominations",
        "Admin nominations (NOM-02)",
        list_nominations,
        tag="nominations",
        query=(enum_query("status", [s.value for s in NominationStatus]),),
        response=Items(m.NominationOut),
        **ADMIN,
    ),
    _e(
        "POST",
        "/admin/nominations",
        "nominateAdmin",
        "Nominate a user for admin (NOM-01)",
        nominate,
        tag="nominations",
        body=m.NominationIn,
        status=201,
        response=m.NominationOut,
        **ADMIN,
    ),
    _e(
        "POST",
        "/admin/nominations/{nomination_id}/decision",
        "decideNomination",
        "Approve or deny a nomination (NOM-03–NOM-05)",
        decide_nomination,
        tag="nominations",
        body=m.NominationDecisionIn,
        response=m.NominationOut,
        access="superuser",
        min_role=Role.SUPERUSER,
    ),
    _e(
        "GET",
        "/admin/audit",
        "listAuditLog",
        "The audit log, newest first",
        audit,
        tag="audit",
        query=(
            enum_query("action", [a.value for a in AuditAction]),
            uuid_query("actor_user_id"),
            uuid_query("subject_id"),
            *PAGE,
        ),
        response=Items(m.AuditEntryOut),
        **ADMIN,
    ),
)
