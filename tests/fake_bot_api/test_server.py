"""An unmodified python-telegram-bot Bot against the fake: wire format and refusals."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from telegram.error import BadRequest, Forbidden, RetryAfter

from bot.fake_bot_api import FakeTelegram

TOKEN = "424242:FAKE-TOKEN-FOR-SERVER-TESTS"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, bot_username="fake_bot") as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url) as client:
        yield client


async def test_get_me_and_updates_with_offset(fake: FakeTelegram, bot: Bot) -> None:
    assert bot.username == "fake_bot" and bot.id == 424242
    user = fake.user(10, first_name="Анна")
    first = fake.send_text(user, "/start abc")
    second = fake.send_text(user, "привет")
    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == [first, second]
    assert updates[0].message.text == "/start abc"
    assert updates[0].message.entities[0].type == "bot_command"
    assert updates[0].message.entities[0].length == len("/start")
    assert await bot.get_updates(offset=second + 1, timeout=0) == ()
    assert fake.updates_confirmed(second)


async def test_long_poll_returns_when_an_update_arrives(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(11)
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await fake.wait_for(lambda: fake.long_poll_waiting)
    update_id = fake.send_text(user, "сейчас")
    updates = await asyncio.wait_for(poll, 2)
    assert [u.update_id for u in updates] == [update_id]


async def test_send_edit_and_button_press(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(12)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Да", callback_data="yes")]])
    sent = await bot.send_message(
        user.id, "<b>Вопрос</b> &amp; ответ", parse_mode="HTML", reply_markup=markup
    )
    assert sent.text == "Вопрос & ответ"
    assert fake.last_message(user.id).plain_text == "Вопрос & ответ"
    fake.press_button(user, "Да")
    (update,) = await bot.get_updates(timeout=0)
    assert update.callback_query.data == "yes"
    assert update.callback_query.message.message_id == sent.message_id
    assert await update.callback_query.answer("Принято")
    assert fake.callback_answers[-1]["text"] == "Принято"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await update.callback_query.answer()
    await bot.edit_message_text("Готово", chat_id=user.id, message_id=sent.message_id)
    assert fake.message(user.id, sent.message_id).text == "Готово"
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Готово", chat_id=user.id, message_id=sent.message_id)


async def test_refusals_in_telegrams_words(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(13)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(user.id, "x" * 4097)
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(
            user.id,
            "x",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("x", callback_data="я" * 33)]]
            ),
        )
    with pytest.raises(BadRequest, match=r"(?i)unsupported start tag"):
        await bot.send_message(user.id, "<div>x</div>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999, "кому?")
    assert [code for _, code, _ in fake.errors] == [400, 400, 400, 400]


async def test_blocked_user_and_rate_limits(bot: Bot) -> None:
    async with (
        FakeTelegram(token=TOKEN, rate_limits=True) as fake,
        Bot(TOKEN, base_url=fake.base_url) as limited,
    ):
        user = fake.user(14)
        await limited.send_message(user.id, "1")
        with pytest.raises(RetryAfter) as pace:
            await limited.send_message(user.id, "2")  # one a second to a private chat
        assert (
            int(getattr(pace.value.retry_after, "total_seconds", lambda: pace.value.retry_after)())
            >= 1
        )
        assert fake.stats["429"] == 1
        fake.block(user)
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await limited.send_message(user.id, "4")


async def test_documents_round_trip(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(15)
    message = await bot.send_document(
        user.id, b"\x50\x4b data", filename="report.xlsx", caption="Отчёт"
    )
    assert fake.last_message(user.id).document_bytes == b"\x50\x4b data"
    assert fake.last_message(user.id).document_name == "report.xlsx"
    downloaded = await (await bot.get_file(message.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == b"\x50\x4b data"
    fake.send_document(user, "plan.csv", b"a;b", mime_type="text/csv")
    (update,) = await bot.get_updates(timeout=0)
    file = await update.message.document.get_file()
    assert bytes(await file.download_as_bytearray()) == b"a;b"


async def test_command_menus_per_scope(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(16)
    await bot.set_my_commands(
        [BotCommand("visit", "Посещение")], scope=BotCommandScopeChat(user.id)
    )
    assert fake.commands({"type": "chat", "chat_id": user.id}) == [
        {"command": "visit", "description": "Посещение"}
    ]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Visit", "x")])


async def test_second_poller_gets_409(fake: FakeTelegram) -> None:
    url = f"{fake.base_url}{TOKEN}/getUpdates"
    async with httpx.AsyncClient() as client:
        first = asyncio.create_task(client.post(url, data={"timeout": "2"}))
        await fake.wait_for(lambda: fake.long_poll_waiting)
        second = await client.post(url, data={"timeout": "0"})
        assert second.status_code == 409
        assert second.json()["description"].startswith("Conflict: terminated by other getUpdates")
        assert (await first).status_code == 200
    assert fake.stats["conflicts"] == 1


async def test_injected_faults(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(17)
    fake.inject_fault("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    with pytest.raises(RetryAfter):
        await bot.send_message(user.id, "x")
    assert (await bot.send_message(user.id, "y")).text == "y"
    assert fake.errors == []
