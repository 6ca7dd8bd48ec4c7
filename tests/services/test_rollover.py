"""Access follows the assignment valid today, and `new-school-year` carries the directory
over: on 31 August and 1 September, with and without the rollover, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.models import (
    AuditRecord,
    CuratorAssignment,
    ItemStatus,
    Notification,
    Person,
    Roadmap,
    RoadmapItem,
    Role,
    SchoolStatus,
    TelegramAccount,
)
from bot.services.access.actors import current_project_year, load_actor
from bot.services.access.assignments import directory_year
from bot.services.errors import DomainError
from bot.services.notifications import recipients
from bot.services.roadmaps import reminders as roadmap_reminders
from bot.services.roadmaps.rollover import new_school_year
from bot.services.school_year import SchoolYear
from tests.support.factories import make_municipality, make_person, make_school

LAST_DAY = date(2027, 8, 31)
FIRST_DAY = date(2027, 9, 1)
NEW = SchoolYear(2027)


async def _curated(session: AsyncSession, person: Person, day: date) -> set[int]:
    telegram_id = await session.scalar(
        select(TelegramAccount.telegram_user_id).where(TelegramAccount.person_id == person.id)
    )
    actor = await load_actor(session, int(telegram_id or 0), day)
    assert actor is not None
    return set(actor.curated_school_ids)


async def _world(session: AsyncSession):  # type: ignore[no-untyped-def]
    """A curator of two schools in 2026/27 (one assignment ended), a school that left the
    project, and a roadmap of 2026/27 with two unfinished items and a done one."""
    city = await make_municipality(session)
    kept = await make_school(session, city)
    ended = await make_school(session, city)
    left = await make_school(session, city)
    curator = await make_person(session, Role.CURATOR, municipality=city, telegram_id=None)
    staff = await make_person(session, Role.SCHOOL_STAFF, municipality=city, school=kept)
    for school in (kept, ended, left):
        session.add(CuratorAssignment(curator_person_id=curator.id, school_id=school.id, year=2026))
    await session.flush()
    await session.execute(
        CuratorAssignment.__table__.update()
        .where(CuratorAssignment.school_id == ended.id)
        .values(ended_at=datetime(2027, 3, 1, tzinfo=UTC))
    )
    left.status = SchoolStatus.EXITED
    roadmap = Roadmap(school_id=kept.id, year=2026)
    session.add(roadmap)
    await session.flush()
    for position, (status, measure) in enumerate(
        [
            (ItemStatus.NOT_STARTED, "Педсовет"),
            (ItemStatus.DONE, "Семинар"),
            (ItemStatus.IN_PROGRESS, "Открытые уроки"),
        ]
    ):
        session.add(
            RoadmapItem(
                roadmap_id=roadmap.id,
                number=str(position + 1),
                position=position,
                measure=measure,
                status=status,
            )
        )
    await session.flush()
    return curator, staff, kept, ended, left


async def _counts(session: AsyncSession) -> tuple[int, int, int, int]:
    async def count(model: type) -> int:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)

    ended = await session.scalar(
        select(func.count()).where(CuratorAssignment.ended_at.is_not(None))
    )
    return (
        await count(CuratorAssignment),
        int(ended or 0),
        await count(Notification),
        await count(AuditRecord),
    )


async def test_access_does_not_vanish_on_the_first_of_september(session: AsyncSession) -> None:
    curator, _staff, kept, _ended, left = await _world(session)
    # Ended assignments give no access; the rest hold on the last day of the year...
    assert await _curated(session, curator, LAST_DAY) == {kept.id, left.id}
    # ...and still on the first day of the next one when nobody rolled over.
    assert await _curated(session, curator, FIRST_DAY) == {kept.id, left.id}
    assert await recipients.curators_of(session, kept.id, FIRST_DAY) == [curator.id]
    # The default day is today's: time-machine puts today on 1 September 2027.
    with time_machine.travel(datetime(2027, 9, 1, 6, tzinfo=UTC), tick=False):
        assert current_project_year() == 2027
        telegram_id = await session.scalar(
            select(TelegramAccount.telegram_user_id).where(TelegramAccount.person_id == curator.id)
        )
        actor = await load_actor(session, int(telegram_id or 0))
        assert actor is not None and set(actor.curated_school_ids) == {kept.id, left.id}


async def test_rollover_in_advance_takes_over_on_the_first_of_september(
    session: AsyncSession,
) -> None:
    curator, staff, kept, ended, left = await _world(session)
    before = await _counts(session)

    planned = await new_school_year(session, NEW, today=date(2027, 8, 20), dry_run=True)
    assert await _counts(session) == before  # a dry run writes nothing
    assert [(a.school, a.reason) for a in planned.continuing] == [(kept.short_name, None)]
    assert sorted((a.school, a.reason) for a in planned.ending) == sorted(
        [(ended.short_name, "ended"), (left.short_name, "school_exited")]
    )
    assert [(s.school, s.count, s.first) for s in planned.unfinished] == [
        (kept.short_name, 2, [("1", "Педсовет"), ("3", "Открытые уроки")])
    ]

    done = await new_school_year(
        session, NEW, today=date(2027, 8, 20), dry_run=False, actor_person_id=None
    )
    assert done.changed and done.schools_told == 1
    rows = (
        await session.execute(
            select(CuratorAssignment.school_id, CuratorAssignment.year, CuratorAssignment.ended_at)
        )
    ).all()
    assert (kept.id, 2027, None) in rows
    assert not any(year == 2027 and school != kept.id for school, year, _ in rows)
    told = (await session.scalars(select(Notification))).all()
    assert [n.recipient_person_id for n in told] == [staff.id]
    assert "Педсовет" in told[0].text and "Семинар" not in told[0].text
    audit = (await session.scalars(select(AuditRecord))).one()
    assert audit.action == "school_year.rollover"
    assert audit.details is not None and audit.details["to"] == "2027/28"

    # The old year's rows still hold until 31 August; the new ones from 1 September.
    assert await _curated(session, curator, LAST_DAY) == {kept.id}  # «left» was ended now
    assert await _curated(session, curator, FIRST_DAY) == {kept.id}
    await session.execute(
        CuratorAssignment.__table__.update()
        .where(CuratorAssignment.year == 2027)
        .values(ended_at=datetime(2027, 10, 1, tzinfo=UTC))
    )
    # Ending the new row does not bring the old year's row back.
    assert await _curated(session, curator, date(2027, 10, 2)) == set()
    assert await _curated(session, curator, LAST_DAY) == {kept.id}


async def test_a_second_rollover_changes_nothing(session: AsyncSession) -> None:
    _curator, _staff, kept, _ended, _left = await _world(session)
    await new_school_year(session, NEW, today=FIRST_DAY, dry_run=False)
    after_first = await _counts(session)
    again = await new_school_year(session, NEW, today=FIRST_DAY, dry_run=False)
    assert not again.changed and again.continuing == []
    assert [a.school for a in again.already] == [kept.short_name]
    assert await _counts(session) == after_first
    assert texts.rollover_lines(again)[1] == "Назначения продолжаются: 0"


async def test_rollover_refuses_a_year_too_far(session: AsyncSession) -> None:
    with pytest.raises(DomainError) as refused:
        await new_school_year(session, SchoolYear(2030), today=FIRST_DAY, dry_run=True)
    assert refused.value.code == "rollover_year_out_of_range"
    assert "2027/28" in texts.error(refused.value.code, **refused.value.params)


async def test_a_curator_added_before_the_rollover_joins_the_old_year(
    session: AsyncSession,
) -> None:
    _curator, _staff, kept, _ended, _left = await _world(session)
    city_school_new = await make_school(session, await make_municipality(session))
    assert await directory_year(session, kept.id, FIRST_DAY) == 2026  # not rolled over yet
    assert await directory_year(session, city_school_new.id, FIRST_DAY) == 2027


async def test_recurring_items_are_reminded_on_their_cadence(session: AsyncSession) -> None:
    city = await make_municipality(session)
    school = await make_school(session, city)
    staff = await make_person(session, Role.SCHOOL_STAFF, municipality=city, school=school)
    roadmap = Roadmap(school_id=school.id, year=2026)
    session.add(roadmap)
    await session.flush()
    twice = RoadmapItem(
        roadmap_id=roadmap.id,
        number="1",
        measure="Анкетирование родителей",
        deadline_text="2 раза в год (начало и конец учебного года)",
        is_recurring=True,
    )
    done = RoadmapItem(
        roadmap_id=roadmap.id,
        number="2",
        measure="Сделано",
        deadline_text="ежемесячно",
        is_recurring=True,
        status=ItemStatus.DONE,
    )
    session.add_all([twice, done])
    await session.flush()
    at = datetime(2026, 9, 20, 5, tzinfo=UTC)  # 10:00 in Yekaterinburg, the first point
    assert (
        await roadmap_reminders.recurring_sweep(session, datetime(2026, 9, 19, 5, tzinfo=UTC)) == 0
    )
    assert await roadmap_reminders.recurring_sweep(session, at) == 1
    assert await roadmap_reminders.recurring_sweep(session, at) == 0  # once per point
    assert (
        await roadmap_reminders.recurring_sweep(session, datetime(2027, 1, 20, 5, tzinfo=UTC)) == 0
    )
    assert (
        await roadmap_reminders.recurring_sweep(session, datetime(2027, 5, 21, 5, tzinfo=UTC)) == 1
    )
    sent = (await session.scalars(select(Notification).order_by(Notification.id))).all()
    assert [n.recipient_person_id for n in sent] == [staff.id, staff.id]
    assert "Анкетирование родителей" in sent[0].text and "2 раза в год" in sent[0].text
    assert sent[0].dedupe_key.startswith(f"recurring:item {twice.id}:2026-09-20")
