"""Each reminder at its moment and not before, in each municipality's own time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.models import (
    Event,
    EventRegistration,
    EventStatus,
    ItemStatus,
    Notification,
    ProgressReport,
    RegistrationState,
    Roadmap,
    RoadmapItem,
    Role,
    Visit,
    VisitFollowUp,
    VisitFormat,
)
from bot.services.events import event_reminders
from bot.services.notifications import digest
from bot.services.notifications.delivery import quiet_until
from bot.services.roadmaps import reminders as roadmap_reminders
from bot.services.visits import reminders as visit_reminders
from tests.support.factories import make_municipality, make_person, make_school, make_visit

DUE = date(2026, 12, 10)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def _school_with_item(session: AsyncSession, timezone: str = "Asia/Yekaterinburg"):  # type: ignore[no-untyped-def]
    city = await make_municipality(session, timezone=timezone)
    school = await make_school(session, city)
    staff = await make_person(session, Role.SCHOOL_STAFF, municipality=city, school=school)
    curator = await make_person(session, Role.CURATOR, municipality=city, curated=[school])
    roadmap = Roadmap(school_id=school.id, year=2026)
    session.add(roadmap)
    await session.flush()
    item = RoadmapItem(roadmap_id=roadmap.id, number="1", measure="Педсовет", due_date=DUE)
    session.add(item)
    await session.flush()
    return city, school, staff, curator, item


async def _keys(session: AsyncSession) -> list[str]:
    return sorted((await session.scalars(select(Notification.dedupe_key))).all())


async def test_deadline_reminders_at_their_moments(session: AsyncSession) -> None:
    _city, _school, staff, _curator, item = await _school_with_item(session)
    assert await roadmap_reminders.deadline_sweep(session, utc(2026, 12, 2, 5)) == 0  # T-8
    assert await roadmap_reminders.deadline_sweep(session, utc(2026, 12, 3, 5)) == 1  # T-7
    # again: nothing
    assert await roadmap_reminders.deadline_sweep(session, utc(2026, 12, 3, 6)) == 0
    row = (await session.scalars(select(Notification))).one()
    assert row.dedupe_key == f"deadline:item {item.id}:T-7:person {staff.id}"
    assert row.due_at == utc(2026, 12, 3, 4)  # 09:00 in Yekaterinburg
    assert row.reply_markup["inline_keyboard"][0][0]["callback_data"] == f"rm:rep:{item.id}"
    await roadmap_reminders.deadline_sweep(session, utc(2026, 12, 9, 5))
    await roadmap_reminders.deadline_sweep(session, utc(2026, 12, 10, 5))
    suffixes = [key.split(":")[2] for key in await _keys(session)]
    assert sorted(suffixes) == ["T-0", "T-1", "T-7"]


async def test_overdue_weekly_to_school_and_curator_until_done(session: AsyncSession) -> None:
    _city, _school, staff, curator, item = await _school_with_item(session)
    assert await roadmap_reminders.deadline_sweep(session, utc(2026, 12, 16, 5)) == 0  # 6 days late
    assert await roadmap_reminders.deadline_sweep(session, utc(2026, 12, 17, 5)) == 2  # week 1
    assert await roadmap_reminders.deadline_sweep(session, utc(2026, 12, 24, 5)) == 2  # week 2
    keys = [k for k in await _keys(session) if k.startswith("overdue")]
    assert f"overdue:item {item.id}:W1:person {curator.id}" in keys
    assert f"overdue:item {item.id}:W2:person {staff.id}" in keys
    item.status = ItemStatus.DONE
    await session.flush()
    assert await roadmap_reminders.deadline_sweep(session, utc(2026, 12, 31, 5)) == 0


async def test_stale_reminders_after_downtime_are_skipped(session: AsyncSession) -> None:
    await _school_with_item(session)
    # Down from the 1st to the 9th: T-7 (3 Dec) is stale, T-1 (9 Dec) is sent.
    await roadmap_reminders.deadline_sweep(session, utc(2026, 12, 9, 5))
    assert [k.split(":")[2] for k in await _keys(session)] == ["T-1"]


async def test_time_zones_side_by_side(session: AsyncSession) -> None:
    await _school_with_item(session, "Asia/Yekaterinburg")
    await _school_with_item(session, "Europe/Kaliningrad")
    await roadmap_reminders.deadline_sweep(session, utc(2026, 12, 3, 8))
    due = sorted((await session.scalars(select(Notification.due_at))).all())
    assert due == [utc(2026, 12, 3, 4), utc(2026, 12, 3, 7)]  # 09:00 UTC+5 and 09:00 UTC+2
    assert quiet_until(utc(2026, 12, 3, 4, 30), "Europe/Kaliningrad") is not None  # 06:30 there
    assert quiet_until(utc(2026, 12, 3, 4, 30), "Asia/Yekaterinburg") is None  # 09:30 there


async def test_follow_ups_no_visits_and_waiting_reviews(session: AsyncSession) -> None:
    _city, school, staff, curator, item = await _school_with_item(session)
    visit = await make_visit(session, curator, school, date(2026, 10, 1))
    session.add(VisitFollowUp(visit_id=visit.id, what="Педсовет", due_date=date(2026, 11, 5)))
    session.add(
        ProgressReport(
            item_id=item.id,
            author_person_id=staff.id,
            status=ItemStatus.DONE,
            submitted_at=utc(2026, 11, 1),
        )
    )
    await session.flush()
    now = utc(2026, 11, 5, 5)
    assert await visit_reminders.follow_up_sweep(session, now) == 2  # curator and school
    assert await visit_reminders.no_visit_sweep(session, now) == 0  # 35 days, but day 30 is stale
    assert await visit_reminders.no_visit_sweep(session, utc(2026, 10, 31, 5)) == 1  # day 30
    assert await roadmap_reminders.review_wait_sweep(session, utc(2026, 11, 3, 23)) == 0
    assert await roadmap_reminders.review_wait_sweep(session, utc(2026, 11, 4, 1)) == 1
    kinds = sorted((await session.scalars(select(Notification.kind))).all())
    assert kinds == ["followup", "followup", "novisit", "review"]


async def test_event_reminders_and_withdrawal(session: AsyncSession) -> None:
    city, _school, staff, _curator, _item = await _school_with_item(session)
    event = Event(
        municipality_id=city.id,
        format="seminar",
        title="Семинар",
        starts_at=utc(2026, 12, 3, 9),
        status=EventStatus.PUBLISHED,
    )
    session.add(event)
    await session.flush()
    registration = EventRegistration(
        event_id=event.id, person_id=staff.id, state=RegistrationState.REGISTERED
    )
    session.add(registration)
    await session.flush()
    assert await event_reminders.event_sweep(session, utc(2026, 11, 30, 9)) == 0  # too early
    assert await event_reminders.event_sweep(session, utc(2026, 12, 2, 6)) == 2
    due = sorted((await session.scalars(select(Notification.due_at))).all())
    assert due == [utc(2026, 12, 2, 9), utc(2026, 12, 3, 8)]
    registration.state = RegistrationState.CANCELLED
    await session.flush()
    await event_reminders.event_sweep(session, utc(2026, 12, 2, 7))
    states = {row.state.value for row in await session.scalars(select(Notification))}
    assert states == {"cancelled"}


async def test_monday_digest_once_with_content_and_muting(session: AsyncSession) -> None:
    city, school, staff, curator, _item = await _school_with_item(session)
    coordinator = await make_person(session, Role.MUNICIPAL_COORDINATOR, municipality=city)
    monday_8 = utc(2026, 12, 28, 3)  # 08:00 Yekaterinburg, Monday
    assert await digest.digest_sweep(session, monday_8) == 0
    monday_9 = monday_8 + timedelta(hours=1, minutes=5)
    assert (
        await digest.digest_sweep(session, monday_9) == 6
    )  # staff, curator, coordinator × text+chart
    assert await digest.digest_sweep(session, monday_9) == 0
    text, chart = (
        await session.scalars(
            select(Notification.text)
            .where(Notification.recipient_person_id == coordinator.id)
            .order_by(Notification.id)
        )
    ).all()
    assert chart == texts.DIGEST_CHART_CAPTION
    png = (
        await session.scalars(
            select(Notification.document_bytes).where(Notification.dedupe_key.like("%:chart"))
        )
    ).first()
    assert png is not None and png[:4] == b"\x89PNG"
    assert school.short_name in text and "просрочено 1" in text
    assert "Просрочено больше 14 дней" in text and "Педсовет" in text
    staff_text = (
        await session.scalars(
            select(Notification.text)
            .where(Notification.recipient_person_id == staff.id)
            .order_by(Notification.id)
        )
    ).first()
    assert "Просрочено больше 14 дней" not in staff_text  # escalation is the coordinator's
    curator.muted_kinds = ["digest"]
    await session.flush()
    next_monday = monday_9 + timedelta(days=7)
    assert await digest.digest_sweep(session, next_monday) == 4
    assert await digest.digest_sweep(session, monday_9 + timedelta(days=2)) == 0  # Wednesday


async def test_reminder_hour_and_no_visit_days_come_from_settings(session_factory) -> None:  # type: ignore[no-untyped-def]
    from bot.config import Settings
    from bot.scheduler.sweeps import run_sweeps

    async with session_factory() as session:
        _city, school, _staff, curator, _item = await _school_with_item(session)
        session.add(
            Visit(
                school_id=school.id,
                curator_person_id=curator.id,
                visit_date=date(2026, 11, 19),
                format=VisitFormat.ON_SITE,
            )
        )
        await session.commit()
    settings = Settings(_env_file=None, reminder_hour=10, no_visit_days=14)  # type: ignore[call-arg]
    now = utc(2026, 12, 3, 6)  # T-7 of the item, 14 days after the visit; 11:00 local
    await run_sweeps(session_factory, lambda: now, settings)
    async with session_factory() as session:
        rows = {
            row.dedupe_key.split(":")[0]: row.due_at
            for row in await session.scalars(select(Notification))
        }
    assert rows["deadline"] == utc(2026, 12, 3, 5)  # 10:00 in Yekaterinburg, not 09:00
    assert rows["novisit"] == utc(2026, 12, 3, 5)  # 14 days, not 30


async def test_snooze_buttons_name_the_row_they_are_sent_with(session: AsyncSession) -> None:
    from bot.services.notifications import delivery

    _city, _school, staff, _curator, item = await _school_with_item(session)
    assert await roadmap_reminders.deadline_sweep(session, utc(2026, 12, 3, 5)) == 1
    row = (await session.scalars(select(Notification))).one()
    assert row.snoozable and "ntf:sz" not in str(row.reply_markup)  # stored without ids
    (outgoing,) = await delivery.claim_due(session, utc(2026, 12, 3, 5), limit=5, worker="t")
    keyboard = outgoing.reply_markup["inline_keyboard"]  # type: ignore[index]
    assert keyboard[0][0]["callback_data"] == f"rm:rep:{item.id}"
    assert [b["callback_data"] for b in keyboard[1]] == [
        f"ntf:sz:{row.id}:{days}" for days in (1, 3, 7)
    ]
    assert [b["text"] for b in keyboard[1]] == [
        texts.BUTTON_SNOOZE_1,
        texts.BUTTON_SNOOZE_3,
        texts.BUTTON_SNOOZE_7,
    ]
    await delivery.mark_sent(session, row.id, utc(2026, 12, 3, 5), 1)
    assert await delivery.snooze(session, staff.id, row.id, utc(2026, 12, 4, 4))
    copy = (await session.scalars(select(Notification).where(Notification.id != row.id))).one()
    (again,) = await delivery.claim_due(session, utc(2026, 12, 4, 5), limit=5, worker="t")
    assert again.id == copy.id
    assert again.reply_markup["inline_keyboard"][1][0]["callback_data"] == f"ntf:sz:{copy.id}:1"  # type: ignore[index]
