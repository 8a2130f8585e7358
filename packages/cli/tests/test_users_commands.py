"""CLI users commands: ID-10, ID-22, AMB-16, AMB-17, ID-21 (audit of every change)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from skriptoteket.builtin.system import Argon2PasswordHasher
from skriptoteket.domain.audit import AuditAction
from skriptoteket.domain.identity import Role
from skriptoteket.domain.identity import User as DomainUser

from .conftest import CliResult, SharedMemoryPlugin

PASSWORD = "Kanelbulle-42"
Cli = Callable[..., CliResult]


def users_in(plugin: SharedMemoryPlugin) -> dict[str, DomainUser]:
    return {u.email: u for u in plugin.store.state.users.values()}


def test_bootstrap_superuser_creates_and_audits_ID_22(
    cli: Cli, store_plugin: SharedMemoryPlugin
) -> None:
    result = cli("bootstrap-superuser", "--email", " Rektor@Skolan.SE ", "--password", PASSWORD)
    assert result.exit_code == 0, result.err
    assert result.out.startswith("Created superuser: rektor@skolan.se (")
    user = users_in(store_plugin)["rektor@skolan.se"]
    assert user.role is Role.SUPERUSER
    (entry,) = store_plugin.store.state.audit
    assert entry.action is AuditAction.USER_CREATED
    assert entry.actor_user_id is None
    assert entry.actor_label == "bootstrap"


def test_bootstrap_refuses_second_superuser_unless_forced_AMB_17(cli: Cli) -> None:
    assert (
        cli("bootstrap-superuser", "--email", "a@skolan.se", "--password", PASSWORD).exit_code == 0
    )
    refused = cli("bootstrap-superuser", "--email", "b@skolan.se", "--password", PASSWORD)
    assert refused.exit_code == 1
    assert refused.err == "Error: A superuser already exists; use --force to add another\n"
    forced = cli("bootstrap-superuser", "--email", "b@skolan.se", "--password", PASSWORD, "--force")
    assert forced.exit_code == 0, forced.err


def test_users_add_list_set_role_deactivate_are_audited_ID_21(
    cli: Cli, store_plugin: SharedMemoryPlugin
) -> None:
    assert cli("users", "add", "--email", "larare@skolan.se", "--password", PASSWORD).exit_code == 0
    listed = cli("users", "list")
    assert "larare@skolan.se" in listed.out
    assert "user" in listed.out
    changed = cli("users", "set-role", "larare@skolan.se", "contributor")
    assert changed.out == "larare@skolan.se now has role contributor\n"
    assert cli("users", "deactivate", "larare@skolan.se").exit_code == 0
    user = users_in(store_plugin)["larare@skolan.se"]
    assert user.role is Role.CONTRIBUTOR
    assert not user.is_active
    actions = [e.action for e in store_plugin.store.state.audit]
    assert actions == [
        AuditAction.USER_CREATED,
        AuditAction.USER_ROLE_CHANGED,
        AuditAction.USER_DEACTIVATED,
    ]
    assert all(e.actor_label.startswith("cli:") for e in store_plugin.store.state.audit)
    role_change = store_plugin.store.state.audit[1]
    assert dict(role_change.details) == {
        "email": "larare@skolan.se",
        "from_role": "user",
        "to_role": "contributor",
    }


def test_actor_option_applies_the_actors_role_ID_10(
    cli: Cli, store_plugin: SharedMemoryPlugin
) -> None:
    cli("users", "add", "--email", "admin@skolan.se", "--password", PASSWORD, "--role", "admin")
    ok = cli(
        "users",
        "add",
        "--email",
        "bidrag@skolan.se",
        "--password",
        PASSWORD,
        "--role",
        "contributor",
        "--actor",
        "admin@skolan.se",
    )
    assert ok.exit_code == 0, ok.err
    denied = cli(
        "users",
        "add",
        "--email",
        "ny-admin@skolan.se",
        "--password",
        PASSWORD,
        "--role",
        "admin",
        "--actor",
        "admin@skolan.se",
    )
    assert denied.exit_code == 1
    assert denied.err == "Error: Insufficient permissions to provision that user\n"
    admin = users_in(store_plugin)["admin@skolan.se"]
    created = store_plugin.store.state.audit[-1]
    assert created.actor_user_id == admin.id
    assert created.details["email"] == "bidrag@skolan.se"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("users", "add", "--email", "x@skolan.se", "--password", PASSWORD, "--role", "boss"),
            "Error: Unknown role 'boss'; use one of: user, contributor, admin, superuser\n",
        ),
        (
            ("users", "add", "--email", "x@skolan.se", "--password", "kort"),
            "Error: Password must be at least 8 characters\n",
        ),
        (
            ("users", "add", "--email", "x@skolan.se", "--password", "   "),
            "Error: Password is required\n",
        ),
        (
            ("users", "add", "--email", "inte-en-adress", "--password", PASSWORD),
            "Error: Not a valid email address: 'inte-en-adress'\n",
        ),
        (
            ("users", "set-role", "okand@skolan.se", "admin"),
            "Error: No user with email 'okand@skolan.se'\n",
        ),
        (
            ("users", "deactivate", "okand@skolan.se"),
            "Error: No user with email 'okand@skolan.se'\n",
        ),
        (("users", "token", "okand@skolan.se"), "Error: No user with email 'okand@skolan.se'\n"),
        (
            ("users", "list", "--actor", "okand@skolan.se"),
            "Error: No user with email 'okand@skolan.se'\n",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_1(cli: Cli, args: tuple[str, ...], message: str) -> None:
    result = cli(*args)
    assert result.exit_code == 1
    assert result.err == message
    assert "Traceback" not in result.out + result.err


def test_duplicate_user_is_refused_ID_08(cli: Cli) -> None:
    cli("users", "add", "--email", "dup@skolan.se", "--password", PASSWORD)
    again = cli("users", "add", "--email", "DUP@skolan.se", "--password", PASSWORD)
    assert again.exit_code == 1
    assert again.err == "Error: Email already exists\n"


def test_usage_errors_are_one_line_exit_1(cli: Cli) -> None:
    result = cli("users", "add", "--password", PASSWORD)
    assert result.exit_code == 1
    assert result.err.count("\n") == 1
    assert "Missing option '--email'" in result.err


def test_token_is_alone_on_the_last_line(cli: Cli, store_plugin: SharedMemoryPlugin) -> None:
    cli("users", "add", "--email", "api@skolan.se", "--password", PASSWORD)
    result = cli("users", "token", "api@skolan.se", "--name", "import-skript")
    assert result.exit_code == 0, result.err
    secret = result.out.splitlines()[-1]
    assert secret.startswith("skt_")
    assert len(secret) > 40
    (token,) = store_plugin.store.state.tokens.values()
    assert token.name == "import-skript"
    assert secret not in token.token_hash
    assert store_plugin.store.state.audit[-1].action is AuditAction.TOKEN_CREATED


def test_last_superuser_cannot_be_demoted(cli: Cli) -> None:
    cli("bootstrap-superuser", "--email", "su@skolan.se", "--password", PASSWORD)
    result = cli("users", "set-role", "su@skolan.se", "admin")
    assert result.exit_code == 1
    assert result.err == "Error: Cannot remove the last active superuser\n"


def test_set_password_prompts_twice_hidden_and_is_audited(
    cli: Cli, store_plugin: SharedMemoryPlugin, monkeypatch: pytest.MonkeyPatch
) -> None:
    """issue 9 item 8: `users set-password EMAIL` prompts (hidden, with confirmation)."""
    assert cli("users", "add", "--email", "larare@skolan.se", "--password", PASSWORD).exit_code == 0
    prompts: list[str] = []
    answers = iter(["Blåbärspaj-2027", "Blåbärspaj-2027"])

    def hidden(prompt: str) -> str:
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr("click.termui.hidden_prompt_func", hidden)
    done = cli("users", "set-password", "larare@skolan.se")
    assert done.exit_code == 0, done.err
    assert done.out.endswith("New password set for larare@skolan.se; their sessions have ended\n")
    assert prompts == ["New password: ", "Repeat for confirmation: "]
    user = users_in(store_plugin)["larare@skolan.se"]
    assert user.password_hash is not None
    assert Argon2PasswordHasher().verify(user.password_hash, "Blåbärspaj-2027")
    entry = store_plugin.store.state.audit[-1]
    assert entry.action is AuditAction.USER_PASSWORD_SET
    assert entry.actor_user_id is None
    assert entry.actor_label.startswith("cli")
    assert entry.subject_id == user.id
    assert "Blåbärspaj-2027" not in repr(entry)


def test_set_password_option_role_rules_and_policy(
    cli: Cli, store_plugin: SharedMemoryPlugin
) -> None:
    cli("users", "add", "--email", "admin@skolan.se", "--password", PASSWORD, "--role", "admin")
    cli("users", "add", "--email", "admin2@skolan.se", "--password", PASSWORD, "--role", "admin")
    cli("users", "add", "--email", "larare@skolan.se", "--password", PASSWORD)
    before = users_in(store_plugin)["admin2@skolan.se"].password_hash
    denied = cli(
        "users", "set-password", "admin2@skolan.se", "--password", "Ny-lösen-99",
        "--actor", "admin@skolan.se",
    )  # fmt: skip
    assert denied.exit_code == 1
    assert denied.err == "Error: Insufficient permissions to set that user's password\n"
    assert users_in(store_plugin)["admin2@skolan.se"].password_hash == before
    weak = cli("users", "set-password", "larare@skolan.se", "--password", "kort")
    assert weak.exit_code == 1
    assert weak.err == "Error: Password must be at least 8 characters\n"
    ok = cli(
        "users", "set-password", "larare@skolan.se", "--password", "Ny-lösen-99",
        "--actor", "admin@skolan.se",
    )  # fmt: skip
    assert ok.exit_code == 0, ok.err
    entry = store_plugin.store.state.audit[-1]
    assert entry.action is AuditAction.USER_PASSWORD_SET
    assert entry.actor_user_id == users_in(store_plugin)["admin@skolan.se"].id


def test_reactivate_after_deactivate_is_audited(cli: Cli, store_plugin: SharedMemoryPlugin) -> None:
    cli("users", "add", "--email", "larare@skolan.se", "--password", PASSWORD)
    assert cli("users", "deactivate", "larare@skolan.se").exit_code == 0
    done = cli("users", "reactivate", "larare@skolan.se")
    assert done.exit_code == 0, done.err
    assert done.out == "larare@skolan.se is active again\n"
    assert users_in(store_plugin)["larare@skolan.se"].is_active
    assert store_plugin.store.state.audit[-1].action is AuditAction.USER_REACTIVATED
    unknown = cli("users", "reactivate", "ingen@skolan.se")
    assert unknown.exit_code == 1
    assert unknown.err == "Error: No user with email 'ingen@skolan.se'\n"
