"""The main flows driven up to their decisive step, for tests that break Telegram under them.

A `Flow` brings the bot to the moment before a change is stored (`prepare`), takes the step
that stores it and replies (`act`), and can count what is stored (`stored`). Adding a flow
here adds it to the fault matrix (tests/e2e/test_fault_matrix.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.db import SessionFactory
from bot.fake_bot_api import FakeUser
from bot.models import (
    Event,
    Invite,
    Notification,
    Person,
    ProgressReport,
    RoadmapItem,
    Role,
    Visit,
)
from bot.services.roadmaps.roadmap_import import HEADERS
from tests.support.factories import load_demo_data
from tests.support.harness import BotHarness, Reply
from tests.support.personas import COORDINATOR, CURATOR_35, DIRECTOR_17
from tests.support.roadmap_files import table_to_xlsx

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # 12:00 in Yekaterinburg
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PLAN = [
    HEADERS,
    ["1", "Р", "", "Педсовет по итогам ВПР", "31.05.2027", "", ""],
    ["2", "Р", "", "Методический семинар", "30.06.2027", "", ""],
]

Counter = Callable[[AsyncSession], Awaitable[int]]


@dataclass(frozen=True)
class Flow:
    name: str
    methods: frozenset[str]  # what the decisive step calls on Telegram
    prepare: Callable[[BotHarness], Awaitable[FakeUser]]
    act: Callable[[BotHarness, FakeUser], Awaitable[Reply]]
    stored: Counter  # rows (or facts) the decisive step stores
    adds: int  # how much `stored` grows with the step
    success: str  # what the user sees when the reply gets through
    # The user, unsure, taps the same button again: must store nothing more. None for
    # steps where a second tap legitimately does something again (a toggle, a new link).
    again: Callable[[BotHarness, FakeUser], Awaitable[Reply]] | None = None


async def demo(bot: BotHarness) -> None:
    async with bot.session_factory() as session:
        await load_demo_data(session)
        await session.commit()
    bot.clock.set(NOW)


async def count(session: AsyncSession, column: object) -> int:
    return int(await session.scalar(select(func.count(column))) or 0)  # type: ignore[arg-type]


async def notifications(factory: SessionFactory) -> int:
    async with factory() as session:
        return await count(session, Notification.id)


def _press_again(data: str) -> Callable[[BotHarness, FakeUser], Awaitable[Reply]]:
    async def again(bot: BotHarness, user: FakeUser) -> Reply:
        message = bot.fake.last_message(user.id)
        assert message is not None
        return await bot.press_data(user, message.message_id, data)

    return again


# -- /visit: «Сохранить» on the summary card


async def visit_card(bot: BotHarness) -> FakeUser:
    await demo(bot)
    curator = await bot.login(CURATOR_35)
    await bot.send(curator, "/visit")
    await bot.press(curator, "СШ № 35")
    await bot.press(curator, texts.BUTTON_TODAY)
    await bot.press(curator, "Консультация по телефону")
    await bot.send(curator, "Подготовка к ГИА")
    await bot.press(curator, "Педагоги")
    await bot.press(curator, texts.BUTTON_DONE)
    await bot.send(curator, "Выявлено")
    await bot.send(curator, "Рекомендовано")
    await bot.press(curator, texts.BUTTON_DONE)
    await bot.press(curator, texts.BUTTON_DONE)
    return curator


async def _visits(session: AsyncSession) -> int:
    return await count(session, Visit.id)


# -- /roadmap: a school's progress report, «Отправить»


async def _import_plan(bot: BotHarness, director: FakeUser) -> None:
    await bot.send(director, "/import")
    await bot.send_document(director, "plan.xlsx", table_to_xlsx(PLAN), XLSX)


async def _report_card(bot: BotHarness) -> FakeUser:
    await demo(bot)
    director = await bot.login(DIRECTOR_17)
    await _import_plan(bot, director)
    await bot.press(director, texts.BUTTON_UPLOAD)
    reply = await bot.send(director, "/roadmap")
    await bot.press(director, reply.last.button_texts[0])
    await bot.press(director, texts.BUTTON_REPORT)
    await bot.press(director, "выполнено")
    await bot.press(director, "100%")
    await bot.send(director, "Педсовет проведён")
    await bot.send(director, "https://school17.example/protocol")
    await bot.press(director, texts.BUTTON_DONE)
    return director


async def _reports(session: AsyncSession) -> int:
    return await count(session, ProgressReport.id)


# -- /import: «Загрузить» after the file was read


async def _import_preview(bot: BotHarness) -> FakeUser:
    await demo(bot)
    director = await bot.login(DIRECTOR_17)
    await _import_plan(bot, director)
    return director


async def _items(session: AsyncSession) -> int:
    return await count(session, RoadmapItem.id)


# -- /event_new: «Опубликовать»


async def _event_card(bot: BotHarness) -> FakeUser:
    await demo(bot)
    coordinator = await bot.login(COORDINATOR)
    await bot.send(coordinator, "/event_new")
    await bot.press(coordinator, "Круглый стол")
    await bot.send(coordinator, "ВСОКО: механизмы оценки")
    await bot.send(coordinator, "01.12.2026 14:30")
    await bot.press(coordinator, "120")
    await bot.press(coordinator, "СШ № 22")
    await bot.send(coordinator, "Определить механизмы управления качеством")
    await bot.press(coordinator, texts.EVENT_AUDIENCE_LABELS["project_schools"])
    await bot.send(coordinator, "25")
    await bot.press(coordinator, texts.BUTTON_SKIP)
    return coordinator


async def _events(session: AsyncSession) -> int:
    return await count(session, Event.id)


# -- /summary: pressing the page already shown (Telegram: «message is not modified»)


async def _summary(bot: BotHarness) -> FakeUser:
    await demo(bot)
    coordinator = await bot.login(COORDINATOR)
    await bot.send(coordinator, "/summary")
    return coordinator


async def _current_page(bot: BotHarness, user: FakeUser) -> Reply:
    first = next(m for m in bot.fake.messages_to(user.id) if m.method == "sendMessage")
    return await bot.press_data(user, first.message_id, "sch:p:0")


async def _nothing(session: AsyncSession) -> int:
    return 0


def demo_then(full_name: str) -> Callable[[BotHarness], Awaitable[FakeUser]]:
    async def prepare(bot: BotHarness) -> FakeUser:
        await demo(bot)
        return await bot.login(full_name)

    return prepare


# -- /settings: a toggle


async def _settings(bot: BotHarness) -> FakeUser:
    await demo(bot)
    director = await bot.login(DIRECTOR_17)
    await bot.send(director, "/settings")
    return director


async def _digest_muted(session: AsyncSession) -> int:
    muted = await session.scalar(select(Person.muted_kinds).where(Person.full_name == DIRECTOR_17))
    return int("digest" in (muted or []))


# -- /invite: the scope button issues the link


async def _invite_scopes(bot: BotHarness) -> FakeUser:
    await demo(bot)
    coordinator = await bot.login(COORDINATOR)
    await bot.send(coordinator, "/invite")
    await bot.press(coordinator, texts.ROLE_NAMES[Role.CURATOR])
    return coordinator


async def _invites(session: AsyncSession) -> int:
    return await count(session, Invite.id)


def _press(button: str) -> Callable[[BotHarness, FakeUser], Awaitable[Reply]]:
    async def act(bot: BotHarness, user: FakeUser) -> Reply:
        return await bot.press(user, button)

    return act


def _send(text: str) -> Callable[[BotHarness, FakeUser], Awaitable[Reply]]:
    async def act(bot: BotHarness, user: FakeUser) -> Reply:
        return await bot.send(user, text)

    return act


BUTTON_STEP = frozenset({"answerCallbackQuery", "editMessageText"})

FLOWS: list[Flow] = [
    Flow(
        "visit save",
        BUTTON_STEP,
        visit_card,
        _press(texts.BUTTON_SAVE),
        _visits,
        1,
        texts.VISIT_SAVED,
        _press_again("vis:save"),
    ),
    Flow(
        "progress report",
        BUTTON_STEP,
        _report_card,
        _press(texts.BUTTON_SEND),
        _reports,
        1,
        texts.REPORT_SENT,
        _press_again("rm:send"),
    ),
    Flow(
        "import confirm",
        BUTTON_STEP,
        _import_preview,
        _press(texts.BUTTON_UPLOAD),
        _items,
        2,
        texts.roadmap_imported(2, 0),
        _press_again("rm:imp:ok"),
    ),
    Flow(
        "event publish",
        BUTTON_STEP,
        _event_card,
        _press(texts.BUTTON_PUBLISH),
        _events,
        1,
        texts.EVENT_PUBLISHED,
        _press_again("ev:pub"),
    ),
    Flow(
        "summary current page",
        BUTTON_STEP,
        _summary,
        _current_page,
        _nothing,
        0,
        "",  # the page is already on screen: nothing new to see
        _current_page,
    ),
    Flow(
        "settings toggle",
        BUTTON_STEP,
        _settings,
        _press(texts.settings_button("digest", False)),
        _digest_muted,
        1,
        texts.settings_button("digest", True),
    ),
    Flow(
        "invite issue",
        BUTTON_STEP,
        _invite_scopes,
        _press("СШ № 17"),
        _invites,
        1,
        "t.me/",
    ),
    Flow(
        "settings command",
        frozenset({"sendMessage"}),
        demo_then(DIRECTOR_17),
        _send("/settings"),
        _nothing,
        0,
        texts.SETTINGS_HEADER,
    ),
    Flow(
        "summary command",
        frozenset({"sendMessage", "sendPhoto"}),
        demo_then(COORDINATOR),
        _send("/summary"),
        _nothing,
        0,
        "Сводка на",
    ),
    Flow(
        "export command",
        frozenset({"sendDocument"}),
        demo_then(COORDINATOR),
        _send("/export"),
        _nothing,
        0,
        texts.EXPORT_CAPTION,
    ),
]
