"""Roadmap rules straight against the services: reports, review, progress, risk profile."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import ItemStatus, RiskLevel, Role
from bot.services.errors import AccessDenied, DomainError, NotFound
from bot.services.roadmaps import risk_profile, roadmap_reports, roadmap_summary, roadmaps
from tests.support.factories import actor_for, make_municipality, make_person, make_school
from tests.support.roadmap_files import parsed_item

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


async def _world(session: AsyncSession):  # type: ignore[no-untyped-def]
    city = await make_municipality(session)
    school = await make_school(session, city, 17)
    staff = await actor_for(
        session, await make_person(session, Role.SCHOOL_STAFF, municipality=city, school=school)
    )
    curator = await actor_for(
        session, await make_person(session, Role.CURATOR, municipality=city, curated=[school])
    )
    await roadmaps.apply_import(
        session,
        staff,
        school.id,
        2026,
        [parsed_item("1", "2026-10-01"), parsed_item("2", "2026-12-31"), parsed_item("3", None)],
        NOW,
    )
    items = await roadmaps.school_items(session, staff, school.id, NOW.date())
    return city, school, staff, curator, {row.number: row.id for row in items}


async def test_review_rules(session: AsyncSession) -> None:
    city, _school, staff, curator, ids = await _world(session)
    report = await roadmap_reports.submit_report(
        session,
        staff,
        ids["1"],
        status=ItemStatus.DONE,
        percent=100,
        done_text="Сделано",
        evidence=[],
        now=NOW,
    )
    with pytest.raises(DomainError) as twice:
        await roadmap_reports.submit_report(
            session,
            staff,
            ids["1"],
            status=ItemStatus.DONE,
            percent=None,
            done_text=None,
            evidence=[],
            now=NOW,
        )
    assert twice.value.code == "roadmap_report_pending"
    with pytest.raises(AccessDenied):
        await roadmap_reports.submit_report(
            session,
            curator,
            ids["2"],
            status=ItemStatus.DONE,
            percent=None,
            done_text=None,
            evidence=[],
            now=NOW,
        )
    with pytest.raises(DomainError) as bare:
        await roadmap_reports.review(
            session, curator, report.id, accept=False, comment="  ", now=NOW
        )
    assert bare.value.code == "roadmap_return_needs_comment"
    with pytest.raises(AccessDenied):
        await roadmap_reports.review(session, staff, report.id, accept=True, comment=None, now=NOW)
    other = await make_person(
        session, Role.CURATOR, municipality=city, curated=[await make_school(session, city)]
    )
    with pytest.raises(NotFound):  # the other curator does not see the school at all
        await roadmap_reports.review(
            session, await actor_for(session, other), report.id, accept=True, comment=None, now=NOW
        )
    await roadmap_reports.review(session, curator, report.id, accept=True, comment=None, now=NOW)
    with pytest.raises(DomainError) as again:
        await roadmap_reports.review(
            session, curator, report.id, accept=True, comment=None, now=NOW
        )
    assert again.value.code == "roadmap_report_reviewed"


async def test_progress_counts_accepted_overdue_and_waiting(session: AsyncSession) -> None:
    _city, school, staff, curator, ids = await _world(session)
    done = await roadmap_reports.submit_report(
        session,
        staff,
        ids["1"],
        status=ItemStatus.DONE,
        percent=None,
        done_text=None,
        evidence=[],
        now=NOW,
    )
    await roadmap_reports.submit_report(
        session,
        staff,
        ids["2"],
        status=ItemStatus.IN_PROGRESS,
        percent=50,
        done_text=None,
        evidence=[],
        now=NOW,
    )
    before = (await roadmap_summary.roadmap_progress(session, [school.id], NOW.date()))[school.id]
    assert before == roadmap_summary.Progress(accepted=0, total=3, overdue=1, waiting_review=2)
    await roadmap_reports.review(session, curator, done.id, accept=True, comment=None, now=NOW)
    after = (await roadmap_summary.roadmap_progress(session, [school.id], date(2027, 1, 10)))[
        school.id
    ]
    assert after == roadmap_summary.Progress(accepted=1, total=3, overdue=1, waiting_review=1)


async def test_curators_cannot_change_the_roadmap_or_risks(session: AsyncSession) -> None:
    _city, school, staff, curator, _ids = await _world(session)
    with pytest.raises(AccessDenied):
        await roadmaps.apply_import(
            session, curator, school.id, 2026, [parsed_item("9", None)], NOW
        )
    with pytest.raises(AccessDenied):
        await risk_profile.toggle(session, curator, school.id, 1, 2026)
    levels = [await risk_profile.toggle(session, staff, school.id, 1, 2026) for _ in range(4)]
    assert levels == [RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW, None]


async def test_edit_item_fields_rules_and_scope(session: AsyncSession) -> None:
    city, _school, staff, curator, ids = await _world(session)
    item = await roadmaps.edit_item(session, staff, ids["3"], "deadline", "II полугодие 2027")
    assert (item.deadline_text, item.due_date, item.is_recurring) == (
        "II полугодие 2027",
        date(2027, 12, 31),
        False,
    )
    item = await roadmaps.edit_item(session, staff, ids["3"], "deadline", "до 01.09")
    assert item.due_date == date(2026, 9, 1)  # the roadmap's year, not today's
    item = await roadmaps.edit_item(session, staff, ids["3"], "expected", "  Протокол  ")
    assert item.expected_result == "Протокол"
    coordinator = await actor_for(
        session, await make_person(session, Role.MUNICIPAL_COORDINATOR, municipality=city)
    )
    item = await roadmaps.edit_item(session, coordinator, ids["3"], "measure", "Новый текст")
    assert item.measure == "Новый текст"
    for field, value, code in [
        ("deadline", "когда-нибудь", "roadmap_deadline_unreadable"),
        ("measure", "я" * 2001, "text_too_long"),
        ("responsible", "   ", "text_empty"),
        ("status", "done", "roadmap_edit_field"),
    ]:
        with pytest.raises(DomainError) as refused:
            await roadmaps.edit_item(session, staff, ids["3"], field, value)
        assert refused.value.code == code
    with pytest.raises(AccessDenied):
        await roadmaps.edit_item(session, curator, ids["3"], "measure", "Куратор не правит")
    other_city = await make_municipality(session, name="Другой город")
    stranger = await actor_for(
        session, await make_person(session, Role.MUNICIPAL_COORDINATOR, municipality=other_city)
    )
    with pytest.raises(AccessDenied):
        await roadmaps.edit_item(session, stranger, ids["3"], "measure", "Чужая школа")
    assert item.measure == "Новый текст"


async def test_queue_oldest_first_across_the_curators_schools_and_history(
    session: AsyncSession,
) -> None:
    from datetime import timedelta

    from bot.models import Attachment, Notification

    city, school, staff, curator, ids = await _world(session)
    second = await make_school(session, city, 35)
    second_staff = await actor_for(
        session, await make_person(session, Role.SCHOOL_STAFF, municipality=city, school=second)
    )
    both = await actor_for(
        session,
        await make_person(session, Role.CURATOR, municipality=city, curated=[school, second]),
    )
    await roadmaps.apply_import(
        session, second_staff, second.id, 2026, [parsed_item("1", None)], NOW
    )
    second_item = (await roadmaps.school_items(session, second_staff, second.id, NOW.date()))[0]

    async def submit(actor, item_id: int, minutes: int, evidence=()):  # type: ignore[no-untyped-def]
        return await roadmap_reports.submit_report(
            session,
            actor,
            item_id,
            status=ItemStatus.IN_PROGRESS,
            percent=10,
            done_text=f"через {minutes} мин",
            evidence=list(evidence),
            now=NOW + timedelta(minutes=minutes),
        )

    late = await submit(staff, ids["2"], 30)
    early = await submit(
        second_staff,
        second_item.id,
        5,
        [
            roadmap_reports.Evidence("photo", file_id="P1", file_unique_id="u1"),
            roadmap_reports.Evidence("link", url="https://example.org/a"),
            roadmap_reports.Evidence("document", file_id="D1", file_name="протокол.pdf"),
        ],
    )
    queue = await roadmap_reports.review_queue(session, both)
    assert [q.report_id for q in queue] == [early.id, late.id]
    assert queue[0].attachments == [("photo", "P1"), ("document", "D1")]
    assert queue[0].links == "https://example.org/a"
    assert [q.report_id for q in await roadmap_reports.review_queue(session, curator)] == [late.id]
    assert await roadmap_reports.review_queue(session, staff) == []

    await roadmap_reports.review(
        session, both, late.id, accept=False, comment="Нужен протокол", now=NOW + timedelta(hours=1)
    )
    history = await roadmap_reports.item_history(session, staff, ids["2"])
    assert [(h.what, h.text) for h in history] == [
        ("submitted", "через 30 мин"),
        ("returned", "Нужен протокол"),
    ]
    with pytest.raises(AccessDenied):
        await roadmap_reports.item_history(session, second_staff, ids["2"])
    attachments = (await session.scalars(select(Attachment.report_id))).all()
    assert attachments == [early.id, early.id]
    notices = (await session.scalars(select(Notification.dedupe_key))).all()
    assert f"report {late.id}:returned" in " ".join(notices)
