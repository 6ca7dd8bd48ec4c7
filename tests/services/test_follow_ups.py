"""Follow-ups and review threads straight against the services: scope, states, report."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.models import (
    ItemStatus,
    Notification,
    NotificationState,
    ReviewState,
    Role,
    Visit,
    VisitFollowUp,
    VisitFormat,
)
from bot.reports.half_year_report import build_half_year_report
from bot.services.errors import AccessDenied, DomainError
from bot.services.notifications.digest import build_digest
from bot.services.reporting import report_data
from bot.services.roadmaps import review_threads, roadmap_reports
from bot.services.visits import follow_ups
from bot.services.visits import reminders as visit_reminders
from tests.support.factories import actor_for, make_municipality, make_person, make_school

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
TODAY = date(2026, 11, 24)


async def _school_with_people(session: AsyncSession, city, number: int):  # type: ignore[no-untyped-def]
    school = await make_school(session, city, number)
    school.in_project = True
    staff = await make_person(session, Role.SCHOOL_STAFF, municipality=city, school=school)
    curator = await make_person(session, Role.CURATOR, municipality=city, curated=[school])
    return school, await actor_for(session, staff), await actor_for(session, curator)


async def _visit(session: AsyncSession, school, curator, *steps: tuple[str, date]) -> list[int]:  # type: ignore[no-untyped-def]
    visit = Visit(
        curator_person_id=curator.person_id,
        school_id=school.id,
        visit_date=date(2026, 11, 2),
        format=VisitFormat.REMOTE,
    )
    session.add(visit)
    await session.flush()
    rows = [VisitFollowUp(visit_id=visit.id, what=what, due_date=due) for what, due in steps]
    session.add_all(rows)
    await session.flush()
    return [row.id for row in rows]


async def test_follow_ups_scope_done_once_and_the_report(session: AsyncSession) -> None:
    city = await make_municipality(session)
    a, staff_a, curator_a = await _school_with_people(session, city, 1)
    b, staff_b, curator_b = await _school_with_people(session, city, 2)
    coordinator = await actor_for(
        session, await make_person(session, Role.MUNICIPAL_COORDINATOR, municipality=city)
    )
    late_a, soon_a = await _visit(
        session, a, curator_a, ("Шаг А1", date(2026, 11, 20)), ("Шаг А2", date(2026, 12, 1))
    )
    await _visit(session, b, curator_b, ("Шаг Б1", date(2026, 11, 21)))

    assert [s.what for s in await follow_ups.overdue_in_scope(session, staff_a, TODAY)] == [
        "Шаг А1"
    ]
    assert [s.what for s in await follow_ups.overdue_in_scope(session, curator_b, TODAY)] == [
        "Шаг Б1"
    ]
    everyone = await follow_ups.overdue_in_scope(session, coordinator, TODAY)
    assert [(s.what, s.days_overdue) for s in everyone] == [("Шаг А1", 4), ("Шаг Б1", 3)]
    assert await follow_ups.overdue_counts(session, [a.id, b.id], TODAY) == {a.id: 1, b.id: 1}
    digest = await build_digest(session, coordinator, TODAY)
    assert {row.school: row.overdue_follow_ups for row in digest.schools} == {
        "СШ № 1": 1,
        "СШ № 2": 1,
    }

    # Reminded on the day (the sweep at 10:00 local on 20.11), with a «Выполнено» button.
    await visit_reminders.follow_up_sweep(session, datetime(2026, 11, 20, 5, 0, tzinfo=UTC))
    reminder = await session.scalar(
        select(Notification).where(Notification.dedupe_key.like(f"followup {late_a}:%"))
    )
    assert reminder is not None and f"fu:d:{late_a}" in str(reminder.reply_markup)

    for stranger in (staff_b, curator_b, coordinator):
        with pytest.raises(AccessDenied):
            await follow_ups.mark_done(session, stranger, late_a, NOW)
    with pytest.raises(DomainError):
        await follow_ups.mark_done(session, staff_a, late_a, NOW, comment="x" * 2001)
    assert (await session.get(VisitFollowUp, late_a)).done_at is None  # type: ignore[union-attr]

    await follow_ups.mark_done(session, staff_a, late_a, NOW, comment="Сделано")
    with pytest.raises(DomainError) as twice:
        await follow_ups.mark_done(session, curator_a, late_a, NOW)
    assert twice.value.code == "followup_already_done"
    states = (
        await session.scalars(
            select(Notification.state).where(Notification.dedupe_key.like(f"followup {late_a}:%"))
        )
    ).all()
    assert states and set(states) == {NotificationState.CANCELLED}  # no reminder after done
    assert [s.id for s in await follow_ups.open_for_school(session, a.id, TODAY)] == [soon_a]
    await follow_ups.add_comment(session, curator_a, soon_a, NOW, comment=None, file_id="F1")
    assert (await session.get(VisitFollowUp, soon_a)).done_at == NOW  # type: ignore[union-attr]

    rows = await report_data.report_follow_ups(
        session, [a.id, b.id], date(2026, 9, 1), date(2026, 12, 31), "Asia/Yekaterinburg"
    )
    content = build_half_year_report("Отчёт", [], [], [], TODAY, follow_ups=rows)
    sheet = load_workbook(io.BytesIO(content))["Отчёт"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    heading = next(i for i, row in enumerate(values) if row[0] == texts.FOLLOW_UPS_SECTION)
    block = values[heading + 1 : heading + 4]
    assert [row[1] for row in block] == ["СШ № 1: Шаг А1", "СШ № 1: Шаг А2", "СШ № 2: Шаг Б1"]
    assert [row[3] for row in block] == [
        "Выполнено 24.11.2026",
        "Выполнено 24.11.2026",
        "Просрочено на 3 дн.",
    ]
    assert block[0][4] == "Сделано"


async def test_review_thread_states_and_scope(session: AsyncSession) -> None:
    city = await make_municipality(session)
    a, staff_a, curator_a = await _school_with_people(session, city, 1)
    _b, staff_b, curator_b = await _school_with_people(session, city, 2)
    from bot.services.roadmaps import roadmaps
    from tests.support.roadmap_files import parsed_item

    await roadmaps.apply_import(session, staff_a, a.id, 2026, [parsed_item("1", None)], NOW)
    (item,) = await roadmaps.school_items(session, staff_a, a.id, TODAY)

    async def submit():  # type: ignore[no-untyped-def]
        return await roadmap_reports.submit_report(
            session,
            staff_a,
            item.id,
            status=ItemStatus.DONE,
            percent=None,
            done_text="Готово",
            evidence=[],
            now=NOW,
        )

    report = await submit()
    await review_threads.hold(session, curator_a, report.id, NOW)
    assert report.review_state == ReviewState.ON_HOLD
    with pytest.raises(DomainError) as blocked:  # on hold still waits for the curator
        await submit()
    assert blocked.value.code == "roadmap_report_pending"
    for stranger in (staff_b, curator_b):
        with pytest.raises(AccessDenied):
            await review_threads.post_message(session, stranger, report.id, NOW, text="Чужое")
    with pytest.raises(AccessDenied):
        await review_threads.hold(session, staff_a, report.id, NOW)
    with pytest.raises(DomainError):
        await review_threads.post_message(session, staff_a, report.id, NOW, text="  ")
    await review_threads.post_message(
        session, staff_a, report.id, NOW, text=None, file_kind="photo", file_id="P1"
    )
    await roadmap_reports.review(
        session, curator_a, report.id, accept=False, comment="Нужен протокол", now=NOW
    )
    await review_threads.hold(session, curator_a, report.id, NOW)  # returned → on hold
    await roadmap_reports.review(session, curator_a, report.id, accept=True, comment=None, now=NOW)
    with pytest.raises(DomainError):
        await review_threads.hold(session, curator_a, report.id, NOW)
    thread = await review_threads.thread(session, staff_a, report.id)
    assert [(line.state, line.from_school, line.file_id) for line in thread.lines] == [
        ("on_hold", False, None),
        (None, True, "P1"),
        ("returned", False, None),
        ("on_hold", False, None),
        ("accepted", False, None),
    ]
    with pytest.raises(AccessDenied):
        await review_threads.thread(session, staff_b, report.id)
