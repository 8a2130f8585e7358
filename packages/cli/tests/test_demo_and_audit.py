"""``skriptoteket demo`` seeds accounts and a governed tool; ``skriptoteket audit`` shows it."""

from __future__ import annotations

from collections.abc import Callable

from skriptoteket.domain.identity import Role
from skriptoteket.domain.versions import VersionState
from skriptoteket_cli.demo_data import toolbank_folders

from .conftest import CliResult, SharedMemoryPlugin

Cli = Callable[..., CliResult]


def test_demo_seeds_one_account_per_role_and_a_published_tool(
    cli: Cli, store_plugin: SharedMemoryPlugin
) -> None:
    result = cli("demo", "--no-serve")
    assert result.exit_code == 0, result.err
    state = store_plugin.store.state
    assert sorted(u.role for u in state.users.values()) == sorted(Role)
    for user in state.users.values():
        assert user.email in result.out
    slugs = {t.slug for t in state.tools.values()}
    assert slugs == {"rakna-rader"} | {p.name for p in toolbank_folders()}
    assert len(slugs) >= 7
    assert all(t.is_published for t in state.tools.values())
    for tool in state.tools.values():
        states = sorted(v.state.value for v in state.versions.values() if v.tool_id == tool.id)
        assert states == [VersionState.ACTIVE.value, VersionState.ARCHIVED.value]
    versions_before = len(state.versions)
    again = cli("demo", "--no-serve")
    assert again.exit_code == 0, again.err
    assert len(store_plugin.store.state.users) == 4
    assert len(store_plugin.store.state.versions) == versions_before  # idempotent


def test_audit_lists_newest_first_and_filters(cli: Cli) -> None:
    cli("demo", "--no-serve")
    result = cli("audit", "--limit", "3")
    assert result.exit_code == 0, result.err
    lines = result.out.splitlines()
    assert len(lines) == 3
    assert lines[0].split()[3] == "tool.published"
    created = cli("audit", "--action", "user.created")
    assert len(created.out.splitlines()) == 4
    assert all("user.created" in line for line in created.out.splitlines())
    bad = cli("audit", "--action", "nonsense")
    assert bad.exit_code == 1
    assert bad.err.startswith("Error: Unknown action 'nonsense'")


def test_audit_is_for_admins(cli: Cli) -> None:
    cli("demo", "--no-serve")
    denied = cli("audit", "--actor", "larare@demo.skriptoteket.se")
    assert denied.exit_code == 1
    assert denied.err == "Error: Insufficient permissions\n"
