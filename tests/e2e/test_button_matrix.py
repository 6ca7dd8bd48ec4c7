"""Every button family × every persona × a target in and out of scope.

Generated from `bot.services.access.permissions.BUTTONS`: each press is a forged callback naming
a school, visit, item, report, event or notification of the persona's own municipality
("home") or of another region's city ("away"). Allowed exactly when the role may take the
action and the target is within the persona's reach; a refusal shows nothing of the target.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from telegram.ext import CallbackQueryHandler, ConversationHandler

from bot import callbacks as cb
from bot import texts
from bot.db import SessionFactory
from bot.fake_bot_api import FakeUser
from bot.models import Role
from bot.services.access.permissions import ACTIONS, BUTTONS, Button, allowed
from tests.support.bot_fixtures import ADMIN_TELEGRAM_ID
from tests.support.harness import BotHarness
from tests.support.personas import COORDINATOR, CURATOR_17, DIRECTOR_17, REGIONAL
from tests.support.scope_world import AWAY_COORDINATOR, LEAK_MARKERS, build_world

# What a refusal says: the role may not, or the target is not the person's.
REFUSALS = {
    texts.REFUSED,
    texts.REFUSED_STRANGER,
    *(
        texts.ERRORS[code]
        for code in (
            "access_denied",
            "not_found",
            "school_not_found",
            "school_out_of_scope",
            "visit_not_found",
            "visit_not_yours",
            "roadmap_edit_denied",
            "roadmap_item_not_found",
            "roadmap_report_only_school",
            "roadmap_report_not_found",
            "roadmap_review_only_curator",
            "snooze_unknown",
            "event_not_found",
            "event_not_for_you",
            "event_coordinators_only",
            "event_feedback_not_participant",
            "invite_scope_not_allowed",
            "invite_role_not_allowed",
            "scope_not_found",
            "visit_school_not_curated",
            "visit_item_other_school",
            "followup_not_found",
            "followup_not_yours",
            "thread_not_yours",
            "carry_over_denied",
        )
    ),
}


@dataclass(frozen=True)
class Persona:
    name: str | None  # None: a stranger; "admin": the configured admin
    roles: frozenset[Role]
    # Which side's targets each reach covers for this persona.
    reach: dict[str, frozenset[str]]


HOME, AWAY, BOTH, NONE = (
    frozenset({"home"}),
    frozenset({"away"}),
    frozenset({"home", "away"}),
    frozenset(),
)


def _coordinator(side: frozenset[str]) -> dict[str, frozenset[str]]:
    return {"sees": side, "edits": side, "coordinates": side, "audience": side, "settles": side}


PERSONAS: dict[str, Persona] = {
    "stranger": Persona(None, frozenset(), {}),
    "school staff": Persona(
        DIRECTOR_17,
        frozenset({Role.SCHOOL_STAFF}),
        {
            "sees": HOME,
            "staff": HOME,
            "edits": HOME,
            "audience": HOME,
            "recipient": HOME,
            "tends": HOME,
            "settles": HOME,
        },
    ),
    "curator": Persona(
        CURATOR_17,
        frozenset({Role.CURATOR}),
        {"sees": HOME, "curates": HOME, "author": HOME, "tends": HOME, "settles": HOME},
    ),
    "municipal coordinator": Persona(
        COORDINATOR, frozenset({Role.MUNICIPAL_COORDINATOR}), _coordinator(HOME)
    ),
    "municipal coordinator elsewhere": Persona(
        AWAY_COORDINATOR, frozenset({Role.MUNICIPAL_COORDINATOR}), _coordinator(AWAY)
    ),
    "regional coordinator": Persona(
        REGIONAL, frozenset({Role.REGIONAL_COORDINATOR}), _coordinator(HOME)
    ),
    "admin": Persona("admin", frozenset({Role.ADMIN}), _coordinator(BOTH)),
}

Family = type[cb.CallbackData]

# Pressed last: they delete, accept or cancel what the other presses look at.
FINAL: set[Family] = {
    cb.VisitDeleteYes,
    cb.ReviewAccept,
    cb.EventCancelYes,
    # directory changes: a school leaving the project, a curator moved, a role ended
    cb.ChangesExitYes,
    cb.ChangesEndCuratorYes,
    cb.ChangesMoveYes,
    cb.RoleEndYes,
    # the year's end: the item is carried over, the school's items too
    cb.CarryItem,
    cb.CarryAll,
}


def _aimed() -> list[tuple[Family, Button]]:
    rows = [(f, rule) for f, rule in BUTTONS.items() if rule.target and not rule.in_conversation]
    return sorted(rows, key=lambda row: row[0] in FINAL)


def _press_data(rule: Button, target_id: int) -> str:
    assert rule.sample is not None
    return rule.sample(target_id).pack()


def expected(persona: Persona, rule: Button, side: str) -> bool:
    if not allowed(persona.roles, rule.action):
        return False
    if rule.reach == "any":
        return True
    return side in persona.reach.get(rule.reach, NONE)


def _walk(handlers: list) -> Iterator[tuple[CallbackQueryHandler, bool]]:  # type: ignore[type-arg]
    """Every callback handler with whether it starts a conversation."""
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            for entry in handler.entry_points:
                if isinstance(entry, CallbackQueryHandler):
                    yield entry, True
            inner = [h for state in handler.states.values() for h in state]
            yield from _walk([*inner, *handler.fallbacks])
        elif isinstance(handler, CallbackQueryHandler):
            yield handler, False


def _registered(bot: BotHarness) -> dict[str, bool]:
    assert bot.application is not None
    found: dict[str, bool] = {}
    for handlers in bot.application.handlers.values():
        for handler, starts in _walk(list(handlers)):
            if handler.pattern is not None:
                pattern = getattr(handler.pattern, "pattern", handler.pattern)
                found[str(pattern)] = found.get(str(pattern), False) or starts
    return found


async def test_every_button_pattern_is_in_the_table(bot: BotHarness) -> None:
    registered = set(_registered(bot))
    table = {family.pattern.pattern for family in BUTTONS}
    assert registered - table == set(), "add these families to permissions.BUTTONS"
    assert table - registered == set(), "no handler answers these table rows"


def test_every_family_is_in_the_table() -> None:
    assert set(cb.FAMILIES) - set(BUTTONS) == set(), "add these families to permissions.BUTTONS"
    patterns = [family.pattern.pattern for family in cb.FAMILIES]
    assert len(patterns) == len(set(patterns)), "two families share a pattern"


def test_table_rows_are_consistent() -> None:
    reaches = {"any", "sees", "staff", "curates", "edits", "author"}
    reaches |= {"coordinates", "audience", "participant", "recipient", "tends", "settles"}
    assert set(BUTTONS) >= FINAL  # pressed last only if they are rows of the table
    for family, rule in BUTTONS.items():
        assert rule.action in ACTIONS, family
        assert rule.reach in reaches, family
        assert (rule.sample is not None) == (rule.target is not None), family
        if rule.sample is not None:
            sample = rule.sample(7)
            assert isinstance(sample, family), family
            assert family.pattern.match(sample.pack()), family


async def _user(bot: BotHarness, persona: Persona) -> FakeUser:
    if persona.name is None:
        return bot.stranger()
    if persona.name == "admin":
        user = bot.fake.user(ADMIN_TELEGRAM_ID, first_name="Админ")
        await bot.send(user, "/start")
        return user
    return await bot.login(persona.name)


@pytest.mark.parametrize("persona_name", list(PERSONAS))
async def test_button_matrix(
    bot: BotHarness, session_factory: SessionFactory, persona_name: str
) -> None:
    async with session_factory() as session:
        world = await build_world(session, bot.clock())
        await session.commit()
    persona = PERSONAS[persona_name]
    user = await _user(bot, persona)
    anchor = (await bot.send(user, "/help")).last.message_id
    starts = _registered(bot)
    wrong = []
    for family, rule in _aimed():
        for side in ("home", "away"):
            assert rule.target is not None
            data = _press_data(rule, getattr(world, side).id_of(rule.target))
            reply = await bot.press_data(user, anchor, data)
            seen = reply.everything.strip()
            refused = seen in REFUSALS
            assert texts.STALE_BUTTON not in seen, data
            if refused != (not expected(persona, rule, side)):
                wrong.append((data, side, "refused" if refused else "allowed", seen[:60]))
            leaked = side == "away" and "away" not in persona.reach.get("sees", NONE)
            if leaked and any(marker in reply.everything for marker in LEAK_MARKERS):
                wrong.append((data, side, "leaked", seen[:60]))
            if starts.get(family.pattern.pattern):
                await bot.send(user, "/cancel")
    assert wrong == []


# -- buttons that name a target inside a conversation: driven to their state, then forged

Opener = Callable[[BotHarness, FakeUser], Awaitable[object]]


async def _visit_schools(bot: BotHarness, user: FakeUser) -> None:
    await bot.send(user, "/visit")


async def _visit_purpose(bot: BotHarness, user: FakeUser) -> None:
    await bot.send(user, "/visit")
    await bot.press(user, "СШ № 17")
    await bot.press(user, texts.BUTTON_TODAY)
    await bot.press(user, "Консультация по телефону")


async def _event_place(bot: BotHarness, user: FakeUser) -> None:
    await bot.send(user, "/event_new")
    await bot.press(user, "Круглый стол")
    await bot.send(user, "Семинар")
    await bot.send(user, f"{bot.clock() + timedelta(days=5):%d.%m.%Y} 14:30")
    await bot.press(user, "120")


async def _event_schools(bot: BotHarness, user: FakeUser) -> None:
    await _event_place(bot, user)
    await bot.press(user, "СШ № 22")
    await bot.send(user, "Цель")
    await bot.press(user, texts.EVENT_AUDIENCE_LABELS["chosen_schools"])


def _command(command: str) -> Opener:
    return lambda bot, user: bot.send(user, command)


OPENERS: dict[Family, tuple[str, Opener]] = {
    cb.VisitSchool: (CURATOR_17, _visit_schools),
    cb.VisitPurpose: (CURATOR_17, _visit_purpose),
    cb.EventPlace: (COORDINATOR, _event_place),
    cb.EventChooseSchool: (COORDINATOR, _event_schools),
    cb.ImportSchool: (COORDINATOR, _command("/import")),
    cb.NewItemSchool: (COORDINATOR, _command("/item_new")),
}


def test_every_aimed_button_in_a_conversation_has_an_opener() -> None:
    aimed = {f for f, rule in BUTTONS.items() if rule.target and rule.in_conversation}
    assert aimed == set(OPENERS)


@pytest.mark.parametrize("side", ["home", "away"])
@pytest.mark.parametrize("family", list(OPENERS), ids=lambda family: family.__name__)
async def test_forged_target_inside_a_conversation(
    bot: BotHarness, session_factory: SessionFactory, family: Family, side: str
) -> None:
    async with session_factory() as session:
        world = await build_world(session, bot.clock())
        await session.commit()
    name, opener = OPENERS[family]
    rule = BUTTONS[family]
    assert rule.target is not None
    user = await bot.login(name)
    await opener(bot, user)
    message = bot.fake.last_message(user.id)
    assert message is not None
    data = _press_data(rule, getattr(world, side).id_of(rule.target))
    reply = await bot.press_data(user, message.message_id, data)
    assert texts.STALE_BUTTON not in reply.everything, "the conversation did not take it"
    refused = reply.everything.strip() in REFUSALS
    assert refused == (side == "away"), reply.everything
    if side == "away":
        assert not any(marker in reply.everything for marker in LEAK_MARKERS)
