"""Onboarding end to end: a stranger, the first admin, invites used/expired/reused, roles."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select, update

from bot import texts
from bot.db import SessionFactory
from bot.models import Invite, Person, Role, RoleAssignment, TelegramAccount, utcnow
from bot.services.access.permissions import commands_for
from tests.support.bot_fixtures import ADMIN_TELEGRAM_ID, BOT_USERNAME
from tests.support.factories import load_demo_data
from tests.support.harness import BotHarness
from tests.support.personas import GAREEVA, PLOTNIKOVA, SMIRNOVA, TELYATNIKOV

LINK = re.compile(rf"https://t\.me/{BOT_USERNAME}\?start=([A-Za-z0-9_-]+)")


async def _count(factory: SessionFactory, column) -> int:  # type: ignore[no-untyped-def]
    async with factory() as session:
        return int(await session.scalar(select(func.count(column))) or 0)


async def _admin_invites_curator_of_17(bot: BotHarness) -> str:
    admin = bot.fake.user(ADMIN_TELEGRAM_ID, first_name="Анна", last_name="Админова")
    reply = await bot.send(admin, "/start")
    assert texts.ADMIN_BOOTSTRAPPED in reply.text
    reply = await bot.send(admin, "/invite")
    assert "Кого пригласить?" in reply.text
    assert reply.last.button_texts == [texts.ROLE_NAMES[role] for role in Role]
    await bot.press(admin, "куратор")
    reply = await bot.press(admin, "СШ № 17")
    match = LINK.search(reply.text)
    assert match, reply.text
    assert "куратор" in reply.text and "СШ № 17" in reply.text
    return match.group(1)


async def test_stranger_gets_an_explanation_and_nothing_is_stored(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    stranger = bot.stranger()
    reply = await bot.send(stranger, "/start")
    assert "Доступ — только по приглашению" in reply.text
    reply = await bot.send(stranger, "/help")
    assert "только по приглашению" in reply.text
    reply = await bot.send(stranger, "/whoami")
    assert reply.text == texts.REFUSED_STRANGER
    reply = await bot.send(stranger, "/invite")
    assert reply.text == texts.REFUSED_STRANGER
    assert await _count(session_factory, Person.id) == 0
    assert await _count(session_factory, TelegramAccount.id) == 0


async def test_admin_invites_a_curator_who_binds_with_the_link(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    async with session_factory() as session:
        await load_demo_data(session)
        await session.commit()
    token = await _admin_invites_curator_of_17(bot)

    newcomer = bot.fake.user(7_000_001, first_name="Ольга", last_name="Новикова")
    reply = await bot.send(newcomer, f"/start {token}")
    assert "Добро пожаловать, Новикова Ольга!" in reply.text
    assert "куратор" in reply.text
    reply = await bot.send(newcomer, "/whoami")
    assert "Новикова Ольга" in reply.text
    assert "СШ № 17" in reply.text

    menu = [c["command"] for c in bot.fake.commands({"type": "chat", "chat_id": newcomer.id})]
    assert menu == [*commands_for(frozenset({Role.CURATOR})), "cancel"]
    assert {"visit", "review"} <= set(menu) and not {"invite", "audit", "import"} & set(menu)
    admin_menu = [
        c["command"] for c in bot.fake.commands({"type": "chat", "chat_id": ADMIN_TELEGRAM_ID})
    ]
    assert "invite" in admin_menu and "audit" in admin_menu
    default_menu = [c["command"] for c in bot.fake.commands({"type": "default"})]
    assert default_menu == ["start", "help"]

    # The link is single use: a second person gets a refusal and no account.
    other = bot.fake.user(7_000_002, first_name="Пётр")
    reply = await bot.send(other, f"/start {token}")
    assert reply.text == texts.ERRORS["invite_used"]
    async with session_factory() as session:
        bound = await session.scalar(
            select(func.count(TelegramAccount.id)).where(
                TelegramAccount.telegram_user_id == other.id
            )
        )
    assert bound == 0


async def test_expired_and_unknown_invites_are_refused(bot: BotHarness) -> None:
    token = await _admin_invites_curator_of_17_without_demo(bot)
    bot.clock.advance(timedelta(days=7, minutes=1))
    late = bot.fake.user(7_000_003, first_name="Поздний")
    reply = await bot.send(late, f"/start {token}")
    assert reply.text == texts.ERRORS["invite_expired"]
    reply = await bot.send(late, "/start made-up-token")
    assert reply.text == texts.ERRORS["invite_unknown"]


async def _admin_invites_curator_of_17_without_demo(bot: BotHarness) -> str:
    async with bot.session_factory() as session:
        await load_demo_data(session)
        await session.commit()
    return await _admin_invites_curator_of_17(bot)


async def test_help_shows_each_role_only_its_commands(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    async with session_factory() as session:
        await load_demo_data(session)
        await session.commit()
    curator = await bot.login(SMIRNOVA)
    coordinator = await bot.login(PLOTNIKOVA)
    curator_help = (await bot.send(curator, "/help")).text
    coordinator_help = (await bot.send(coordinator, "/help")).text
    assert "/invite" not in curator_help and "/audit" not in curator_help
    assert "/invite" in coordinator_help and "/audit" not in coordinator_help
    assert "/whoami" in curator_help and "/cancel" in curator_help


async def test_roles_without_the_right_are_refused(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    async with session_factory() as session:
        await load_demo_data(session)
        await session.commit()
    curator = await bot.login(SMIRNOVA)
    director = await bot.login(GAREEVA)
    for user in (curator, director):
        assert (await bot.send(user, "/invite")).text == texts.REFUSED
        assert (await bot.send(user, "/audit")).text == texts.REFUSED


async def test_coordinator_invites_only_below_and_forged_buttons_fail(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    async with session_factory() as session:
        await load_demo_data(session)
        await session.commit()
        invites_before = await session.scalar(select(func.count(Invite.id)))
    coordinator = await bot.login(PLOTNIKOVA)
    reply = await bot.send(coordinator, "/invite")
    assert reply.last.button_texts == ["куратор", "управленческая команда школы"]
    forged = await bot.press_data(coordinator, reply.last.message_id, "inv:s:admin:-")
    assert texts.ERRORS["invite_role_not_allowed"] in forged.alerts
    forged = await bot.press_data(coordinator, reply.last.message_id, "inv:s:school_staff:s99999")
    assert texts.ERRORS["scope_not_found"] in forged.alerts
    async with session_factory() as session:
        assert await session.scalar(select(func.count(Invite.id))) == invites_before


async def test_unexpected_input_gets_a_way_on(bot: BotHarness) -> None:
    stranger = bot.stranger()
    assert (await bot.send(stranger, "/nonsense")).text == texts.UNKNOWN_COMMAND
    assert (await bot.send_sticker(stranger)).text == texts.UNEXPECTED_INPUT
    assert (await bot.send(stranger, "x" * 10_000)).text == texts.UNEXPECTED_INPUT
    assert (await bot.send(stranger, "/cancel")).text == texts.NOTHING_TO_CANCEL


async def test_a_stale_button_is_answered(bot: BotHarness) -> None:
    stranger = bot.stranger()
    await bot.send(stranger, "/start")
    message = bot.fake.last_message(stranger.id)
    assert message is not None
    reply = await bot.press_data(stranger, message.message_id, "vis:gone:1")
    assert reply.alerts == [texts.STALE_BUTTON]


async def test_the_menu_is_set_again_only_when_the_roles_change(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    async with session_factory() as session:
        await load_demo_data(session)
        await session.commit()
    curator = await bot.login(TELYATNIKOV)
    await bot.send(curator, "/start")
    published = bot.fake.stats["setMyCommands"]
    await bot.send(curator, "/start")
    assert bot.fake.stats["setMyCommands"] == published  # same roles: no second call

    async with session_factory() as session:
        person = await session.scalar(select(Person).where(Person.full_name == TELYATNIKOV))
        assert person is not None
        await session.execute(
            update(RoleAssignment)
            .where(RoleAssignment.person_id == person.id)
            .values(revoked_at=utcnow())
        )
        await session.commit()
    reply = await bot.send(curator, "/start")
    assert "Телятников" in reply.text  # still bound, greeted by name
    menu = [c["command"] for c in bot.fake.commands({"type": "chat", "chat_id": curator.id})]
    assert menu == [*commands_for(frozenset()), "cancel"]
    assert "visit" not in menu
