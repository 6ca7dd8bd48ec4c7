"""SIGKILL ×20 while a visit form, a roadmap import and a delivery batch are all in flight.

One real `python -m bot run` at a time, killed at a random moment and started again.
After every kill: no half-written visit or import, no visit saved twice, every message
Telegram has is accounted for by the outbox (OutboxLedger). At the end, on a process left
alone: both people finish their flows, and every notification was delivered exactly once
except where a kill hit the documented edge (Telegram had the message, the "sent" mark
was not committed), each of which was delivered exactly twice.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import socket
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select, update

from bot.db import SessionFactory
from bot.fake_bot_api import FakeTelegram
from bot.fake_bot_api.records import FakeUser
from bot.models import (
    AuditRecord,
    Municipality,
    Notification,
    NotificationState,
    Roadmap,
    RoadmapItem,
    School,
    Visit,
    utcnow,
)
from tests.support.bot_process import (
    BotProcess,
    a_zone_where_it_is_midday,
    bot_env,
    invite_token,
    seed_demo,
)
from tests.support.outbox_ledger import OutboxLedger, queue_reminders
from tests.support.patient_users import IMPORT_ITEMS, ImportingDirector, VisitingCurator
from tests.support.personas import GAREEVA, SMIRNOVA

TOKEN = "666222:KILL-LOOP-TEST-TOKEN"
KILLS = 20
SEND_DELAY = 0.1  # every sendMessage: a batch takes a while, so kills land inside it
REMINDERS_PER_RUN = 5
VISIT_ANNOUNCEMENTS = 3  # the school's one staff member and both municipal coordinators


async def test_twenty_sigkills_lose_nothing_and_send_every_notification_once(
    tmp_path: Path, database_url: str, session_factory: SessionFactory
) -> None:
    seed = int(os.environ.get("KILL_LOOP_SEED") or random.randrange(1_000_000))
    chance = random.Random(seed)
    where = f"KILL_LOOP_SEED={seed}"
    async with FakeTelegram(token=TOKEN, bot_username="kill_loop_bot") as fake:
        env = bot_env(fake, database_url)
        invites = await seed_demo(env, tmp_path)
        zone = a_zone_where_it_is_midday()
        async with session_factory() as session:
            await session.execute(update(Municipality).values(timezone=zone))
            await session.commit()
        curator = fake.user(8_100_001, first_name="Светлана", last_name="Смирнова")
        director = fake.user(8_100_002, first_name="Людмила", last_name="Гареева")
        fake.inject_delay("sendMessage", SEND_DELAY, times=1_000_000)
        ledger = OutboxLedger(fake, session_factory)
        visiting, importing = VisitingCurator(fake, curator), ImportingDirector(fake, director)
        stop = asyncio.Event()
        kills: list[dict[str, object]] = []
        began = time.monotonic()
        process = await _start(env, tmp_path, fake)
        users: list[asyncio.Task[None]] = []
        try:
            await _log_in(fake, curator, invite_token(invites, SMIRNOVA))
            await _log_in(fake, director, invite_token(invites, GAREEVA))
            users = [asyncio.create_task(person.run(stop)) for person in (visiting, importing)]
            for run in range(KILLS):
                await asyncio.sleep(chance.uniform(0.5, 5.0))
                moment = {"visit": visiting.step, "import": importing.step}
                await process.kill()
                await asyncio.sleep(SEND_DELAY + 0.1)  # a request in flight lands
                log = process.log()
                assert "Traceback" not in log, f"{where}, kill {run}:\n{log[-3000:]}"
                claimed, in_flight = await _claims_of(session_factory, process)
                edge = await ledger.after_kill()
                moment.update(claimed=claimed, in_flight=in_flight, edge=edge)
                kills.append(moment)
                await _assert_consistent(session_factory, visiting, importing, f"{where} {run}")
                await ledger.age_claims()  # as if the restart came 5 minutes later
                await queue_reminders(session_factory, fake, f"run {run}", REMINDERS_PER_RUN, zone)
                process = await _start(env, tmp_path, fake)

            looped = time.monotonic()
            # Left alone, each person gets to the end of a flow they were in the middle of.
            saved, loaded = len(visiting.confirmed), len(importing.confirmed)
            await fake.wait_for(
                lambda: len(visiting.confirmed) > saved and len(importing.confirmed) > loaded,
                limit=120,
            )
            stop.set()
            await asyncio.gather(*users)
            await _wait_until_sent(session_factory)
            code = await process.interrupt()
            finish = time.monotonic() - looped
            print(f"\nkills took {looped - began:.0f} s, the finish {finish:.0f} s")
        finally:
            stop.set()
            await asyncio.gather(*users, return_exceptions=True)
            await process.kill()
        summary = _summary(kills, visiting, importing)
        print(f"\n{where}\n{summary}")
        assert code == 0 and "Traceback" not in process.log(), process.log()[-3000:]
        await _assert_consistent(session_factory, visiting, importing, where)
        await ledger.assert_exactly_once()
        assert fake.errors == [], f"{where}: {fake.errors}"
        assert not visiting.seen_errors and not importing.seen_errors, where
        assert visiting.confirmed and importing.confirmed, summary


async def _start(env: dict[str, str], cwd: Path, fake: FakeTelegram) -> BotProcess:
    polled = fake.stats["getUpdates"]
    process = await BotProcess.start(env, cwd)
    await fake.wait_for(lambda: fake.stats["getUpdates"] > polled, limit=60)
    return process


async def _log_in(fake: FakeTelegram, user: FakeUser, token: str) -> None:
    fake.send_text(user, f"/start {token}")
    await fake.wait_for(
        lambda: any("Добро пожаловать" in m.plain_text for m in fake.messages_to(user.id)),
        limit=30,
    )


async def _claims_of(factory: SessionFactory, process: BotProcess) -> tuple[int, int]:
    """Rows the killed process had claimed and not finished: (claimed, handed to Telegram)."""
    worker = f"{socket.gethostname()}:{process.process.pid}"  # as bot.scheduler.sender names it
    async with factory() as session:
        rows = await session.execute(
            select(Notification.handed_over_at.is_not(None), func.count())
            .where(
                Notification.state == NotificationState.SENDING,
                Notification.claimed_by == worker,
            )
            .group_by(Notification.handed_over_at.is_not(None))
        )
        counts = {bool(handed): int(count) for handed, count in rows}
    return counts.get(False, 0) + counts.get(True, 0), counts.get(True, 0)


async def _assert_consistent(
    factory: SessionFactory, visiting: VisitingCurator, importing: ImportingDirector, where: str
) -> None:
    async with factory() as session:
        visits = (await session.execute(select(Visit.id, Visit.findings))).all()
        numbers = Counter(
            int(found.group(1))
            for _, findings in visits
            if (found := re.search(r"посещении (\d+)", findings or ""))
        )
        announced = Counter(
            int(key.split()[1].split(":")[0])
            for key in await session.scalars(
                select(Notification.dedupe_key).where(
                    Notification.dedupe_key.like("visit %:saved:%")
                )
            )
        )
        created = Counter(
            await session.scalars(
                select(AuditRecord.object_id).where(AuditRecord.action == "visit.created")
            )
        )
        items = await session.scalars(
            select(RoadmapItem.number)
            .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
            .join(School, School.id == Roadmap.school_id)
            .where(School.short_name == "СШ № 17", RoadmapItem.measure.like("%из файла%"))
        )
        per_file = Counter(int(number.split(".")[0]) for number in items)
    # A draft is saved at most once, and a visit is saved whole: with its audit record and
    # its announcements, all in one transaction.
    assert all(count == 1 for count in numbers.values()), (where, numbers)
    assert visiting.confirmed <= set(numbers), (where, visiting.confirmed, numbers)
    for visit_id, _ in visits:
        assert announced[visit_id] == VISIT_ANNOUNCEMENTS, (where, visit_id, announced)
        assert created[visit_id] == 1, (where, visit_id, created)
    # An import is applied whole or not at all; one the bot confirmed is applied.
    assert all(count == IMPORT_ITEMS for count in per_file.values()), (where, per_file)
    assert importing.confirmed <= set(per_file), (where, importing.confirmed, per_file)


async def _wait_until_sent(factory: SessionFactory, limit: float = 60) -> None:
    """Until nothing due is left unsent (reminders not due yet may stay pending)."""
    for _ in range(int(limit * 5)):
        async with factory() as session:
            waiting = await session.scalar(
                select(func.count()).where(
                    (Notification.state == NotificationState.SENDING)
                    | (
                        (Notification.state == NotificationState.PENDING)
                        & (Notification.due_at <= utcnow())
                    )
                )
            )
        if not waiting:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"{waiting} notifications still due after {limit} s")


def _summary(
    kills: list[dict[str, object]], visiting: VisitingCurator, importing: ImportingDirector
) -> str:
    """What the kills hit: for the report, and to see that they spread over each flow."""
    lines = [
        f"kills: {len(kills)}",
        f"  visit form steps: {dict(Counter(str(k['visit']) for k in kills))}",
        f"  import steps: {dict(Counter(str(k['import']) for k in kills))}",
        f"  mid-batch (the process had rows claimed): {sum(1 for k in kills if k['claimed'])}",
        f"  with a message in flight: {sum(int(str(k['in_flight'])) for k in kills)}",
        f"  Telegram had it, unmarked (resent: the documented edge): "
        f"{sum(int(str(k['edge'])) for k in kills)}",
        f"visits saved and confirmed: {len(visiting.confirmed)}; imports confirmed: "
        f"{len(importing.confirmed)}",
        f"answers repeated: {visiting.repeats + importing.repeats}; flows started over: "
        f"{visiting.restarts + importing.restarts}",
    ]
    return "\n".join(lines)
