"""/export: every table of a scope, in Russian, for people who open it in Excel.

Headers and values are Russian («да/нет», «выполнено», «принято»), dates ДД.ММ.ГГГГ and
times ДД.ММ.ГГГГ ЧЧ:ММ in the municipality's time zone. Codes (ids) are kept so the files
can be joined with each other; README.txt explains every column.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, exists, func, or_, select
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
    RegistrationState,
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
from bot.services.reporting import streaming
from bot.services.reporting.report_data import person_school_id
from bot.services.reporting.streaming import AnyRow, AnySelect

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


@dataclass(frozen=True)
class TableQuery:
    """One CSV of the export: its rows come from `statement` (streamed in chunks) or, for
    the few small tables read anyway for the lookups, from `rows`; `row` turns one database
    row into the file's values (in the file worker's thread)."""

    name: str
    row: Callable[[AnyRow], list[object]]
    statement: AnySelect | None = None
    rows: Sequence[AnyRow] = ()

    @property
    def headers(self) -> list[str]:
        return FILES[self.name].headers

    async def chunks(self, session: AsyncSession) -> AsyncIterator[list[AnyRow]]:
        if self.statement is None:
            step = max(1, streaming.CHUNK_ROWS)
            for start in range(0, len(self.rows), step):
                yield list(self.rows[start : start + step])
            return
        async for part in streaming.chunks(session, self.statement):
            yield part


async def export_tables(
    session: AsyncSession,
    school_ids: list[int],
    all_participants_of: Collection[int] = (),
) -> dict[str, Table]:
    """The scope's data, one table per file, all in memory (a municipality's, tests); the
    bot streams the same `export_queries` into the zip (bot/reports/files_out.py)."""
    tables: dict[str, Table] = {}
    for table in await export_queries(session, school_ids, all_participants_of):
        rows = [table.row(found) async for part in table.chunks(session) for found in part]
        tables[table.name] = (table.headers, rows)
    return tables


async def export_queries(
    session: AsyncSession,
    school_ids: list[int],
    all_participants_of: Collection[int] = (),
) -> list[TableQuery]:
    """The export's tables in file order, as queries of just the columns the files show.

    Events are those of the scope's municipalities; their participants are listed whole for
    the municipalities in `all_participants_of` (the ones the person coordinates), otherwise
    only the people of the scope's schools. Read here: the schools, the events and the
    counts the rows refer to (a few thousand rows at most); everything else is streamed.
    """
    in_scope = School.id.in_(school_ids)
    schools = list(
        (
            await session.execute(
                select(
                    School.id,
                    School.short_name,
                    School.full_name,
                    School.number,
                    Municipality.name,
                    School.director_name,
                    School.is_shnor,
                    School.is_shnsu,
                    School.has_nonobjectivity_signs,
                    School.status,
                    School.municipality_id,
                    Municipality.timezone,
                )
                .join(Municipality, Municipality.id == School.municipality_id)
                .where(in_scope)
                .order_by(School.municipality_id, School.number, School.short_name)
            )
        ).all()
    )
    clock = _Clock({school.id: school.timezone for school in schools})
    if schools:
        clock.default = schools[0].timezone
    names = {school.id: school.short_name for school in schools}
    municipality_ids = sorted({school.municipality_id for school in schools})
    zones_of = {school.municipality_id: school.timezone for school in schools}
    files = await _attachment_counts(session, school_ids)

    def school_row(s: AnyRow) -> list[object]:
        status = s.status.value
        return [
            s.id,
            s.short_name,
            s.full_name,
            s.number,
            s.name,
            s.director_name,
            _yes_no(s.is_shnor),
            _yes_no(s.is_shnsu),
            _yes_no(s.has_nonobjectivity_signs),
            texts.SCHOOL_STATUS_LABELS.get(status, status),
        ]

    def item_row(i: AnyRow) -> list[object]:
        return [
            i.id,
            i.school_id,
            names.get(i.school_id, ""),
            _year(i.year),
            i.number,
            i.section,
            f"{i.risk_factor_id}. {i.title}" if i.title else "",
            i.measure,
            i.deadline_text,
            _day(i.due_date),
            _yes_no(i.is_recurring),
            texts.ITEM_STATUS_LABELS[i.status.value],
            i.percent,
            i.responsible,
            i.expected_result,
            clock.at(i.accepted_at, i.school_id),
        ]

    items = (
        select(
            RoadmapItem.id,
            Roadmap.school_id,
            Roadmap.year,
            RoadmapItem.number,
            RoadmapItem.section,
            RoadmapItem.risk_factor_id,
            RiskFactor.title,
            RoadmapItem.measure,
            RoadmapItem.deadline_text,
            RoadmapItem.due_date,
            RoadmapItem.is_recurring,
            RoadmapItem.status,
            RoadmapItem.percent,
            RoadmapItem.responsible,
            RoadmapItem.expected_result,
            RoadmapItem.accepted_at,
        )
        .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
        .outerjoin(RiskFactor, RiskFactor.id == RoadmapItem.risk_factor_id)
        .where(Roadmap.school_id.in_(school_ids))
        .order_by(Roadmap.school_id, Roadmap.year, RoadmapItem.position)
    )

    def report_row(r: AnyRow) -> list[object]:
        return [
            r.id,
            r.item_id,
            names.get(r.school_id, ""),
            r.number,
            r.author,
            texts.ITEM_STATUS_LABELS[r.status.value],
            r.percent,
            r.done_text,
            r.evidence_links,
            files.get(("report", r.id), ""),
            clock.at(r.submitted_at, r.school_id),
            texts.REVIEW_STATE_LABELS[r.review_state.value],
            r.reviewer,
            clock.at(r.reviewed_at, r.school_id),
            r.review_comment,
        ]

    author = aliased(Person)
    reviewer = aliased(Person)
    reports = (
        select(
            ProgressReport.id,
            ProgressReport.item_id,
            Roadmap.school_id,
            RoadmapItem.number,
            author.full_name.label("author"),
            ProgressReport.status,
            ProgressReport.percent,
            ProgressReport.done_text,
            ProgressReport.evidence_links,
            ProgressReport.submitted_at,
            ProgressReport.review_state,
            reviewer.full_name.label("reviewer"),
            ProgressReport.reviewed_at,
            ProgressReport.review_comment,
        )
        .join(RoadmapItem, RoadmapItem.id == ProgressReport.item_id)
        .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
        .join(author, author.id == ProgressReport.author_person_id)
        .outerjoin(reviewer, reviewer.id == ProgressReport.reviewed_by_person_id)
        .where(Roadmap.school_id.in_(school_ids))
        .order_by(ProgressReport.id)
    )

    def visit_row(v: AnyRow) -> list[object]:
        return [
            v.id,
            v.school_id,
            names.get(v.school_id, ""),
            v.full_name,
            _day(v.visit_date),
            v.format_other or texts.VISIT_FORMAT_LABELS.get(v.format.value, v.format.value),
            v.purpose,
            _with_whom(v.participants, v.participants_other),
            v.findings,
            v.recommendations,
            files.get(("visit", v.id), ""),
        ]

    visits = (
        select(
            Visit.id,
            Visit.school_id,
            Person.full_name,
            Visit.visit_date,
            Visit.format_other,
            Visit.format,
            Visit.purpose,
            Visit.participants,
            Visit.participants_other,
            Visit.findings,
            Visit.recommendations,
        )
        .join(Person, Person.id == Visit.curator_person_id)
        .where(Visit.school_id.in_(school_ids), Visit.deleted_at.is_(None))
        .order_by(Visit.visit_date, Visit.id)
    )

    def step_row(f: AnyRow) -> list[object]:
        return [
            f.visit_id,
            names.get(f.school_id, ""),
            f.what,
            _day(f.due_date),
            _yes_no(f.done_at is not None),
            clock.at(f.done_at, f.school_id),
        ]

    steps = (
        select(
            VisitFollowUp.visit_id,
            Visit.school_id,
            VisitFollowUp.what,
            VisitFollowUp.due_date,
            VisitFollowUp.done_at,
        )
        .join(Visit, Visit.id == VisitFollowUp.visit_id)
        .where(Visit.school_id.in_(school_ids), Visit.deleted_at.is_(None))
        .order_by(VisitFollowUp.due_date, VisitFollowUp.id)
    )

    def risk_row(p: AnyRow) -> list[object]:
        return [
            p.school_id,
            names.get(p.school_id, ""),
            _year(p.year),
            p.risk_factor_id,
            p.title,
            texts.RISK_LEVEL_LABELS[p.level.value],
            clock.at(p.updated_at, p.school_id),
        ]

    risks = (
        select(
            SchoolRiskProfileEntry.school_id,
            SchoolRiskProfileEntry.year,
            SchoolRiskProfileEntry.risk_factor_id,
            RiskFactor.title,
            SchoolRiskProfileEntry.level,
            SchoolRiskProfileEntry.updated_at,
        )
        .join(RiskFactor, RiskFactor.id == SchoolRiskProfileEntry.risk_factor_id)
        .where(SchoolRiskProfileEntry.school_id.in_(school_ids))
        .order_by(
            SchoolRiskProfileEntry.school_id,
            SchoolRiskProfileEntry.year,
            SchoolRiskProfileEntry.risk_factor_id,
        )
    )
    return [
        TableQuery("schools.csv", school_row, rows=schools),
        TableQuery("roadmap_items.csv", item_row, items),
        TableQuery("progress_reports.csv", report_row, reports),
        TableQuery("visits.csv", visit_row, visits),
        TableQuery("follow_ups.csv", step_row, steps),
        TableQuery("risk_profiles.csv", risk_row, risks),
        *await _event_tables(session, municipality_ids, school_ids, all_participants_of, zones_of),
    ]


def _with_whom(participants: list[str] | None, other: str | None) -> str:
    who = [texts.PARTICIPANT_LABELS.get(code, code) for code in participants or []]
    if other:
        who.append(other)
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
) -> list[TableQuery]:
    host = aliased(School)
    in_municipalities = Event.municipality_id.in_(municipality_ids)
    events = list(
        (
            await session.execute(
                select(
                    Event.id,
                    Event.municipality_id,
                    Event.title,
                    Event.format,
                    Event.starts_at,
                    Event.duration_minutes,
                    host.short_name,
                    Event.place_text,
                    Event.organisers,
                    Event.goal,
                    Event.status,
                    Event.results,
                )
                .outerjoin(host, host.id == Event.host_school_id)
                .where(in_municipalities)
                .order_by(Event.starts_at, Event.id)
            )
        ).all()
    )
    # Counted over everyone who signed up, whether or not their row is exported below.
    state = EventRegistration.state
    tallies = {
        event_id: (int(registered or 0), int(waitlisted or 0), int(attended or 0))
        for event_id, registered, waitlisted, attended in await session.execute(
            select(
                EventRegistration.event_id,
                func.sum(case((state == RegistrationState.REGISTERED, 1), else_=0)),
                func.sum(case((state == RegistrationState.WAITLISTED, 1), else_=0)),
                func.sum(case((EventRegistration.attended.is_(True), 1), else_=0)),
            )
            .join(Event, Event.id == EventRegistration.event_id)
            .where(in_municipalities)
            .group_by(EventRegistration.event_id)
        )
    }
    titles = {event.id: event.title for event in events}

    def event_row(event: AnyRow) -> list[object]:
        registered, waitlisted, attended = tallies.get(event.id, (0, 0, 0))
        zone = zones.get(event.municipality_id, local_time.default_zone())
        return [
            event.id,
            event.title,
            texts.EVENT_FORMAT_LABELS.get(event.format, event.format),
            event.starts_at.astimezone(local_time.zone_info(zone)).strftime(texts.DATETIME_FORMAT),
            event.duration_minutes,
            event.short_name,
            event.place_text,
            event.organisers,
            event.goal,
            texts.EVENT_STATUS_LABELS.get(event.status.value, event.status.value),
            registered,
            waitlisted,
            attended,
            event.results,
        ]

    def person_row(r: AnyRow) -> list[object]:
        return [
            r.event_id,
            titles.get(r.event_id, ""),
            r.full_name,
            r.short_name,
            texts.ORGANISER_STATE_LABELS[r.state.value],
            texts.ATTENDED_LABELS.get(r.attended, "") if r.attended is not None else "",
            r.feedback_rating,
            r.feedback_comment,
        ]

    people = (
        select(
            EventRegistration.event_id,
            Person.full_name,
            School.short_name,
            EventRegistration.state,
            EventRegistration.attended,
            EventRegistration.feedback_rating,
            EventRegistration.feedback_comment,
        )
        .join(Person, Person.id == EventRegistration.person_id)
        .join(Event, Event.id == EventRegistration.event_id)
        .outerjoin(School, School.id == person_school_id())
        .where(
            in_municipalities,
            # A curator sees the people of their own schools only.
            or_(
                Event.municipality_id.in_(list(all_participants_of)),
                School.id.in_(school_ids),
            ),
        )
        .order_by(EventRegistration.event_id, Person.full_name, EventRegistration.id)
    )
    return [
        TableQuery("events.csv", event_row, rows=events),
        TableQuery("participants.csv", person_row, people),
    ]


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


async def has_evidence_files(session: AsyncSession, school_ids: list[int]) -> bool:
    """Whether «с файлами» has anything to fetch (without listing every file)."""
    kept = Attachment.telegram_file_id.is_not(None)
    report_files = (
        select(Attachment.id)
        .join(ProgressReport, ProgressReport.id == Attachment.report_id)
        .join(RoadmapItem, RoadmapItem.id == ProgressReport.item_id)
        .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
        .where(Roadmap.school_id.in_(school_ids), kept)
    )
    visit_files = (
        select(Attachment.id)
        .join(Visit, Visit.id == Attachment.visit_id)
        .where(Visit.school_id.in_(school_ids), Visit.deleted_at.is_(None), kept)
    )
    found = await session.scalar(select(or_(exists(report_files), exists(visit_files))))
    return bool(found)


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
