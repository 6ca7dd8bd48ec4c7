"""Visit rules, straight against the service."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    Attachment,
    AuditRecord,
    Notification,
    Roadmap,
    RoadmapItem,
    Role,
    Visit,
    VisitFollowUp,
)
from bot.services.errors import AccessDenied, DomainError, NotFound
from bot.services.visits import visits
from bot.services.visits.visit_drafts import VisitDraft
from bot.services.visits.visits import VisitFilter
from tests.support.factories import actor_for, make_municipality, make_person, make_school

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
TODAY = NOW.date()


async def _world(session: AsyncSession):  # type: ignore[no-untyped-def]
    city = await make_municipality(session)
    mine, other = await make_school(session, city, 17), await make_school(session, city, 35)
    curator = await make_person(session, Role.CURATOR, municipality=city, curated=[mine])
    await make_person(session, Role.SCHOOL_STAFF, municipality=city, school=mine)
    await make_person(session, Role.MUNICIPAL_COORDINATOR, municipality=city)
    return city, mine, other, await actor_for(session, curator)


def _draft(school_id: int, **changes: object) -> VisitDraft:
    draft = VisitDraft(
        school_id=school_id,
        visit_date="2026-11-20",
        format="on_site",
        purpose="Тема",
        participants=["director"],
    )
    for key, value in changes.items():
        setattr(draft, key, value)
    return draft


async def test_save_notifies_staff_and_coordinators_once(session: AsyncSession) -> None:
    _city, mine, _other, actor = await _world(session)
    draft = _draft(mine.id, follow_ups=[["Педсовет", "2026-12-15"]])
    visit = await visits.save_visit(session, actor, draft, NOW, TODAY)
    assert visit.client_token == draft.token
    assert await session.scalar(select(func.count(Notification.id))) == 2
    with pytest.raises(DomainError) as again:
        await visits.save_visit(session, actor, draft, NOW, TODAY)
    assert again.value.code == "visit_already_saved"
    assert await session.scalar(select(func.count(Visit.id))) == 1


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"visit_date": "2026-11-25"}, "visit_date_future"),
        ({"visit_date": "2021-12-31"}, "visit_date_before_project"),
        ({"purpose": None}, "visit_incomplete"),
        ({"format": None}, "visit_incomplete"),
    ],
)
async def test_invalid_drafts_are_refused(session: AsyncSession, changes: dict, code: str) -> None:
    _city, mine, _other, actor = await _world(session)
    with pytest.raises(DomainError) as refused:
        await visits.save_visit(session, actor, _draft(mine.id, **changes), NOW, TODAY)
    assert refused.value.code == code
    assert await session.scalar(select(func.count(Visit.id))) == 0


async def test_a_school_not_curated_is_refused(session: AsyncSession) -> None:
    _city, _mine, other, actor = await _world(session)
    with pytest.raises(AccessDenied):
        await visits.save_visit(session, actor, _draft(other.id), NOW, TODAY)


async def test_edit_window_and_authorship(session: AsyncSession) -> None:
    city, mine, _other, actor = await _world(session)
    visit = await visits.save_visit(session, actor, _draft(mine.id), NOW, TODAY)
    colleague = await make_person(session, Role.CURATOR, municipality=city, curated=[mine])
    with pytest.raises(AccessDenied):
        await visits.delete_visit(session, await actor_for(session, colleague), visit.id, NOW)
    with pytest.raises(DomainError) as late:
        await visits.delete_visit(session, actor, visit.id, visit.created_at + timedelta(days=8))
    assert late.value.code == "visit_edit_window"
    await visits.delete_visit(session, actor, visit.id, NOW)
    with pytest.raises(NotFound):
        await visits.visit_card(session, actor, visit.id, NOW)


async def test_reading_is_scoped(session: AsyncSession) -> None:
    city, mine, other, actor = await _world(session)
    await visits.save_visit(session, actor, _draft(mine.id), NOW, TODAY)
    elsewhere = await make_municipality(session)
    outsider = await make_person(session, Role.MUNICIPAL_COORDINATOR, municipality=elsewhere)
    other_staff = await make_person(session, Role.SCHOOL_STAFF, municipality=city, school=other)
    coordinator = await make_person(session, Role.MUNICIPAL_COORDINATOR, municipality=city)
    counts = {}
    for name, person in [
        ("outsider", outsider),
        ("other_staff", other_staff),
        ("coordinator", coordinator),
    ]:
        page = await visits.list_visits(session, await actor_for(session, person), 0, VisitFilter())
        counts[name] = page.total
    assert counts == {"outsider": 0, "other_staff": 0, "coordinator": 1}
    month = await visits.list_visits(session, actor, 0, VisitFilter(month=202610))
    assert month.total == 0


async def test_last_visits_per_school(session: AsyncSession) -> None:
    _city, mine, other, actor = await _world(session)
    await visits.save_visit(session, actor, _draft(mine.id, visit_date="2026-11-01"), NOW, TODAY)
    await visits.save_visit(session, actor, _draft(mine.id, visit_date="2026-11-20"), NOW, TODAY)
    assert await visits.last_visits(session, [mine.id, other.id]) == {mine.id: date(2026, 11, 20)}


async def test_an_edit_keeps_unchanged_follow_ups_and_files(session: AsyncSession) -> None:
    _city, mine, _other, actor = await _world(session)
    photo = {"kind": "photo", "file_id": "F1", "file_unique_id": "U1"}
    draft = _draft(
        mine.id,
        follow_ups=[["Педсовет", "2026-12-15"], ["Отчёт", "2026-12-20"]],
        attachments=[photo],
    )
    visit = await visits.save_visit(session, actor, draft, NOW, TODAY)
    kept_step = await session.scalar(
        select(VisitFollowUp.id).where(VisitFollowUp.what == "Педсовет")
    )
    kept_file = await session.scalar(select(Attachment.id))
    edit = await visits.draft_from_visit(session, actor, visit.id, NOW)
    edit.follow_ups = [["Педсовет", "2026-12-15"], ["Семинар", "2026-12-25"]]
    edit.attachments.append({"kind": "document", "file_id": "F2", "file_unique_id": "U2"})
    edit.findings = "Новое"
    await visits.save_visit(session, actor, edit, NOW, TODAY)
    steps = dict((await session.execute(select(VisitFollowUp.what, VisitFollowUp.id))).all())
    assert set(steps) == {"Педсовет", "Семинар"} and steps["Педсовет"] == kept_step
    files = (await session.scalars(select(Attachment.id).order_by(Attachment.id))).all()
    assert len(files) == 2 and files[0] == kept_file
    assert visit.findings == "Новое"
    assert await session.scalar(select(func.count(Visit.id))) == 1
    audit = (await session.scalars(select(AuditRecord.action))).all()
    assert audit.count("visit.updated") == 1


async def test_risk_factor_must_be_in_the_school_s_profile(session: AsyncSession) -> None:
    _city, mine, _other, _actor = await _world(session)
    with pytest.raises(NotFound):
        await visits.purpose_from_factor(session, mine.id, 1)


async def test_today_is_local_to_the_school(session: AsyncSession) -> None:
    _city, mine, _other, actor = await _world(session)
    late = datetime(2026, 11, 24, 20, 30, tzinfo=UTC)  # 01:30 on the 25th in Yekaterinburg
    assert await visits.local_today(session, actor, mine.id, late) == date(2026, 11, 25)
    assert await visits.local_today(session, actor, None, late) == date(2026, 11, 25)


async def test_text_limits_are_refused_not_cut(session: AsyncSession) -> None:
    with pytest.raises(DomainError) as refused:
        visits.check_text("x" * 201, 200)
    assert refused.value.params == {"length": 201, "limit": 200}
    with pytest.raises(DomainError):
        visits.check_text("   ")


async def test_a_purpose_from_another_school_s_roadmap_is_refused(session: AsyncSession) -> None:
    city, mine, _other, actor = await _world(session)
    second = await make_school(session, city, 51)
    roadmap = Roadmap(school_id=second.id, year=2026)
    session.add(roadmap)
    await session.flush()
    item = RoadmapItem(roadmap_id=roadmap.id, number="1", measure="Педсовет")
    session.add(item)
    await session.flush()
    with pytest.raises(AccessDenied) as refused:
        await visits.save_visit(
            session, actor, _draft(mine.id, roadmap_item_id=item.id), NOW, TODAY
        )
    assert refused.value.code == "visit_item_other_school"
    assert await session.scalar(select(func.count(Visit.id))) == 0
