"""City events in a report: the right people counted, local days, any period."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Event, EventRegistration, EventStatus, RegistrationState, Role
from bot.services.reporting import report_data
from tests.support.factories import make_municipality, make_person, make_school


async def test_events_count_the_signed_up_of_the_school_in_local_days(
    session: AsyncSession,
) -> None:
    city = await make_municipality(session)  # Asia/Yekaterinburg, UTC+5
    mine, other = await make_school(session, city, 1), await make_school(session, city, 2)
    host = await make_school(session, city, 3)
    # 31.12 at 20:00 UTC is 1 January in the city: the second half, not the first.
    new_year = Event(
        municipality_id=city.id,
        format="seminar",
        title="Новогодний семинар",
        starts_at=datetime(2026, 12, 31, 20, 0, tzinfo=UTC),
        host_school_id=host.id,
        organisers="Управление образования",
        status=EventStatus.PUBLISHED,
    )
    session.add(new_year)
    await session.flush()
    staff = [await make_person(session, Role.SCHOOL_STAFF, school=mine) for _ in range(4)]
    staff[0].workplace_school_id = None  # found through the school team role
    outsider = await make_person(session, Role.SCHOOL_STAFF, school=other)
    states = [
        RegistrationState.REGISTERED,
        RegistrationState.REGISTERED,
        RegistrationState.DECLINED,
        RegistrationState.CANCELLED,
    ]
    for person, state in zip(staff, states, strict=True):
        session.add(
            EventRegistration(
                event_id=new_year.id,
                person_id=person.id,
                state=state,
                attended=state == RegistrationState.REGISTERED,
            )
        )
    session.add(
        EventRegistration(
            event_id=new_year.id, person_id=outsider.id, state=RegistrationState.WAITLISTED
        )
    )
    await session.flush()
    first_half = await report_data.report_events(
        session, [city.id], date(2026, 9, 1), date(2026, 12, 31), timezone=city.timezone
    )
    assert first_half == []
    calendar_half = report_data.ReportPeriod(
        date(2027, 1, 1), date(2027, 6, 30), "I полугодие 2027"
    )
    (whole,) = await report_data.report_events(
        session, [city.id], calendar_half.first, calendar_half.last, timezone=city.timezone
    )
    assert (whole.day, whole.host_school, whole.organisers) == (
        date(2027, 1, 1),
        "СШ № 3",
        "Управление образования",
    )
    assert (whole.signed_up, whole.waitlisted, whole.attended) == (2, 1, 2)
    (school,) = await report_data.report_events(
        session,
        [city.id],
        calendar_half.first,
        calendar_half.last,
        school_ids=[mine.id],
        timezone=city.timezone,
    )
    assert (school.signed_up, school.waitlisted) == (2, 0)
