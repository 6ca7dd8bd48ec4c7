"""Every command × every role, allowed or refused exactly as the permissions table says.

Generated from bot/services/access/permissions.py, so a new command cannot slip past it.
"""

from __future__ import annotations

import pytest
from telegram.ext import CommandHandler

from bot import texts
from bot.db import SessionFactory
from bot.models import Role
from bot.services.access.permissions import ACTIONS, COMMANDS
from tests.support.bot_fixtures import ADMIN_TELEGRAM_ID
from tests.support.factories import load_demo_data
from tests.support.harness import BotHarness
from tests.support.personas import GAREEVA, PLOTNIKOVA, SMIRNOVA, ZHIGULINA

PERSONAS: dict[str, tuple[str | None, frozenset[Role]]] = {
    "stranger": (None, frozenset()),
    "school staff": (GAREEVA, frozenset({Role.SCHOOL_STAFF})),
    "curator": (SMIRNOVA, frozenset({Role.CURATOR})),
    "municipal coordinator": (
        PLOTNIKOVA,
        frozenset({Role.MUNICIPAL_COORDINATOR}),
    ),
    "regional coordinator": (ZHIGULINA, frozenset({Role.REGIONAL_COORDINATOR})),
    "admin": ("admin", frozenset({Role.ADMIN})),
}


# Strangers get the bot's welcome for /help: the one command answered without an invite.
FOR_STRANGERS = {"help"}


def test_every_command_is_in_the_table_and_described() -> None:
    assert set(COMMANDS) <= set(ACTIONS)
    assert set(COMMANDS) <= set(texts.COMMAND_DESCRIPTIONS)


async def test_every_command_is_registered(bot: BotHarness) -> None:
    assert bot.application is not None
    registered: set[str] = set()
    for handlers in bot.application.handlers.values():
        for handler in handlers:
            for inner in [handler, *getattr(handler, "entry_points", [])]:
                if isinstance(inner, CommandHandler):
                    registered |= set(inner.commands)
    assert set(COMMANDS) <= registered


@pytest.mark.parametrize("persona", list(PERSONAS))
async def test_matrix(bot: BotHarness, session_factory: SessionFactory, persona: str) -> None:
    async with session_factory() as session:
        await load_demo_data(session)
        await session.commit()
    name, roles = PERSONAS[persona]
    if name is None:
        user = bot.stranger()
    elif name == "admin":
        user = bot.fake.user(ADMIN_TELEGRAM_ID, first_name="Админ")
        await bot.send(user, "/start")
    else:
        user = await bot.login(name)
    wrong = []
    for command in COMMANDS:
        reply = await bot.send(user, f"/{command}")
        allowed = bool(roles & ACTIONS[command]) or (not roles and command in FOR_STRANGERS)
        refusal = texts.REFUSED_STRANGER if not roles else texts.REFUSED
        refused = reply.everything.strip() == refusal
        if allowed == refused:
            wrong.append((command, "refused" if refused else "allowed", reply.everything[:80]))
        await bot.send(user, "/cancel")
    assert wrong == []
