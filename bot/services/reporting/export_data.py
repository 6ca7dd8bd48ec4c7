"""/export: every table of a scope, in Russian, for people who open it in Excel.

Headers and values are Russian («да/нет», «выполнено», «принято»), dates ДД.ММ.ГГГГ and
times ДД.ММ.ГГГГ ЧЧ:ММ in the municipality's time zone. Codes (ids) are kept so the files
can be joined with each other; README.txt explains every column.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot import texts
from bot.models import (
    Attachment,
    Event,
    EventRegistration,
    Municipality,
    Person,
    ProgressReport,
    RiskFactor,
    Roadmap,
    RoadmapItem,
    School,
    SchoolRiskProfileEntry,
    Visit,
    VisitFollowUp,
)
from bot.services import local_time
from bot.services.access.actors import Actor
from bot.services.reporting.report_data import person_school_id

Table = tuple[list[str], list[list[object]]]


@dataclass(frozen=True)
class FileSpec:
    title: str
    columns: list[tuple[str, str]]  # header, what it means

    @property
    def headers(self) -> list[str]:
        return [header for header, _ in self.columns]


SCHOOL_CODE = ("Код школы", "номер школы в боте; по нему файлы связываются друг с другом")
FILES: dict[str, FileSpec] = {
    "schools.csv": FileSpec(
        "Школы",
        [
            SCHOOL_CODE,
            ("Школа", "краткое название"),
            ("Полное название", "как в документах"),
            ("Номер", "номер школы"),
            ("Муниципалитет", ""),
            ("Директор", ""),
            ("ШНОР", "да — школа с низкими образовательными результатами"),
            ("ШНСУ", "да — школа в неблагоприятных социальных условиях"),
            ("Признаки необъективности", "да/нет"),
            ("Статус", "участвует / вышла из проекта"),
        ],
    ),
    "roadmap_items.csv": FileSpec(
        "Мероприятия дорожных карт",
        [
            ("Код мероприятия", "по нему с мероприятием связаны отчёты"),
            SCHOOL_CODE,
            ("Школа", ""),
            ("Учебный год", "год дорожной карты, например 2026/2027"),
            ("№", "номер мероприятия в дорожной карте"),
            ("Раздел", "раздел (направление) дорожной карты"),
            ("Фактор риска", "фактор риска, на который отвечает мероприятие"),
            ("Мероприятие", ""),
            ("Срок (как в плане)", "срок словами, как записан в плане"),
            ("Срок (дата)", "дата, до которой мероприятие должно быть выполнено"),
            ("Повторяется", "да — мероприятие повторяется в течение года"),
            ("Статус", "по последнему принятому куратором отчёту"),
            ("Процент выполнения", ""),
            ("Ответственные исполнители", ""),
            ("Ожидаемый результат", ""),
            ("Принято куратором", "дата и время принятия отчёта"),
        ],
    ),
    "progress_reports.csv": FileSpec(
        "Отчёты школ о выполнении мероприятий",
        [
            ("Код отчёта", ""),
            ("Код мероприятия", "см. roadmap_items.csv"),
            ("Школа", ""),
            ("№ мероприятия", ""),
            ("Автор", "кто отправил отчёт"),
            ("Статус", "что школа сообщила: выполнено, в работе…"),
            ("Процент выполнения", ""),
            ("Что сделано", ""),
            ("Ссылки", "ссылки на подтверждающие материалы"),
            ("Вложения", "файлы и фото, приложенные в боте (хранятся в Telegram)"),
            ("Отправлен", "дата и время отправки"),
            ("Решение куратора", "на проверке / принято / возвращено"),
            ("Проверил", "куратор"),
            ("Проверено", "дата и время решения"),
            ("Комментарий куратора", ""),
        ],
    ),
    "visits.csv": FileSpec(
        "Посещения и консультации кураторов",
        [
            ("Код посещения", "по нему с посещением связаны следующие шаги"),
            SCHOOL_CODE,
            ("Школа", ""),
            ("Куратор", ""),
            ("Дата", ""),
            ("Формат", "выезд в школу, дистанционно, по телефону…"),
            ("Цель", ""),
            ("С кем работали", ""),
            ("Что выявлено", ""),
            ("Рекомендации", ""),
            ("Вложения", "файлы и фото, приложенные в боте (хранятся в Telegram)"),
        ],
    ),
    "follow_ups.csv": FileSpec(
        "Следующие шаги, согласованные на посещениях",
        [
            ("Код посещения", "см. visits.csv"),
            ("Школа", ""),
            ("Что сделать", ""),
            ("Срок", ""),
            ("Выполнено", "да/нет"),
            ("Отмечено выполненным", "дата и время"),
        ],
    ),
    "risk_profiles.csv": FileSpec(
        "Рисковые профили школ",
        [
            SCHOOL_CODE,
            ("Школа", ""),
            ("Учебный год", ""),
            ("№ фактора", "номер фактора риска по федеральной методике (1–10)"),
            ("Фактор риска", ""),
            ("Уровень", "высокий / средний / низкий"),
            ("Обновлено", "дата и время последнего изменения"),
        ],
    ),
    "events.csv": FileSpec(
        "Городские мероприятия",
        [
            ("Код мероприятия", "по нему с мероприятием связаны участники"),
            ("Мероприятие", ""),
            ("Формат", "семинар, круглый стол, деловая игра…"),
            ("Начало", "дата и время начала, местное время"),
            ("Длительность, мин", ""),
            ("На базе школы", ""),
            ("Место", ""),
            ("Организаторы", ""),
            ("Цель", ""),
            ("Статус", "черновик / опубликовано / отменено / проведено"),
            ("Записались", "записаны сейчас; отказавшиеся и отменившие запись не считаются"),
            ("В листе ожидания", ""),
            ("Участвовали", "отмечены организатором как присутствовавшие"),
            ("Итоги", ""),
        ],
    ),
    "participants.csv": FileSpec(
        "Участники городских мероприятий",
        [
            ("Код мероприятия", "см. events.csv"),
            ("Мероприятие", ""),
            ("ФИО", ""),
            ("Школа", "место работы участника"),
            ("Запись", "записан(а), в листе ожидания, отказался(-ась), отменил(а) запись"),
            ("Присутствие", "был(а) / не был(а); пусто — не отмечено"),
            ("Оценка", "оценка мероприятия участником, 1–5"),
            ("Отзыв", ""),
        ],
    ),
}


def readme_text(generated: str) -> str:
    lines = [
        "Выгрузка данных проекта «500+»",
        f"Сформирована: {generated}",
        "",
        "Файлы CSV: кодировка UTF-8 (с BOM), разделитель «;» — Excel открывает их двойным",
        "щелчком с русскими буквами и столбцами. Даты — ДД.ММ.ГГГГ, время — ДД.ММ.ГГГГ ЧЧ:ММ,",
        "местное время муниципалитета. Текст, начинающийся с = + - @, записан с апострофом",
        "в начале, чтобы Excel не принял его за формулу.",
        "В архиве «с файлами» папка files/ хранит фото и документы подтверждений;",
        "files/index.csv говорит, к какому отчёту или посещению приложен каждый файл.",
        "",
    ]
    for name, spec in FILES.items():
        lines.append(f"{name} — {spec.title}")
        for header, meaning in spec.columns:
            lines.append(f"  «{header}»" + (f" — {meaning}" if meaning else ""))
        lines.append("")
    return "\r\n".join(lines)


def _yes_no(value: bool | None) -> str:
    return "" if value is None else texts.YES_NO[bool(value)]


def _day(value: date | None) -> str:
    return value.strftime(texts.DATE_FORMAT) if value else ""


@dataclass
class _Clock:
    zones: dict[int, str] = field(default_factory=dict)  # school id → time zone
    default: str = field(default_factory=local_time.default_zone)

    def at(self, value: datetime | None, school_id: int | None = None) -> str:
        if value is None:
            return ""
        zone = self.zones.get(school_id or 0, self.default)
        return value.astimezone(local_time.zone_info(zone)).strftime(texts.DATETIME_FORMAT)


def _year(start: int) -> str:
    return f"{start}/{start + 1}"


async def export_tables(
    session: AsyncSession,
    school_ids: list[int],
    all_participants_of: Collection[int] = (),
) -> dict[str, Table]:
    """The scope's data, one table per file.

    Events are those of the scope's municipalities; their participants are listed whole for
    the municipalities in `all_participants_of` (the ones the person coordinates), otherwise
    only the people of the scope's schools.
    """
    in_scope = School.id.in_(school_ids)
    schools = list(
        (
            await session.execute(
                select(School, Municipality.name, Municipality.timezone)
                .join(Municipality, Municipality.id == School.municipality_id)
                .where(in_scope)
                .order_by(School.municipality_id, School.number, School.short_name)
            )
        ).all()
    )
    clock = _Clock({school.id: zone for school, _, zone in schools})
    if schools:
        clock.default = schools[0][2]
    names = {school.id: school.short_name for school, _, _ in schools}
    municipality_ids = sorted({school.municipality_id for school, _, _ in schools})
    zones_of = {school.municipality_id: zone for school, _, zone in schools}
    tables: dict[str, Table] = {}
    tables["schools.csv"] = (
        FILES["schools.csv"].headers,
        [
            [
                s.id,
                s.short_name,
                s.full_name,
                s.number,
                municipality,
                s.director_name,
                _yes_no(s.is_shnor),
                _yes_no(s.is_shnsu),
                _yes_no(s.has_nonobjectivity_signs),
                texts.SCHOOL_STATUS_LABELS.get(s.status.value, s.status.value),
            ]
            for s, municipality, _ in schools
        ],
    )
    items = await session.execute(
        select(RoadmapItem, Roadmap.school_id, Roadmap.year, RiskFactor.title)
        .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
        .outerjoin(RiskFactor, RiskFactor.id == RoadmapItem.risk_factor_id)
        .where(Roadmap.school_id.in_(school_ids))
        .order_by(Roadmap.school_id, Roadmap.year, RoadmapItem.position)
    )
    tables["roadmap_items.csv"] = (
        FILES["roadmap_items.csv"].headers,
        [
            [
                i.id,
                school_id,
                names.get(school_id, ""),
                _year(year),
                i.number,
                i.section,
                f"{i.risk_factor_id}. {risk}" if risk else "",
                i.measure,
                i.deadline_text,
                _day(i.due_date),
                _yes_no(i.is_recurring),
                texts.ITEM_STATUS_LABELS[i.status.value],
                i.percent,
                i.responsible,
                i.expected_result,
                clock.at(i.accepted_at, school_id),
            ]
            for i, school_id, year, risk in items
        ],
    )
    files = await _attachment_counts(session, school_ids)
    author = aliased(Person)
    reviewer = aliased(Person)
    reports = await session.execute(
        select(ProgressReport, Roadmap.school_id, RoadmapItem.number, author.full_name)
        .add_columns(reviewer.full_name)
        .join(RoadmapItem, RoadmapItem.id == ProgressReport.item_id)
        .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
        .join(author, author.id == ProgressReport.author_person_id)
        .outerjoin(reviewer, reviewer.id == ProgressReport.reviewed_by_person_id)
        .where(Roadmap.school_id.in_(school_ids))
        .order_by(ProgressReport.id)
    )
    tables["progress_reports.csv"] = (
        FILES["progress_reports.csv"].headers,
        [
            [
                r.id,
                r.item_id,
                names.get(school_id, ""),
                number,
                author_name,
                texts.ITEM_STATUS_LABELS[r.status.value],
                r.percent,
                r.done_text,
                r.evidence_links,
                files.get(("report", r.id), ""),
                clock.at(r.submitted_at, school_id),
                texts.REVIEW_STATE_LABELS[r.review_state.value],
                reviewer_name,
                clock.at(r.reviewed_at, school_id),
                r.review_comment,
            ]
            for r, school_id, number, author_name, reviewer_name in reports
        ],
    )
    visits = await session.execute(
        select(Visit, Person.full_name)
        .join(Person, Person.id == Visit.curator_person_id)
        .where(Visit.school_id.in_(school_ids), Visit.deleted_at.is_(None))
        .order_by(Visit.visit_date, Visit.id)
    )
    tables["visits.csv"] = (
        FILES["visits.csv"].headers,
        [
            [
                v.id,
                v.school_id,
                names.get(v.school_id, ""),
                curator,
                _day(v.visit_date),
                v.format_other or texts.VISIT_FORMAT_LABELS.get(v.format.value, v.format.value),
                v.purpose,
                _with_whom(v),
                v.findings,
                v.recommendations,
                files.get(("visit", v.id), ""),
            ]
            for v, curator in visits
        ],
    )
    steps = await session.execute(
        select(VisitFollowUp, Visit.school_id)
        .join(Visit, Visit.id == VisitFollowUp.visit_id)
        .where(Visit.school_id.in_(school_ids), Visit.deleted_at.is_(None))
        .order_by(VisitFollowUp.due_date, VisitFollowUp.id)
    )
    tables["follow_ups.csv"] = (
        FILES["follow_ups.csv"].headers,
        [
            [
                f.visit_id,
                names.get(school_id, ""),
                f.what,
                _day(f.due_date),
                _yes_no(f.done_at is not None),
                clock.at(f.done_at, school_id),
            ]
            for f, school_id in steps
        ],
    )
    risks = await session.execute(
        select(SchoolRiskProfileEntry, RiskFactor.title)
        .join(RiskFactor, RiskFactor.id == SchoolRiskProfileEntry.risk_factor_id)
        .where(SchoolRiskProfileEntry.school_id.in_(school_ids))
        .order_by(
            SchoolRiskProfileEntry.school_id,
            SchoolRiskProfileEntry.year,
            SchoolRiskProfileEntry.risk_factor_id,
        )
    )
    tables["risk_profiles.csv"] = (
        FILES["risk_profiles.csv"].headers,
        [
            [
                p.school_id,
                names.get(p.school_id, ""),
                _year(p.year),
                p.risk_factor_id,
                title,
                texts.RISK_LEVEL_LABELS[p.level.value],
                clock.at(p.updated_at, p.school_id),
            ]
            for p, title in risks
        ],
    )
    tables.update(
        await _event_tables(session, municipality_ids, school_ids, all_participants_of, zones_of)
    )
    return tables


def _with_whom(visit: Visit) -> str:
    who = [texts.PARTICIPANT_LABELS.get(code, code) for code in visit.participants or []]
    if visit.participants_other:
        who.append(visit.participants_other)
    return ", ".join(who)


async def _attachment_counts(
    session: AsyncSession, school_ids: list[int]
) -> dict[tuple[str, int], str]:
    """«фото: 2, файл: 1» for each report and visit of the scope (found by joins, not ids)."""
    counts: dict[tuple[str, int], dict[str, int]] = {}
    report_rows = await session.execute(
        select(Attachment.report_id, Attachment.kind, func.count())
        .join(ProgressReport, ProgressReport.id == Attachment.report_id)
        .join(RoadmapItem, RoadmapItem.id == ProgressReport.item_id)
        .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
        .where(Roadmap.school_id.in_(school_ids))
        .group_by(Attachment.report_id, Attachment.kind)
    )
    visit_rows = await session.execute(
        select(Attachment.visit_id, Attachment.kind, func.count())
        .join(Visit, Visit.id == Attachment.visit_id)
        .where(Visit.school_id.in_(school_ids))
        .group_by(Attachment.visit_id, Attachment.kind)
    )
    words = {"photo": "фото", "document": "файл", "link": "ссылка", "location": "место"}
    for owner, rows in (("report", report_rows), ("visit", visit_rows)):
        for owner_id, kind, count in rows:
            assert owner_id is not None  # joined to its report or visit
            counts.setdefault((owner, owner_id), {})[words.get(kind.value, kind.value)] = count
    return {
        key: ", ".join(f"{word}: {count}" for word, count in kinds.items())
        for key, kinds in counts.items()
    }


async def _event_tables(
    session: AsyncSession,
    municipality_ids: list[int],
    school_ids: list[int],
    all_participants_of: Collection[int],
    zones: dict[int, str],
) -> dict[str, Table]:
    host = aliased(School)
    events = list(
        (
            await session.execute(
                select(Event, host.short_name)
                .outerjoin(host, host.id == Event.host_school_id)
                .where(Event.municipality_id.in_(municipality_ids))
                .order_by(Event.starts_at, Event.id)
            )
        ).all()
    )
    registrations = await session.execute(
        select(EventRegistration, Person.full_name, School.id, School.short_name)
        .join(Person, Person.id == EventRegistration.person_id)
        .join(Event, Event.id == EventRegistration.event_id)
        .outerjoin(School, School.id == person_school_id())
        .where(Event.municipality_id.in_(municipality_ids))
        .order_by(EventRegistration.event_id, Person.full_name, EventRegistration.id)
    )
    titles = {event.id: event.title for event, _ in events}
    event_municipality = {event.id: event.municipality_id for event, _ in events}
    tallies: dict[int, dict[str, int]] = {}
    people: list[list[object]] = []
    scope = set(school_ids)
    everyone = set(all_participants_of)
    for registration, name, school_id, school_name in registrations:
        tally = tallies.setdefault(registration.event_id, {})
        tally[registration.state.value] = tally.get(registration.state.value, 0) + 1
        if registration.attended:
            tally["attended"] = tally.get("attended", 0) + 1
        if event_municipality.get(registration.event_id) not in everyone and school_id not in scope:
            continue  # a curator sees the people of their own schools only
        people.append(
            [
                registration.event_id,
                titles.get(registration.event_id, ""),
                name,
                school_name,
                texts.ORGANISER_STATE_LABELS[registration.state.value],
                texts.ATTENDED_LABELS.get(registration.attended, "")
                if registration.attended is not None
                else "",
                registration.feedback_rating,
                registration.feedback_comment,
            ]
        )
    rows = []
    for event, host_name in events:
        tally = tallies.get(event.id, {})
        zone = zones.get(event.municipality_id, local_time.default_zone())
        rows.append(
            [
                event.id,
                event.title,
                texts.EVENT_FORMAT_LABELS.get(event.format, event.format),
                event.starts_at.astimezone(local_time.zone_info(zone)).strftime(
                    texts.DATETIME_FORMAT
                ),
                event.duration_minutes,
                host_name,
                event.place_text,
                event.organisers,
                event.goal,
                texts.EVENT_STATUS_LABELS.get(event.status.value, event.status.value),
                tally.get("registered", 0),
                tally.get("waitlisted", 0),
                tally.get("attended", 0),
                event.results,
            ]
        )
    return {
        "events.csv": (FILES["events.csv"].headers, rows),
        "participants.csv": (FILES["participants.csv"].headers, people),
    }


@dataclass(frozen=True)
class EvidenceFile:
    """A photo or document attached in the bot, to be fetched from Telegram into the zip."""

    path: str  # inside the zip, ASCII: files/report_12/34.pdf
    file_id: str
    size: int | None
    school: str
    owner: str  # «отчёт 12 (мероприятие 3)», «посещение 5 (10.11.2026)»
    original_name: str


_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}$")


def _zip_path(owner: str, owner_id: int, attachment: Attachment) -> str:
    found = _SUFFIX.search(attachment.file_name or "")
    suffix = (
        found.group(0).lower()
        if found
        else (".jpg" if attachment.kind.value == "photo" else ".bin")
    )
    return f"files/{owner}_{owner_id}/{attachment.id}{suffix}"


async def evidence_files(session: AsyncSession, school_ids: list[int]) -> list[EvidenceFile]:
    """Photos and documents of the scope's progress reports and visits (joins, not id lists)."""
    kept = Attachment.telegram_file_id.is_not(None)
    reports = await session.execute(
        select(Attachment, ProgressReport.id, RoadmapItem.number, School.short_name)
        .join(ProgressReport, ProgressReport.id == Attachment.report_id)
        .join(RoadmapItem, RoadmapItem.id == ProgressReport.item_id)
        .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
        .join(School, School.id == Roadmap.school_id)
        .where(Roadmap.school_id.in_(school_ids), kept)
        .order_by(Attachment.id)
    )
    visits = await session.execute(
        select(Attachment, Visit.id, Visit.visit_date, School.short_name)
        .join(Visit, Visit.id == Attachment.visit_id)
        .join(School, School.id == Visit.school_id)
        .where(Visit.school_id.in_(school_ids), Visit.deleted_at.is_(None), kept)
        .order_by(Attachment.id)
    )
    found = [
        EvidenceFile(
            _zip_path("report", report_id, a),
            a.telegram_file_id or "",
            a.file_size,
            school,
            f"отчёт {report_id} (мероприятие {number})",
            a.file_name or "",
        )
        for a, report_id, number, school in reports
    ]
    found += [
        EvidenceFile(
            _zip_path("visit", visit_id, a),
            a.telegram_file_id or "",
            a.file_size,
            school,
            f"посещение {visit_id} ({_day(day)})",
            a.file_name or "",
        )
        for a, visit_id, day, school in visits
    ]
    return found


EVIDENCE_INDEX_HEADERS = ["Файл в архиве", "Школа", "К чему приложен", "Имя файла", "Примечание"]


def coordinated_municipalities(actor: Actor, schools: Collection[School]) -> list[int]:
    """The municipalities of `schools` the actor coordinates: their events' participants are
    exported whole (`export_tables(all_participants_of=...)`)."""
    return [m for m in {s.municipality_id for s in schools} if actor.coordinates(m)]
