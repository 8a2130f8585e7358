"""User-visible labels (UI-03) and the mapping of domain errors to messages (UI-05, ERR-02,
ERR-05). Every string here is an English message id; the catalogs translate it (Swedish by
default). ``N_`` only marks a string for extraction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from skriptoteket.domain.errors import DomainError, ErrorCode


def N_(message: str) -> str:
    return message


STATUS_BY_CODE: Mapping[ErrorCode, int] = {
    ErrorCode.VALIDATION_ERROR: 400,
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.INVALID_CREDENTIALS: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.USER_NOT_FOUND: 404,
    ErrorCode.SESSION_NOT_FOUND: 404,
    ErrorCode.CONFLICT: 409,
    ErrorCode.DUPLICATE_ENTRY: 409,
    ErrorCode.SERVICE_UNAVAILABLE: 503,
}


def http_status(error: DomainError) -> int:
    """ERR-02: anything unlisted (INTERNAL_ERROR, DATABASE_ERROR, …) is 500."""
    return STATUS_BY_CODE.get(error.code, 500)


ROLE_LABELS: Mapping[str, str] = {
    "user": N_("User"),
    "contributor": N_("Contributor"),
    "admin": N_("Administrator"),
    "superuser": N_("Superuser"),
}

VERSION_STATE_LABELS: Mapping[str, str] = {
    "draft": N_("Draft"),
    "in_review": N_("In review"),
    "active": N_("Published"),
    "archived": N_("Archived"),
}

RUN_STATUS_LABELS: Mapping[str, str] = {
    "queued": N_("Queued"),
    "running": N_("Running"),
    "succeeded": N_("Succeeded"),
    "failed": N_("Failed"),
    "timed_out": N_("Timed out"),
    "cancelled": N_("Cancelled"),
}

RUN_CONTEXT_LABELS: Mapping[str, str] = {
    "sandbox": N_("Test mode"),
    "production": N_("Production"),
}

SUGGESTION_STATUS_LABELS: Mapping[str, str] = {
    "pending_review": N_("Awaiting review"),
    "accepted": N_("Accepted"),
    "denied": N_("Denied"),
}

NOMINATION_STATUS_LABELS: Mapping[str, str] = {
    "pending": N_("Pending"),
    "approved": N_("Approved"),
    "denied": N_("Not approved"),
}

AUDIT_ACTION_LABELS: Mapping[str, str] = {
    "user.created": N_("User created"),
    "user.role_changed": N_("Role changed"),
    "user.deactivated": N_("User deactivated"),
    "user.reactivated": N_("User reactivated"),
    "user.password_changed": N_("Password changed"),
    "user.password_set": N_("Password set by an administrator"),
    "token.created": N_("API token created"),
    "token.revoked": N_("API token revoked"),
    "nomination.created": N_("Admin nomination created"),
    "nomination.approved": N_("Admin nomination approved"),
    "nomination.denied": N_("Admin nomination denied"),
    "suggestion.submitted": N_("Suggestion submitted"),
    "suggestion.accepted": N_("Suggestion accepted"),
    "suggestion.denied": N_("Suggestion denied"),
    "tool.created": N_("Tool created"),
    "tool.metadata_updated": N_("Tool metadata updated"),
    "tool.slug_changed": N_("Tool address changed"),
    "tool.tags_updated": N_("Tool tags updated"),
    "tool.published": N_("Tool published"),
    "tool.depublished": N_("Tool unpublished"),
    "maintainer.assigned": N_("Maintainer added"),
    "maintainer.removed": N_("Maintainer removed"),
    "version.created": N_("Version created"),
    "version.saved": N_("Draft saved"),
    "version.submitted": N_("Sent for review"),
    "version.published": N_("Version published"),
    "version.changes_requested": N_("Changes requested"),
    "version.rolled_back": N_("Version restored"),
}

# Domain errors with a dedicated text, by their stable reason (DomainError.reason), per UI-05
# and the page texts. Never matched on the English message.
_BY_REASON: Mapping[str, str] = {
    "title_required": N_("Title is required."),
    "text_too_long": N_("%(field)s is too long: at most %(max_length)s characters."),
    "request_too_large": N_("The request is too large: at most %(megabytes)s MB can be sent."),
    "invalid_form": N_("Invalid input."),
    "description_required": N_("Description is required."),
    "profession_required": N_("Choose at least one profession."),
    "category_required": N_("Choose at least one category."),
    "duplicate_profession": N_("Choose each profession only once."),
    "duplicate_category": N_("Choose each category only once."),
    "unknown_profession": N_("Unknown profession."),
    "unknown_category": N_("Unknown category."),
    "rationale_required": N_("A rationale is required."),
    "unknown_decision": N_("Unknown decision."),
    "already_reviewed": N_("The suggestion has already been reviewed."),
    "already_decided": N_("The nomination has already been decided."),
    "csrf": N_("The page has expired. Reload it and try again."),
    "password_too_short": N_("The password must be at least 8 characters."),
    "password_too_easy": N_("The password is too easy to guess."),
    "current_password_wrong": N_("The current password is wrong."),
    "password_unchanged": N_("The new password must differ from the current one."),
    "passwords_differ": N_("The two new passwords are not the same."),
    "set_own_password": N_("Change your own password on your profile page."),
    "not_a_local_account": N_("The account does not log in with a password here."),
    "password_changed_meanwhile": N_("The password was changed meanwhile. Try again."),
    "deactivate_self": N_("You cannot deactivate your own account."),
    "last_superuser": N_("The last active superuser cannot be removed."),
    "nominee_already_admin": N_("The user is already an administrator."),
    "nominee_inactive": N_("Deactivated users cannot be nominated."),
    "no_active_version": N_("The tool has no active version and cannot be published."),
    "placeholder_slug": N_(
        "The tool still has a temporary address (draft-…). Give it an address of its own under"
        " Metadata in the script editor and save before it is shown in the catalog."
    ),
    "language_unsupported": N_("Unknown language."),
}

_NOT_FOUND_BY_ENTITY: Mapping[str, str] = {
    "Tool": N_("The tool was not found."),
    "ToolVersion": N_("The version was not found."),
    "ToolRun": N_("The run was not found."),
    "Artifact": N_("The file was not found."),
    "ArtifactFile": N_("The file was not found."),
    "Suggestion": N_("The suggestion was not found."),
    "Nomination": N_("The nomination was not found."),
    "ApiToken": N_("The API token was not found."),
}


def _validation_message(error: DomainError) -> str:
    field = error.details.get("field")
    if "expected_parent_version_id" in error.details:
        return N_("The version no longer matches. Reload and try again.")
    if field == "email":
        return N_("Enter a valid email address.")
    if field == "password":
        return N_("Enter a valid password.")
    if field == "role":
        return N_("Unknown role.")
    return N_("Invalid input.")


# The field a text_too_long error names, as the forms label it.
FIELD_LABELS: Mapping[str, str] = {
    "title": N_("Title"),
    "description": N_("Description"),
    "summary": N_("Summary"),
    "rationale": N_("Rationale"),
    "change_summary": N_("Change summary"),
    "review_note": N_("Note to reviewer"),
    "message": N_("Message to the author"),
    "reason": N_("Reason"),
    "query": N_("Search"),
    "source_code": N_("Source code"),
    "name": N_("Name"),
    "email": N_("Email"),
    "password": N_("Password"),
    "slug": N_("Address (slug)"),
    "entrypoint": N_("Entry point"),
    "professions": N_("Professions"),
    "categories": N_("Categories"),
}


class _Gettext(Protocol):
    def gettext(self, message: str, **values: object) -> str: ...


def ui_error_values(error: DomainError, t: _Gettext) -> dict[str, object]:
    """The values the message of ``ui_error_message`` needs (translated field labels)."""
    if error.reason == "text_too_long":
        field = str(error.details.get("field", ""))
        return {
            "field": t.gettext(FIELD_LABELS[field]) if field in FIELD_LABELS else field,
            "max_length": error.details.get("max_length", ""),
        }
    if error.reason == "request_too_large":
        limit = error.details.get("max_bytes", 0)
        return {"megabytes": max(1, round(limit / (1024 * 1024))) if isinstance(limit, int) else 1}
    return {}


def ui_error_text(error: DomainError, t: _Gettext) -> str:
    """UI-05: the translated text to show for a domain error."""
    return t.gettext(ui_error_message(error), **ui_error_values(error, t))


def ui_error_message(error: DomainError) -> str:
    """UI-05: the message id to show for a domain error (never the English domain text)."""
    if error.reason is not None and error.reason in _BY_REASON:
        return _BY_REASON[error.reason]
    code = error.code
    if code is ErrorCode.FORBIDDEN:
        return N_("You do not have permission to do this.")
    if code is ErrorCode.NOT_FOUND:
        return _NOT_FOUND_BY_ENTITY.get(str(error.details.get("entity")), N_("Not found."))
    if code is ErrorCode.USER_NOT_FOUND:
        return N_("No user with that email address.")
    if code is ErrorCode.CONFLICT:
        if "current_head_version_id" in error.details:
            return N_("The draft has changed since you opened the page. Reload and try again.")
        return N_("The action cannot be performed right now (conflict).")
    if code is ErrorCode.DUPLICATE_ENTRY:
        if "email" in error.details:
            return N_("There is already an account with that email address.")
        return N_("It already exists.")
    if code is ErrorCode.VALIDATION_ERROR:
        return _validation_message(error)
    if code in (ErrorCode.UNAUTHORIZED, ErrorCode.INVALID_CREDENTIALS):
        return N_("You need to log in.")
    if code is ErrorCode.SERVICE_UNAVAILABLE:
        return N_("The service is temporarily unavailable. Try again.")
    return N_("An unexpected error occurred.")


def label(labels: Mapping[str, str], key: str) -> str:
    """UI-03: unknown keys fall through unchanged."""
    return labels.get(key, key)
