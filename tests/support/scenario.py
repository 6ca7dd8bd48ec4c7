"""Bulk-built municipalities for scale tests: hundreds of schools in a handful of statements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    CuratorAssignment,
    Event,
    EventRegistration,
    EventStatus,
    ItemStatus,
    Person,
    ProgressReport,
    RegistrationState,
    RiskLevel,
    Roadmap,
    RoadmapItem,
    Role,
    RoleAssignment,
    School,
    SchoolKind,
    SchoolRiskProfileEntry,
    TelegramAccount,
    Visit,
    VisitFormat,
)
from tests.support.factories import make_municipality, make_person, next_telegram_id

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
BATCH = 2_000  # rows per INSERT: well under every driver's bound-parameter limit


@dataclass
class BulkCity:
    municipality_id: int
    school_ids: list[int]
    curator: Person
    coordinator: Person


async def _insert(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(rows), BATCH):
        result = await session.execute(
            insert(model).returning(model.id, sort_by_parameter_order=True),
            rows[start : start + BATCH],
        )
        ids.extend(result.scalars())
    return ids


async def bulk_city(
    session: AsyncSession,
    schools: int,
    *,
    items: int = 4,
    visits: int = 2,
    first_number: int = 1,
    coordinator_name: str | None = None,
) -> BulkCity:
    """A municipality of `schools` project schools, each with the same shape of data.

    Per school: `items` roadmap items due in October 2026 (the first accepted with an evidence
    link, the second with a report waiting for review, the rest not started), `visits` visits,
    a high risk 9, one staff member whose Telegram account blocked the bot; one event of the
    municipality that the staff signed up for (and every other one attended).
    """
    city = await make_municipality(session)
    coordinator = await make_person(
        session, Role.MUNICIPAL_COORDINATOR, municipality=city, full_name=coordinator_name
    )
    curator = await make_person(session, Role.CURATOR, municipality=city, full_name="Куратор Б.")
    numbers = range(first_number, first_number + schools)
    school_ids = await _insert(
        session,
        School,
        [
            {
                "municipality_id": city.id,
                "full_name": f"Средняя школа № {n}",
                "short_name": f"СШ № {n}",
                "kind": SchoolKind.SECONDARY,
                "number": n,
                "project_start_year": 2022,
            }
            for n in numbers
        ],
    )
    await _insert(
        session,
        CuratorAssignment,
        [{"curator_person_id": curator.id, "school_id": s, "year": 2026} for s in school_ids],
    )
    roadmap_ids = await _insert(
        session, Roadmap, [{"school_id": s, "year": 2026} for s in school_ids]
    )
    item_ids = await _insert(
        session,
        RoadmapItem,
        [
            {
                "roadmap_id": r,
                "number": str(n),
                "position": n,
                "measure": f"Мероприятие {n}",
                "section": "Раздел А",
                "deadline_text": "октябрь 2026",
                "due_date": date(2026, 10, 1 + n % 28),
                "status": ItemStatus.DONE if n == 1 else ItemStatus.NOT_STARTED,
                "responsible": "Директор",
            }
            for r in roadmap_ids
            for n in range(1, items + 1)
        ],
    )
    reports = []
    for index in range(0, len(item_ids), items):
        reports.append(
            {
                "item_id": item_ids[index],
                "author_person_id": curator.id,
                "status": ItemStatus.DONE,
                "done_text": "Проведено",
                "evidence_links": "https://example.org/1",
                "review_state": "accepted",
                "reviewed_at": NOW,
            }
        )
        if items > 1:
            reports.append(
                {
                    "item_id": item_ids[index + 1],
                    "author_person_id": curator.id,
                    "status": ItemStatus.DONE,
                    "review_state": "pending",
                }
            )
    await _insert(session, ProgressReport, reports)
    await _insert(
        session,
        Visit,
        [
            {
                "curator_person_id": curator.id,
                "school_id": s,
                "visit_date": date(2026, 11, 1) + timedelta(days=v),
                "format": VisitFormat.ON_SITE,
                "participants": [],
                "purpose": "Консультация",
            }
            for s in school_ids
            for v in range(visits)
        ],
    )
    await _insert(
        session,
        SchoolRiskProfileEntry,
        [
            {"school_id": s, "risk_factor_id": 9, "level": RiskLevel.HIGH, "year": 2026}
            for s in school_ids
        ],
    )
    staff_ids = await _insert(
        session,
        Person,
        [
            {"full_name": f"Директор {n}", "municipality_id": city.id, "workplace_school_id": s}
            for n, s in zip(numbers, school_ids, strict=True)
        ],
    )
    await _insert(
        session,
        RoleAssignment,
        [
            {"person_id": p, "role": Role.SCHOOL_STAFF, "school_id": s, "municipality_id": city.id}
            for p, s in zip(staff_ids, school_ids, strict=True)
        ],
    )
    await _insert(
        session,
        TelegramAccount,
        [
            {
                "person_id": p,
                "telegram_user_id": next_telegram_id(),
                "chat_id": 0,
                "bound_at": NOW,
                "unreachable_since": NOW,
            }
            for p in staff_ids
        ],
    )
    (event_id,) = await _insert(
        session,
        Event,
        [
            {
                "municipality_id": city.id,
                "format": "семинар",
                "title": "Семинар директоров",
                "starts_at": datetime(2026, 10, 15, 5, 0, tzinfo=UTC),
                "status": EventStatus.PUBLISHED,
            }
        ],
    )
    await _insert(
        session,
        EventRegistration,
        [
            {
                "event_id": event_id,
                "person_id": p,
                "state": RegistrationState.REGISTERED,
                "attended": index % 2 == 0,
            }
            for index, p in enumerate(staff_ids)
        ],
    )
    await session.flush()
    return BulkCity(city.id, school_ids, curator, coordinator)
