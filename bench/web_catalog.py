"""Catalog pages under load (DESIGN §9: catalog page with 1,000 tools ≥ 500 req/s, p99 ≤ 50 ms).

    uv run python bench/web_catalog.py [--tools 1000] [--postgres URL] [--seconds 10]
                                       [--connections 8]

Seeds --tools published, runnable tools (through the repositories, in a temporary SQLite file,
or in a fresh database on the PostgreSQL server of --postgres, dropped afterwards), starts the
real server (``skriptoteket serve`` on 127.0.0.1 and a free port), logs a teacher in, and
measures with ``wrk --latency`` (Debian package ``wrk``; without it the bench says so and exits
with status 2): the catalog page ``/katalog`` (its first page of tools), a search, the live
search's htmx partial, a tag page ``/browse/{profession}/{category}`` and ``GET /api/v1/tools``,
with one connection and with --connections. Prints requests/s and p50/p99 per page and the
machine's load; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import urllib.parse
import uuid
from pathlib import Path

import attrs
from skriptoteket.application.container import Skriptoteket
from skriptoteket.bootstrap import bootstrap
from skriptoteket.domain.identity import Role, User
from skriptoteket.domain.taxonomy import SEED_CATEGORIES, SEED_PROFESSIONS
from skriptoteket.domain.tools import new_tool
from skriptoteket.domain.versions import VersionState
from skriptoteket.settings import Settings
from skriptoteket.testing.factories import make_version
from skriptoteket_sql.migrations import AlembicMigrations
from webbench import HEADER, PASSWORD, database, machine, require_wrk, row, serve, wrk

TEACHER = "larare@bench.skriptoteket.se"
NOUNS = (
    "Klasslista",
    "Närvarorapport",
    "Betygsstatistik",
    "Gruppindelning",
    "Mejllista",
    "Schemaöversikt",
    "Läsförståelse",
    "Åtgärdsprogram",
    "Utvecklingssamtal",
    "Föräldramöte",
    "Namnskyltar",
    "Läxplanering",
)
FOR = (
    "för åk 7",
    "för åk 9",
    "för vårdnadshavare",
    "per elev",
    "i svenska",
    "i matematik",
    "för mentorer",
    "för elevhälsan",
)
SEARCH = "närvaro åk"  # two words, one with å; matches about one tool in 24
PAGES = (
    ("catalog page /katalog (first 50 tools)", "/katalog", {}),
    ("search /katalog?q=närvaro+åk", "/katalog?" + urllib.parse.urlencode({"q": SEARCH}), {}),
    (
        "live search (htmx partial)",
        "/katalog?" + urllib.parse.urlencode({"q": SEARCH}),
        {"HX-Request": "true", "HX-Target": "search-results"},
    ),
    ("tag page /browse/larare/administration", "/browse/larare/administration", {}),
    ("API GET /api/v1/tools", "/api/v1/tools", {}),
)


async def seed(app: Skriptoteket, count: int) -> None:
    root = await app.bootstrap_superuser(email="rektor@bench.skriptoteket.se", password=PASSWORD)
    await app.create_user(root, email=TEACHER, password=PASSWORD, role=Role.USER)
    author: User = root
    now = app.deps.clock.now()
    professions = [slug for slug, _, _ in SEED_PROFESSIONS]  # five, "gemensamt" last
    categories = [slug for slug, _, _ in SEED_CATEGORIES]
    for start in range(0, count, 200):
        async with app.deps.uow() as uow:
            for n in range(start, min(count, start + 200)):
                tool = new_tool(
                    id=uuid.uuid4(),
                    slug=f"verktyg-{n:04d}",
                    title=f"{NOUNS[n % len(NOUNS)]} {FOR[n % len(FOR)]} ({n})",
                    summary=f"Läser en klasslista och skapar {NOUNS[(n + 5) % 12].lower()}.",
                    professions=tuple(dict.fromkeys((professions[n % 5], "gemensamt"))),
                    categories=(categories[n % len(categories)],),
                    now=now,
                )
                await uow.tools.add(tool)
                version = make_version(tool, author, state=VersionState.ACTIVE, created_at=now)
                await uow.versions.add(version)
                await uow.tools.update(
                    attrs.evolve(
                        tool,
                        active_version_id=version.id,
                        is_published=True,
                        first_published_at=now,
                    )
                )
            await uow.commit()


async def prepare(url: str, data_dir: Path, count: int) -> None:
    await asyncio.to_thread(AlembicMigrations(url).upgrade, "head")
    async with bootstrap(Settings(database_url=url, data_dir=data_dir)) as app:
        await seed(app, count)
        token = await app.create_api_token(
            await app.find_active_user(TEACHER), owner_email=TEACHER, name="bench"
        )
    (data_dir / "token").write_text(token.secret)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tools", type=int, default=1000)
    parser.add_argument("--postgres", help="postgresql://… of a server to create a database on")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    require_wrk()
    with tempfile.TemporaryDirectory(prefix="skriptoteket-bench-") as tmp:
        work = Path(tmp)
        data_dir = work / "data"
        data_dir.mkdir()
        with database(args.postgres, data_dir / "skriptoteket.db") as url:
            asyncio.run(prepare(url, data_dir, args.tools))
            token = (data_dir / "token").read_text()
            env = {"SKRIPTOTEKET_DATABASE_URL": url, "SKRIPTOTEKET_DATA_DIR": str(data_dir)}
            with serve(work, env) as server:
                cookie = server.login(TEACHER)
                status, _, body = server.request("GET", "/katalog", headers={"Cookie": cookie})
                if status != 200 or "/tools/verktyg-" not in body.decode():
                    raise RuntimeError(f"/katalog answered {status} without the tools")
                print(f"database {'postgresql' if args.postgres else 'sqlite'}, {args.tools} tools")
                print(f"before: {machine()}")
                print(f"wrk: 1 and {args.connections} connections, {args.seconds} s a page\n")
                print(HEADER)
                for connections in sorted({1, args.connections}):
                    print(f"-- {connections} connection(s)")
                    for name, path, extra in PAGES:
                        if path.startswith("/api/"):
                            headers = {"Authorization": f"Bearer {token}", **extra}
                        else:
                            headers = {"Cookie": cookie, **extra}
                        wrk(server.base_url + path, headers=headers, seconds=2, connections=2)
                        result = wrk(
                            server.base_url + path,
                            headers=headers,
                            seconds=args.seconds,
                            connections=connections,
                            threads=min(2, connections),
                        )
                        print(row(name, result, target_rps=500, target_p99=50), flush=True)
                print(f"\nafter: {machine()}")
                print("targets (DESIGN §9): ≥ 500 req/s and p99 ≤ 50 ms")


if __name__ == "__main__":
    main()
