"""Demo data: one account per role and a small tool taken through the whole governance path,
so a new user sees the catalog, the version history and the audit log filled in."""

from __future__ import annotations

from pathlib import Path

import attrs
from skriptoteket.application.container import Skriptoteket
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.identity import Role, User, system_actor

from skriptoteket_cli.tool_folders import read_tool_folder

DEMO_PASSWORD_SUFFIX = "-demo-2026"
DEMO_DOMAIN = "demo.skriptoteket.se"
DEMO_TOOL_SLUG = "rakna-rader"
DEMO_TOOL_SOURCE = '''\
def run_tool(input_path: str, output_dir: str) -> str:
    """Räknar rader och tecken i en textfil."""
    with open(input_path, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    lines = text.count("\\n") + (1 if text and not text.endswith("\\n") else 0)
    return f"<p>Filen har <strong>{lines}</strong> rader och {len(text)} tecken.</p>"
'''


@attrs.frozen
class DemoAccount:
    role: Role
    email: str
    password: str


def demo_accounts() -> list[DemoAccount]:
    names = {
        Role.SUPERUSER: "rektor",
        Role.ADMIN: "admin",
        Role.CONTRIBUTOR: "bidragsgivare",
        Role.USER: "larare",
    }
    return [
        DemoAccount(role=r, email=f"{n}@{DEMO_DOMAIN}", password=f"{n}{DEMO_PASSWORD_SUFFIX}")
        for r, n in names.items()
    ]


async def seed_demo(app: Skriptoteket) -> list[DemoAccount]:
    """Idempotent: existing accounts and the demo tool are left as they are."""
    operator = system_actor(app.deps.clock.now(), label="demo")
    accounts = demo_accounts()
    users: dict[Role, User] = {}
    for account in accounts:
        try:
            users[account.role] = await app.create_user(
                operator, email=account.email, password=account.password, role=account.role
            )
        except DomainError as error:
            if error.code is not ErrorCode.DUPLICATE_ENTRY:
                raise
            users[account.role] = await app.find_active_user(account.email)
    if not any(t.slug == DEMO_TOOL_SLUG for t in await app.list_all_tools(operator)):
        await _seed_tool(app, admin=users[Role.ADMIN], author=users[Role.CONTRIBUTOR])
    for folder in toolbank_folders():
        await app.import_tool(users[Role.ADMIN], package=read_tool_folder(folder), publish=True)
    return accounts


def toolbank_folders() -> list[Path]:
    """The demo tool bank shipped with the CLI (``skriptoteket_cli/toolbank/<slug>/``)."""
    root = Path(__file__).with_name("toolbank")
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / "tool.toml").is_file())


async def _seed_tool(app: Skriptoteket, *, admin: User, author: User) -> None:
    tool = await app.create_tool(
        admin,
        slug=DEMO_TOOL_SLUG,
        title="Räkna rader och tecken",
        summary="Räknar rader och tecken i en textfil, t.ex. en elevtext.",
        professions=["larare", "specialpedagog"],
        categories=["lektionsplanering", "ovrigt"],
    )
    await app.assign_maintainer(
        admin, tool_id=tool.id, email=author.email, reason="Demo: bidragsgivaren skriver verktyget"
    )
    draft = await app.create_draft_version(
        author, tool_id=tool.id, source_code=DEMO_TOOL_SOURCE, change_summary="Första versionen"
    )
    await app.submit_for_review(author, version_id=draft.id, review_note="Redo för granskning")
    await app.publish_version(admin, version_id=draft.id)
    await app.set_tool_published(admin, tool_id=tool.id, published=True)
