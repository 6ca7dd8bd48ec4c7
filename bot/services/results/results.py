"""School results (ВПР / ОГЭ / ЕГЭ) from the forms regions receive, and what they show.

    parsed = read_results(content, file_name, default_year)     # raises TableRefused
    report = await check_results(session, actor, parsed)          # refusals named by row
    await apply_results(session, actor, report)                   # only when report.accepted

Columns are found by meaning (bot/services/tables.py), schools by the names people write
(bot/services/school_names.py), among the schools the coordinator sees. The file is taken
whole or not at all: one refused row refuses the import.

The risk zone. A school is in it for a school year when the share of «2» over all its
results that year, weighted by participants, is at least `RISK_ZONE_FAIL_PERCENT`. 15 % is
our reading of the regional practice of flagging ВПР results with «more than 15 % of
"2"» as low; change the constant (and this note) if a region uses another criterion.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Assessment, AssessmentResult, School, TrainingCourse
from bot.services.access import audit
from bot.services.access.actors import Actor
from bot.services.errors import AccessDenied
from bot.services.school_names import match_schools
from bot.services.school_year import SchoolYear
from bot.services.tables import Cell, Limits, cell_text, find_header, read_table

RISK_ZONE_FAIL_PERCENT = 15.0

# Key order matters: a label is the first key one of whose stems it contains.
HEADERS: dict[str, tuple[str, ...]] = {
    "fail": ("доля «2", "доля 2", "% «2", "%«2", "«2»", "2", "доля неудовлетвор", "неудовлетвор"),
    "average": ("средн", "ср. балл", "ср.балл"),
    "participants": ("участник", "кол-во участ", "количество участ", "число участ", "писал"),
    "assessment": ("процедур", "оценочн", "вид оцен", "форма", "экзамен", "впр/огэ"),
    "subject": ("предмет", "дисциплин"),
    "grade": ("класс", "параллел"),
    "year": ("учебный год", "год"),
    "school": ("оо", "образовательн", "школ", "наименование оо", "организац"),
}
REQUIRED = ("school", "subject", "fail", "participants")
ASSESSMENT_WORDS = {Assessment.VPR: "впр", Assessment.OGE: "огэ", Assessment.EGE: "егэ"}
DEFAULT_GRADE = {Assessment.OGE: 9, Assessment.EGE: 11}
_NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?$")
_YEAR_IN_TITLE = re.compile(r"(20\d\d)\s*[/\-–—]\s*(20\d\d|\d\d)")


class ResultsRefused(ValueError):
    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class ResultRow:
    row: int  # 1-based, as Excel shows it
    school_text: str
    assessment: Assessment
    subject: str
    grade: int
    participants: int
    fail_percent: float
    average_mark: float | None
    year: int


@dataclass(frozen=True)
class Refusal:
    row: int
    code: str  # a key of bot.texts.RESULTS_REFUSALS
    detail: str = ""


@dataclass
class ParsedResults:
    rows: list[ResultRow] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)


@dataclass
class ResultsReport:
    rows: list[tuple[School, ResultRow]] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    new: int = 0
    changed: int = 0

    @property
    def accepted(self) -> bool:
        return not self.refusals and bool(self.rows)

    @property
    def schools(self) -> int:
        return len({school.id for school, _ in self.rows})

    @property
    def years(self) -> list[int]:
        return sorted({row.year for _, row in self.rows})


# -- reading --------------------------------------------------------------------------------


def read_results(content: bytes, file_name: str, default_year: int) -> ParsedResults:
    sheet = read_table(content, file_name, Limits(rows=3000))
    header = find_header(sheet.rows, HEADERS)
    if header is None or any(key not in header.columns for key in REQUIRED):
        missing = [k for k in REQUIRED if header is None or k not in header.columns]
        raise ResultsRefused("results_no_header", missing=", ".join(missing))
    title_year = _year_in_title(sheet.rows[: header.row])
    parsed = ParsedResults()
    seen: set[tuple[str, Assessment, str, int, int]] = set()
    for index in range(header.row + 1, len(sheet.rows)):
        row = sheet.rows[index]
        if index in sheet.merged_rows or not any(v not in (None, "") for v in row):
            continue
        values = {key: _at(row, column) for key, column in header.columns.items()}
        if _repeats_header(values, header.labels):
            continue  # a header repeated at a page break
        line = _parse_row(index + 1, values, title_year or default_year)
        if isinstance(line, Refusal):
            parsed.refusals.append(line)
            continue
        key = (
            line.school_text.lower(),
            line.assessment,
            line.subject.lower(),
            line.grade,
            line.year,
        )
        if key in seen:
            parsed.refusals.append(Refusal(line.row, "duplicate"))
            continue
        seen.add(key)
        parsed.rows.append(line)
    return parsed


def _at(row: Sequence[Cell], column: int) -> Cell:
    return row[column] if column < len(row) else None


def _repeats_header(values: dict[str, Cell], labels: dict[str, str]) -> bool:
    return all(cell_text(values.get(k)).strip() == labels[k] for k in ("school", "subject"))


def _year_in_title(rows: Sequence[Sequence[Cell]]) -> int | None:
    for row in rows:
        for value in row:
            match = _YEAR_IN_TITLE.search(cell_text(value))
            if match:
                year = SchoolYear.parse(f"{match.group(1)}/{match.group(2)}")
                if year is not None:
                    return year.start
    return None


def _parse_row(number: int, values: dict[str, Cell], default_year: int) -> ResultRow | Refusal:
    school = cell_text(values.get("school")).strip()
    subject = cell_text(values.get("subject")).strip()
    if not school:
        return Refusal(number, "no_school")
    if not subject or len(subject) > 100:
        return Refusal(number, "no_subject")
    assessment = parse_assessment(cell_text(values.get("assessment")))
    if assessment is None:
        return Refusal(number, "bad_assessment", cell_text(values.get("assessment"))[:30])
    grade = _grade(values.get("grade"), assessment)
    if grade is None:
        return Refusal(number, "bad_grade", cell_text(values.get("grade"))[:30])
    participants = _number(values.get("participants"))
    if participants is None or participants < 1 or participants != int(participants):
        return Refusal(number, "bad_participants", cell_text(values.get("participants"))[:30])
    fail = _number(values.get("fail"))
    if fail is None or not 0 <= fail <= 100:
        return Refusal(number, "bad_fail", cell_text(values.get("fail"))[:30])
    if isinstance(values.get("fail"), float) and fail < 1 and not float(fail).is_integer():
        fail *= 100  # an Excel percentage cell holds 0.125 for «12,5 %»
    average = None
    if cell_text(values.get("average")).strip():
        average = _number(values.get("average"))
        if average is None or not 2 <= average <= 100:  # a mark 2–5 or an exam score
            return Refusal(number, "bad_average", cell_text(values.get("average"))[:30])
    year = default_year
    if cell_text(values.get("year")).strip():
        parsed_year = SchoolYear.parse(cell_text(values.get("year")))
        if parsed_year is None:
            return Refusal(number, "bad_year", cell_text(values.get("year"))[:30])
        year = parsed_year.start
    return ResultRow(
        number,
        school,
        assessment,
        subject[:1].upper() + subject[1:],
        grade,
        int(participants),
        round(fail, 1),
        average,
        year,
    )


def parse_assessment(text: str) -> Assessment | None:
    lowered = text.lower()
    found = [kind for kind, word in ASSESSMENT_WORDS.items() if word in lowered]
    return found[0] if len(found) == 1 else None


def _grade(value: Cell, assessment: Assessment) -> int | None:
    text = cell_text(value).strip()
    if not text:
        return DEFAULT_GRADE.get(assessment)
    match = re.match(r"^(\d{1,2})", text)
    if match is None or not 1 <= int(match.group(1)) <= 11:
        return None
    return int(match.group(1))


def _number(value: Cell) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = cell_text(value).strip().rstrip("%").strip().replace(" ", "").replace("\u00a0", "")
    return float(text.replace(",", ".")) if _NUMBER.match(text) else None


def parse_typed_line(
    text: str, school_text: str, assessment: Assessment, year: int
) -> ResultRow | Refusal:
    """One result typed for one school: «Математика; 5; 48; 12,5; 3,4» — subject, grade,
    participants, share of «2», average (optional); «;» or a line per value."""
    parts = [p.strip() for p in re.split(r"[;\n]", text[:500])]
    if len(parts) < 4:
        return Refusal(1, "typed_too_short")
    values: dict[str, Cell] = {
        "school": school_text,
        "assessment": ASSESSMENT_WORDS[assessment],
        "subject": parts[0],
        "grade": parts[1],
        "participants": parts[2],
        "fail": parts[3],
        "average": parts[4] if len(parts) > 4 else None,
    }
    return _parse_row(1, values, year)


async def save_one(
    session: AsyncSession, actor: Actor, school_id: int, line: ResultRow
) -> ResultsReport:
    """A typed result for one school in the coordinator's scope: the file import's rules."""
    if not actor.coordinated_municipality_ids and not actor.is_admin:
        raise AccessDenied()
    school = await session.get(School, school_id)
    if school is None or not actor.sees_school(school):
        raise AccessDenied("school_out_of_scope")
    report = ResultsReport(rows=[(school, line)])
    stored = (await _existing(session, [school.id])).get(_key(school.id, line))
    report.new, report.changed = (1, 0) if stored is None else (0, 1)
    await apply_results(session, actor, report)
    return report


# -- checking and applying --------------------------------------------------------------------


async def check_results(
    session: AsyncSession, actor: Actor, parsed: ParsedResults
) -> ResultsReport:
    """Schools matched among those the coordinator sees; what would be new or changed."""
    if not actor.coordinated_municipality_ids and not actor.is_admin:
        raise AccessDenied()
    schools = (await session.scalars(select(School).where(actor.school_filter()))).all()
    report = ResultsReport(refusals=list(parsed.refusals))
    for line in parsed.rows:
        found = match_schools(schools, line.school_text)
        if len(found) != 1:
            code = "unknown_school" if not found else "ambiguous_school"
            report.refusals.append(Refusal(line.row, code, line.school_text[:60]))
            continue
        report.rows.append((found[0], line))
    report.refusals.sort(key=lambda refusal: refusal.row)
    existing = await _existing(session, [school.id for school, _ in report.rows])
    for school, line in report.rows:
        stored = existing.get(_key(school.id, line))
        if stored is None:
            report.new += 1
        elif (stored.participants, stored.fail_percent, stored.average_mark) != (
            line.participants,
            line.fail_percent,
            line.average_mark,
        ):
            report.changed += 1
    return report


def _key(school_id: int, line: ResultRow) -> tuple[int, int, Assessment, str, int]:
    return (school_id, line.year, line.assessment, line.subject.lower(), line.grade)


async def _existing(
    session: AsyncSession, school_ids: list[int]
) -> dict[tuple[int, int, Assessment, str, int], AssessmentResult]:
    if not school_ids:
        return {}
    rows = await session.scalars(
        select(AssessmentResult).where(AssessmentResult.school_id.in_(set(school_ids)))
    )
    return {(r.school_id, r.year, r.assessment, r.subject.lower(), r.grade): r for r in rows.all()}


async def apply_results(session: AsyncSession, actor: Actor, report: ResultsReport) -> None:
    if not report.accepted:
        raise ValueError("a refused import is never applied")
    existing = await _existing(session, [school.id for school, _ in report.rows])
    for school, line in report.rows:
        stored = existing.get(_key(school.id, line))
        if stored is None:
            stored = AssessmentResult(
                school_id=school.id,
                year=line.year,
                assessment=line.assessment,
                subject=line.subject,
                grade=line.grade,
            )
            session.add(stored)
        stored.participants = line.participants
        stored.fail_percent = line.fail_percent
        stored.average_mark = line.average_mark
        stored.updated_by_person_id = actor.person_id
    await session.flush()
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="results.imported",
        object_type="assessment_results",
        details={"rows": len(report.rows), "schools": report.schools, "years": report.years},
    )


# -- what the results show ----------------------------------------------------------------------


@dataclass(frozen=True)
class ResultLine:
    assessment: Assessment
    subject: str
    grade: int
    participants: int
    fail_percent: float
    average_mark: float | None
    previous_fail_percent: float | None  # the year before, same assessment/subject/grade

    @property
    def change(self) -> float | None:
        if self.previous_fail_percent is None:
            return None
        return round(self.fail_percent - self.previous_fail_percent, 1)


@dataclass(frozen=True)
class SchoolResults:
    year: int
    lines: list[ResultLine]
    fail_percent: float  # weighted by participants
    previous_fail_percent: float | None


async def school_results(
    session: AsyncSession, school_id: int, up_to_year: int
) -> SchoolResults | None:
    """The latest year with results (not after `up_to_year`), compared with the year before."""
    rows = (
        await session.scalars(
            select(AssessmentResult).where(
                AssessmentResult.school_id == school_id, AssessmentResult.year <= up_to_year
            )
        )
    ).all()
    return results_of(rows)


def results_of(rows: Sequence[AssessmentResult]) -> SchoolResults | None:
    """`school_results` from one school's rows up to the year."""
    if not rows:
        return None
    year = max(r.year for r in rows)
    before = {
        (r.assessment, r.subject.lower(), r.grade): r.fail_percent
        for r in rows
        if r.year == year - 1
    }
    current = sorted(
        (r for r in rows if r.year == year),
        key=lambda r: (list(Assessment).index(r.assessment), r.grade, r.subject),
    )
    lines = [
        ResultLine(
            r.assessment,
            r.subject,
            r.grade,
            r.participants,
            r.fail_percent,
            r.average_mark,
            before.get((r.assessment, r.subject.lower(), r.grade)),
        )
        for r in current
    ]
    previous = [r for r in rows if r.year == year - 1]
    return SchoolResults(
        year, lines, weighted_fail(current), weighted_fail(previous) if previous else None
    )


@dataclass(frozen=True)
class ReportResultRow:
    school: str
    year: int
    fail_percent: float
    previous_fail_percent: float | None
    lines: int


REPORT_SCHOOLS_A_QUERY = 500  # a country's results are read this many schools at a time
SchoolRows = TypeVar("SchoolRows", AssessmentResult, TrainingCourse)


async def rows_by_school(
    session: AsyncSession, model: type[SchoolRows], school_ids: Sequence[int], up_to_year: int
) -> AsyncIterator[dict[int, list[SchoolRows]]]:
    """`model`'s rows of the schools up to `up_to_year`, `REPORT_SCHOOLS_A_QUERY` schools a
    query, by school id: every school of the part a key, in the order given."""
    for start in range(0, len(school_ids), REPORT_SCHOOLS_A_QUERY):
        by_school: dict[int, list[SchoolRows]] = {
            school_id: [] for school_id in school_ids[start : start + REPORT_SCHOOLS_A_QUERY]
        }
        for row in await session.scalars(
            select(model)
            .where(model.school_id.in_(list(by_school)), model.year <= up_to_year)
            .order_by(model.id)
        ):
            by_school[row.school_id].append(row)
        yield by_school


async def report_results(
    session: AsyncSession, school_ids: list[int], up_to_year: int
) -> list[ReportResultRow]:
    """The half-year report's short block: per school, its latest year against the one before.

    The rows of `REPORT_SCHOOLS_A_QUERY` schools a query (a country's 5,000 schools took
    5,000 queries, about 2.5 s, before), so a few thousand ORM rows are held at a time."""
    schools = (
        await session.execute(
            select(School.id, School.short_name)
            .where(School.id.in_(school_ids))
            .order_by(School.number)
        )
    ).all()
    names = {school_id: name for school_id, name in schools}
    rows = []
    async for by_school in rows_by_school(session, AssessmentResult, list(names), up_to_year):
        for school_id, results in by_school.items():
            found = results_of(results)
            if found is not None:
                rows.append(
                    ReportResultRow(
                        names[school_id],
                        found.year,
                        found.fail_percent,
                        found.previous_fail_percent,
                        len(found.lines),
                    )
                )
    return rows


def weighted_fail(rows: Sequence[AssessmentResult]) -> float:
    total = sum(r.participants for r in rows)
    if not total:
        return 0.0
    return round(sum(r.fail_percent * r.participants for r in rows) / total, 1)


@dataclass(frozen=True)
class RiskMove:
    school: School
    previous: float
    current: float


async def left_risk_zone(
    session: AsyncSession, actor: Actor, year: int | None = None
) -> tuple[int | None, list[RiskMove]]:
    """Schools in scope whose weighted share of «2» was in the risk zone the year before
    `year` and is below `RISK_ZONE_FAIL_PERCENT` in `year` (default: the latest year with
    results in scope). Returns the year looked at and the schools."""
    if not actor.coordinated_municipality_ids and not actor.is_admin:
        raise AccessDenied()
    schools = {
        s.id: s for s in (await session.scalars(select(School).where(actor.school_filter()))).all()
    }
    if year is None:
        year = await session.scalar(
            select(func.max(AssessmentResult.year)).where(AssessmentResult.school_id.in_(schools))
        )
        if year is None:
            return None, []
    rows = (
        await session.scalars(
            select(AssessmentResult).where(
                AssessmentResult.school_id.in_(schools), AssessmentResult.year.in_((year - 1, year))
            )
        )
    ).all()
    moves = []
    for school_id, school in schools.items():
        before = [r for r in rows if r.school_id == school_id and r.year == year - 1]
        now = [r for r in rows if r.school_id == school_id and r.year == year]
        if not before or not now:
            continue
        previous, current = weighted_fail(before), weighted_fail(now)
        if previous >= RISK_ZONE_FAIL_PERCENT > current:
            moves.append(RiskMove(school, previous, current))
    return year, sorted(moves, key=lambda m: m.current)
