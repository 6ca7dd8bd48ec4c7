"""Summary, digests and the half-year report on synthetic national-scale data.

    python -m bench.summaries --db sqlite --schools 5000 --items 40 --visits 20
    python -m bench.summaries --db postgresql --schools 5000
    python -m bench.summaries --db sqlite --schools 1000 --items 20 --country-files

Prints a table of wall times (median of --repeat runs after a warm-up), peak Python
memory (tracemalloc, in one separate run), the process's peak resident memory (VmHWM,
reset before each operation through /proc/self/clear_refs) and the event loop's longest
stall during the timed runs per operation. The data is generated fresh in a throwaway
database; `--keep` leaves it (and prints its URL) and `--reuse URL` measures such a database
again without generating (before/after runs on the same data):

    python -m bench.summaries --db postgresql --schools 5000 --country-files --keep
    python -m bench.summaries --reuse postgresql+asyncpg://postgres@127.0.0.1:5432/bench_x \
        --schools 5000 --country-files
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import statistics
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta

import asyncpg
from sqlalchemy import insert, select

from bot.db import make_engine, make_session_factory
from bot.models import (
    CuratorAssignment,
    ItemStatus,
    Municipality,
    Person,
    ProgressReport,
    Region,
    Roadmap,
    RoadmapItem,
    RoleAssignment,
    School,
    TelegramAccount,
    Visit,
    VisitFormat,
)
from bot.reports import files_out
from bot.schema import upgrade_to_head
from bot.services.access.actors import load_actor
from bot.services.notifications.digest import build_digests
from bot.services.reporting import report_data, summaries

ADMIN_DSN = os.environ.get("BENCH_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")
TODAY = date(2026, 11, 24)
ZONE = "Asia/Yekaterinburg"
SCHOOLS_PER_MUNICIPALITY = 60
TRACE = True  # --no-tracemalloc: peak RSS only (a traced whole-country XLSX takes minutes)


async def _generate(url: str, schools: int, items: int, visits: int) -> None:
    engine = make_engine(url)
    now = datetime.now(UTC)
    async with engine.begin() as connection:
        await connection.execute(
            insert(Region),
            [{"id": 1, "name": "Регион", "timezone": "Asia/Yekaterinburg", "created_at": now}],
        )
        municipalities = -(-schools // SCHOOLS_PER_MUNICIPALITY)
        await connection.execute(
            insert(Municipality),
            [
                {
                    "id": m,
                    "region_id": 1,
                    "name": f"Город {m}",
                    "timezone": "Asia/Yekaterinburg",
                    "created_at": now,
                }
                for m in range(1, municipalities + 1)
            ],
        )
        await connection.execute(
            insert(School),
            [
                {
                    "id": s,
                    "municipality_id": (s - 1) // SCHOOLS_PER_MUNICIPALITY + 1,
                    "full_name": f"Школа № {s}",
                    "short_name": f"СШ № {s}",
                    "kind": "secondary",
                    "number": s,
                    "is_shnor": True,
                    "is_shnsu": False,
                    "has_nonobjectivity_signs": False,
                    "in_project": True,
                    "status": "active",
                    "created_at": now,
                }
                for s in range(1, schools + 1)
            ],
        )
        curators = schools // 2 + 1
        coordinators = municipalities
        people = [
            {
                "id": p,
                "full_name": f"Человек {p}",
                "muted_kinds": [],
                "created_at": now,
                "municipality_id": min(municipalities, (p % municipalities) + 1),
            }
            for p in range(1, curators + coordinators + 2)
        ]
        await connection.execute(insert(Person), people)
        await connection.execute(
            insert(RoleAssignment),
            [
                {"person_id": c, "role": "curator", "municipality_id": 1, "created_at": now}
                for c in range(1, curators + 1)
            ]
            + [
                {
                    "person_id": curators + m,
                    "role": "municipal_coordinator",
                    "municipality_id": m,
                    "created_at": now,
                }
                for m in range(1, coordinators + 1)
            ]
            + [
                {
                    "person_id": curators + coordinators + 1,
                    "role": "admin",
                    "municipality_id": None,
                    "created_at": now,
                }
            ],
        )
        await connection.execute(
            insert(TelegramAccount),
            [
                {
                    "person_id": p["id"],
                    "telegram_user_id": 10_000 + p["id"],
                    "chat_id": 10_000 + p["id"],
                    "bound_at": now,
                }
                for p in people
            ],
        )
        await connection.execute(
            insert(CuratorAssignment),
            [
                {"curator_person_id": (s + 1) // 2, "school_id": s, "year": 2026, "created_at": now}
                for s in range(1, schools + 1)
            ],
        )
        await connection.execute(
            insert(Roadmap),
            [
                {"id": s, "school_id": s, "year": 2026, "created_at": now}
                for s in range(1, schools + 1)
            ],
        )
        statuses = [
            ItemStatus.DONE.value,
            ItemStatus.IN_PROGRESS.value,
            ItemStatus.NOT_STARTED.value,
        ]
        for start in range(1, schools + 1, 500):
            await connection.execute(
                insert(RoadmapItem),
                [
                    {
                        "roadmap_id": s,
                        "number": str(n),
                        "position": n,
                        "measure": f"Мероприятие {n}",
                        "section": f"Раздел {n % 5}",
                        "deadline_text": "в течение года",
                        "due_date": date(2026, 9, 1) + timedelta(days=(n * 7) % 250),
                        "is_recurring": False,
                        "status": statuses[(s + n) % 3],
                        "created_at": now,
                        "updated_at": now,
                    }
                    for s in range(start, min(schools + 1, start + 500))
                    for n in range(1, items + 1)
                ],
            )
            # Item ids run 1, 2, ... in the fresh database: school s holds (s-1)*items + 1 ...
            await connection.execute(
                insert(ProgressReport),
                [
                    {
                        "item_id": (s - 1) * items + n,
                        "author_person_id": (s + 1) // 2,
                        "status": ItemStatus.DONE.value,
                        "done_text": "Проведено",
                        "evidence_links": f"https://example.org/{s}/{n}",
                        "submitted_at": now,
                        "review_state": "accepted",
                        "reviewed_at": now,
                    }
                    for s in range(start, min(schools + 1, start + 500))
                    for n in range(1, items + 1)
                    if statuses[(s + n) % 3] == ItemStatus.DONE.value
                ],
            )
            await connection.execute(
                insert(Visit),
                [
                    {
                        "curator_person_id": (s + 1) // 2,
                        "school_id": s,
                        "visit_date": date(2026, 9, 1) + timedelta(days=(s + v * 5) % 80),
                        "format": VisitFormat.ON_SITE.value,
                        "participants": [],
                        "purpose": "Консультация",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for s in range(start, min(schools + 1, start + 500))
                    for v in range(visits)
                ],
            )
    await engine.dispose()


def _reset_peak_rss() -> None:
    """Linux: VmHWM starts again from the current resident size (clear_refs «5»)."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        pass


def _peak_rss_mib() -> float:
    try:
        with open("/proc/self/status") as status:
            found = re.search(r"VmHWM:\s+(\d+) kB", status.read())
    except OSError:
        return float("nan")
    return int(found.group(1)) / 1024 if found else float("nan")


Measured = tuple[str, float, float, float, float]


async def _timed_with_lag(action: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    """Wall time of one run and the event loop's longest stall meanwhile: how long another
    chat's update could have waited (a 10 ms timer, late by that much at worst)."""
    done = asyncio.Event()
    worst = 0.0

    async def watch() -> None:
        nonlocal worst
        while not done.is_set():
            started = time.perf_counter()
            await asyncio.sleep(0.01)
            worst = max(worst, time.perf_counter() - started - 0.01)

    watcher = asyncio.create_task(watch())
    started = time.perf_counter()
    try:
        await action()
    finally:
        elapsed = time.perf_counter() - started
        done.set()
        await watcher
    return elapsed, worst


async def _measure(
    name: str, action: Callable[[], Awaitable[object]], repeat: int, warm_up: bool = True
) -> Measured:
    """Median wall time of untraced runs and the process's peak RSS over them; peak Python
    memory from one more run under tracemalloc.

    Timing under tracemalloc would be wrong: it slows allocation-heavy code (openpyxl) ~15×.
    """
    _reset_peak_rss()
    if warm_up:
        await action()
    times = []
    lag = 0.0
    for _ in range(repeat):
        elapsed, stall = await _timed_with_lag(action)
        times.append(elapsed)
        lag = max(lag, stall)
    rss = _peak_rss_mib()
    if not TRACE:
        return name, statistics.median(times), float("nan"), rss, lag * 1000
    tracemalloc.start()
    await action()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return name, statistics.median(times), peak / 1024 / 1024, rss, lag * 1000


async def _run(
    url: str, schools: int, repeat: int, country_files: bool, country_only: bool = False
) -> list[Measured]:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    async with factory() as session:
        municipalities = -(-schools // SCHOOLS_PER_MUNICIPALITY)
        curators = schools // 2 + 1
        admin = await load_actor(session, 10_000 + curators + municipalities + 1)
        coordinators = [
            await load_actor(session, 10_000 + curators + m) for m in range(1, municipalities + 1)
        ]
        assert admin is not None and all(coordinators)
        first_ids = list(
            (await session.scalars(select(School.id).where(School.municipality_id == 1))).all()
        )

        async def country_summary() -> object:
            return await summaries.summarize(session, admin, TODAY)

        async def all_digests() -> object:
            return await build_digests(session, [actor for actor in coordinators if actor], TODAY)

        first, last = report_data.half_year_bounds(2026, 1)
        period = report_data.ReportPeriod(first, last, "Отчёт")
        every = list(range(1, municipalities + 1))
        all_ids = list((await session.scalars(select(School.id))).all())

        # What /report and /export do (bot/reports/files_out.py, called by
        # handlers/reporting/reports.py): rows streamed into a file built in a worker thread.
        async def report(ids: list[int], municipality_ids: list[int]) -> object:
            return await files_out.half_year_report_file(
                session, ids, municipality_ids, period, timezone=ZONE, today=TODAY, whole=True
            )

        async def export(ids: list[int]) -> object:
            return await files_out.export_zip_file(session, ids, "README")

        async def municipality_report() -> object:
            return await report(first_ids, [1])

        async def municipality_export() -> object:
            return await export(first_ids)

        async def country_report() -> object:
            return await report(all_ids, every)

        async def country_export() -> object:
            return await export(all_ids)

        results = (
            []
            if country_only
            else [
                await _measure(
                    f"summary, whole country ({schools} schools)", country_summary, repeat
                ),
                await _measure(
                    f"digests of all {municipalities} coordinators", all_digests, repeat
                ),
                await _measure(
                    f"half-year XLSX, one municipality ({len(first_ids)} schools)",
                    municipality_report,
                    repeat,
                ),
                await _measure(
                    f"CSV zip, one municipality ({len(first_ids)} schools)",
                    municipality_export,
                    repeat,
                ),
            ]
        )
        if country_files:
            # Once each, no warm-up: minutes of work at 5,000 schools, not a chat-time target.
            results += [
                await _measure(
                    f"half-year XLSX, whole country ({schools})", country_report, 1, False
                ),
                await _measure(f"CSV zip, whole country ({schools})", country_export, 1, False),
            ]
    await engine.dispose()
    return results


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--schools", type=int, default=5000)
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--visits", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--country-files", action="store_true", help="also the whole country's XLSX and CSV zip"
    )
    parser.add_argument(
        "--country-only", action="store_true", help="only the whole country's XLSX and CSV zip"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated database")
    parser.add_argument("--reuse", metavar="URL", help="measure a kept database, no generating")
    parser.add_argument(
        "--no-tracemalloc", action="store_true", help="skip the traced run (peak RSS only)"
    )
    args = parser.parse_args()
    name = f"bench_{uuid.uuid4().hex[:8]}"
    folder = tempfile.mkdtemp()
    generated = None
    if args.reuse:
        url = args.reuse
    elif args.db == "sqlite":
        url = f"sqlite+aiosqlite:///{folder}/bench.sqlite3"
    else:
        admin = await asyncpg.connect(ADMIN_DSN)
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        url = (
            ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
            + f"/{name}"
        )
    global TRACE
    TRACE = not args.no_tracemalloc
    try:
        if not args.reuse:
            await asyncio.to_thread(upgrade_to_head, url)
            started = time.perf_counter()
            await _generate(url, args.schools, args.items, args.visits)
            generated = time.perf_counter() - started
        results = await _run(
            url,
            args.schools,
            args.repeat,
            args.country_files or args.country_only,
            args.country_only,
        )
    finally:
        if args.db == "postgresql" and not args.keep and not args.reuse:
            admin = await asyncpg.connect(ADMIN_DSN)
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    made = "reused" if generated is None else f"generated in {generated:.1f} s"
    print(
        f"database: {url.split(':', 1)[0]}; data: {args.schools} schools × {args.items} items × "
        f"{args.visits} visits ({made}); load average {os.getloadavg()}"
    )
    if args.keep and not args.reuse:
        print(f"kept: --reuse {url}")
    print(
        f"{'operation':<55} {'median, s':>10} {'peak MiB':>9} {'peak RSS':>9} {'loop lag ms':>11}"
    )
    for operation, seconds, peak, rss, lag in results:
        print(f"{operation:<55} {seconds:>10.3f} {peak:>9.1f} {rss:>9.1f} {lag:>11.0f}")


if __name__ == "__main__":
    asyncio.run(main())
