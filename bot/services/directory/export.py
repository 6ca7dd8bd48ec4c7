"""The directory written back as the same workbook the import reads (edit → send back).

Also the empty template (headers and one example row) and the list of invite links a
coordinator hands out. Every text cell goes through `safe_cell`: never a formula.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import CuratorAssignment, Municipality, Person, Region, Role, RoleAssignment, School
from bot.reports.cells import safe_cell
from bot.services.access.actors import Actor
from bot.services.access.invites import invite_link
from bot.services.directory import values
from bot.services.directory.importer import PersonInvite
from bot.services.directory.workbook import HEADERS, SHEET_TITLES, Sheet
from bot.services.school_year import SchoolYear

TEMPLATE_EXAMPLE: dict[Sheet, dict[str, str]] = {
    Sheet.MUNICIPALITIES: {
        "name": "Каменск-Уральский городской округ",
        "timezone": "Asia/Yekaterinburg",
        "region": "Свердловская область",
        "authority": "Управление образования Каменск-Уральского ГО",
    },
    Sheet.SCHOOLS: {
        "full_name": "МАОУ «Средняя общеобразовательная школа № 17»",
        "short_name": "СШ № 17",
        "municipality": "Каменск-Уральский городской округ",
        "shnor": "да",
        "shnsu": "нет",
        "nonobjectivity": "нет",
        "status": "в проекте",
        "director": "Гареева Л.Г.",
    },
    Sheet.PEOPLE: {
        "full_name": "Смирнова Светлана Анатольевна",
        "position": "директор Лицея № 10",
        "role": "куратор",
        "scope": "Каменск-Уральский городской округ",
        "municipality": "Каменск-Уральский городской округ",
        "organisation": "Лицей № 10",
    },
    Sheet.ASSIGNMENTS: {
        "curator": "Смирнова Светлана Анатольевна",
        "school": "СШ № 17",
        "municipality": "Каменск-Уральский городской округ",
        "year": "2026/27",
    },
}


def _workbook(rows: Mapping[Sheet, Sequence[Mapping[str, object]]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]  # a new Workbook has one sheet
    for sheet, headers in HEADERS.items():
        worksheet = workbook.create_sheet(SHEET_TITLES[sheet])
        worksheet.append([title for _key, title in headers])
        for cell in worksheet[1]:
            cell.font = Font(bold=True)
        for row in rows.get(sheet, []):
            worksheet.append([safe_cell(row.get(column, "")) for column, _title in headers])
        for index, (_key, title) in enumerate(headers, start=1):
            letter = worksheet.cell(row=1, column=index).column_letter
            worksheet.column_dimensions[letter].width = max(14, min(45, len(title) + 6))
        worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build_template() -> bytes:
    return _workbook({sheet: [example] for sheet, example in TEMPLATE_EXAMPLE.items()})


async def build_directory(session: AsyncSession, actor: Actor | None) -> bytes:
    """Everything in the actor's scope (all of it for an admin or the command line)."""
    return _workbook(await directory_rows(session, actor))


async def directory_rows(
    session: AsyncSession, actor: Actor | None
) -> dict[Sheet, list[dict[str, object]]]:
    municipality_query = select(Municipality).order_by(Municipality.name)
    if actor is not None and not actor.is_admin:
        municipality_query = municipality_query.where(
            Municipality.id.in_(actor.coordinated_municipality_ids)
        )
    municipalities = {m.id: m for m in await session.scalars(municipality_query)}
    regions = {r.id: r for r in await session.scalars(select(Region))}
    schools = {
        s.id: s
        for s in await session.scalars(
            select(School)
            .where(School.municipality_id.in_(municipalities))
            .order_by(School.municipality_id, School.kind, School.number, School.short_name)
        )
    }
    rows: dict[Sheet, list[dict[str, object]]] = {sheet: [] for sheet in Sheet}
    for m in municipalities.values():
        rows[Sheet.MUNICIPALITIES].append(
            {
                "name": m.name,
                "timezone": m.timezone,
                "region": regions[m.region_id].name,
                "authority": m.authority_name or "",
            }
        )
    for s in schools.values():
        rows[Sheet.SCHOOLS].append(
            {
                "full_name": s.full_name,
                "short_name": s.short_name,
                "municipality": municipalities[s.municipality_id].name,
                "shnor": values.flag_text(s.is_shnor),
                "shnsu": values.flag_text(s.is_shnsu),
                "nonobjectivity": values.flag_text(s.has_nonobjectivity_signs),
                "status": values.status_text(s.status, s.in_project),
                "director": s.director_name or "",
            }
        )
    region_ids = {m.region_id for m in municipalities.values()}
    if actor is not None and not actor.is_admin:
        region_ids &= set(actor.coordinated_region_ids)
    held = await session.execute(
        select(RoleAssignment, Person)
        .join(Person, Person.id == RoleAssignment.person_id)
        .where(RoleAssignment.revoked_at.is_(None), RoleAssignment.role != Role.ADMIN)
        .order_by(RoleAssignment.role, Person.full_name, RoleAssignment.id)
    )
    for assignment, person in held.all():
        scope, municipality = _scope_cells(assignment, municipalities, schools, regions, region_ids)
        if scope is None:
            continue
        rows[Sheet.PEOPLE].append(
            {
                "full_name": person.full_name,
                "position": person.position or "",
                "role": values.ROLE_WORDS[assignment.role],
                "scope": scope,
                "municipality": municipality,
                "organisation": person.organisation or "",
            }
        )
    curated = await session.execute(
        select(CuratorAssignment, Person.full_name)
        .join(Person, Person.id == CuratorAssignment.curator_person_id)
        .where(
            CuratorAssignment.school_id.in_(schools),
            CuratorAssignment.ended_at.is_(None),
        )
        .order_by(CuratorAssignment.year, Person.full_name, CuratorAssignment.school_id)
    )
    for curation, name in curated.all():
        school = schools[curation.school_id]
        rows[Sheet.ASSIGNMENTS].append(
            {
                "curator": name,
                "school": school.short_name,
                "municipality": municipalities[school.municipality_id].name,
                "year": SchoolYear(curation.year).label,
            }
        )
    return rows


def _scope_cells(
    assignment: RoleAssignment,
    municipalities: dict[int, Municipality],
    schools: dict[int, School],
    regions: dict[int, Region],
    region_ids: set[int],
) -> tuple[str | None, str]:
    if assignment.role == Role.REGIONAL_COORDINATOR:
        if assignment.region_id in region_ids:
            return regions[assignment.region_id].name, ""
        return None, ""
    if assignment.school_id is not None:
        school = schools.get(assignment.school_id)
        if school is None:
            return None, ""
        return school.short_name, municipalities[school.municipality_id].name
    municipality = municipalities.get(assignment.municipality_id or 0)
    if municipality is None:
        return None, ""
    return municipality.name, municipality.name


INVITE_HEADERS = ("ФИО", "Роль", "Область действия", "Ссылка-приглашение", "Действует до")


def build_invite_list(
    people: list[PersonInvite], bot_username: str, expires_at: datetime | None = None
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from bot import texts

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Приглашения"
    sheet.append(list(INVITE_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    until = expires_at.strftime("%d.%m.%Y") if expires_at else ""
    for item in people:
        sheet.append(
            [
                safe_cell(item.full_name),
                safe_cell(texts.ROLE_NAMES[item.role]),
                safe_cell(item.scope_name),
                safe_cell(invite_link(bot_username, item.token)),
                until,
            ]
        )
    for letter, width in zip("ABCDE", (36, 30, 30, 60, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
