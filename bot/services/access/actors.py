"""Who is acting: a person with roles and the scopes those roles reach."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, Integer, bindparam, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    CuratorAssignment,
    Municipality,
    Person,
    Role,
    RoleAssignment,
    School,
    TelegramAccount,
    utcnow,
)
from bot.services.access.assignments import valid_clause
from bot.services.errors import AccessDenied, NotFound
from bot.services.school_year import SchoolYear


@dataclass(frozen=True)
class Actor:
    """A bound person and everything needed to decide what they may see."""

    person_id: int
    full_name: str
    telegram_user_id: int
    chat_id: int
    roles: frozenset[Role]
    municipality_id: int | None = None
    # Municipalities the person coordinates (a regional coordinator: all of the region).
    coordinated_municipality_ids: frozenset[int] = field(default_factory=frozenset)
    coordinated_region_ids: frozenset[int] = field(default_factory=frozenset)
    curated_school_ids: frozenset[int] = field(default_factory=frozenset)
    staff_school_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def sees_a_region(self) -> bool:
        """An admin or a regional coordinator: their lists span a region or the country."""
        return self.is_admin or bool(self.coordinated_region_ids)

    def has(self, role: Role) -> bool:
        return role in self.roles

    def coordinates(self, municipality_id: int) -> bool:
        return self.is_admin or municipality_id in self.coordinated_municipality_ids

    def school_filter(self) -> ColumnElement[bool]:
        """A WHERE clause on `School` limiting rows to this actor's scope."""
        if self.is_admin:
            return true()
        conditions: list[ColumnElement[bool]] = []
        direct = self.curated_school_ids | self.staff_school_ids
        if direct:
            conditions.append(School.id.in_(direct))
        if self.coordinated_municipality_ids:
            conditions.append(School.municipality_id.in_(self.coordinated_municipality_ids))
        return or_(*conditions) if conditions else false()

    def sees_school(self, school: School) -> bool:
        return (
            self.is_admin
            or school.id in self.curated_school_ids
            or school.id in self.staff_school_ids
            or school.municipality_id in self.coordinated_municipality_ids
        )


def current_project_year(now: datetime | None = None) -> int:
    """The school year (its start, 2026 for 2026/27) containing `now`, as assignments store it."""
    return SchoolYear.containing((now or utcnow()).date()).start


# Built once: the statement runs for every update, and building it cost as much CPU as
# running it.
_ACTOR_ROWS = (
    select(
        TelegramAccount.chat_id,
        Person.id,
        Person.full_name,
        Person.municipality_id,
        RoleAssignment.role,
        RoleAssignment.region_id,
        RoleAssignment.municipality_id,
        RoleAssignment.school_id,
        CuratorAssignment.school_id,
    )
    .join(Person, Person.id == TelegramAccount.person_id)
    .outerjoin(
        RoleAssignment,
        (RoleAssignment.person_id == Person.id) & RoleAssignment.revoked_at.is_(None),
    )
    .outerjoin(
        CuratorAssignment,
        (CuratorAssignment.curator_person_id == Person.id)
        & valid_clause(bindparam("school_year", type_=Integer)),
    )
    .where(TelegramAccount.telegram_user_id == bindparam("telegram_user_id"))
)


async def load_actor(
    session: AsyncSession, telegram_user_id: int, today: date | None = None
) -> Actor | None:
    """The bound person behind a Telegram user, or None for a stranger.

    Curated schools are those of the assignments valid `today` (UTC date unless given; see
    bot/services/access/assignments.py for the rule).

    Runs for every update, so it is one plain query (account, person, live roles and
    curated schools joined: a handful of rows) rather than an ORM load per table; only a
    regional coordinator's municipalities take a second one.
    """
    school_year = SchoolYear.containing(today or utcnow().date()).start
    parameters = {"telegram_user_id": telegram_user_id, "school_year": school_year}
    # On the session's connection, as Core: the ORM's execution layer around a plain
    # column select cost more CPU than the query (it runs for every update).
    connection = await session.connection()
    rows = (await connection.execute(_ACTOR_ROWS, parameters)).all()
    if not rows:
        return None
    chat_id, person_id, full_name, home_municipality_id = rows[0][:4]
    held = {(row[4], row[5], row[6], row[7]) for row in rows if row[4] is not None}
    roles = frozenset(role for role, *_ in held)
    region_ids = {
        region for role, region, _, _ in held if role == Role.REGIONAL_COORDINATOR and region
    }
    municipality_ids = {
        municipality
        for role, _, municipality, _ in held
        if role == Role.MUNICIPAL_COORDINATOR and municipality
    }
    staff_school_ids = {
        school for role, _, _, school in held if role == Role.SCHOOL_STAFF and school
    }
    curated: set[int] = set()
    if Role.CURATOR in roles:
        curated = {row[8] for row in rows if row[8] is not None}
    if region_ids:
        in_regions = await session.scalars(
            select(Municipality.id).where(Municipality.region_id.in_(region_ids))
        )
        municipality_ids.update(in_regions.all())
    return Actor(
        person_id=person_id,
        full_name=full_name,
        telegram_user_id=telegram_user_id,
        chat_id=chat_id,
        roles=roles,
        municipality_id=home_municipality_id,
        coordinated_municipality_ids=frozenset(municipality_ids),
        coordinated_region_ids=frozenset(region_ids),
        curated_school_ids=frozenset(curated),
        staff_school_ids=frozenset(staff_school_ids),
    )


async def get_visible_school(session: AsyncSession, actor: Actor, school_id: int) -> School:
    """The school if the actor may see it; the same refusal whether absent or out of scope."""
    school = await session.get(School, school_id)
    if school is None:
        raise NotFound("school_not_found")
    if not actor.sees_school(school):
        raise AccessDenied("school_out_of_scope")
    return school


async def visible_schools(session: AsyncSession, actor: Actor) -> list[School]:
    rows = await session.scalars(
        select(School).where(actor.school_filter()).order_by(School.municipality_id, School.number)
    )
    return list(rows.all())
