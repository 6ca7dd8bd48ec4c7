"""Teacher training: courses per school from a table shaped like seed 002's course tables.

    parsed = read_courses(content, file_name)             # raises TableRefused / ResultsRefused
    report = await check_courses(session, actor, parsed)   # schools matched in scope
    await apply_courses(session, actor, report)            # only when report.accepted

Seed 002's shape: «№№ п/п | Наименование образовательной программы повышения
квалификации | Количество (педагогические работники, руководящие работники) |
Общеобразовательные учреждения», the two counts in a second header row; one cell holds
the title, hours, dates and provider («…, 72 часа, 25.11 -10.12.2019, ООО "…"»); the
schools are numbers or names («1, 7, 16, 60, Лицей № 9»); section rows, «ИТОГО» rows and
a row broken over a page (no number: it continues the row above) are in the table.

Rules, chosen and documented:
- a row listing one school gives that school all the people of the row; a row listing
  several gives each at least one (the table does not say how they split): a lower bound;
- a school of the row that is not in the coordinator's directory is skipped and named in
  the preview (the table covers every school of the city, the bot may hold only some);
- a row without a title, or with counts that are not numbers, refuses the whole file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import School, TrainingCourse
from bot.services.access import audit
from bot.services.access.actors import Actor
from bot.services.errors import AccessDenied, DomainError
from bot.services.results.results import Refusal, ResultsRefused, rows_by_school
from bot.services.school_names import match_schools
from bot.services.school_year import SchoolYear
from bot.services.tables import Limits, cell_text, find_header, match_labels, read_table

HEADERS: dict[str, tuple[str, ...]] = {
    "number": ("№",),
    "course": ("наименование", "программ", "курс"),
    "teachers": ("педагогическ",),
    "leaders": ("руководящ",),
    "count": ("количеств", "обучено", "прошли"),
    "schools": ("общеобразовательн", "учреждени", "школ", "оо"),
}
_HOURS = re.compile(r",?\s*(\d{1,4})\s*час[а-я]*\.?", re.IGNORECASE)
_DATES = re.compile(
    r",?\s*(\d{1,2})(?:\.(\d{1,2}))?(?:\.(\d{2,4}))?\s*[-–—]\s*(\d{1,2})\.(\d{1,2})\.(\d{2,4})"
)


@dataclass(frozen=True)
class CourseRow:
    row: int
    title: str
    hours: int | None
    provider: str | None
    starts_on: date | None
    ends_on: date | None
    people: int
    schools: list[str]


@dataclass
class ParsedCourses:
    rows: list[CourseRow] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)


@dataclass
class CoursesReport:
    courses: list[tuple[School, CourseRow, int]] = field(default_factory=list)  # people
    skipped_schools: list[str] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return not self.refusals and bool(self.courses)


def read_courses(content: bytes, file_name: str) -> ParsedCourses:
    sheet = read_table(content, file_name, Limits(rows=2000))
    header = find_header(sheet.rows, HEADERS)
    if header is None or "course" not in header.columns or "schools" not in header.columns:
        raise ResultsRefused("training_no_header")
    columns = dict(header.columns)
    below = sheet.rows[header.row + 1] if header.row + 1 < len(sheet.rows) else []
    sub = match_labels(below, {"teachers": HEADERS["teachers"], "leaders": HEADERS["leaders"]})
    columns.update(sub.columns)
    start = header.row + (2 if sub.columns else 1)
    # «Количество» spans the two counts when they are there; alone, it is the count.
    counted = ("teachers", "leaders") if sub.columns else ("teachers", "leaders", "count")
    count_columns = sorted({columns[k] for k in counted if k in columns})
    parsed = ParsedCourses()
    pending: dict | None = None

    def flush() -> None:
        if pending is not None:
            line = _course(pending)
            if isinstance(line, Refusal):
                parsed.refusals.append(line)
            else:
                parsed.rows.append(line)

    for index in range(start, len(sheet.rows)):
        row = sheet.rows[index]

        def at(column: int, row: list = row) -> str:
            return cell_text(row[column]).strip() if column < len(row) else ""

        course = at(columns["course"])
        number = at(columns["number"]) if "number" in columns else ""
        number = number if re.match(r"^\d{1,3}\.?$", number) else ""
        counts = [at(c) for c in count_columns]
        schools = at(columns["schools"])
        if course == header.labels.get("course") or not (course or number):
            continue  # a repeated header, an empty row
        if any(re.match(r"^итого\b", text.lower()) for text in (at(0), course)):
            continue
        if not number and not any(counts) and not schools:
            if pending is not None and course and not re.match(r"^[А-ЯA-Z<]", course):
                pending["text"] += " " + course  # the row broke over a page
                continue
            continue  # a section heading («Государственная итоговая аттестация»)
        if not number and pending is not None and not any(counts):
            pending["text"] += " " + course
            pending["schools"] = pending["schools"] or schools
            continue
        flush()
        pending = {"row": index + 1, "text": course, "counts": counts, "schools": schools}
    flush()
    return parsed


def _course(raw: dict) -> CourseRow | Refusal:
    text = " ".join(str(raw["text"]).split())
    if not text:
        return Refusal(raw["row"], "training_no_title")
    people = 0
    for value in raw["counts"]:
        if not value:
            continue
        if not value.isdigit():
            return Refusal(raw["row"], "training_bad_count", value[:30])
        people += int(value)
    hours_match = _HOURS.search(text)
    dates_match = _DATES.search(text)
    cut = (
        min(m.start() for m in (hours_match, dates_match) if m)
        if (hours_match or dates_match)
        else len(text)
    )
    title = text[:cut].strip(" ,.")
    starts_on = ends_on = None
    provider = None
    if dates_match:
        d1, m1, y1, d2, m2, y2 = dates_match.groups()
        end_year = int(y2) + (2000 if len(y2) == 2 else 0)
        try:
            ends_on = date(end_year, int(m2), int(d2))
            start_month = int(m1) if m1 else int(m2)
            start_year = int(y1) + (2000 if y1 and len(y1) == 2 else 0) if y1 else None
            if start_year is None:
                start_year = end_year if start_month <= int(m2) else end_year - 1
            starts_on = date(start_year, start_month, int(d1))
        except ValueError:
            return Refusal(raw["row"], "training_bad_dates", dates_match.group(0)[:30])
        provider = _provider(text[dates_match.end() :])
    elif hours_match:
        provider = _provider(text[hours_match.end() :])
    schools = [s.strip() for s in re.split(r"[,;]", str(raw["schools"])) if s.strip()]
    if not schools:
        return Refusal(raw["row"], "training_no_schools")
    return CourseRow(
        raw["row"],
        title[:500] or text[:500],
        int(hours_match.group(1)) if hours_match else None,
        (provider or "")[:300] or None,
        starts_on,
        ends_on,
        people,
        schools,
    )


def _provider(rest: str) -> str | None:
    """What follows the dates: the provider, without the hours or a trailing «г.» of a date."""
    rest = _HOURS.sub("", rest)
    rest = re.sub(r"^\s*г\.?\s*,?", "", rest)
    return rest.strip(" ,.") or None


async def check_courses(
    session: AsyncSession, actor: Actor, parsed: ParsedCourses
) -> CoursesReport:
    if not actor.coordinated_municipality_ids and not actor.is_admin:
        raise AccessDenied()
    schools = (await session.scalars(select(School).where(actor.school_filter()))).all()
    report = CoursesReport(refusals=list(parsed.refusals))
    for line in parsed.rows:
        found = []
        for name in line.schools:
            matched = match_schools(schools, name)
            if len(matched) == 1:
                found.append(matched[0])
            elif name not in report.skipped_schools:
                report.skipped_schools.append(name)
        for school in found:
            people = line.people if len(line.schools) == 1 else 1
            report.courses.append((school, line, people))
    return report


async def apply_courses(session: AsyncSession, actor: Actor, report: CoursesReport) -> int:
    """Courses already stored (same school, title and dates) are not added twice."""
    if not report.accepted:
        raise ValueError("a refused import is never applied")
    existing = {
        (c.school_id, c.title, c.starts_on, c.ends_on)
        for c in (
            await session.scalars(
                select(TrainingCourse).where(
                    TrainingCourse.school_id.in_({s.id for s, _, _ in report.courses})
                )
            )
        ).all()
    }
    added = 0
    for school, line, people in report.courses:
        key = (school.id, line.title, line.starts_on, line.ends_on)
        if key in existing:
            continue
        existing.add(key)
        day = line.ends_on or line.starts_on
        session.add(
            TrainingCourse(
                school_id=school.id,
                year=SchoolYear.containing(day).start if day else 0,
                title=line.title,
                hours=line.hours,
                provider=line.provider,
                starts_on=line.starts_on,
                ends_on=line.ends_on,
                people_trained=people,
            )
        )
        added += 1
    await session.flush()
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="training.imported",
        object_type="training_courses",
        details={"added": added},
    )
    return added


@dataclass(frozen=True)
class TrainingSummary:
    year: int
    courses: int
    people: int
    staff: int | None

    @property
    def share(self) -> int | None:
        if not self.staff:
            return None
        return min(100, round(100 * self.people / self.staff))


async def training_summary(
    session: AsyncSession, school: School, up_to_year: int
) -> TrainingSummary | None:
    """The latest school year with courses (not after `up_to_year`): courses, people."""
    rows = (
        await session.scalars(
            select(TrainingCourse).where(
                TrainingCourse.school_id == school.id, TrainingCourse.year <= up_to_year
            )
        )
    ).all()
    return summary_of(rows, school.staff_count)


def summary_of(rows: Sequence[TrainingCourse], staff_count: int | None) -> TrainingSummary | None:
    """`training_summary` from one school's courses up to the year."""
    if not rows:
        return None
    year = max(r.year for r in rows)
    latest = [r for r in rows if r.year == year]
    return TrainingSummary(year, len(latest), sum(r.people_trained for r in latest), staff_count)


async def report_training(
    session: AsyncSession, school_ids: list[int], up_to_year: int
) -> list[tuple[str, TrainingSummary]]:
    """The half-year report's block: per school with courses, its latest year's summary.

    The courses of `REPORT_SCHOOLS_A_QUERY` schools a query, as `results.report_results`."""
    found = []
    schools = (
        await session.scalars(
            select(School).where(School.id.in_(school_ids)).order_by(School.number)
        )
    ).all()
    by_id = {school.id: school for school in schools}
    async for by_school in rows_by_school(session, TrainingCourse, list(by_id), up_to_year):
        for school_id, courses in by_school.items():
            school = by_id[school_id]
            summary = summary_of(courses, school.staff_count)
            if summary is not None:
                found.append((school.short_name, summary))
    return found


STAFF_LIMIT = 1000


async def set_staff_count(session: AsyncSession, actor: Actor, school: School, count: int) -> None:
    """The base of «share of staff trained»: a coordinator of the school's municipality."""
    if not actor.coordinates(school.municipality_id):
        raise AccessDenied("school_out_of_scope")
    if not 1 <= count <= STAFF_LIMIT:
        raise DomainError("training_bad_staff", limit=STAFF_LIMIT)
    school.staff_count = count
    await session.flush()
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="school.staff_count",
        object_type="school",
        object_id=school.id,
        details={"staff_count": count},
    )
