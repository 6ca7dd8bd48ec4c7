"""Revoking an invite from the bot: from the issued link, and from the list of one's own."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot import texts
from bot.db import SessionFactory
from bot.models import AuditRecord, Invite, Role
from tests.support.bot_fixtures import BOT_USERNAME
from tests.support.factories import load_demo_data
from tests.support.harness import BotHarness
from tests.support.personas import COORDINATOR, SMIRNOVA

LINK = re.compile(rf"https://t\.me/{BOT_USERNAME}\?start=([A-Za-z0-9_-]+)")


async def _revoke_data(factory: SessionFactory, token: str) -> str:
    async with factory() as session:
        invite_id = await session.scalar(select(Invite.id).where(Invite.token == token))
    return f"inv:x:{invite_id}"


async def _issue_staff_invite(bot: BotHarness, coordinator: object, school: str) -> str:
    await bot.send(coordinator, "/invite")
    await bot.press(coordinator, texts.ROLE_NAMES[Role.SCHOOL_STAFF])
    reply = await bot.press(coordinator, school)
    match = LINK.search(reply.text)
    assert match, reply.text
    return match.group(1)


async def test_the_issued_link_is_revoked_with_its_own_button(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    async with session_factory() as session:
        await load_demo_data(session)
        await session.commit()
    coordinator = await bot.login(COORDINATOR)
    token = await _issue_staff_invite(bot, coordinator, "СШ № 17")

    reply = await bot.press(coordinator, texts.BUTTON_INVITE_REVOKE)
    assert "Приглашение отозвано" in reply.text and "СШ № 17" in reply.text
    assert token not in reply.text  # the link is gone from the message
    data = await _revoke_data(session_factory, token)
    again = await bot.press_data(coordinator, reply.last.message_id, data)
    assert texts.INTERNAL_ERROR not in again.everything  # a double tap is harmless

    newcomer = bot.fake.user(7_100_001, first_name="Ирина")
    assert (await bot.send(newcomer, f"/start {token}")).text == texts.ERRORS["invite_revoked"]
    async with session_factory() as session:
        actions = (await session.scalars(select(AuditRecord.action))).all()
    assert actions.count("invite.revoked") == 1


async def test_own_unused_invites_are_listed_and_revoked_one_by_one(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    async with session_factory() as session:
        await load_demo_data(session)
        await session.commit()
    coordinator = await bot.login(COORDINATOR)
    menu = await bot.send(coordinator, "/invite")
    assert texts.BUTTON_INVITE_PENDING not in menu.last.button_texts  # none issued yet

    kept = await _issue_staff_invite(bot, coordinator, "СШ № 17")
    dropped = await _issue_staff_invite(bot, coordinator, "СШ № 35")
    used = await _issue_staff_invite(bot, coordinator, "СШ № 38")
    await bot.send(bot.fake.user(7_100_002, first_name="Павел"), f"/start {used}")

    await bot.send(coordinator, "/invite")
    listing = await bot.press(coordinator, texts.BUTTON_INVITE_PENDING)
    labels = listing.last.button_texts
    assert len(labels) == 2  # the used one is not waiting any more
    assert any("СШ № 17" in label for label in labels)
    assert any("СШ № 35" in label for label in labels)

    reply = await bot.press(coordinator, next(label for label in labels if "СШ № 35" in label))
    assert "Приглашение отозвано" in reply.text and "СШ № 35" in reply.text
    async with session_factory() as session:
        revoked = dict((await session.execute(select(Invite.token, Invite.revoked_at))).all())
    assert revoked[dropped] is not None
    assert revoked[kept] is None and revoked[used] is None


async def test_a_used_invite_cannot_be_revoked_and_another_city_cannot_revoke(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    async with session_factory() as session:
        await load_demo_data(session)
        await session.commit()
    coordinator = await bot.login(COORDINATOR)
    token = await _issue_staff_invite(bot, coordinator, "СШ № 17")
    await bot.send(bot.fake.user(7_100_003, first_name="Вера"), f"/start {token}")

    reply = await bot.press(coordinator, texts.BUTTON_INVITE_REVOKE)
    assert reply.everything.strip() == texts.ERRORS["invite_used_cannot_revoke"]

    curator = await bot.login(SMIRNOVA)  # may not invite at all
    anchor = (await bot.send(curator, "/help")).last.message_id
    forged = await bot.press_data(curator, anchor, await _revoke_data(session_factory, token))
    assert forged.everything.strip() == texts.REFUSED
