"""Which role may do which action: the one table the handlers and the matrix test read.

An action is a command or a button family. Scope (which school, which municipality) is
checked separately by the services, against `Actor`.
"""

from __future__ import annotations

from dataclasses import dataclass

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

    `sample` is the data of such a button, `{id}` standing for the target. Buttons used
    only inside a conversation (`in_conversation`) mean something only in its state; those
    naming a target are checked there (tests/e2e/test_button_matrix.py drives to it).
    """

    action: str
    target: str | None = None
    reach: str = "any"
    sample: str = ""
    changes: bool = False  # pressing it changes data (an audit record is written)
    in_conversation: bool = False


def _inside(action: str) -> Button:
    return Button(action, in_conversation=True)


# Every callback pattern the bot registers (tests/e2e/test_button_matrix.py checks that).
BUTTONS: dict[str, Button] = {
    # -- visits
    r"^vis:new$": Button("visit"),
    r"^vis:ed:\d{1,9}$": Button("visit", "visit", "author", "vis:ed:{id}"),
    r"^vis:o:\d{1,9}$": Button("visits", "visit", "sees", "vis:o:{id}"),
    r"^vis:l:\d{1,9}:\d{1,9}:\d{1,9}:\d{1,9}$": Button(
        "visits", "school", "any", "vis:l:0:{id}:0:0"
    ),
    r"^vis:f[sc]:\d{1,9}:\d{1,9}:\d{1,9}:\d{1,9}$": Button(
        "visits", "school", "any", "vis:fs:0:{id}:0:0"
    ),
    r"^vis:dl:\d{1,9}$": Button("visits", "visit", "author", "vis:dl:{id}"),
    r"^vis:dy:\d{1,9}$": Button("visits", "visit", "author", "vis:dy:{id}", changes=True),
    r"^vis:s:\d{1,9}$": Button("visit", "school", "curates", "vis:s:{id}", in_conversation=True),
    r"^vis:dt:(0|1|cal)$": _inside("visit"),
    r"^vis:c:": _inside("visit"),
    r"^vis:f:(on_site|remote|phone|joint_event|other)$": _inside("visit"),
    r"^vis:(pi|pr):\d{1,9}$": Button(
        "visit", "item", "curates", "vis:pi:{id}", in_conversation=True
    ),
    r"^vis:p:[a-z_]+$": _inside("visit"),
    r"^vis:pd$": _inside("visit"),
    r"^vis:nd$": _inside("visit"),
    r"^vis:nc$": _inside("visit"),
    r"^vis:ad$": _inside("visit"),
    r"^vis:ac$": _inside("visit"),
    r"^vis:save$": _inside("visit"),
    r"^vis:chg$": _inside("visit"),
    r"^vis:ef:[a-z]+$": _inside("visit"),
    r"^vis:rs:(go|new)$": _inside("visit"),
    r"^vis:x$": _inside("visit"),
    # -- roadmaps
    r"^rm:sc:r:\d{1,9}$": Button("roadmap", "school", "sees", "rm:sc:r:{id}"),
    r"^rm:l:\d{1,9}:\d{1,9}$": Button("roadmap", "school", "sees", "rm:l:{id}:0"),
    r"^rm:o:\d{1,9}$": Button("roadmap", "item", "sees", "rm:o:{id}"),
    r"^rm:h:\d{1,9}$": Button("roadmap", "item", "sees", "rm:h:{id}"),
    r"^rm:rep:\d{1,9}$": Button("item_report", "item", "staff", "rm:rep:{id}"),
    r"^rm:st:(not_started|in_progress|done|not_done)$": _inside("item_report"),
    r"^rm:pc:(\d{1,3}|x)$": _inside("item_report"),
    r"^rm:ev:done$": _inside("item_report"),
    r"^rm:send$": _inside("item_report"),
    r"^rm:rq$": Button("review"),
    r"^rm:ac:\d{1,9}$": Button("review", "report", "curates", "rm:ac:{id}", changes=True),
    r"^rm:rt:\d{1,9}$": Button("review", "report", "curates", "rm:rt:{id}"),
    r"^rm:ed:\d{1,9}$": Button("item_edit", "item", "edits", "rm:ed:{id}"),
    r"^rm:ef:\d{1,9}:(measure|deadline|responsible|expected)$": Button(
        "item_edit", "item", "edits", "rm:ef:{id}:measure"
    ),
    r"^rm:sc:k:\d{1,9}$": Button("risks", "school", "edits", "rm:sc:k:{id}"),
    r"^rm:rk:\d{1,9}:\d{1,9}$": Button("risks", "school", "edits", "rm:rk:{id}:1", changes=True),
    r"^rm:sc:i:\d{1,9}$": Button("import", "school", "edits", "rm:sc:i:{id}", in_conversation=True),
    r"^rm:yr:\d{4}$": _inside("import"),
    r"^rm:pv:\d{1,3}$": _inside("import"),  # preview pages (issue 14)
    r"^rm:imp:ok$": _inside("import"),
    r"^rm:sc:n:\d{1,9}$": Button(
        "item_new", "school", "edits", "rm:sc:n:{id}", in_conversation=True
    ),
    r"^rm:x$": _inside("roadmap"),
    # -- the year's end: carry over or close (bot/handlers/roadmaps/carry_over.py)
    r"^co:c:\d{1,9}$": Button("item_settle", "item", "settles", "co:c:{id}", changes=True),
    r"^co:x:\d{1,9}$": Button("item_settle", "item", "settles", "co:x:{id}"),
    r"^co:xn$": _inside("item_settle"),
    r"^co:xx$": _inside("item_settle"),
    r"^co:a:\d{1,9}:\d{4}$": Button(
        "item_settle", "school", "settles", "co:a:{id}:2025", changes=True
    ),
    r"^co:l:\d{1,9}:\d{4}$": Button("item_settle", "school", "settles", "co:l:{id}:2025"),
    # -- events
    r"^ev:o:\d{1,9}$": Button("events", "event", "audience", "ev:o:{id}"),
    r"^ev:su:\d{1,9}$": Button("events", "event", "audience", "ev:su:{id}", changes=True),
    r"^ev:no:\d{1,9}$": Button("events", "event", "audience", "ev:no:{id}", changes=True),
    r"^ev:fb:\d{1,9}:[1-5]$": Button("events", "event", "participant", "ev:fb:{id}:5"),
    r"^ev:rg:\d{1,9}$": Button("event_manage", "event", "coordinates", "ev:rg:{id}"),
    r"^ev:at:\d{1,9}:\d{1,9}$": Button("event_manage", "event", "coordinates", "ev:at:{id}:1"),
    r"^ev:xl:\d{1,9}$": Button("event_manage", "event", "coordinates", "ev:xl:{id}"),
    r"^ev:rf:\d{1,9}$": Button("event_manage", "event", "coordinates", "ev:rf:{id}"),
    r"^ev:fs:\d{1,9}$": Button("event_manage", "event", "coordinates", "ev:fs:{id}"),
    r"^ev:rs:\d{1,9}$": Button("event_manage", "event", "coordinates", "ev:rs:{id}"),
    r"^ev:ed:\d{1,9}:\d{1,9}$": Button("event_manage", "event", "coordinates", "ev:ed:{id}:1"),
    r"^ev:ef:\d{1,9}:\d{1,9}:\d$": Button("event_manage", "event", "coordinates", "ev:ef:{id}:1:0"),
    r"^ev:cn:\d{1,9}$": Button("event_manage", "event", "coordinates", "ev:cn:{id}"),
    r"^ev:cy:\d{1,9}$": Button("event_manage", "event", "coordinates", "ev:cy:{id}", changes=True),
    r"^ev:fx$": _inside("event_manage"),
    r"^ev:fm:[a-z_]+$": _inside("event_new"),
    r"^ev:qs:\d{1,9}$": _inside("event_new"),
    r"^ev:du:\d{1,9}$": _inside("event_new"),
    r"^ev:pl:\d{1,9}$": Button(
        "event_new", "school", "coordinates", "ev:pl:{id}", in_conversation=True
    ),
    r"^ev:au:[a-z_]+$": _inside("event_new"),
    r"^ev:cs:(\d{1,9}|done)$": Button(
        "event_new", "school", "coordinates", "ev:cs:{id}", in_conversation=True
    ),
    r"^ev:ca:(0|x)$": _inside("event_new"),
    r"^ev:sk$": _inside("event_new"),
    r"^ev:chg$": _inside("event_new"),
    r"^ev:cf:[a-z]+$": _inside("event_new"),
    r"^ev:pub$": _inside("event_new"),
    r"^ev:x$": _inside("event_new"),
    # -- summaries and reports
    r"^sch:p:\d{1,4}$": Button("summary"),
    r"^sch:o:\d{1,9}$": Button("school", "school", "sees", "sch:o:{id}"),
    r"^exp:f$": Button("export"),  # /export with the evidence files (issue 14)
    # [sc]: a school-year or a calendar half (reporting/report_periods.py); none: school.
    r"^rep:h:[sc]?\d{4}:[12](:\d{1,4})?$": Button("report"),
    r"^rep:g:[sc]?\d{4}:[12]:\d{1,9}$": Button("report", "school", "sees", "rep:g:c2022:1:{id}"),
    # -- reminders and settings
    r"^ntf:m:[a-z]+$": Button("settings", changes=True),
    r"^ntf:sz:\d{1,9}:(1|3|7)$": Button(
        "settings", "notification", "recipient", "ntf:sz:{id}:1", changes=True
    ),
    # -- invites
    r"^inv:r:": Button("invite"),
    r"^inv:s:": Button("invite", "school", "coordinates", "inv:s:school_staff:s{id}", changes=True),
    r"^inv:l$": Button("invite"),
    r"^inv:x:\d{1,9}$": Button("invite", "invite", "coordinates", "inv:x:{id}", changes=True),
    # -- directory changes (issue 13.2): a school's menu, flags, curators, leaving the project;
    # people and their roles. A person or role is reached by a coordinator of its place.
    r"^chg:s:\d{1,9}$": Button("school_changes", "school", "coordinates", "chg:s:{id}"),
    r"^chg:fl:\d{1,9}:(shnor|shnsu|nonobj)$": Button(
        "school_changes", "school", "coordinates", "chg:fl:{id}:shnsu", changes=True
    ),
    r"^chg:ex:\d{1,9}$": Button("school_changes", "school", "coordinates", "chg:ex:{id}"),
    r"^chg:exy:\d{1,9}$": Button(
        "school_changes", "school", "coordinates", "chg:exy:{id}", changes=True
    ),
    r"^chg:bk:\d{1,9}$": Button(
        "school_changes", "school", "coordinates", "chg:bk:{id}", changes=True
    ),
    r"^chg:ce:\d{1,9}:\d{1,9}$": Button("school_changes", "school", "coordinates", "chg:ce:{id}:1"),
    r"^chg:cy:\d{1,9}:\d{1,9}$": Button(
        "school_changes", "school", "coordinates", "chg:cy:{id}:1", changes=True
    ),
    r"^chg:mv:\d{1,9}:\d{1,4}$": Button("school_changes", "school", "coordinates", "chg:mv:{id}:0"),
    r"^chg:mt:\d{1,9}:\d{1,9}$": Button("school_changes", "school", "coordinates", "chg:mt:{id}:1"),
    r"^chg:my:\d{1,9}:\d{1,9}$": Button(
        "school_changes", "school", "coordinates", "chg:my:{id}:1", changes=True
    ),
    r"^ppl:p:\d{1,4}$": Button("people"),
    r"^ppl:o:\d{1,9}$": Button("people", "person", "coordinates", "ppl:o:{id}"),
    r"^ppl:rv:\d{1,9}$": Button("people", "role", "coordinates", "ppl:rv:{id}"),
    r"^ppl:ry:\d{1,9}$": Button("people", "role", "coordinates", "ppl:ry:{id}", changes=True),
    # -- directory import (the file's rows are checked against the actor's scope)
    r"^dir:ok$": _inside("directory"),
    r"^dir:x$": _inside("directory"),
    # -- school year (bot/handlers/access/admin.py): d = dry run, r = run
    r"^ny:d:\d{4}$": Button("new_year"),
    r"^ny:r:\d{4}$": Button("new_year", changes=True),
    # -- issue 18: school results, practice bank
    r"^res:ok$": _inside("results"),
    r"^res:x$": _inside("results"),
    r"^res:lr$": Button("results"),
    r"^res:one$": _inside("results"),
    r"^res:a:(vpr|oge|ege)$": _inside("results"),
    r"^res:y:\d{4}$": _inside("results"),
    r"^trn:ok$": _inside("training"),
    r"^trn:x$": _inside("training"),
    r"^prc:f:\d{1,2}$": Button("practices"),
    r"^prc:new$": Button("practice_new"),
    r"^prc:rf:\d{1,2}$": _inside("practice_new"),
    r"^prc:x$": _inside("practice_new"),
    r"^prc:v:\d{1,9}$": Button("practice_new", "visit", "sees", "prc:v:{id}", changes=True),
    # -- issue 18.1: a visit's follow-up done (reminder, card, /roadmap), then a comment
    r"^fu:d:\d{1,9}$": Button("followup", "followup", "tends", "fu:d:{id}", changes=True),
    r"^fu:c:\d{1,9}$": Button("followup", "followup", "tends", "fu:c:{id}"),
    # -- issue 18.2: a report's review thread: read, write, put on hold
    r"^rm:th:\d{1,9}$": Button("roadmap", "report", "sees", "rm:th:{id}"),
    r"^rm:tm:\d{1,9}$": Button("thread", "report", "tends", "rm:tm:{id}"),
    r"^rm:hd:\d{1,9}$": Button("review", "report", "curates", "rm:hd:{id}", changes=True),
}


def opens_dashboard(roles: frozenset[Role]) -> bool:
    """Coordinators get the Mini App panel (when it is configured) with their chart."""
    return bool(roles & COORDINATORS)
