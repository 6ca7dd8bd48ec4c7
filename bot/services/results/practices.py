"""The practice bank: what curators and coordinators found worth copying, seen region-wide.

A practice is saved from a visit's findings with one tap (`from_visit`) or typed
(`save_practice`); everyone in the region browses it by risk factor and searches it by
words (`browse`). New practices go into the weekly digest (bot/services/notifications/digest.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.models import Municipality, Person, Practice, RiskFactor, Role, School, Visit
from bot.services.access import audit
from bot.services.access.actors import Actor
from bot.services.errors import AccessDenied, DomainError, NotFound

TITLE_LENGTH = 200
TEXT_LENGTH = 3000
BROWSE_LIMIT = 10


@dataclass(frozen=True)
class PracticeView:
    id: int
    title: str
    risk_factor_ids: list[int]
    school: str | None
    what_done: str
    result: str | None
    author: str
    created_at: datetime


async def region_ids(session: AsyncSession, actor: Actor) -> set[int] | None:
    """The regions whose bank the person sees; None for an admin (all)."""
    if actor.is_admin:
        return None
    municipalities = set(actor.coordinated_municipality_ids)
    if actor.municipality_id is not None:
        municipalities.add(actor.municipality_id)
    municipalities.update(
        (await session.scalars(select(School.municipality_id).where(actor.school_filter()))).all()
    )
    found = set(actor.coordinated_region_ids)
    if municipalities:
        found.update(
            (
                await session.scalars(
                    select(Municipality.region_id).where(Municipality.id.in_(municipalities))
                )
            ).all()
        )
    return found


def _may_save(actor: Actor) -> None:
    if not (
        actor.is_admin
        or actor.has(Role.CURATOR)
        or actor.coordinated_municipality_ids
        or actor.coordinated_region_ids
    ):
        raise AccessDenied()


async def from_visit(session: AsyncSession, actor: Actor, visit_id: int) -> Practice:
    """The visit's findings as a practice: its purpose for a title, its risk factor."""
    _may_save(actor)
    found = (
        await session.execute(
            select(Visit, School)
            .join(School, School.id == Visit.school_id)
            .where(Visit.id == visit_id, Visit.deleted_at.is_(None))
        )
    ).first()
    if found is None:
        raise NotFound("visit_not_found")
    visit, school = found
    if not actor.sees_school(school):
        raise NotFound("visit_not_found")  # the same answer whether absent or out of scope
    if not (visit.findings or "").strip():
        raise DomainError("practice_visit_empty")
    if await session.scalar(select(Practice.id).where(Practice.visit_id == visit.id)):
        raise DomainError("practice_visit_saved")
    title = (visit.purpose or "").strip() or texts.practice_default_title(school.short_name)
    return await _add(
        session,
        actor,
        school,
        title=title,
        risk_factor_ids=[visit.risk_factor_id] if visit.risk_factor_id else [],
        what_done=visit.findings or "",
        result=visit.recommendations,
        visit_id=visit.id,
    )


async def save_practice(
    session: AsyncSession,
    actor: Actor,
    *,
    school_id: int,
    title: str,
    risk_factor_ids: list[int],
    what_done: str,
    result: str | None,
) -> Practice:
    _may_save(actor)
    school = await session.get(School, school_id)
    if school is None or not actor.sees_school(school):
        raise NotFound("school_not_found")
    return await _add(
        session,
        actor,
        school,
        title=title,
        risk_factor_ids=risk_factor_ids,
        what_done=what_done,
        result=result,
        visit_id=None,
    )


async def _add(
    session: AsyncSession,
    actor: Actor,
    school: School,
    *,
    title: str,
    risk_factor_ids: list[int],
    what_done: str,
    result: str | None,
    visit_id: int | None,
) -> Practice:
    region_id = await session.scalar(
        select(Municipality.region_id).where(Municipality.id == school.municipality_id)
    )
    assert region_id is not None
    practice = Practice(
        region_id=region_id,
        school_id=school.id,
        visit_id=visit_id,
        title=title[:TITLE_LENGTH],
        risk_factor_ids=sorted({f for f in risk_factor_ids if 1 <= f <= 10}),
        what_done=what_done[:TEXT_LENGTH],
        result=(result or "")[:TEXT_LENGTH] or None,
        author_person_id=actor.person_id,
    )
    session.add(practice)
    await session.flush()
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="practice.created",
        object_type="practice",
        object_id=practice.id,
        details={"school_id": school.id, "visit_id": visit_id},
    )
    return practice


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-zа-я0-9]+", text.lower().replace("ё", "е")) if len(w) > 2]


def _matches(view: PracticeView, words: list[str]) -> bool:
    haystack = (
        " ".join([view.title, view.what_done, view.result or "", view.school or ""])
        .lower()
        .replace("ё", "е")
    )
    # A word matches by its stem: «наставничество» finds «наставничества».
    return all(word[: max(4, len(word) - 2)] in haystack for word in words)


async def browse(
    session: AsyncSession,
    actor: Actor,
    *,
    risk_factor_id: int | None = None,
    query: str = "",
    limit: int = BROWSE_LIMIT,
) -> list[PracticeView]:
    """Newest first, in the person's region(s); by risk factor and/or every word of `query`."""
    regions = await region_ids(session, actor)
    statement = (
        select(Practice, School.short_name, Person.full_name)
        .outerjoin(School, School.id == Practice.school_id)
        .join(Person, Person.id == Practice.author_person_id)
        .order_by(Practice.created_at.desc(), Practice.id.desc())
    )
    if regions is not None:
        statement = statement.where(Practice.region_id.in_(regions))
    words = _words(query[:200])
    found = []
    for practice, school, author in await session.execute(statement):
        view = PracticeView(
            practice.id,
            practice.title,
            list(practice.risk_factor_ids or []),
            school,
            practice.what_done,
            practice.result,
            author,
            practice.created_at,
        )
        if risk_factor_id is not None and risk_factor_id not in view.risk_factor_ids:
            continue
        if words and not _matches(view, words):
            continue
        found.append(view)
        if len(found) >= limit:
            break
    return found


async def risk_factor_choices(session: AsyncSession) -> list[tuple[int, str]]:
    """The risk factors a practice is filed under, (number, title) by number: buttons."""
    rows = await session.execute(select(RiskFactor.id, RiskFactor.title).order_by(RiskFactor.id))
    return [(number, title) for number, title in rows.all()]
