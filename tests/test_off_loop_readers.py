"""On SQLite, work that reads a whole region's or country's rows runs in aiosqlite's thread
from its first statement (bot/sqlite_inline.py `off_loop`), so no chat waits on it: the
sweeps, and a regional coordinator's or an admin's /summary, /overdue and Mini App charts.
A municipality's stay on the loop's thread, where small statements are cheapest."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db import SessionFactory
from bot.models import Region, Role
from bot.scheduler import sweeps
from bot.services.access.actors import Actor
from bot.services.notifications.reminders import ReminderSettings
from bot.services.reporting.dashboard import charts
from bot.services.reporting.summaries import overdue_items, summarize
from bot.sqlite_inline import InlineConnection
from tests.support.databases import selected_databases
from tests.support.factories import actor_for, make_municipality, make_person, make_school

SQLITE_ONLY = pytest.mark.parametrize(
    "database_url", [d for d in selected_databases() if d == "sqlite"], indirect=True
)


async def _driver(session: AsyncSession) -> InlineConnection:
    raw = await (await session.connection()).get_raw_connection()
    driver = raw.driver_connection
    assert isinstance(driver, InlineConnection)
    return driver


@SQLITE_ONLY
async def test_every_sweep_reads_off_the_loop(
    session_factory: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []

    async def sweep(session: AsyncSession, _now: datetime, _settings: ReminderSettings) -> int:
        seen.append((await _driver(session)).off_loop)
        return 0

    monkeypatch.setattr(sweeps, "SWEEPS", [sweep, sweep])
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert await sweeps.run_sweeps(session_factory, lambda: datetime.now(UTC), settings) == 0
    assert seen == [True, True]


READERS: dict[str, Callable[[AsyncSession, Actor, date], Awaitable[object]]] = {
    "summary": summarize,
    "overdue": overdue_items,
    "mini app charts": charts,
}


@SQLITE_ONLY
@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize(
    ("role", "off_loop"),
    [(Role.ADMIN, True), (Role.REGIONAL_COORDINATOR, True), (Role.MUNICIPAL_COORDINATOR, False)],
)
async def test_a_region_or_country_reads_off_the_loop_a_municipality_does_not(
    session: AsyncSession, role: Role, off_loop: bool, reader: str
) -> None:
    city = await make_municipality(session)
    await make_school(session, city, number=5)
    region = await session.get(Region, city.region_id)
    person = await make_person(
        session,
        role,
        region=region if role == Role.REGIONAL_COORDINATOR else None,
        municipality=city if role == Role.MUNICIPAL_COORDINATOR else None,
    )
    actor = await actor_for(session, person)
    await session.commit()  # a fresh unit of work starts on the loop's thread
    assert not (await _driver(session)).off_loop
    await READERS[reader](session, actor, date(2026, 12, 1))
    assert (await _driver(session)).off_loop is off_loop
