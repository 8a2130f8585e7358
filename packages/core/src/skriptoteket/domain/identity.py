"""Users, roles, sessions and API tokens, and who may manage whom (ID-01–ID-21)."""

from __future__ import annotations

import enum
import re
from datetime import datetime
from uuid import UUID

import attrs

from skriptoteket.domain.errors import DomainError, ErrorCode, forbidden, validation_error
from skriptoteket.domain.text_limits import text_too_long

EMAIL_MAX_LENGTH = 255
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 1024
TOKEN_NAME_MAX_LENGTH = 100
SYSTEM_ACTOR_ID = UUID(int=0)
# The languages the user interface is written in; Swedish is the product's language (UI-01).
UI_LANGUAGES: tuple[str, ...] = ("sv", "en")

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_COMMON_PASSWORDS = frozenset(
    {
        "password",
        "password1",
        "12345678",
        "123456789",
        "1234567890",
        "qwertyui",
        "qwerty123",
        "iloveyou",
        "abcdefgh",
        "losenord",
        "lösenord",
        "skriptoteket",
        "sommar2024",
        "sommar2025",
    }
)


class Role(enum.StrEnum):
    """ID-01: exactly four roles, ranked user < contributor < admin < superuser."""

    USER = "user"
    CONTRIBUTOR = "contributor"
    ADMIN = "admin"
    SUPERUSER = "superuser"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    @classmethod
    def parse(cls, raw: str) -> Role:
        try:
            return cls(raw.strip().lower())
        except ValueError:
            allowed = ", ".join(r.value for r in cls)
            raise validation_error(
                f"Unknown role {raw!r}; use one of: {allowed}", role=raw
            ) from None


_RANKS = {Role.USER: 0, Role.CONTRIBUTOR: 1, Role.ADMIN: 2, Role.SUPERUSER: 3}


class AuthProvider(enum.StrEnum):
    LOCAL = "local"
    HULEEDU = "huleedu"


@attrs.frozen
class User:
    id: UUID
    email: str
    role: Role
    auth_provider: AuthProvider
    external_id: str | None
    password_hash: str | None
    is_active: bool
    created_at: datetime
    updated_at: datetime
    # The UI language the person chose (one of UI_LANGUAGES); None: the school's default.
    preferred_language: str | None = None

    @property
    def is_system(self) -> bool:
        return self.id == SYSTEM_ACTOR_ID


def system_actor(now: datetime, label: str = "system") -> User:
    """The operator at the machine (CLI without ``--actor``): superuser powers, no account row.

    Audit rows record it with no user id and ``label`` as the actor's name.
    """
    return User(
        id=SYSTEM_ACTOR_ID,
        email=label,
        role=Role.SUPERUSER,
        auth_provider=AuthProvider.LOCAL,
        external_id=None,
        password_hash=None,
        is_active=True,
        created_at=now,
        updated_at=now,
    )


def normalize_email(raw: str) -> str:
    """ID-07: strip and lower-case; reject what cannot be an address."""
    email = raw.strip().lower()
    if not email:
        raise validation_error("Email is required", field="email")
    if len(email) > EMAIL_MAX_LENGTH:
        raise text_too_long("email", EMAIL_MAX_LENGTH)
    if not _EMAIL_RE.match(email):
        raise validation_error(f"Not a valid email address: {email!r}", field="email")
    return email


def validate_password(password: str, *, email: str) -> None:
    """Reject empty, short, very common or email-equal passwords."""
    if not password or not password.strip():
        raise validation_error("Password is required", field="password")
    if len(password) < PASSWORD_MIN_LENGTH:
        raise validation_error(
            f"Password must be at least {PASSWORD_MIN_LENGTH} characters",
            reason="password_too_short",
            field="password",
            min_length=PASSWORD_MIN_LENGTH,
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        raise text_too_long("password", PASSWORD_MAX_LENGTH, message="Password is too long")
    lowered = password.lower()
    if lowered in _COMMON_PASSWORDS or lowered == email or lowered == email.split("@")[0]:
        raise validation_error(
            "Password is too easy to guess", reason="password_too_easy", field="password"
        )
    if len(set(password)) < 4:
        raise validation_error(
            "Password is too easy to guess", reason="password_too_easy", field="password"
        )


def new_local_user(*, id: UUID, email: str, role: Role, password_hash: str, now: datetime) -> User:
    """ID-11: local users start active with no external id."""
    return User(
        id=id,
        email=email,
        role=role,
        auth_provider=AuthProvider.LOCAL,
        external_id=None,
        password_hash=password_hash,
        is_active=True,
        created_at=now,
        updated_at=now,
    )


# --- role guards (ID-02) ---


def has_at_least_role(user: User, role: Role) -> bool:
    return user.is_active and user.role.rank >= role.rank


def has_any_role(user: User, roles: set[Role] | frozenset[Role]) -> bool:
    return user.is_active and user.role in roles


def require_at_least_role(user: User, role: Role) -> None:
    if not has_at_least_role(user, role):
        raise forbidden(required=role.value, actual=user.role.value)


def require_real_user(actor: User) -> None:
    """Actions that store the actor as an owner need an account, not the system operator."""
    if actor.is_system:
        raise validation_error(
            "This action needs a real user account as actor (pass --actor EMAIL)", field="actor"
        )


def validate_language(language: str) -> str:
    """One of ``UI_LANGUAGES``, else VALIDATION_ERROR (reason ``language_unsupported``)."""
    if language not in UI_LANGUAGES:
        raise validation_error(
            f"Unknown language {language!r}; use one of: {', '.join(UI_LANGUAGES)}",
            reason="language_unsupported",
            language=language,
            supported=list(UI_LANGUAGES),
        )
    return language


# --- provisioning and user management policies ---


def can_provision_local_user(actor: User, target_role: Role) -> bool:
    """ID-10: superuser may create any role; admin only user or contributor."""
    if has_at_least_role(actor, Role.SUPERUSER):
        return True
    if has_at_least_role(actor, Role.ADMIN):
        return target_role in (Role.USER, Role.CONTRIBUTOR)
    return False


def can_manage_user(actor: User, target: User) -> bool:
    """Admins manage users and contributors; superusers manage everyone (NOM-07, AMB-16)."""
    if has_at_least_role(actor, Role.SUPERUSER):
        return True
    if has_at_least_role(actor, Role.ADMIN):
        return target.role in (Role.USER, Role.CONTRIBUTOR)
    return False


def require_can_change_role(actor: User, target: User, new_role: Role) -> None:
    if not (can_manage_user(actor, target) and can_provision_local_user(actor, new_role)):
        raise forbidden(
            "Insufficient permissions to change that user's role",
            actor_role=actor.role.value,
            target_role=target.role.value,
            new_role=new_role.value,
        )


def require_can_deactivate(actor: User, target: User) -> None:
    if actor.id == target.id:
        raise validation_error(
            "You cannot deactivate your own account", reason="deactivate_self", field="email"
        )
    if not can_manage_user(actor, target):
        raise forbidden("Insufficient permissions to deactivate that user")


def require_can_reactivate(actor: User, target: User) -> None:
    if not can_manage_user(actor, target):
        raise forbidden("Insufficient permissions to reactivate that user")


def require_can_set_password(actor: User, target: User) -> None:
    """An admin sets a new password for users and contributors, a superuser (or the operator)
    for anyone (the rule of ``can_manage_user``). One's own password is changed with the
    current one instead (``ChangeOwnPassword``)."""
    if actor.id == target.id:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            "Change your own password with your current password",
            {"field": "email"},
            reason="set_own_password",
        )
    if not can_manage_user(actor, target):
        raise forbidden("Insufficient permissions to set that user's password")


def require_local_password(user: User) -> None:
    """Only local accounts have a password here (ID-04: SSO accounts log in elsewhere)."""
    if user.auth_provider is not AuthProvider.LOCAL:
        raise DomainError(
            ErrorCode.CONFLICT,
            "The account does not log in with a password here",
            {"email": user.email, "auth_provider": user.auth_provider.value},
            reason="not_a_local_account",
        )


def with_password_hash(user: User, password_hash: str, now: datetime) -> User:
    return attrs.evolve(user, password_hash=password_hash, updated_at=now)


def reactivated(user: User, now: datetime) -> User:
    return attrs.evolve(user, is_active=True, updated_at=now)


def with_role(user: User, role: Role, now: datetime) -> User:
    return attrs.evolve(user, role=role, updated_at=now)


def deactivated(user: User, now: datetime) -> User:
    return attrs.evolve(user, is_active=False, updated_at=now)


# --- sessions (ID-14–ID-19) ---


@attrs.frozen
class Session:
    id: UUID
    user_id: UUID
    csrf_token: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    def is_valid_at(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


def require_login_allowed(user: User | None, password_ok: bool) -> User:
    """ID-12: one error, no enumeration, for every way a login can fail."""
    if (
        user is None
        or not user.is_active
        or user.auth_provider is not AuthProvider.LOCAL
        or user.password_hash is None
        or not password_ok
    ):
        raise DomainError(ErrorCode.INVALID_CREDENTIALS, "Invalid credentials")
    return user


# --- personal API tokens ---


@attrs.frozen
class ApiToken:
    """A personal API token. Only a SHA-256 of the secret is stored; ``prefix`` identifies it."""

    id: UUID
    user_id: UUID
    name: str
    token_hash: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


def normalize_token_name(raw: str | None) -> str:
    name = (raw or "").strip() or "cli"
    if len(name) > TOKEN_NAME_MAX_LENGTH:
        raise text_too_long(
            "name", TOKEN_NAME_MAX_LENGTH, message="Token name must be 100 characters or less"
        )
    return name


def require_can_manage_tokens_of(actor: User, owner: User) -> None:
    """People manage their own tokens; a superuser (or the operator) may issue one for anyone."""
    if actor.id != owner.id and not has_at_least_role(actor, Role.SUPERUSER):
        raise forbidden("You can only manage your own API tokens")
