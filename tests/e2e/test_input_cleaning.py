"""Names and typed text lose bidi overrides and invisible characters where they enter the bot:
a name with U+202E cannot pose as another in lists, nothing invisible is stored."""

from __future__ import annotations

from sqlalchemy import select

from bot import texts
from bot.db import SessionFactory
from bot.models import Person, TelegramAccount, Visit
from tests.support.bot_fixtures import ADMIN_TELEGRAM_ID
from tests.support.flows import demo
from tests.support.harness import BotHarness
from tests.support.personas import CURATOR_35

RLO, ZWSP, ZWJ, LRI = "\u202e", "\u200b", "\u200d", "\u2066"
INVISIBLE = (RLO, ZWSP, ZWJ, LRI, "\u202a", "\u2067", "\u2069", "\ufeff")


def _visible(text: str) -> bool:
    return not any(char in text for char in INVISIBLE)


async def test_a_name_with_a_right_to_left_override_is_stored_and_shown_clean(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    admin = bot.fake.user(
        ADMIN_TELEGRAM_ID,
        first_name=f"Анна{RLO}анвоинА",
        last_name=f"Адми{ZWSP}нова",
        username=f"anna{ZWJ}_admin",
    )
    reply = await bot.send(admin, "/start")
    assert texts.ADMIN_BOOTSTRAPPED in reply.text
    async with session_factory() as session:
        person = (await session.scalars(select(Person))).one()
        account = (await session.scalars(select(TelegramAccount))).one()
    assert person.full_name == "Админова АннаанвоинА"
    assert account.username == "anna_admin"
    shown = await bot.send(admin, "/whoami")
    assert "Админова АннаанвоинА" in shown.text
    assert _visible(shown.everything)


async def test_typed_text_is_stored_without_invisible_characters(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    await demo(bot)
    curator = await bot.login(CURATOR_35)
    await bot.send(curator, "/visit")
    await bot.press(curator, "СШ № 35")
    await bot.press(curator, texts.BUTTON_TODAY)
    await bot.press(curator, "Консультация по телефону")
    await bot.send(curator, f"Подготовка{ZWSP} к {RLO}АИГ{LRI}")
    await bot.press(curator, "Педагоги")
    await bot.press(curator, texts.BUTTON_DONE)
    await bot.send(curator, f"Выявлено:\nпервое{ZWJ}\nвторое\ufeff")
    await bot.send(curator, "Рекомендовано")
    await bot.press(curator, texts.BUTTON_DONE)
    summary = await bot.press(curator, texts.BUTTON_DONE)
    assert _visible(summary.everything)
    await bot.press(curator, texts.BUTTON_SAVE)
    async with session_factory() as session:
        visit = (await session.scalars(select(Visit))).one()
    assert visit.purpose == "Подготовка к АИГ"
    assert visit.findings == "Выявлено:\nпервое\nвторое"  # line breaks kept
