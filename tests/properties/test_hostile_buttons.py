"""Button data nobody should send: truncated, garbage, huge ids, every callback family.

python-telegram-bot hands a handler whatever data matches its pattern; a user's client
can send any data up to 64 bytes for a message it has. The bot must answer every press
without a traceback. One bot serves all examples (see test_hostile_visit_flow.py).
"""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot import texts
from tests.support.harness import BotHarness
from tests.support.hostile import ErrorLog, one_bot, press_safely
from tests.support.personas import GAREEVA, PLOTNIKOVA, SMIRNOVA, ZHIGULINA
from tests.support.roadmap_files import seed_plan_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PEOPLE = [
    SMIRNOVA,  # curator
    GAREEVA,  # school staff
    PLOTNIKOVA,  # municipal coordinator
    ZHIGULINA,  # regional coordinator
]
# Every callback family's shape, with {} where a number goes (the families: bot/callbacks.py).
FAMILIES = [
    "vis:new", "vis:ed:{}", "vis:rs:go", "vis:rs:new", "vis:s:{}", "vis:dt:{}", "vis:dt:cal",
    "vis:c:m:{}", "vis:c:d:{}", "vis:c:noop", "vis:f:other", "vis:pi:{}", "vis:pr:{}",
    "vis:p:teachers", "vis:pd", "vis:nd", "vis:nc", "vis:ad", "vis:ac", "vis:save", "vis:chg",
    "vis:ef:date", "vis:x", "vis:l:{}:{}:{}:{}", "vis:fs:{}:{}:{}:{}", "vis:fc:{}:{}:{}:{}",
    "vis:o:{}", "vis:dl:{}", "vis:dy:{}",
    "ev:fm:seminar", "ev:qs:{}", "ev:du:{}", "ev:pl:{}", "ev:sk", "ev:au:curators",
    "ev:cs:{}", "ev:cs:done", "ev:ca:0", "ev:pub", "ev:chg", "ev:cf:title", "ev:x",
    "ev:o:{}", "ev:su:{}", "ev:no:{}", "ev:rg:{}", "ev:at:{}:{}", "ev:xl:{}", "ev:cn:{}",
    "ev:cy:{}", "ev:rf:{}", "ev:fs:{}", "ev:ed:{}:{}", "ev:ef:{}:{}:{}", "ev:rs:{}",
    "ev:fb:{}:5", "ev:fx",
    "rm:sc:i:{}", "rm:sc:n:{}", "rm:sc:r:{}", "rm:sc:k:{}", "rm:imp:ok", "rm:yr:{}", "rm:x",
    "rm:pv:{}",
    "rm:rep:{}", "rm:st:done", "rm:pc:{}", "rm:ev:done", "rm:send", "rm:l:{}:{}", "rm:o:{}",
    "rm:h:{}", "rm:ed:{}", "rm:ef:{}:measure", "rm:rk:{}:{}", "rm:rq", "rm:ac:{}", "rm:rt:{}",
    "inv:r:curator", "inv:r:admin", "inv:s:curator:s{}", "inv:s:school_staff:m{}",
    "inv:s:regional_coordinator:r{}", "inv:s:admin:-",
    "ntf:m:digest", "ntf:sz:{}:1",
    "sch:p:{}", "sch:o:{}", "rep:h:{}:1", "rep:h:2026:2:{}", "rep:g:2026:1:{}", "rep:g:{}:2:0",
]  # fmt: skip
NUMBERS = st.sampled_from(
    [0, 1, 2, 7, 20, 2026, 202611, 20261124, 2**31 - 1, 2**31, 2**63, 10**30]
) | st.integers(min_value=0, max_value=10**12)
ONE_BOT = one_bot(max_examples=400)


@pytest.mark.parametrize(
    "data",
    [
        "vis:l:0:0:0:1",  # month 1 of year 0
        "vis:l:0:0:0:999913",  # month 13
        "vis:fs:0:0:0:202613",
    ],
)
async def test_a_month_that_does_not_exist_is_not_found(
    demo: BotHarness, logged_errors: ErrorLog, data: str
) -> None:
    coordinator = await demo.login(PLOTNIKOVA)
    listing = await demo.send(coordinator, "/visits")
    reply = await press_safely(
        demo, coordinator, data, logged_errors, message_id=listing.last.message_id
    )
    assert reply.alerts == [texts.ERRORS["not_found"]] or "всего" not in reply.text


@st.composite
def button_data(draw: st.DrawFn) -> str:
    """A family's data with numbers in it, often cut short, now and then plain garbage."""
    family = draw(st.sampled_from(FAMILIES))
    data = family.format(*(draw(NUMBERS) for _ in range(family.count("{}"))))
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return draw(st.text(min_size=1, max_size=30).filter(lambda s: len(s.encode()) <= 64))
    if choice <= 2:
        return data[: draw(st.integers(1, max(1, len(data) - 1)))]
    return data[:64]


# What is open when the button comes: nothing, a conversation's first step, or (None)
# whatever the examples before left open.
OPENERS = [None, "/cancel", "/visit", "/event_new", "/import", "/item_new", "/roadmap"]
OPENERS += ["/events", "/visits", "/invite", "/settings", "/review", "/report", "/risks"]


@ONE_BOT
@example(person=PEOPLE[0], opener="/visits", data="vis:ed:9223372036854775808")
@example(person=PEOPLE[1], opener="/roadmap", data="rm:o:2147483648")
@example(person=PEOPLE[2], opener="/invite", data="inv:s:curator:s99999999999")
@example(person=PEOPLE[2], opener="/events", data="ev:ef:1:1:7")  # 4 fields, index 7
@example(person=PEOPLE[2], opener="/report", data="rep:g:0000:1:0")  # no year 0
@example(person=PEOPLE[2], opener="/report", data="rep:g:9999:2:0")
@example(person=PEOPLE[2], opener="/report", data="rep:h:0000:1")
@example(person=PEOPLE[0], opener="/visit", data="vis:c:d:00000000")
@given(person=st.sampled_from(PEOPLE), opener=st.sampled_from(OPENERS), data=button_data())
async def test_any_button_data_is_answered_without_a_traceback(
    demo: BotHarness, logged_errors: ErrorLog, person: str, opener: str | None, data: str
) -> None:
    user = await demo.login(person)
    if opener is not None:
        await demo.send(user, "/cancel")
        await demo.send(user, opener)
    logged_errors.records.clear()
    await press_safely(demo, user, data, logged_errors)


async def _event_at_start(bot: BotHarness, user) -> None:  # type: ignore[no-untyped-def]
    await bot.send(user, "/event_new")
    await bot.press(user, "Семинар")
    await bot.send(user, "Семинар по ВПР")


async def _event_at_place(bot: BotHarness, user) -> None:  # type: ignore[no-untyped-def]
    await _event_at_start(bot, user)
    await bot.send(user, "01.12.2026 10:00")
    await bot.send(user, "90")


async def _visit_at_date(bot: BotHarness, user) -> None:  # type: ignore[no-untyped-def]
    await bot.send(user, "/visit")
    await bot.press(user, "СШ № 17")


async def _visit_at_purpose(bot: BotHarness, user) -> None:  # type: ignore[no-untyped-def]
    await _visit_at_date(bot, user)
    await bot.press(user, "Сегодня")
    await bot.press(user, "Выезд в школу")


async def _import_preview(bot: BotHarness, user) -> None:  # type: ignore[no-untyped-def]
    await bot.send(user, "/import")
    await bot.send_document(user, "plan.xlsx", seed_plan_xlsx(), XLSX)


async def _report_at_percent(bot: BotHarness, user) -> None:  # type: ignore[no-untyped-def]
    await _import_preview(bot, user)
    await bot.press(user, texts.BUTTON_UPLOAD)
    listing = await bot.send(user, "/roadmap")
    item = listing.last.buttons[0][0][1].rsplit(":", 1)[1]
    await bot.press_data(user, listing.last.message_id, f"rm:rep:{item}")
    await bot.press(user, "в работе")


@pytest.mark.parametrize(
    ("person", "reach", "presses"),
    [
        (PEOPLE[2], _event_at_start, ["ev:qs:99999999", "ev:qs:999999999", "ev:qs:0"]),
        (PEOPLE[2], _event_at_place, ["ev:pl:0", "ev:pl:999999999", "ev:du:999999999"]),
        (
            PEOPLE[0],
            _visit_at_date,
            ["vis:c:m:999912", "vis:c:m:000001", "vis:c:d:99991231", "vis:c:d:20270229"],
        ),
        (PEOPLE[0], _visit_at_purpose, ["vis:pi:0", "vis:pr:999999999", "vis:pi:999999999"]),
        (
            PEOPLE[1],
            _import_preview,
            ["rm:yr:0000", "rm:yr:9999", "rm:sc:i:999999999", "rm:pv:999", "rm:pv:0"],
        ),
        (PEOPLE[1], _report_at_percent, ["rm:pc:999", "rm:pc:101", "rm:st:done", "rm:send"]),
    ],
    ids=["event start", "event place", "visit date", "visit purpose", "import", "report"],
)
async def test_edge_numbers_in_a_conversation_s_own_buttons(
    demo: BotHarness, logged_errors: ErrorLog, person: str, reach, presses: list[str]
) -> None:
    """Buttons that only count at one step, pressed there with numbers no button shows."""
    user = await demo.login(person)
    for data in presses:
        await demo.send(user, "/cancel")
        await reach(demo, user)
        logged_errors.records.clear()
        await press_safely(demo, user, data, logged_errors)
