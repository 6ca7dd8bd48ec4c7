"""A school's part in city events shows in the coordinator's summary."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.models import EventRegistration, Role
from bot.services.events import events
from bot.services.events.events import EventDraft
from bot.services.reporting import summaries
from tests.support.factories import actor_for, make_municipality, make_person, make_school

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


async def test_summary_counts_attended_events(session: AsyncSession) -> None:
    city = await make_municipality(session)
    took_part = await make_school(session, city)
    stayed_away = await make_school(session, city)
    coordinator = await actor_for(
        session, await make_person(session, Role.MUNICIPAL_COORDINATOR, municipality=city)
    )
    staff = await actor_for(
        session, await make_person(session, Role.SCHOOL_STAFF, municipality=city, school=took_part)
    )
    await make_person(session, Role.SCHOOL_STAFF, municipality=city, school=stayed_away)
    for days, title in ((2, "Квест-игра"), (4, "Мозговой штурм <ВПР>")):
        draft = EventDraft(
            municipality_id=city.id,
            format="quest",
            title=title,
            starts_at=(NOW + timedelta(days=days)).isoformat(),
        )
        event = await events.publish(session, coordinator, draft, NOW)
        await events.sign_up(session, staff, event.id, NOW)
    await session.execute(update(EventRegistration).values(attended=True))

    rows = {
        row.school_id: row
        for row in await summaries.summarize(session, coordinator, date(2026, 12, 10))
    }
    assert (rows[took_part.id].events_attended, rows[took_part.id].last_event) == (
        2,
        "Мозговой штурм <ВПР>",
    )
    assert rows[stayed_away.id].events_attended == 0
    text = texts.summary_text(list(rows.values()), date(2026, 12, 10))
    assert "городские мероприятия: 2, последнее — «Мозговой штурм &lt;ВПР&gt;»" in text
