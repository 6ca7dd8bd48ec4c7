"""Where no municipality names a zone, «today» is DEFAULT_TIMEZONE's, whatever it is set to."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfoNotFoundError

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import local_time
from tests.support.factories import make_municipality

INSTANT = datetime(2026, 11, 30, 21, 19, tzinfo=UTC)  # 01.12 09:19 in Kamchatka


@pytest.fixture
def default_zone_kamchatka() -> Iterator[None]:
    before = local_time.default_zone()
    local_time.configure("Asia/Kamchatka")
    yield
    local_time.configure(before)


@pytest.mark.usefixtures("default_zone_kamchatka")
async def test_no_municipality_falls_back_to_the_configured_zone(session: AsyncSession) -> None:
    assert await local_time.today_in_municipality(session, None, INSTANT) == date(2026, 12, 1)
    assert await local_time.today_in_municipality(session, 10**9, INSTANT) == date(2026, 12, 1)
    assert local_time.local_now(INSTANT).hour == 9


@pytest.mark.usefixtures("default_zone_kamchatka")
async def test_a_municipality_zone_wins_over_the_default(session: AsyncSession) -> None:
    city = await make_municipality(session, timezone="Europe/Kaliningrad")
    assert await local_time.today_in_municipality(session, city.id, INSTANT) == date(2026, 11, 30)


def test_an_unknown_default_zone_fails_at_start() -> None:
    with pytest.raises(ZoneInfoNotFoundError):
        local_time.configure("Mars/Olympus")
