"""Applying a directory workbook: every row checked, counted and, if all pass, written.

One run does the real writes in the caller's transaction and reports what it did; the
caller commits only when nothing was refused (a preview or a dry run rolls back). So the
preview is exactly what «Применить» will do, and a refused file leaves nothing behind.

Rows are matched to what is stored by natural keys: a municipality by name in its region,
a school by short name in its municipality, a person by ФИО (position and municipality
decide between namesakes). Importing the same file twice changes nothing.

Curator assignments: for every school year named on the «Кураторы» sheet, the file is the
whole truth for the schools it lists (on «Школы» or «Кураторы»): a live assignment of that
year for such a school that the file no longer has is ended. Roles are only added: ending
a role is a deliberate act done by taps in the bot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.models import (
    CuratorAssignment,
    Invite,
    Municipality,
    Person,
    Region,
    Role,
    RoleAssignment,
    School,
    SchoolKind,
    TelegramAccount,
)
from bot.services.access import audit, invites
from bot.services.access.actors import Actor
from bot.services.access.assignments import directory_year
from bot.services.access.invites import InviteScope
from bot.services.access.permissions import INVITABLE_BY
from bot.services.directory import values
from bot.services.directory.values import BadValue
from bot.services.directory.workbook import SHEET_TITLES, DirectoryBook, Sheet, SheetRow
from bot.services.school_names import match_schools, parse_school_name, short_name
from bot.services.school_year import SchoolYear

LIMITS = {"full_name": 500, "short_name": 100, "director": 200, "name": 200, "position": 200}
# The role whose invite a person with several roles gets (binding grants no more than it).
INVITE_ORDER = (
    Role.REGIONAL_COORDINATOR,
    Role.MUNICIPAL_COORDINATOR,
    Role.CURATOR,
    Role.SCHOOL_STAFF,
)


@dataclass
class SheetCounts:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    refused: int = 0


@dataclass(frozen=True)
class Refusal:
    sheet: Sheet
    row: int | None
    reason: str

    def text(self) -> str:
        where = SHEET_TITLES[self.sheet]
        if self.row is not None:
            where += texts.directory_refusal_row(self.row)
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class PersonInvite:
    full_name: str
    role: Role
    scope_name: str
    token: str


@dataclass
class ImportReport:
    counts: dict[Sheet, SheetCounts] = field(default_factory=dict)
    refusals: list[Refusal] = field(default_factory=list)
    ended_assignments: int = 0
    invites: list[PersonInvite] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return not self.refusals

    @property
    def changes(self) -> int:
        made = sum(c.new + c.changed for c in self.counts.values())
        return made + self.ended_assignments


def key(text: str | None) -> str:
    return " ".join((text or "").lower().replace("ё", "е").split())


@dataclass
class _FilePerson:
    person: Person
    row: int
    position: str
    roles: dict[Role, InviteScope] = field(default_factory=dict)
    staff_school: tuple[int, int] | None = None  # (school id, row)


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def import_directory(
    session: AsyncSession,
    actor: Actor | None,
    book: DirectoryBook,
    *,
    now: datetime,
    invite_ttl: timedelta,
) -> ImportReport:
    """Write the workbook into the session (no commit); None as actor is the command line."""
    run = _Run(session, actor, now)
    await run.load()
    for problem in book.problems:
        run.report.refusals.append(Refusal(problem.sheet, problem.row, problem.reason))
    handlers = (
        (Sheet.MUNICIPALITIES, run.municipality_row),
        (Sheet.SCHOOLS, run.school_row),
        (Sheet.PEOPLE, run.person_row),
        (Sheet.ASSIGNMENTS, run.assignment_row),
    )
    for sheet, handle in handlers:
        if sheet not in book.rows:
            continue
        counts = run.report.counts.setdefault(sheet, SheetCounts())
        for row in book.rows[sheet]:
            try:
                outcome = await handle(row)
            except _Refused as refused:
                counts.refused += 1
                run.report.refusals.append(Refusal(sheet, row.row, refused.reason))
                continue
            except BadValue as bad:
                counts.refused += 1
                run.report.refusals.append(Refusal(sheet, row.row, str(bad)))
                continue
            setattr(counts, outcome, getattr(counts, outcome) + 1)
    if Sheet.ASSIGNMENTS in book.rows:
        await run.end_missing_assignments()
    if run.report.accepted:
        await run.issue_invites(invite_ttl)
        if run.report.changes:
            await run.audit(
                "directory.imported",
                "directory",
                None,
                {sheet.value: dict(vars(counts)) for sheet, counts in run.report.counts.items()}
                | {"ended_assignments": run.report.ended_assignments},
            )
    await session.flush()
    return run.report


class _Run:
    def __init__(self, session: AsyncSession, actor: Actor | None, now: datetime) -> None:
        self.session = session
        self.actor = actor
        self.now = now
        self.report = ImportReport()
        self.regions: dict[str, Region] = {}
        self.municipalities: list[Municipality] = []
        self.schools: list[School] = []
        self.people: dict[str, list[Person]] = {}
        self.file_municipalities: dict[tuple[int, str], int] = {}
        self.file_schools: dict[tuple[int, str], int] = {}
        self.file_people: dict[str, _FilePerson] = {}
        self.file_assignments: dict[tuple[int, int, int], int] = {}
        self.covered_schools: set[int] = set()
        self.file_school_ids: set[int] = set()
        self.assignment_years: set[int] = set()

    @property
    def actor_id(self) -> int | None:
        return self.actor.person_id if self.actor else None

    @property
    def is_admin(self) -> bool:
        return self.actor is None or self.actor.is_admin

    async def load(self) -> None:
        self.regions = {key(r.name): r for r in await self.session.scalars(select(Region))}
        self.municipalities = list(await self.session.scalars(select(Municipality)))
        self.schools = []
        self.by_short: dict[tuple[int, str], School] = {}
        self.by_full: dict[tuple[int, str], School] = {}
        for school in await self.session.scalars(select(School)):
            self.add_school(school)
        for person in await self.session.scalars(select(Person)):
            self.people.setdefault(key(person.full_name), []).append(person)

    def add_school(self, school: School) -> None:
        self.schools.append(school)
        self.by_short[(school.municipality_id, key(school.short_name))] = school
        self.by_full.setdefault((school.municipality_id, key(school.full_name)), school)

    async def audit(
        self, action: str, object_type: str, object_id: int | None, details: dict[str, Any]
    ) -> None:
        await audit.record(
            self.session,
            actor_person_id=self.actor_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            details=details,
        )

    # -- scope ------------------------------------------------------------------------------

    def may_edit_region(self, region: Region) -> bool:
        return self.is_admin or (
            self.actor is not None and region.id in self.actor.coordinated_region_ids
        )

    def may_edit(self, municipality: Municipality) -> bool:
        if self.is_admin:
            return True
        assert self.actor is not None
        return (
            municipality.region_id in self.actor.coordinated_region_ids
            or municipality.id in self.actor.coordinated_municipality_ids
        )

    def in_scope_municipalities(self) -> list[Municipality]:
        return [m for m in self.municipalities if self.may_edit(m)]

    def check_scope(self, municipality: Municipality) -> None:
        if not self.may_edit(municipality):
            raise _Refused(
                texts.directory_refusal("municipality_out_of_reach", name=municipality.name)
            )

    # -- lookups ----------------------------------------------------------------------------

    def default_region(self) -> Region:
        if self.actor is not None and not self.actor.is_admin:
            ids = set(self.actor.coordinated_region_ids) | {
                m.region_id for m in self.in_scope_municipalities()
            }
        else:
            ids = {r.id for r in self.regions.values()}
        if len(ids) == 1:
            return next(r for r in self.regions.values() if r.id in ids)
        raise _Refused(texts.directory_refusal("region_missing"))

    def find_region(self, name: str) -> Region:
        if not name:
            return self.default_region()
        region = self.regions.get(key(name))
        if region is None:
            raise _Refused(texts.directory_refusal("region_unknown", name=name[:80]))
        return region

    def find_municipality(self, name: str) -> Municipality:
        if not name:
            in_scope = self.in_scope_municipalities()
            if len(in_scope) == 1:
                return in_scope[0]
            raise _Refused(texts.directory_refusal("municipality_missing"))
        found = [m for m in self.municipalities if key(m.name) == key(name)]
        if len(found) > 1:
            found = [m for m in found if self.may_edit(m)] or found
        if not found:
            raise _Refused(texts.directory_refusal("municipality_unknown", name=name[:80]))
        if len(found) > 1:
            raise _Refused(texts.directory_refusal("municipality_ambiguous", name=name[:80]))
        return found[0]

    def find_school(self, name: str, municipality_name: str) -> School:
        if not name:
            raise _Refused(texts.directory_refusal("school_missing"))
        if municipality_name:
            municipality = self.find_municipality(municipality_name)
            candidates = [s for s in self.schools if s.municipality_id == municipality.id]
        else:
            scope_ids = {m.id for m in self.in_scope_municipalities()}
            candidates = [s for s in self.schools if s.municipality_id in scope_ids]
        # As school_names.find_schools does: a number in the name narrows the search first.
        _kind, number = parse_school_name(name)
        numbered = [s for s in candidates if s.number == number] if number is not None else []
        found = match_schools(numbered, name) if numbered else []
        found = found or match_schools(candidates, name)
        if not found:
            if self.report.counts.get(Sheet.SCHOOLS, SheetCounts()).refused:
                raise _Refused(texts.directory_refusal("school_unknown_refused", name=name[:80]))
            raise _Refused(texts.directory_refusal("school_unknown", name=name[:80]))
        if len(found) > 1:
            # A school listed on this file's «Школы» sheet is the one the file means.
            in_file = [s for s in found if s.id in self.file_school_ids]
            found = in_file if len(in_file) == 1 else found
        if len(found) > 1:
            towns = {m.id: m.name for m in self.municipalities}
            names = "; ".join(f"{s.short_name} ({towns[s.municipality_id]})" for s in found[:3])
            raise _Refused(texts.directory_refusal("school_ambiguous", name=name[:80], names=names))
        return found[0]

    # -- municipalities ---------------------------------------------------------------------

    async def municipality_row(self, row: SheetRow) -> str:
        v = row.values
        name = _text(v, "name", "Муниципалитет", required=True)
        if not v.get("timezone"):
            raise _Refused(texts.directory_refusal("timezone_missing"))
        zone = values.time_zone(v["timezone"])
        region = await self.region_for(v.get("region", ""), zone)
        seen_key = (region.id, key(name))
        if seen_key in self.file_municipalities:
            raise _Refused(
                texts.directory_refusal(
                    "municipality_repeated", name=name, row=self.file_municipalities[seen_key]
                )
            )
        self.file_municipalities[seen_key] = row.row
        authority = _text(v, "authority", "Орган управления", limit=300)
        existing = next(
            (
                m
                for m in self.municipalities
                if m.region_id == region.id and key(m.name) == key(name)
            ),
            None,
        )
        if existing is None:
            if not self.may_edit_region(region):
                raise _Refused(texts.directory_refusal("municipality_new_denied", name=name))
            municipality = Municipality(
                region_id=region.id, name=name, timezone=zone, authority_name=authority or None
            )
            self.session.add(municipality)
            await self.session.flush()
            self.municipalities.append(municipality)
            await self.audit(
                "directory.municipality.created",
                "municipality",
                municipality.id,
                {"after": {"name": name, "timezone": zone, "region": region.name}},
            )
            return "new"
        self.check_scope(existing)
        wanted: dict[str, object] = {"timezone": zone}
        if authority:
            wanted["authority_name"] = authority
        return await self.update(existing, wanted, "municipality")

    async def region_for(self, name: str, zone: str) -> Region:
        if not name or key(name) in self.regions:
            return self.find_region(name)
        if not self.is_admin:
            raise _Refused(texts.directory_refusal("region_new_denied", name=name[:80]))
        if len(name) > 200:
            raise _Refused(texts.directory_refusal("region_too_long"))
        region = Region(name=name, timezone=zone)
        self.session.add(region)
        await self.session.flush()
        self.regions[key(name)] = region
        await self.audit("directory.region.created", "region", region.id, {"after": {"name": name}})
        return region

    async def update(self, target: Any, wanted: dict[str, object], object_type: str) -> str:
        before = {
            f: _plain(getattr(target, f))
            for f, value in wanted.items()
            if getattr(target, f) != value
        }
        if not before:
            return "unchanged"
        after = {f: _plain(wanted[f]) for f in before}
        for name, value in wanted.items():
            setattr(target, name, value)
        await self.session.flush()
        await self.audit(
            f"directory.{object_type}.changed",
            object_type,
            target.id,
            {"before": before, "after": after},
        )
        return "changed"

    # -- schools ----------------------------------------------------------------------------

    async def school_row(self, row: SheetRow) -> str:
        v = row.values
        full = _text(v, "full_name", "Полное наименование", required=True)
        kind, number = parse_school_name(v.get("short_name") or full)
        short = _text(v, "short_name", "Краткое наименование") or short_name(
            kind or SchoolKind.OTHER, number, full[:100]
        )
        municipality = self.find_municipality(v.get("municipality", ""))
        self.check_scope(municipality)
        seen_key = (municipality.id, key(short))
        if seen_key in self.file_schools:
            raise _Refused(
                texts.directory_refusal(
                    "school_repeated", name=short, row=self.file_schools[seen_key]
                )
            )
        wanted: dict[str, object] = {"full_name": full, "short_name": short}
        if kind is not None:
            wanted["kind"] = kind
        if number is not None:
            wanted["number"] = number
        for column, attribute, title in (
            ("shnor", "is_shnor", "ШНОР"),
            ("shnsu", "is_shnsu", "ШНСУ"),
            ("nonobjectivity", "has_nonobjectivity_signs", "Признаки необъективности"),
        ):
            if column in v:
                wanted[attribute] = values.flag(v[column], title)
        if "status" in v:
            wanted["status"], wanted["in_project"] = values.status(v["status"])
        director = _text(v, "director", "Директор")
        if director:
            wanted["director_name"] = director
        self.file_schools[seen_key] = row.row
        existing = self.by_short.get(seen_key) or self.by_full.get((municipality.id, key(full)))
        if existing is None:
            school = School(municipality_id=municipality.id, **wanted)
            if kind is None:
                school.kind = SchoolKind.OTHER
            self.session.add(school)
            await self.session.flush()
            self.add_school(school)
            self.covered_schools.add(school.id)
            self.file_school_ids.add(school.id)
            await self.audit(
                "directory.school.created",
                "school",
                school.id,
                {"after": {name: _plain(value) for name, value in wanted.items()}},
            )
            return "new"
        self.covered_schools.add(existing.id)
        self.file_school_ids.add(existing.id)
        outcome = await self.update(existing, wanted, "school")
        self.by_short[seen_key] = existing  # its short name may just have changed
        return outcome

    # -- people -----------------------------------------------------------------------------

    async def person_row(self, row: SheetRow) -> str:
        v = row.values
        name = _text(v, "full_name", "ФИО", required=True)
        role = values.role(v.get("role", ""))
        if role == Role.ADMIN:
            raise _Refused(texts.directory_refusal("admin_by_file"))
        position = _text(v, "position", "Должность")
        organisation = _text(v, "organisation", "Место работы", limit=300)
        scope, municipality_id, school = self.person_scope(role, v)
        earlier = self.file_people.get(key(name))
        if earlier is not None:
            if position and earlier.position and key(position) != key(earlier.position):
                raise _Refused(
                    texts.directory_refusal(
                        "person_repeated", name=name, row=earlier.row, position=earlier.position
                    )
                )
            if school is not None and earlier.staff_school and earlier.staff_school[0] != school.id:
                raise _Refused(
                    texts.directory_refusal(
                        "person_other_school_row", name=name, row=earlier.staff_school[1]
                    )
                )
            person = earlier.person
            outcome = "unchanged"  # a second role of someone already counted
        else:
            person, outcome = await self.person_for(name, position, organisation, municipality_id)
            earlier = _FilePerson(person, row.row, position)
            self.file_people[key(name)] = earlier
        if school is not None:
            staff_elsewhere = await self.session.scalar(
                select(RoleAssignment.school_id).where(
                    RoleAssignment.person_id == person.id,
                    RoleAssignment.role == Role.SCHOOL_STAFF,
                    RoleAssignment.revoked_at.is_(None),
                    RoleAssignment.school_id != school.id,
                )
            )
            if staff_elsewhere is not None:
                raise _Refused(texts.directory_refusal("person_other_school", name=name))
            earlier.staff_school = (school.id, row.row)
            if person.workplace_school_id is None:
                person.workplace_school_id = school.id
        earlier.roles.setdefault(role, scope)
        granted = await self.grant(person, role, scope)
        if granted and outcome == "unchanged":
            outcome = "new" if earlier.row != row.row else "changed"
        return outcome

    def person_scope(
        self, role: Role, v: dict[str, str]
    ) -> tuple[InviteScope, int | None, School | None]:
        scope_text = v.get("scope", "")
        municipality_text = v.get("municipality", "")
        if role == Role.REGIONAL_COORDINATOR:
            region = self.find_region(scope_text)
            if not self.may_edit_region(region):
                raise _Refused(texts.directory_refusal("region_out_of_reach", name=region.name))
            return InviteScope(region_id=region.id), None, None
        if role == Role.SCHOOL_STAFF:
            school = self.find_school(scope_text, municipality_text)
            municipality = next(m for m in self.municipalities if m.id == school.municipality_id)
            self.check_scope(municipality)
            return InviteScope(school_id=school.id), municipality.id, school
        municipality = self.find_municipality(scope_text or municipality_text)
        self.check_scope(municipality)
        return InviteScope(municipality_id=municipality.id), municipality.id, None

    async def person_for(
        self, name: str, position: str, organisation: str, municipality_id: int | None
    ) -> tuple[Person, str]:
        candidates = self.people.get(key(name), [])
        if not self.is_admin:
            assert self.actor is not None
            reach = {m.id for m in self.in_scope_municipalities()}
            candidates = [
                p
                for p in candidates
                if p.municipality_id in reach or await self.holds_role_in_reach(p.id)
            ]
        if len(candidates) > 1 and position:
            candidates = [p for p in candidates if key(p.position) == key(position)] or candidates
        if len(candidates) > 1 and municipality_id is not None:
            candidates = [
                p for p in candidates if p.municipality_id == municipality_id
            ] or candidates
        if len(candidates) > 1:
            raise _Refused(texts.directory_refusal("person_ambiguous", name=name))
        if not candidates:
            person = Person(
                full_name=name,
                position=position or None,
                organisation=organisation or None,
                municipality_id=municipality_id,
            )
            self.session.add(person)
            await self.session.flush()
            self.people.setdefault(key(name), []).append(person)
            await self.audit(
                "directory.person.created",
                "person",
                person.id,
                {"after": {"full_name": name, "position": position, "organisation": organisation}},
            )
            return person, "new"
        wanted: dict[str, object] = {}
        if position:
            wanted["position"] = position
        if organisation:
            wanted["organisation"] = organisation
        return candidates[0], await self.update(candidates[0], wanted, "person")

    async def holds_role_in_reach(self, person_id: int) -> bool:
        """A namesake outside the actor's municipalities may still be theirs: a regional
        coordinator has no municipality of their own."""
        assert self.actor is not None
        reach = [m.id for m in self.in_scope_municipalities()]
        held = await self.session.scalar(
            select(RoleAssignment.id)
            .outerjoin(School, School.id == RoleAssignment.school_id)
            .where(
                RoleAssignment.person_id == person_id,
                RoleAssignment.revoked_at.is_(None),
                RoleAssignment.region_id.in_(self.actor.coordinated_region_ids)
                | RoleAssignment.municipality_id.in_(reach)
                | School.municipality_id.in_(reach),
            )
            .limit(1)
        )
        return held is not None

    async def grant(self, person: Person, role: Role, scope: InviteScope) -> bool:
        held = await self.session.scalar(
            select(RoleAssignment.id).where(
                RoleAssignment.person_id == person.id,
                RoleAssignment.role == role,
                RoleAssignment.region_id.is_(None)
                if scope.region_id is None
                else RoleAssignment.region_id == scope.region_id,
                RoleAssignment.municipality_id.is_(None)
                if scope.municipality_id is None
                else RoleAssignment.municipality_id == scope.municipality_id,
                RoleAssignment.school_id.is_(None)
                if scope.school_id is None
                else RoleAssignment.school_id == scope.school_id,
                RoleAssignment.revoked_at.is_(None),
            )
        )
        if held is not None:
            return False
        # Checked only for a role to be given: a coordinator's own row in their exported
        # directory comes back unchanged and is no refusal.
        if not self.is_admin:
            assert self.actor is not None
            if not any(role in INVITABLE_BY[held] for held in self.actor.roles):
                raise _Refused(texts.directory_refusal("role_denied", role=values.ROLE_WORDS[role]))
        await invites.grant_role(
            self.session,
            person=person,
            role=role,
            scope=scope,
            granted_by=self.actor_id,
            now=self.now,
        )
        await self.audit(
            "directory.role.granted",
            "person",
            person.id,
            {
                "after": {
                    "role": role.value,
                    "region_id": scope.region_id,
                    "municipality_id": scope.municipality_id,
                    "school_id": scope.school_id,
                }
            },
        )
        return True

    # -- curator assignments ------------------------------------------------------------------

    async def assignment_row(self, row: SheetRow) -> str:
        v = row.values
        name = _text(v, "curator", "Куратор", required=True)
        school = self.find_school(v.get("school", ""), v.get("municipality", ""))
        municipality = next(m for m in self.municipalities if m.id == school.municipality_id)
        self.check_scope(municipality)
        year_text = v.get("year", "")
        # No year written: the school's directory year (bot/services/access/assignments.py), so a
        # curator added before the rollover joins the others instead of moving the school
        # into the new year alone (which would strip the rest of their access).
        year = (
            SchoolYear.parse(year_text)
            if year_text
            else SchoolYear(await directory_year(self.session, school.id, self.now.date()))
        )
        if year is None:
            raise _Refused(texts.directory_refusal("year_unreadable", year=year_text[:20]))
        curator = await self.curator(name)
        staff = await self.session.scalar(
            select(RoleAssignment.id).where(
                RoleAssignment.person_id == curator.id,
                RoleAssignment.role == Role.SCHOOL_STAFF,
                RoleAssignment.school_id == school.id,
                RoleAssignment.revoked_at.is_(None),
            )
        )
        if staff is not None:
            raise _Refused(
                texts.directory_refusal("curator_is_staff", name=name, school=school.short_name)
            )
        seen_key = (curator.id, school.id, year.start)
        if seen_key in self.file_assignments:
            raise _Refused(
                texts.directory_refusal("assignment_repeated", row=self.file_assignments[seen_key])
            )
        self.file_assignments[seen_key] = row.row
        self.covered_schools.add(school.id)
        self.assignment_years.add(year.start)
        existing = await self.session.scalar(
            select(CuratorAssignment).where(
                CuratorAssignment.curator_person_id == curator.id,
                CuratorAssignment.school_id == school.id,
                CuratorAssignment.year == year.start,
            )
        )
        details = {"curator": curator.full_name, "school": school.short_name, "year": year.label}
        if existing is None:
            # Stamped with the import's clock: «no visit for 30 days» counts from it.
            assignment = CuratorAssignment(
                curator_person_id=curator.id,
                school_id=school.id,
                year=year.start,
                created_at=self.now,
            )
            self.session.add(assignment)
            await self.session.flush()
            await self.audit(
                "directory.assignment.created",
                "curator_assignment",
                assignment.id,
                {"after": details},
            )
            return "new"
        if existing.ended_at is not None:
            before = existing.ended_at.isoformat()
            existing.ended_at = None
            await self.audit(
                "directory.assignment.resumed",
                "curator_assignment",
                existing.id,
                {"before": {"ended_at": before}, "after": details},
            )
            return "changed"
        return "unchanged"

    async def curator(self, name: str) -> Person:
        in_file = self.file_people.get(key(name))
        if in_file is not None:
            if Role.CURATOR not in in_file.roles:
                raise _Refused(texts.directory_refusal("curator_no_role", name=name))
            return in_file.person
        reach = {m.id for m in self.in_scope_municipalities()}
        for person in self.people.get(key(name), []):
            is_curator = await self.session.scalar(
                select(RoleAssignment.id).where(
                    RoleAssignment.person_id == person.id,
                    RoleAssignment.role == Role.CURATOR,
                    RoleAssignment.revoked_at.is_(None),
                )
            )
            if is_curator is not None and (self.is_admin or person.municipality_id in reach):
                return person
        raise _Refused(texts.directory_refusal("curator_unknown", name=name))

    async def end_missing_assignments(self) -> None:
        if not self.covered_schools or not self.assignment_years:
            return
        live = await self.session.scalars(
            select(CuratorAssignment).where(
                CuratorAssignment.school_id.in_(self.covered_schools),
                CuratorAssignment.year.in_(self.assignment_years),
                CuratorAssignment.ended_at.is_(None),
            )
        )
        for assignment in live.all():
            if (assignment.curator_person_id, assignment.school_id, assignment.year) in (
                self.file_assignments
            ):
                continue
            assignment.ended_at = self.now
            curator = await self.session.get(Person, assignment.curator_person_id)
            school = await self.session.get(School, assignment.school_id)
            self.report.ended_assignments += 1
            await self.audit(
                "directory.assignment.ended",
                "curator_assignment",
                assignment.id,
                {
                    "before": {
                        "curator": curator.full_name if curator else None,
                        "school": school.short_name if school else None,
                        "year": SchoolYear(assignment.year).label,
                        "ended_at": None,
                    },
                    "after": {"ended_at": self.now.isoformat()},
                },
            )
        await self.session.flush()

    # -- invites ------------------------------------------------------------------------------

    async def issue_invites(self, ttl: timedelta) -> None:
        """A link for everyone on «Люди» not yet bound; an open one is reused, not doubled."""
        for entry in self.file_people.values():
            person = entry.person
            bound = await self.session.scalar(
                select(TelegramAccount.id).where(TelegramAccount.person_id == person.id)
            )
            if bound is not None:
                continue
            role = next(r for r in INVITE_ORDER if r in entry.roles)
            scope = entry.roles[role]
            label = await invites.scope_name(self.session, role, scope)
            open_invite = await self.session.scalar(
                select(Invite).where(
                    Invite.person_id == person.id,
                    Invite.used_at.is_(None),
                    Invite.revoked_at.is_(None),
                    Invite.expires_at > self.now,
                )
            )
            if open_invite is None:
                issued = await invites.issue_invite(
                    self.session,
                    # The import checked the scope; a municipality made now is not in the actor.
                    inviter=None,
                    role=role,
                    scope=scope,
                    ttl=ttl,
                    person_id=person.id,
                    now=self.now,
                )
                open_invite = await self.session.get(Invite, issued.invite_id)
                assert open_invite is not None
                open_invite.created_by_person_id = self.actor_id
            self.report.invites.append(
                PersonInvite(person.full_name, open_invite.role, label, open_invite.token)
            )


def _text(
    v: dict[str, str], column: str, title: str, *, required: bool = False, limit: int = 0
) -> str:
    value = v.get(column, "")
    if required and not value:
        raise _Refused(texts.directory_refusal("column_empty", column=title))
    if value.startswith("="):
        raise _Refused(texts.directory_refusal("column_formula", column=title))
    if len(value) > (limit or LIMITS.get(column, 200)):
        raise _Refused(texts.directory_refusal("column_too_long", column=title, length=len(value)))
    return value


def _plain(value: object) -> object:
    if hasattr(value, "value"):
        return value.value  # an enum
    return value
