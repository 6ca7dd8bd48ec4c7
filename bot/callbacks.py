"""Inline-button data: one small typed class per button family, declared once.

A family is a frozen dataclass with a `prefix` and typed fields. From the fields it gets

- `pack()`: the callback data, fields joined by ":" after the prefix (`VisitEdit(7)` →
  "vis:ed:7"); it raises `ValueError` if a value does not fit its field or the data is longer
  than Telegram's 64 bytes;
- `parse(data)`: the typed instance back (`ValueError` if the data is not of the family);
- `pattern`: the compiled, anchored regex the handler registers with and the permission
  table (`bot.services.access.permissions.BUTTONS`) is keyed by.

Field types: `int` (an id, `\\d{1,9}`), `str` (a code, `[a-z_]+`), `Literal[...]` choices,
`Annotated[int | str, Shape(regex)]` for another shape (`Year`, `Page`), a union of these,
and, last, an optional `... | None = None` field left out of the data when None.

The wire format of every button is the one the bot has always sent (old messages in
people's chats keep working). No Telegram import: services build buttons with it too.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Literal, Self, dataclass_transform

MAX_BYTES = 64  # Telegram's limit on callback_data


@dataclasses.dataclass(frozen=True)
class Shape:
    """The regex a field's text must match (no capturing groups)."""

    regex: str


Id = int  # \d{1,9}
Year = Annotated[int, Shape(r"\d{4}")]
Page = Annotated[int, Shape(r"\d{1,4}")]
Code = str  # [a-z_]+
Word = Annotated[str, Shape(r"[a-z]+")]
Rest = Annotated[str, Shape(r"(?s:.*)")]  # anything, checked by the handler itself

_DEFAULT_SHAPES: dict[type, str] = {int: r"\d{1,9}", str: r"[a-z_]+"}


@dataclasses.dataclass(frozen=True)
class _Field:
    name: str
    regex: str  # for the public pattern
    read: Callable[[str], object]  # text → value
    optional: bool


def _shape(hint: Any) -> tuple[str, Callable[[str], object], bool]:
    """A field type → (regex, reader, optional)."""
    origin = typing.get_origin(hint)
    if origin is Annotated:
        base, *extras = typing.get_args(hint)
        shape = next(e for e in extras if isinstance(e, Shape))
        return shape.regex, base, False
    if origin is Literal:
        values = typing.get_args(hint)
        by_text = {str(v): v for v in values}
        regex = "(" + "|".join(re.escape(str(v)) for v in values) + ")"
        return regex, by_text.__getitem__, False
    if origin in (typing.Union, types.UnionType):
        members = [m for m in typing.get_args(hint) if m is not type(None)]
        optional = len(members) < len(typing.get_args(hint))
        shapes = [_shape(m) for m in members]
        if len(shapes) == 1:
            return shapes[0][0], shapes[0][1], optional
        alternatives = [
            regex[1:-1] if typing.get_origin(m) is Literal else regex
            for m, (regex, _, _) in zip(members, shapes, strict=True)
        ]

        def read(text: str) -> object:
            for regex, reader, _ in shapes:
                if re.fullmatch(regex, text):
                    return reader(text)
            raise ValueError(text)

        return "(" + "|".join(alternatives) + ")", read, optional
    if hint in _DEFAULT_SHAPES:
        return _DEFAULT_SHAPES[hint], hint, False
    raise TypeError(f"unsupported callback field type {hint!r}")


FAMILIES: list[type[CallbackData]] = []  # every family, in declaration order


@dataclass_transform(frozen_default=True)
class CallbackData:
    """Base of the button families: `class VisitEdit(CallbackData, prefix="vis:ed")`."""

    prefix: ClassVar[str]
    pattern: ClassVar[re.Pattern[str]]
    _fields: ClassVar[tuple[_Field, ...]]
    _reader: ClassVar[re.Pattern[str]]

    def __init_subclass__(cls, *, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclasses.dataclass(frozen=True)(cls)
        hints = typing.get_type_hints(cls, include_extras=True)
        fields = []
        for field in dataclasses.fields(cls):  # type: ignore[arg-type]
            regex, read, optional = _shape(hints[field.name])
            fields.append(_Field(field.name, regex, read, optional))
        if any(f.optional for f in fields[:-1]):
            raise TypeError(f"{cls.__name__}: only the last field may be optional")
        public, reader = [re.escape(prefix)], [re.escape(prefix)]
        for f in fields:
            if f.optional:
                public.append(f"(:{f.regex})?")
                reader.append(f"(?::(?P<{f.name}>{f.regex}))?")
            else:
                public.append(f":{f.regex}")
                reader.append(f":(?P<{f.name}>{f.regex})")
        cls.prefix = prefix
        cls._fields = tuple(fields)
        cls.pattern = re.compile("^" + "".join(public) + "$")
        cls._reader = re.compile("^" + "".join(reader) + "$")
        FAMILIES.append(cls)

    def pack(self) -> str:
        """The callback data; ValueError if a value does not fit or it is over 64 bytes."""
        parts = [self.prefix]
        for f in self._fields:
            value = getattr(self, f.name)
            if value is None and f.optional:
                continue
            text = str(value)
            if isinstance(value, bool) or not re.fullmatch(f.regex, text):
                raise ValueError(f"{type(self).__name__}.{f.name}={value!r} does not fit")
            if f.read(text) != value:  # 7 for Literal["7"], "x" for an int field …
                raise ValueError(f"{type(self).__name__}.{f.name}={value!r} is not of its type")
            parts.append(text)
        data = ":".join(parts)
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"{data[:20]!r}… is longer than {MAX_BYTES} bytes")
        if not self.pattern.match(data):
            raise ValueError(f"{data!r} does not match its own family")
        return data

    @classmethod
    def parse(cls, data: str) -> Self:
        """The button back from its data; ValueError if the data is not of this family."""
        match = cls._reader.match(data)
        if match is None:
            raise ValueError(f"{data!r} is not a {cls.__name__}")
        values = {}
        for f in cls._fields:
            text = match.group(f.name)
            values[f.name] = None if text is None else f.read(text)
        return cls(**values)


# -- visits (bot/handlers/visit_*.py) ----------------------------------------------------------


class VisitNew(CallbackData, prefix="vis:new"):
    pass


class VisitEdit(CallbackData, prefix="vis:ed"):
    visit_id: Id


class VisitOpen(CallbackData, prefix="vis:o"):
    visit_id: Id


class VisitList(CallbackData, prefix="vis:l"):
    """A page of /visits with its filter (0 = any)."""

    page: Id
    school_id: Id
    curator_id: Id
    month: Id


class VisitFilterMenu(CallbackData, prefix="vis"):
    """Choose the school (fs) or the curator (fc) to filter /visits by."""

    by: Literal["fs", "fc"]
    page: Id
    school_id: Id
    curator_id: Id
    month: Id


class VisitDelete(CallbackData, prefix="vis:dl"):
    visit_id: Id


class VisitDeleteYes(CallbackData, prefix="vis:dy"):
    visit_id: Id


class VisitSchool(CallbackData, prefix="vis:s"):
    school_id: Id


class VisitDay(CallbackData, prefix="vis:dt"):
    """Today (0), yesterday (1), or another day from the calendar."""

    day: Literal["0", "1", "cal"]


class VisitCalendar(CallbackData, prefix="vis:c"):
    """The month calendar: "m:YYYYMM", "d:YYYYMMDD" or "noop" (bot/handlers/calendar.py)."""

    value: Rest


FormatCode = Literal["on_site", "remote", "phone", "joint_event", "other"]  # models.VisitFormat


class VisitFormat(CallbackData, prefix="vis:f"):
    code: FormatCode


class VisitPurpose(CallbackData, prefix="vis"):
    """A roadmap item (pi) or a risk factor (pr) the visit was about."""

    kind: Literal["pi", "pr"]
    target_id: Id


class VisitParticipant(CallbackData, prefix="vis:p"):
    code: Code


class VisitParticipantsDone(CallbackData, prefix="vis:pd"):
    pass


class VisitStepsDone(CallbackData, prefix="vis:nd"):
    pass


class VisitStepsClear(CallbackData, prefix="vis:nc"):
    pass


class VisitFilesDone(CallbackData, prefix="vis:ad"):
    pass


class VisitFilesClear(CallbackData, prefix="vis:ac"):
    pass


class VisitSave(CallbackData, prefix="vis:save"):
    pass


class VisitChange(CallbackData, prefix="vis:chg"):
    pass


class VisitChangeField(CallbackData, prefix="vis:ef"):
    field: Word  # a field of the summary card, or "back"


class VisitResume(CallbackData, prefix="vis:rs"):
    choice: Literal["go", "new"]


class VisitCancel(CallbackData, prefix="vis:x"):
    pass


# -- roadmaps ----------------------------------------------------------------------------------


class RoadmapSchool(CallbackData, prefix="rm:sc:r"):
    school_id: Id


class RiskSchool(CallbackData, prefix="rm:sc:k"):
    school_id: Id


class ImportSchool(CallbackData, prefix="rm:sc:i"):
    school_id: Id


class NewItemSchool(CallbackData, prefix="rm:sc:n"):
    school_id: Id


class RoadmapPage(CallbackData, prefix="rm:l"):
    school_id: Id
    page: Id


class ItemOpen(CallbackData, prefix="rm:o"):
    item_id: Id


class ItemHistory(CallbackData, prefix="rm:h"):
    item_id: Id


class ItemReport(CallbackData, prefix="rm:rep"):
    item_id: Id


StatusCode = Literal["not_started", "in_progress", "done", "not_done"]  # models.ItemStatus


class ReportStatus(CallbackData, prefix="rm:st"):
    status: StatusCode


class ReportPercent(CallbackData, prefix="rm:pc"):
    percent: Annotated[int, Shape(r"\d{1,3}")] | Literal["x"]  # x: skipped


class ReportEvidenceDone(CallbackData, prefix="rm:ev:done"):
    pass


class ReportSend(CallbackData, prefix="rm:send"):
    pass


class ReviewQueue(CallbackData, prefix="rm:rq"):
    pass


class ReviewAccept(CallbackData, prefix="rm:ac"):
    report_id: Id


class ReviewReturn(CallbackData, prefix="rm:rt"):
    report_id: Id


class ReviewHold(CallbackData, prefix="rm:hd"):
    report_id: Id


class ItemEdit(CallbackData, prefix="rm:ed"):
    item_id: Id


ItemField = Literal["measure", "deadline", "responsible", "expected"]  # roadmaps.EDITABLE_FIELDS


class ItemEditField(CallbackData, prefix="rm:ef"):
    item_id: Id
    field: ItemField


class RiskToggle(CallbackData, prefix="rm:rk"):
    school_id: Id
    factor_id: Id


class ImportYear(CallbackData, prefix="rm:yr"):
    year: Year


class ImportPreviewPage(CallbackData, prefix="rm:pv"):
    page: Annotated[int, Shape(r"\d{1,3}")]


class ImportConfirm(CallbackData, prefix="rm:imp:ok"):
    pass


class RoadmapCancel(CallbackData, prefix="rm:x"):
    pass


class ThreadOpen(CallbackData, prefix="rm:th"):
    report_id: Id


class ThreadWrite(CallbackData, prefix="rm:tm"):
    report_id: Id


# -- the year's end: carry over or close (bot/handlers/roadmaps/carry_over.py) --------------------


class CarryItem(CallbackData, prefix="co:c"):
    item_id: Id


class CloseItem(CallbackData, prefix="co:x"):
    item_id: Id


class CloseNoNote(CallbackData, prefix="co:xn"):
    pass


class CloseCancel(CallbackData, prefix="co:xx"):
    pass


class CarryAll(CallbackData, prefix="co:a"):
    school_id: Id
    year: Year


class SettleList(CallbackData, prefix="co:l"):
    school_id: Id
    year: Year


# -- events ------------------------------------------------------------------------------------


class EventOpen(CallbackData, prefix="ev:o"):
    event_id: Id


class EventSignUp(CallbackData, prefix="ev:su"):
    event_id: Id


class EventDecline(CallbackData, prefix="ev:no"):
    event_id: Id


class EventRate(CallbackData, prefix="ev:fb"):
    event_id: Id
    score: Literal[1, 2, 3, 4, 5]


class EventRegistrations(CallbackData, prefix="ev:rg"):
    event_id: Id


class EventAttended(CallbackData, prefix="ev:at"):
    event_id: Id
    person_id: Id


class EventExport(CallbackData, prefix="ev:xl"):
    event_id: Id


class EventAskFeedback(CallbackData, prefix="ev:rf"):
    event_id: Id


class EventFeedbackSummary(CallbackData, prefix="ev:fs"):
    event_id: Id


class EventResults(CallbackData, prefix="ev:rs"):
    event_id: Id


class EventEdit(CallbackData, prefix="ev:ed"):
    event_id: Id
    version: Id


class EventEditField(CallbackData, prefix="ev:ef"):
    event_id: Id
    version: Id
    index: Annotated[int, Shape(r"\d")]


class EventCancel(CallbackData, prefix="ev:cn"):
    event_id: Id


class EventCancelYes(CallbackData, prefix="ev:cy"):
    event_id: Id


class EventFeedbackSkip(CallbackData, prefix="ev:fx"):
    pass


class EventFormat(CallbackData, prefix="ev:fm"):
    code: Code


class EventQuickDay(CallbackData, prefix="ev:qs"):
    days: Id


class EventDuration(CallbackData, prefix="ev:du"):
    minutes: Id


class EventPlace(CallbackData, prefix="ev:pl"):
    school_id: Id


class EventAudience(CallbackData, prefix="ev:au"):
    code: Code


class EventChooseSchool(CallbackData, prefix="ev:cs"):
    school: Id | Literal["done"]


class EventCapacity(CallbackData, prefix="ev:ca"):
    choice: Literal["0", "x"]  # 0: no limit, x: no sign-up


class EventSkip(CallbackData, prefix="ev:sk"):
    pass


class EventChange(CallbackData, prefix="ev:chg"):
    pass


class EventChangeField(CallbackData, prefix="ev:cf"):
    field: Word


class EventPublish(CallbackData, prefix="ev:pub"):
    pass


class EventNewCancel(CallbackData, prefix="ev:x"):
    pass


# -- summaries, the school card, reports, export ----------------------------------------------


class SummaryPage(CallbackData, prefix="sch:p"):
    page: Page


class SchoolCard(CallbackData, prefix="sch:o"):
    school_id: Id


class ExportWithFiles(CallbackData, prefix="exp:f"):
    pass


# A half-year's key, bot/services/reporting/report_periods.py: «s2026:1», «c2022:2», older «2026:1».
PeriodKey = Annotated[str, Shape(r"[sc]?\d{4}:[12]")]


class ReportHalf(CallbackData, prefix="rep:h"):
    """A report period chosen; the page of its schools when turning pages."""

    period: PeriodKey
    page: Page | None = None


class ReportGet(CallbackData, prefix="rep:g"):
    """The report for a period and a school (0: all the person's schools)."""

    period: PeriodKey
    school_id: Id


# -- reminders and settings --------------------------------------------------------------------


class MuteToggle(CallbackData, prefix="ntf:m"):
    kind: Word


class Snooze(CallbackData, prefix="ntf:sz"):
    notification_id: Id
    days: Literal[1, 3, 7]


# -- invites (the handler checks role and scope code itself) -----------------------------------


class InviteRole(CallbackData, prefix="inv:r"):
    role: Rest


class InviteScope(CallbackData, prefix="inv:s"):
    role: Annotated[str, Shape(r"[^:]*")]
    code: Rest | None = None  # bot/services/access/invites.py parse_scope_code


class InvitesPending(CallbackData, prefix="inv:l"):
    pass


class InviteRevoke(CallbackData, prefix="inv:x"):
    invite_id: Id


# -- directory changes by taps (bot/handlers/directory/directory_changes.py) -----------------------


class ChangesSchool(CallbackData, prefix="chg:s"):
    school_id: Id


SchoolFlag = Literal["shnor", "shnsu", "nonobj"]  # directory_changes.FLAGS


class ChangesFlag(CallbackData, prefix="chg:fl"):
    school_id: Id
    flag: SchoolFlag


class ChangesExit(CallbackData, prefix="chg:ex"):
    school_id: Id


class ChangesExitYes(CallbackData, prefix="chg:exy"):
    school_id: Id


class ChangesBack(CallbackData, prefix="chg:bk"):
    school_id: Id


class ChangesEndCurator(CallbackData, prefix="chg:ce"):
    school_id: Id
    curator_id: Id


class ChangesEndCuratorYes(CallbackData, prefix="chg:cy"):
    school_id: Id
    curator_id: Id


class ChangesMove(CallbackData, prefix="chg:mv"):
    school_id: Id
    page: Page


class ChangesMoveTo(CallbackData, prefix="chg:mt"):
    school_id: Id
    curator_id: Id


class ChangesMoveYes(CallbackData, prefix="chg:my"):
    school_id: Id
    curator_id: Id


class PeoplePage(CallbackData, prefix="ppl:p"):
    page: Page


class PersonOpen(CallbackData, prefix="ppl:o"):
    person_id: Id


class RoleEnd(CallbackData, prefix="ppl:rv"):
    role_id: Id


class RoleEndYes(CallbackData, prefix="ppl:ry"):
    role_id: Id


# -- directory import, the school year ---------------------------------------------------------


class DirectoryApply(CallbackData, prefix="dir:ok"):
    pass


class DirectoryCancel(CallbackData, prefix="dir:x"):
    pass


class NewYearDryRun(CallbackData, prefix="ny:d"):
    year: Year


class NewYearRun(CallbackData, prefix="ny:r"):
    year: Year


# -- results, training, practices --------------------------------------------------------------


class ResultsApply(CallbackData, prefix="res:ok"):
    pass


class ResultsCancel(CallbackData, prefix="res:x"):
    pass


class ResultsLeftRisk(CallbackData, prefix="res:lr"):
    pass


class ResultsOne(CallbackData, prefix="res:one"):
    pass


AssessmentCode = Literal["vpr", "oge", "ege"]  # models.Assessment


class ResultsAssessment(CallbackData, prefix="res:a"):
    code: AssessmentCode


class ResultsYear(CallbackData, prefix="res:y"):
    year: Year


class TrainingApply(CallbackData, prefix="trn:ok"):
    pass


class TrainingCancel(CallbackData, prefix="trn:x"):
    pass


Factor = Annotated[int, Shape(r"\d{1,2}")]  # a risk factor's number, 0: none / all


class PracticesByFactor(CallbackData, prefix="prc:f"):
    factor: Factor


class PracticeNew(CallbackData, prefix="prc:new"):
    pass


class PracticeFactor(CallbackData, prefix="prc:rf"):
    factor: Factor


class PracticeCancel(CallbackData, prefix="prc:x"):
    pass


class PracticeFromVisit(CallbackData, prefix="prc:v"):
    visit_id: Id


# -- a visit's follow-ups ----------------------------------------------------------------------


class FollowUpDone(CallbackData, prefix="fu:d"):
    follow_up_id: Id


class FollowUpComment(CallbackData, prefix="fu:c"):
    follow_up_id: Id


# Where /roadmap, /risks, /import and /item_new ask which school (bot/handlers/school_choice.py).
SchoolChoice = RoadmapSchool | RiskSchool | ImportSchool | NewItemSchool
