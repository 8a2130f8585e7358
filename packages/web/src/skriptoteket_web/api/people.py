"""Suggestions (SUG-01–SUG-16), users (ID-10, AMB-16), the caller's API tokens, admin
nominations (NOM-01–NOM-07) and the audit log."""

from __future__ import annotations

from typing import Any

from skriptoteket.domain.audit import AuditAction
from skriptoteket.domain.identity import Role
from skriptoteket.domain.nominations import NominationStatus

from skriptoteket_web.api.dto import from_core
from skriptoteket_web.api.framework import Call, Endpoint, Items, enum_query, int_query, uuid_query
from skriptoteket_web.api.requests import (
    ChangePasswordIn,
    ChangeRoleIn,
    CreateTokenIn,
    CreateUserIn,
    DeactivateUserIn,
    NominationDecisionIn,
    NominationIn,
    ReactivateUserIn,
    SetPasswordIn,
    SuggestionDecisionIn,
    SuggestionIn,
)
from skriptoteket_web.api.responses import (
    AuditEntryOut,
    DecisionResultOut,
    IssuedTokenOut,
    NominationOut,
    SuggestionDecisionOut,
    SuggestionDetailOut,
    SuggestionOut,
    TokenOut,
    UserOut,
    audit_out,
)
from skriptoteket_web.auth import current_session

ADMIN = {"access": "admin, superuser", "min_role": Role.ADMIN}


async def submit_suggestion(call: Call) -> SuggestionOut:
    body: SuggestionIn = call.body
    suggestion = await call.core.submit_suggestion(
        call.actor,
        title=body.title,
        description=body.description,
        professions=body.professions,
        categories=body.categories,
    )
    return from_core(SuggestionOut, suggestion)


async def list_suggestions(call: Call) -> list[SuggestionOut]:
    return [from_core(SuggestionOut, s) for s in await call.core.list_suggestions(call.actor)]


async def get_suggestion(call: Call) -> SuggestionDetailOut:
    found = await call.core.get_suggestion_for_review(
        call.actor, suggestion_id=call.uuid("suggestion_id", "Suggestion")
    )
    return SuggestionDetailOut(
        suggestion=from_core(SuggestionOut, found.suggestion),
        decisions=[from_core(SuggestionDecisionOut, d) for d in found.decisions],
    )


async def decide_suggestion(call: Call) -> DecisionResultOut:
    body: SuggestionDecisionIn = call.body
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
    return DecisionResultOut(
        suggestion=from_core(SuggestionOut, result.suggestion),
        decision=from_core(SuggestionDecisionOut, result.decision),
    )


async def list_users(call: Call) -> list[UserOut]:
    found = await call.core.list_users(
        call.actor, limit=call.query.get("limit", 1000), offset=call.query.get("offset", 0)
    )
    return [from_core(UserOut, u) for u in found]


async def create_user(call: Call) -> UserOut:
    body: CreateUserIn = call.body
    user = await call.core.create_user(
        call.actor, email=body.email, password=body.password, role=body.role
    )
    return from_core(UserOut, user)


async def change_role(call: Call) -> UserOut:
    body: ChangeRoleIn = call.body
    return from_core(
        UserOut, await call.core.change_user_role(call.actor, email=body.email, role=body.role)
    )


async def deactivate(call: Call) -> UserOut:
    body: DeactivateUserIn = call.body
    return from_core(UserOut, await call.core.deactivate_user(call.actor, email=body.email))


async def reactivate(call: Call) -> UserOut:
    body: ReactivateUserIn = call.body
    return from_core(UserOut, await call.core.reactivate_user(call.actor, email=body.email))


async def set_password(call: Call) -> UserOut:
    body: SetPasswordIn = call.body
    user = await call.core.set_user_password(call.actor, email=body.email, password=body.password)
    return from_core(UserOut, user)


async def change_own_password(call: Call) -> UserOut:
    body: ChangePasswordIn = call.body
    session = current_session(call.request)  # None with a bearer token: every session ends
    user = await call.core.change_own_password(
        call.actor,
        current_password=body.current_password,
        new_password=body.new_password,
        keep_session_id=session.session.id if session else None,
    )
    return from_core(UserOut, user)


async def list_tokens(call: Call) -> list[TokenOut]:
    return [from_core(TokenOut, t) for t in await call.core.list_api_tokens(call.actor)]


async def create_token(call: Call) -> IssuedTokenOut:
    body: CreateTokenIn = call.body
    issued = await call.core.create_api_token(
        call.actor, owner_email=call.actor.email, name=body.name
    )
    return from_core(IssuedTokenOut, issued, token=from_core(TokenOut, issued.token))


async def revoke_token(call: Call) -> TokenOut:
    token_id = call.uuid("token_id", "ApiToken")
    return from_core(TokenOut, await call.core.revoke_api_token(call.actor, token_id=token_id))


async def list_nominations(call: Call) -> list[NominationOut]:
    status = call.query.get("status")
    found = await call.core.list_nominations(
        call.actor, status=NominationStatus(status) if status else None
    )
    return [from_core(NominationOut, n) for n in found]


async def nominate(call: Call) -> NominationOut:
    body: NominationIn = call.body
    found = await call.core.nominate_admin(
        call.actor, nominee_email=body.email, rationale=body.rationale
    )
    return from_core(NominationOut, found)


async def decide_nomination(call: Call) -> NominationOut:
    body: NominationDecisionIn = call.body
    found = await call.core.decide_nomination(
        call.actor,
        nomination_id=call.uuid("nomination_id", "Nomination"),
        decision=body.decision,
        rationale=body.rationale,
    )
    return from_core(NominationOut, found)


async def audit(call: Call) -> list[AuditEntryOut]:
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
    return [audit_out(e) for e in found]


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
        body=SuggestionIn,
        status=201,
        response=SuggestionOut,
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
        response=Items(SuggestionOut),
        **ADMIN,
    ),
    _e(
        "GET",
        S,
        "getSuggestion",
        "A suggestion and its decisions (SUG-07)",
        get_suggestion,
        tag="suggestions",
        response=SuggestionDetailOut,
        **ADMIN,
    ),
    _e(
        "POST",
        S + "/decision",
        "decideSuggestion",
        "Accept (creates a draft tool) or deny (SUG-08–SUG-14)",
        decide_suggestion,
        tag="suggestions",
        body=SuggestionDecisionIn,
        response=DecisionResultOut,
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
        response=Items(UserOut),
        **ADMIN,
    ),
    _e(
        "POST",
        "/admin/users",
        "createUser",
        "Create a local account (ID-10)",
        create_user,
        tag="users",
        body=CreateUserIn,
        status=201,
        response=UserOut,
        **ADMIN,
    ),
    _e(
        "POST",
        "/admin/users/role",
        "changeUserRole",
        "Change a user's role (audited)",
        change_role,
        tag="users",
        body=ChangeRoleIn,
        response=UserOut,
        **ADMIN,
    ),
    _e(
        "POST",
        "/admin/users/deactivate",
        "deactivateUser",
        "Deactivate an account",
        deactivate,
        tag="users",
        body=DeactivateUserIn,
        response=UserOut,
        **ADMIN,
    ),
    _e(
        "POST",
        "/admin/users/reactivate",
        "reactivateUser",
        "Reactivate a deactivated account (audited)",
        reactivate,
        tag="users",
        body=ReactivateUserIn,
        response=UserOut,
        **ADMIN,
    ),
    _e(
        "POST",
        "/admin/users/password",
        "setUserPassword",
        "Set a new password for another account; its sessions end (audited)",
        set_password,
        tag="users",
        body=SetPasswordIn,
        response=UserOut,
        description="An admin may do it for users and contributors, a superuser for anyone; "
        "one's own password is changed with POST /api/v1/me/password.",
        **ADMIN,
    ),
    _e(
        "POST",
        "/me/password",
        "changeOwnPassword",
        "Change the caller's password; the caller's other sessions end (audited)",
        change_own_password,
        tag="me",
        body=ChangePasswordIn,
        response=UserOut,
        description="current_password must match (else 400). A cookie session that sends this "
        "stays logged in; with a bearer token every session ends. API tokens stay valid.",
    ),
    _e(
        "GET",
        "/tokens",
        "listTokens",
        "The caller's API tokens",
        list_tokens,
        tag="tokens",
        response=Items(TokenOut),
    ),
    _e(
        "POST",
        "/tokens",
        "createToken",
        "Issue an API token for the caller",
        create_token,
        tag="tokens",
        body=CreateTokenIn,
        status=201,
        response=IssuedTokenOut,
    ),
    _e(
        "POST",
        "/tokens/{token_id}/revoke",
        "revokeToken",
        "Revoke one of the caller's tokens",
        revoke_token,
        tag="tokens",
        response=TokenOut,
    ),
    _e(
        "GET",
        "/admin/nominations",
        "listNominations",
        "Admin nominations (NOM-02)",
        list_nominations,
        tag="nominations",
        query=(enum_query("status", [s.value for s in NominationStatus]),),
        response=Items(NominationOut),
        **ADMIN,
    ),
    _e(
        "POST",
        "/admin/nominations",
        "nominateAdmin",
        "Nominate a user for admin (NOM-01)",
        nominate,
        tag="nominations",
        body=NominationIn,
        status=201,
        response=NominationOut,
        **ADMIN,
    ),
    _e(
        "POST",
        "/admin/nominations/{nomination_id}/decision",
        "decideNomination",
        "Approve or deny a nomination (NOM-03–NOM-05)",
        decide_nomination,
        tag="nominations",
        body=NominationDecisionIn,
        response=NominationOut,
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
        response=Items(AuditEntryOut),
        **ADMIN,
    ),
)
