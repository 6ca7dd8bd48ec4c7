"""A coordinator's changes to the directory, by taps: curators, roles, a school's place.

Each change checks the coordinator's scope (own municipality, own region, or all for an
admin), writes one audit record with before/after, and tells the people it affects
through the outbox, all in the caller's transaction. A forged id out of scope gets the
same refusal as an absent one elsewhere in the bot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, false, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.models import (
    CuratorAssignment,
    Municipality,
    Person,
    Region,
    Role,
    RoleAssignment,
    School,
    SchoolStatus,
    TelegramAccount,
)
from bot.services.access import audit
from bot.services.access.actors import Actor, load_actor
from bot.services.access.assignments import directory_year
from bot.services.access.permissions import INVITABLE_BY
from bot.services.errors import AccessDenied, DomainError, NotFound
from bot.services.notifications import outbox, recipients
from bot.services.school_year import SchoolYear

# Button key → School attribute.
FLAGS: dict[str, str] = {
    "shnor": "is_shnor",
    "shnsu": "is_shnsu",
    "nonobj": "has_nonobjectivity_signs",
}
NOTIFICATION_KIND = "directory"


@dataclass(frozen=True)
class Named:
    id: int
    name: str


@dataclass(frozen=True)
class SchoolChanges:
    """What the change menu of one school shows."""

    school: School
    curators: list[Named]
    staff: list[Named]


# -- scope ----------------------------------------------------------------------------------


async def coordinated_school(
    session: AsyncSession, actor: Actor, school_id: int, *, lock: bool = False
) -> School:
    """The school if the actor coordinates its municipality; refused as the rest of the bot.

    `lock=True` before a change: two coordinators tapping at once are applied one after
    the other (a PostgreSQL row lock; SQLite's single writer), so the second sees the first.
    """
    if lock:
        await session.execute(
            update(School).where(School.id == school_id).values(short_name=School.short_name)
        )
    school = await session.get(School, school_id, populate_existing=lock)
    if school is None:
        raise NotFound("school_not_found")
    if not actor.coordinates(school.municipality_id):
        raise AccessDenied("school_out_of_scope")
    return school


def _roles_reached(actor: Actor) -> frozenset[Role]:
    """Roles the actor may end: those it may grant (a role never ends one above itself)."""
    reached: set[Role] = set()
    for role in actor.roles:
        reached |= INVITABLE_BY.get(role, frozenset())
    return frozenset(reached)


async def _role_municipality(session: AsyncSession, role: RoleAssignment) -> int | None:
    if role.school_id is not None:
        return await session.scalar(
            select(School.municipality_id).where(School.id == role.school_id)
        )
    return role.municipality_id


async def _reaches_role(session: AsyncSession, actor: Actor, role: RoleAssignment) -> bool:
    if actor.is_admin:
        return True
    if role.role not in _roles_reached(actor):
        return False
    if role.region_id is not None:
        return role.region_id in actor.coordinated_region_ids
    municipality = await _role_municipality(session, role)
    return municipality is not None and municipality in actor.coordinated_municipality_ids


def _people_filter(actor: Actor) -> ColumnElement[bool]:
    """A WHERE on RoleAssignment (joined with its school) for the roles in the actor's scope."""
    if actor.is_admin:
        return true()
    municipalities = actor.coordinated_municipality_ids
    conditions = []
    if municipalities:
        conditions += [
            School.municipality_id.in_(municipalities),
            RoleAssignment.municipality_id.in_(municipalities),
        ]
    if actor.coordinated_region_ids:
        conditions.append(RoleAssignment.region_id.in_(actor.coordinated_region_ids))
    return or_(*conditions) if conditions else false()


async def _person_in_scope(session: AsyncSession, actor: Actor, person_id: int) -> Person:
    person = await session.get(Person, person_id)
    if person is None:
        raise NotFound("not_found")
    if actor.is_admin or person.municipality_id in actor.coordinated_municipality_ids:
        return person
    reached = await session.scalar(
        select(RoleAssignment.id)
        .outerjoin(School, School.id == RoleAssignment.school_id)
        .where(
            RoleAssignment.person_id == person_id,
            RoleAssignment.revoked_at.is_(None),
            _people_filter(actor),
        )
        .limit(1)
    )
    if reached is None:
        raise AccessDenied("access_denied")
    return person


async def _tell(
    session: AsyncSession,
    audit_id: int,
    people: list[int],
    text: str,
    exclude: int,
    now: datetime,
) -> int:
    """One message per affected person; the audit id makes the key unique per change."""
    return await outbox.enqueue_for_each(
        session,
        [person for person in people if person != exclude],
        key_prefix=f"directory change {audit_id}",
        kind=NOTIFICATION_KIND,
        text=text,
        due_at=now,
    )


async def _names(session: AsyncSession, ids: list[int]) -> list[Named]:
    if not ids:
        return []
    rows = await session.execute(
        select(Person.id, Person.full_name).where(Person.id.in_(ids)).order_by(Person.full_name)
    )
    return [Named(person_id, name) for person_id, name in rows]


# -- a school's menu, flags and place in the project -----------------------------------------


async def school_changes(session: AsyncSession, actor: Actor, school_id: int) -> SchoolChanges:
    school = await coordinated_school(session, actor, school_id)
    curators = await _names(session, await recipients.curators_of(session, school.id))
    staff = await _names(session, await recipients.school_staff(session, school.id))
    return SchoolChanges(school, curators, staff)


async def toggle_flag(session: AsyncSession, actor: Actor, school_id: int, flag: str) -> School:
    if flag not in FLAGS:
        raise NotFound("not_found")
    school = await coordinated_school(session, actor, school_id, lock=True)
    attribute = FLAGS[flag]
    before = bool(getattr(school, attribute))
    setattr(school, attribute, not before)
    await session.flush()
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="school.flag_changed",
        object_type="school",
        object_id=school.id,
        details={"flag": attribute, "before": before, "after": not before},
    )
    return school


def _place(school: School) -> dict[str, object]:
    return {
        "status": school.status.value,
        "in_project": school.in_project,
        "project_end_year": school.project_end_year,
    }


async def _school_people(session: AsyncSession, school_id: int) -> list[int]:
    staff = await recipients.school_staff(session, school_id)
    return staff + await recipients.curators_of(session, school_id)


async def mark_exited(session: AsyncSession, actor: Actor, school_id: int, now: datetime) -> School:
    """The school left the project: out of reminders and this year's summaries, history kept."""
    school = await coordinated_school(session, actor, school_id, lock=True)
    if school.status == SchoolStatus.EXITED:
        raise DomainError("school_already_exited")
    end_year = SchoolYear.containing(now.date()).start
    await _set_in_project(session, actor, school, False, end_year, now)
    return school


async def bring_back(session: AsyncSession, actor: Actor, school_id: int, now: datetime) -> School:
    school = await coordinated_school(session, actor, school_id, lock=True)
    if school.status == SchoolStatus.ACTIVE and school.in_project:
        raise DomainError("school_already_in_project")
    await _set_in_project(session, actor, school, True, None, now)
    return school


async def _set_in_project(
    session: AsyncSession,
    actor: Actor,
    school: School,
    in_project: bool,
    end_year: int | None,
    now: datetime,
) -> None:
    """Leaving or returning: the change, its audit record and a word to the school's people."""
    before = _place(school)
    school.status = SchoolStatus.ACTIVE if in_project else SchoolStatus.EXITED
    school.in_project = in_project
    school.project_end_year = end_year
    await session.flush()
    entry = await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="school.returned" if in_project else "school.exited",
        object_type="school",
        object_id=school.id,
        details={"before": before, "after": _place(school)},
    )
    notice = (
        texts.changes_school_returned_notice if in_project else texts.changes_school_exited_notice
    )
    await _tell(
        session,
        entry.id,
        await _school_people(session, school.id),
        notice(school.short_name),
        actor.person_id,
        now,
    )


# -- curators --------------------------------------------------------------------------------


async def _active_assignments(
    session: AsyncSession, school_id: int, curator_id: int | None = None
) -> list[CuratorAssignment]:
    statement = select(CuratorAssignment).where(
        CuratorAssignment.school_id == school_id, CuratorAssignment.ended_at.is_(None)
    )
    if curator_id is not None:
        statement = statement.where(CuratorAssignment.curator_person_id == curator_id)
    return list(await session.scalars(statement.order_by(CuratorAssignment.id)))


async def end_assignment(
    session: AsyncSession, actor: Actor, school_id: int, curator_id: int, now: datetime
) -> tuple[School, Person]:
    school = await coordinated_school(session, actor, school_id, lock=True)
    assignments = await _active_assignments(session, school.id, curator_id)
    curator = await session.get(Person, curator_id)
    if not assignments or curator is None:
        raise DomainError("curator_not_assigned")
    for assignment in assignments:
        assignment.ended_at = now
    await session.flush()
    entry = await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="curator.assignment_ended",
        object_type="curator_assignment",
        object_id=assignments[0].id,
        details={
            "school_id": school.id,
            "curator_person_id": curator_id,
            "before": {"ended_at": None},
            "after": {"ended_at": now.isoformat()},
        },
    )
    await _tell(
        session,
        entry.id,
        [curator_id],
        texts.changes_curator_ended_notice(school.short_name),
        actor.person_id,
        now,
    )
    return school, curator


async def move_candidates(session: AsyncSession, actor: Actor, school_id: int) -> list[Named]:
    """People holding the curator role in the school's municipality, not curating it now."""
    school = await coordinated_school(session, actor, school_id)
    current = set(await recipients.curators_of(session, school.id))
    rows = await session.execute(
        select(Person.id, Person.full_name)
        .join(RoleAssignment, RoleAssignment.person_id == Person.id)
        .where(
            RoleAssignment.role == Role.CURATOR,
            RoleAssignment.revoked_at.is_(None),
            or_(
                RoleAssignment.municipality_id == school.municipality_id,
                (RoleAssignment.municipality_id.is_(None))
                & (Person.municipality_id == school.municipality_id),
            ),
        )
        .distinct()
        .order_by(Person.full_name)
    )
    return [Named(pid, name) for pid, name in rows if pid not in current]


async def candidate(
    session: AsyncSession, actor: Actor, school_id: int, curator_id: int
) -> tuple[School, Named, list[Named]]:
    """The school, the chosen curator and the curators it would leave; refused if not one."""
    school = await coordinated_school(session, actor, school_id)
    chosen = next(
        (c for c in await move_candidates(session, actor, school_id) if c.id == curator_id), None
    )
    if chosen is None:
        raise DomainError("curator_not_candidate")
    leaving = await _names(session, await recipients.curators_of(session, school.id))
    return school, chosen, leaving


async def move_school(
    session: AsyncSession, actor: Actor, school_id: int, curator_id: int, now: datetime
) -> tuple[School, Named]:
    """End the school's current assignments; the chosen curator takes it for this school year."""
    await coordinated_school(session, actor, school_id, lock=True)
    school, chosen, leaving = await candidate(session, actor, school_id, curator_id)
    # The school's directory year, read before its rows are ended (they still count): the
    # new curator joins the year the school is in, and the rollover carries them on.
    year = await directory_year(session, school.id, now.date())
    for assignment in await _active_assignments(session, school.id):
        assignment.ended_at = now
    existing = await session.scalar(
        select(CuratorAssignment).where(
            CuratorAssignment.curator_person_id == curator_id,
            CuratorAssignment.school_id == school.id,
            CuratorAssignment.year == year,
        )
    )
    if existing is not None:  # curated it earlier this year: the same row opens again
        existing.ended_at = None
        assignment = existing
    else:
        assignment = CuratorAssignment(curator_person_id=curator_id, school_id=school.id, year=year)
        session.add(assignment)
    await session.flush()
    entry = await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="curator.school_moved",
        object_type="curator_assignment",
        object_id=assignment.id,
        details={
            "school_id": school.id,
            "year": year,
            "before": {"curators": [c.id for c in leaving]},
            "after": {"curators": [curator_id]},
        },
    )
    await _tell(
        session,
        entry.id,
        [c.id for c in leaving],
        texts.changes_curator_ended_notice(school.short_name),
        actor.person_id,
        now,
    )
    await _tell(
        session,
        entry.id,
        [curator_id],
        texts.changes_curator_given_notice(school.short_name),
        actor.person_id,
        now,
    )
    return school, chosen


# -- people and their roles ------------------------------------------------------------------


@dataclass(frozen=True)
class RoleLine:
    id: int
    role: Role
    place: str
    revocable: bool


@dataclass(frozen=True)
class PersonCard:
    person: Person
    roles: list[RoleLine]
    curated: list[str]


async def people_in_scope(session: AsyncSession, actor: Actor) -> list[Named]:
    """Everyone holding a live role in the actor's scope, by name."""
    rows = await session.execute(
        select(Person.id, Person.full_name)
        .join(RoleAssignment, RoleAssignment.person_id == Person.id)
        .outerjoin(School, School.id == RoleAssignment.school_id)
        .where(RoleAssignment.revoked_at.is_(None), _people_filter(actor))
        .distinct()
        .order_by(Person.full_name, Person.id)
    )
    return [Named(pid, name) for pid, name in rows]


async def _place_name(session: AsyncSession, role: RoleAssignment) -> str | None:
    if role.school_id is not None:
        return await session.scalar(select(School.short_name).where(School.id == role.school_id))
    if role.municipality_id is not None:
        return await session.scalar(
            select(Municipality.name).where(Municipality.id == role.municipality_id)
        )
    if role.region_id is not None:
        return await session.scalar(select(Region.name).where(Region.id == role.region_id))
    return ""


async def person_card(session: AsyncSession, actor: Actor, person_id: int) -> PersonCard:
    person = await _person_in_scope(session, actor, person_id)
    roles = await session.scalars(
        select(RoleAssignment)
        .where(RoleAssignment.person_id == person.id, RoleAssignment.revoked_at.is_(None))
        .order_by(RoleAssignment.id)
    )
    lines = [
        RoleLine(
            role.id,
            role.role,
            await _place_name(session, role) or "",
            person.id != actor.person_id and await _reaches_role(session, actor, role),
        )
        for role in roles.all()
    ]
    curated = await session.scalars(
        select(School.short_name)
        .join(CuratorAssignment, CuratorAssignment.school_id == School.id)
        .where(
            CuratorAssignment.curator_person_id == person.id, CuratorAssignment.ended_at.is_(None)
        )
        .order_by(School.short_name)
    )
    return PersonCard(person, lines, list(curated.all()))


async def role_to_revoke(
    session: AsyncSession, actor: Actor, role_id: int, *, lock: bool = False
) -> tuple[RoleAssignment, Person, str]:
    """The live role if the actor may end it: the same refusal whether absent or not theirs."""
    role = await session.get(RoleAssignment, role_id)
    if role is not None and lock:  # a second tap at once waits, then sees the role ended
        await session.execute(
            update(RoleAssignment)
            .where(RoleAssignment.id == role_id)
            .values(revoked_at=RoleAssignment.revoked_at)
        )
        await session.refresh(role)
    if role is None:
        raise NotFound("not_found")
    if not await _reaches_role(session, actor, role):
        raise AccessDenied("access_denied")
    if role.revoked_at is not None:
        raise DomainError("role_already_revoked")
    if role.person_id == actor.person_id:
        raise DomainError("role_own")
    person = await session.get(Person, role.person_id)
    assert person is not None
    return role, person, await _place_name(session, role) or ""


async def revoke_role(
    session: AsyncSession, actor: Actor, role_id: int, now: datetime
) -> tuple[RoleAssignment, Person]:
    """End a role; a curator's role ends their assignments to schools with it."""
    role, person, place = await role_to_revoke(session, actor, role_id, lock=True)
    role.revoked_at = now
    ended: list[int] = []
    if role.role == Role.CURATOR:
        still_curator = await session.scalar(
            select(RoleAssignment.id).where(
                RoleAssignment.person_id == person.id,
                RoleAssignment.role == Role.CURATOR,
                RoleAssignment.revoked_at.is_(None),
                RoleAssignment.id != role.id,
            )
        )
        if still_curator is None:
            for assignment in await session.scalars(
                select(CuratorAssignment).where(
                    CuratorAssignment.curator_person_id == person.id,
                    CuratorAssignment.ended_at.is_(None),
                )
            ):
                assignment.ended_at = now
                ended.append(assignment.id)
    await session.flush()
    entry = await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="role.revoked",
        object_type="role_assignment",
        object_id=role.id,
        details={
            "person_id": person.id,
            "role": role.role.value,
            "before": {"revoked_at": None},
            "after": {"revoked_at": now.isoformat()},
            "ended_curator_assignments": ended,
        },
    )
    await _tell(
        session,
        entry.id,
        [person.id],
        texts.changes_role_ended_notice(texts.ROLE_NAMES[role.role], place),
        actor.person_id,
        now,
    )
    return role, person


@dataclass(frozen=True)
class MenuTarget:
    """Whose command menu follows a role change: their chat and the roles they keep."""

    chat_id: int
    roles: frozenset[Role]


async def menu_target(session: AsyncSession, person_id: int) -> MenuTarget | None:
    """The person's chat and remaining roles; None when they have no Telegram account."""
    account = await session.scalar(
        select(TelegramAccount).where(TelegramAccount.person_id == person_id)
    )
    if account is None:
        return None
    remaining = await load_actor(session, account.telegram_user_id)
    return MenuTarget(account.chat_id, remaining.roles if remaining is not None else frozenset())
