"""Burst and latency of the whole run path: SQLite + in-process queue + a runner.

    uv run python bench/burst.py [--runner local|docker] [--runs 200] [--concurrency 2]

1. Latency: one trivial run at a time, from "Kör" (start_production_run) to the final row,
   p50/p95 over --samples runs.
2. Burst: --runs runs submitted at once (concurrently); all must finish, none rejected (no
   "The database is busy"), none lost.
Prints a table; asserts nothing (DESIGN §9 targets: 200 at once all complete; ≥ 20 runs/s local).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from skriptoteket.application.container import Skriptoteket
from skriptoteket.application.execution import Upload
from skriptoteket.bootstrap import bootstrap
from skriptoteket.domain.identity import User
from skriptoteket.domain.runs import RunStatus
from skriptoteket.settings import Settings
from skriptoteket.testing.seeding import publish_tool
from skriptoteket_sql.migrations import AlembicMigrations

TRIVIAL = "def run_tool(input_path, output_dir):\n    return '<p>ok</p>'\n"
UPLOAD = [Upload(filename="a.txt", data=b"hej")]


async def seed(app: Skriptoteket) -> User:
    root = await app.bootstrap_superuser(email="bench@skolan.se", password="Kanelbulle-42")
    await publish_tool(app, root, slug="trivial", source_code=TRIVIAL)
    return root


async def wait_final(app: Skriptoteket, actor: User, run_id: object) -> RunStatus:
    while True:
        view = await app.get_run(actor, run_id=run_id)  # type: ignore[arg-type]
        if view.run.status.is_terminal:
            return view.run.status
        await asyncio.sleep(0.002)


async def wait_all(app: Skriptoteket, actor: User, ids: set[object]) -> list[RunStatus]:
    """One history query every 20 ms (as a browser polling "Mina körningar" would)."""
    while True:
        views = await app.list_my_runs(actor, limit=200)
        final = [v.run.status for v in views if v.run.id in ids and v.run.status.is_terminal]
        if len(final) == len(ids):
            return final
        await asyncio.sleep(0.02)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp),
            runner=args.runner,
            run_concurrency=args.concurrency,
            run_queue_max=max(1000, args.runs),
        )
        AlembicMigrations(settings.database_url).upgrade("head")
        async with bootstrap(settings, execution=True) as app:
            actor = await seed(app)
            for _ in range(5):  # warm up
                run = await app.start_production_run(actor, slug="trivial", uploads=UPLOAD)
                await wait_final(app, actor, run.id)
            latencies = []
            for _ in range(args.samples):
                began = time.perf_counter()
                run = await app.start_production_run(actor, slug="trivial", uploads=UPLOAD)
                status = await wait_final(app, actor, run.id)
                latencies.append((time.perf_counter() - began) * 1000)
                assert status is RunStatus.SUCCEEDED, status
            began = time.perf_counter()
            # All at once, as --runs people pressing "Kör" in the same moment: each submission is
            # a writing unit of work, so on SQLite they queue for the write lock (none may be
            # answered "The database is busy").
            submitted_runs = await asyncio.gather(
                *(
                    app.start_production_run(actor, slug="trivial", uploads=UPLOAD)
                    for _ in range(args.runs)
                ),
                return_exceptions=True,
            )
            refused = [r for r in submitted_runs if isinstance(r, BaseException)]
            runs = [r for r in submitted_runs if not isinstance(r, BaseException)]
            submitted = time.perf_counter() - began
            statuses = await wait_all(app, actor, {r.id for r in runs})
            elapsed = time.perf_counter() - began
    counts = {s.value: statuses.count(s) for s in set(statuses)}
    print(f"runner={args.runner} concurrency={args.concurrency} database=sqlite")
    print(
        f"{'Kör → final row, trivial tool':40} p50 {statistics.median(latencies):7.1f} ms"
        f"   p95 {pct(latencies, 0.95):7.1f} ms   (n={len(latencies)})"
    )
    print(f"{'burst submitted':40} {len(runs)} runs in {submitted:.2f} s, {len(refused)} refused")
    for error in refused[:3]:
        print(f"{'':40} refused: {error!r}")
    print(f"{'burst finished':40} {counts} in {elapsed:.2f} s = {args.runs / elapsed:.1f} runs/s")
    lost = args.runs - sum(counts.values())
    print(f"{'lost':40} {lost}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runner", default="local")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=2)
    asyncio.run(main(parser.parse_args()))
