"""Which role may do which action: the one table the handlers and the matrix test read.

An action is a command or a button family. Scope (which school, which municipality) is
checked separately by the services, against `Actor`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot import callbacks as cb
from bot.models import Role

EVERYONE_BOUND = frozenset(Role)
COORDINATORS = frozenset({Role.ADMIN, Role.REGIONAL_COORDINATOR, Role.MUNICIPAL_COORDINATOR})

# action → roles allowed. Commands appear in a user's menu in this order.
CURATORS = frozenset({Role.CURATOR})
SCHOOLS = frozenset({Role.SCHOOL_STAFF})

ACTIONS: dict[str, frozenset[Role]] = {
    "help": EVERYONE_BOUND,
    "whoami": EVERYONE_BOUND,
    "invite": COORDINATORS,
    "directory": COORDINATORS,  # import/export of municipalities, schools, people (XLSX)
    # -- visits (curators log visits; coordinators and schools read them)
    "visit": CURATORS,
    "visits": EVERYONE_BOUND,
    # -- roadmaps (import, progress reports, review, risk profile)
    "roadmap": EVERYONE_BOUND,
    "item_report": SCHOOLS,
    "review": CURATORS,
    "risks": COORDINATORS | SCHOOLS,
    "template": COORDINATORS | SCHOOLS,
    "import": COORDINATORS | SCHOOLS,
    "item_new": COORDINATORS | SCHOOLS,
    "item_edit": COORDINATORS | SCHOOLS,
    # carry over / close an item at the year's end (issue 13): the school, its curator,
    # coordinators — reach «settles»
    "item_settle": COORDINATORS | CURATORS | SCHOOLS,
    # -- events
    "events": EVERYONE_BOUND,
    "event_new": COORDINATORS,
    "event_manage": COORDINATORS,
    # -- reminders, digests, settings
    "digest": EVERYONE_BOUND,
    "settings": EVERYONE_BOUND,
    # -- summaries and reports
    "summary": COORDINATORS | CURATORS,
    "school": EVERYONE_BOUND,
    "overdue": COORDINATORS | CURATORS | SCHOOLS,
    "report": COORDINATORS | CURATORS,
    "export": COORDINATORS | CURATORS,
    # -- administration
    "audit": frozenset({Role.ADMIN}),
    # -- directory changes by taps (issue 13.2): curators, roles, flags, leaving the project
    "people": COORDINATORS,
    "school_changes": COORDINATORS,
    "new_year": frozenset({Role.ADMIN}),
    # -- issue 18: school results (coordinators import and compare), practice bank
    "results": COORDINATORS,
    "practices": EVERYONE_BOUND,
    "practice_new": COORDINATORS | CURATORS,
    "training": COORDINATORS,
    # -- issue 18.1–2: a visit's agreed next steps done; messages in a report's review thread
    "followup": CURATORS | SCHOOLS,
    "thread": CURATORS | SCHOOLS,
}

# Actions that are also bot commands (shown in the menu via setMyCommands), in menu order.
COMMANDS: tuple[str, ...] = (
    "help",
    "whoami",
    # -- visits
    "visit",
    "visits",
    # -- roadmaps
    "roadmap",
    "review",
    "risks",
    "template",
    "import",
    "item_new",
    # -- events
    "events",
    "event_new",
    # -- reminders, digests, settings
    "digest",
    "settings",
    # -- summaries and reports
    "summary",
    "school",
    "overdue",
    "report",
    "export",
    # -- administration
    "invite",
    "directory",
    "audit",
    # -- directory changes
    "people",
    "new_year",
    # -- issue 18
    "results",
    "practices",
    "training",
)

# Who may invite whom: a role never invites above itself.
INVITABLE_BY: dict[Role, frozenset[Role]] = {
    Role.ADMIN: frozenset(Role),
    Role.REGIONAL_COORDINATOR: frozenset(
        {Role.MUNICIPAL_COORDINATOR, Role.CURATOR, Role.SCHOOL_STAFF}
    ),
    Role.MUNICIPAL_COORDINATOR: frozenset({Role.CURATOR, Role.SCHOOL_STAFF}),
    Role.CURATOR: frozenset(),
    Role.SCHOOL_STAFF: frozenset(),
}


def allowed(roles: frozenset[Role], action: str) -> bool:
    return bool(roles & ACTIONS.get(action, frozenset()))


def commands_for(roles: frozenset[Role]) -> list[str]:
    return [command for command in COMMANDS if allowed(roles, command)]


# -- buttons --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Button:
    """A family of inline buttons: the `ACTIONS` row its handler is guarded by and its target.

    `target` names what the id in the data points at (school, visit, item, report, event,
    notification) and `reach` who, among the roles allowed, may act on that very target —
    what the services check against `Actor`:

    - sees: the school is in the person's scope (own school, curated, municipality, region)
    - staff: the person works at the school; curates: the person curates it
    - edits: staff of the school or a coordinator of its municipality
    - settles: staff of the school, its curator, or a coordinator of its municipality
    - author: the curator who recorded the visit
    - coordinates: a coordinator of the event's or school's municipality (or region)
    - audience: coordinators of the event's municipality and those it is for
    - participant: signed up for the event; recipient: the notification is theirs
    - (an invite is reached by those who may issue it: `coordinates` its school's place)
    - tends: staff of the school or its curator (follow-ups, review threads)
    - any: no target beyond the person's own scope (lists, filters, pages)

    `sample` makes such a button (of the family) for a target id. Buttons used
    only inside a conversation (`in_conversation`) mean something only in its state; those
    naming a target are checked there (tests/e2e/test_button_matrix.py drives to it).
    """

    action: str
    target: str | None = None
    reach: str = "any"
    sample: Callable[[int], cb.CallbackData] | None = None
    changes: bool = False  # pressing it changes data (an audit record is written)
    in_conversation: bool = False


def _inside(action: str) -> Button:
    return Button(action, in_conversation=True)


# Every button family the bot registers a handler for (tests/e2e/test_button_matrix.py checks
# that), keyed by its class in bot/callbacks.py: the handler registers with `family.pattern`.
BUTTONS: dict[type[cb.CallbackData], Button] = {
    # -- visits
    cb.VisitNew: Button("visit"),
    cb.VisitEdit: Button("visit", "visit", "author", cb.VisitEdit),
    cb.VisitOpen: Button("visits", "visit", "sees", cb.VisitOpen),
    cb.VisitList: Button("visits", "school", "any", lambda i: cb.VisitList(0, i, 0, 0)),
    cb.VisitFilterMenu: Button(
        "visits", "school", "any", lambda i: cb.VisitFilterMenu("fs", 0, i, 0, 0)
    ),
    cb.VisitDelete: Button("visits", "visit", "author", cb.VisitDelete),
    cb.VisitDeleteYes: Button("visits", "visit", "author", cb.VisitDeleteYes, changes=True),
    cb.VisitSchool: Button("visit", "school", "curates", cb.VisitSchool, in_conversation=True),
    cb.VisitDay: _inside("visit"),
    cb.VisitCalendar: _inside("visit"),
    cb.VisitFormat: _inside("visit"),
    cb.VisitPurpose: Button(
        "visit", "item", "curates", lambda i: cb.VisitPurpose("pi", i), in_conversation=True
    ),
    cb.VisitParticipant: _inside("visit"),
    cb.VisitParticipantsDone: _inside("visit"),
    cb.VisitStepsDone: _inside("visit"),
    cb.VisitStepsClear: _inside("visit"),
    cb.VisitFilesDone: _inside("visit"),
    cb.VisitFilesClear: _inside("visit"),
    cb.VisitSave: _inside("visit"),
    cb.VisitChange: _inside("visit"),
    cb.VisitChangeField: _inside("visit"),
    cb.VisitResume: _inside("visit"),
    cb.VisitCancel: _inside("visit"),
    # -- roadmaps
    cb.RoadmapSchool: Button("roadmap", "school", "sees", cb.RoadmapSchool),
    cb.RoadmapPage: Button("roadmap", "school", "sees", lambda i: cb.RoadmapPage(i, 0)),
    cb.ItemOpen: Button("roadmap", "item", "sees", cb.ItemOpen),
    cb.ItemHistory: Button("roadmap", "item", "sees", cb.ItemHistory),
    cb.ItemReport: Button("item_report", "item", "staff", cb.ItemReport),
    cb.ReportStatus: _inside("item_report"),
    cb.ReportPercent: _inside("item_report"),
    cb.ReportEvidenceDone: _inside("item_report"),
    cb.ReportSend: _inside("item_report"),
    cb.ReviewQueue: Button("review"),
    cb.ReviewAccept: Button("review", "report", "curates", cb.ReviewAccept, changes=True),
    cb.ReviewReturn: Button("review", "report", "curates", cb.ReviewReturn),
    cb.ItemEdit: Button("item_edit", "item", "edits", cb.ItemEdit),
    cb.ItemEditField: Button(
        "item_edit", "item", "edits", lambda i: cb.ItemEditField(i, "measure")
    ),
    cb.RiskSchool: Button("risks", "school", "edits", cb.RiskSchool),
    cb.RiskToggle: Button("risks", "school", "edits", lambda i: cb.RiskToggle(i, 1), changes=True),
    cb.ImportSchool: Button("import", "school", "edits", cb.ImportSchool, in_conversation=True),
    cb.ImportYear: _inside("import"),
    cb.ImportPreviewPage: _inside("import"),  # preview pages (issue 14)
    cb.ImportConfirm: _inside("import"),
    cb.NewItemSchool: Button("item_new", "school", "edits", cb.NewItemSchool, in_conversation=True),
    cb.RoadmapCancel: _inside("roadmap"),
    # -- the year's end: carry over or close (bot/handlers/roadmaps/carry_over.py)
    cb.CarryItem: Button("item_settle", "item", "settles", cb.CarryItem, changes=True),
    cb.CloseItem: Button("item_settle", "item", "settles", cb.CloseItem),
    cb.CloseNoNote: _inside("item_settle"),
    cb.CloseCancel: _inside("item_settle"),
    cb.CarryAll: Button(
        "item_settle", "school", "settles", lambda i: cb.CarryAll(i, 2025), changes=True
    ),
    cb.SettleList: Button("item_settle", "school", "settles", lambda i: cb.SettleList(i, 2025)),
    # -- events
    cb.EventOpen: Button("events", "event", "audience", cb.EventOpen),
    cb.EventSignUp: Button("events", "event", "audience", cb.EventSignUp, changes=True),
    cb.EventDecline: Button("events", "event", "audience", cb.EventDecline, changes=True),
    cb.EventRate: Button("events", "event", "participant", lambda i: cb.EventRate(i, 5)),
    cb.EventRegistrations: Button("event_manage", "event", "coordinates", cb.EventRegistrations),
    cb.EventAttended: Button(
        "event_manage", "event", "coordinates", lambda i: cb.EventAttended(i, 1)
    ),
    cb.EventExport: Button("event_manage", "event", "coordinates", cb.EventExport),
    cb.EventAskFeedback: Button("event_manage", "event", "coordinates", cb.EventAskFeedback),
    cb.EventFeedbackSummary: Button(
        "event_manage", "event", "coordinates", cb.EventFeedbackSummary
    ),
    cb.EventResults: Button("event_manage", "event", "coordinates", cb.EventResults),
    cb.EventEdit: Button("event_manage", "event", "coordinates", lambda i: cb.EventEdit(i, 1)),
    cb.EventEditField: Button(
        "event_manage", "event", "coordinates", lambda i: cb.EventEditField(i, 1, 0)
    ),
    cb.EventCancel: Button("event_manage", "event", "coordinates", cb.EventCancel),
    cb.EventCancelYes: Button(
        "event_manage", "event", "coordinates", cb.EventCancelYes, changes=True
    ),
    cb.EventFeedbackSkip: _inside("event_manage"),
    cb.EventFormat: _inside("event_new"),
    cb.EventQuickDay: _inside("event_new"),
    cb.EventDuration: _inside("event_new"),
    cb.EventPlace: Button(
        "event_new", "school", "coordinates", cb.EventPlace, in_conversation=True
    ),
    cb.EventAudience: _inside("event_new"),
    cb.EventChooseSchool: Button(
        "event_new", "school", "coordinates", cb.EventChooseSchool, in_conversation=True
    ),
    cb.EventCapacity: _inside("event_new"),
    cb.EventSkip: _inside("event_new"),
    cb.EventChange: _inside("event_new"),
    cb.EventChangeField: _inside("event_new"),
    cb.EventPublish: _inside("event_new"),
    cb.EventNewCancel: _inside("event_new"),
    # -- summaries and reports
    cb.SummaryPage: Button("summary"),
    cb.SchoolCard: Button("school", "school", "sees", cb.SchoolCard),
    cb.ExportWithFiles: Button("export"),  # /export with the evidence files (issue 14)
    # a school-year or a calendar half (bot/services/reporting/report_periods.py); none: school.
    cb.ReportHalf: Button("report"),
    cb.ReportGet: Button("report", "school", "sees", lambda i: cb.ReportGet("c2022:1", i)),
    # -- reminders and settings
    cb.MuteToggle: Button("settings", changes=True),
    cb.Snooze: Button(
        "settings", "notification", "recipient", lambda i: cb.Snooze(i, 1), changes=True
    ),
    # -- invites
    cb.InviteRole: Button("invite"),
    cb.InviteScope: Button(
        "invite",
        "school",
        "coordinates",
        lambda i: cb.InviteScope("school_staff", f"s{i}"),
        changes=True,
    ),
    cb.InvitesPending: Button("invite"),
    cb.InviteRevoke: Button("invite", "invite", "coordinates", cb.InviteRevoke, changes=True),
    # -- directory changes (issue 13.2): a school's menu, flags, curators, leaving the project;
    # people and their roles. A person or role is reached by a coordinator of its place.
    cb.ChangesSchool: Button("school_changes", "school", "coordinates", cb.ChangesSchool),
    cb.ChangesFlag: Button(
        "school_changes",
        "school",
        "coordinates",
        lambda i: cb.ChangesFlag(i, "shnsu"),
        changes=True,
    ),
    cb.ChangesExit: Button("school_changes", "school", "coordinates", cb.ChangesExit),
    cb.ChangesExitYes: Button(
        "school_changes", "school", "coordinates", cb.ChangesExitYes, changes=True
    ),
    cb.ChangesBack: Button("school_changes", "school", "coordinates", cb.ChangesBack, changes=True),
    cb.ChangesEndCurator: Button(
        "school_changes", "school", "coordinates", lambda i: cb.ChangesEndCurator(i, 1)
    ),
    cb.ChangesEndCuratorYes: Button(
        "school_changes",
        "school",
        "coordinates",
        lambda i: cb.ChangesEndCuratorYes(i, 1),
        changes=True,
    ),
    cb.ChangesMove: Button(
        "school_changes", "school", "coordinates", lambda i: cb.ChangesMove(i, 0)
    ),
    cb.ChangesMoveTo: Button(
        "school_changes", "school", "coordinates", lambda i: cb.ChangesMoveTo(i, 1)
    ),
    cb.ChangesMoveYes: Button(
        "school_changes",
        "school",
        "coordinates",
        lambda i: cb.ChangesMoveYes(i, 1),
        changes=True,
    ),
    cb.PeoplePage: Button("people"),
    cb.PersonOpen: Button("people", "person", "coordinates", cb.PersonOpen),
    cb.RoleEnd: Button("people", "role", "coordinates", cb.RoleEnd),
    cb.RoleEndYes: Button("people", "role", "coordinates", cb.RoleEndYes, changes=True),
    # -- directory import (the file's rows are checked against the actor's scope)
    cb.DirectoryApply: _inside("directory"),
    cb.DirectoryCancel: _inside("directory"),
    # -- school year (bot/handlers/access/admin.py): d = dry run, r = run
    cb.NewYearDryRun: Button("new_year"),
    cb.NewYearRun: Button("new_year", changes=True),
    # -- issue 18: school results, practice bank
    cb.ResultsApply: _inside("results"),
    cb.ResultsCancel: _inside("results"),
    cb.ResultsLeftRisk: Button("results"),
    cb.ResultsOne: _inside("results"),
    cb.ResultsAssessment: _inside("results"),
    cb.ResultsYear: _inside("results"),
    cb.TrainingApply: _inside("training"),
    cb.TrainingCancel: _inside("training"),
    cb.PracticesByFactor: Button("practices"),
    cb.PracticeNew: Button("practice_new"),
    cb.PracticeFactor: _inside("practice_new"),
    cb.PracticeCancel: _inside("practice_new"),
    cb.PracticeFromVisit: Button(
        "practice_new", "visit", "sees", cb.PracticeFromVisit, changes=True
    ),
    # -- issue 18.1: a visit's follow-up done (reminder, card, /roadmap), then a comment
    cb.FollowUpDone: Button("followup", "followup", "tends", cb.FollowUpDone, changes=True),
    cb.FollowUpComment: Button("followup", "followup", "tends", cb.FollowUpComment),
    # -- issue 18.2: a report's review thread: read, write, put on hold
    cb.ThreadOpen: Button("roadmap", "report", "sees", cb.ThreadOpen),
    cb.ThreadWrite: Button("thread", "report", "tends", cb.ThreadWrite),
    cb.ReviewHold: Button("review", "report", "curates", cb.ReviewHold, changes=True),
}


def opens_dashboard(roles: frozenset[Role]) -> bool:
    """Coordinators get the Mini App panel (when it is configured) with their chart."""
    return bool(roles & COORDINATORS)
