"""Which role may do which action: the one table the handlers and the matrix test read.

An action is a command or a button family. Scope (which school, which municipality) is
checked separately by the services, against `Actor`.
"""

from __future__ import annotations

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
    "audit",
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
