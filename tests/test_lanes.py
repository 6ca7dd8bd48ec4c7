"""Per-chat lanes (bot/lanes.py): chats side by side, each chat strictly in order, bounded;
flood decisions before the lane; each update saves only what it led to."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from telegram import Update

from bot.db import SessionFactory
from bot.lanes import ADMIT, ChatLanes, Verdict, _keys_of
from bot.models import BotStateEntry
from bot.persistence import DatabasePersistence
from bot.services.tables import Limits, TableRefused, read_table


def _update(update_id: int, chat_id: int) -> Update:
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "chat": {"id": chat_id, "type": "private"},
                "from": {"id": chat_id, "is_bot": False, "first_name": "Гость"},
                "text": "/help",
            },
        },
        None,
    )


class _Trace:
    def __init__(self) -> None:
        self.events: list[tuple[str, int, int]] = []  # (start|end, chat, update_id)
        self.running = 0
        self.most_running = 0

    async def work(self, chat: int, update_id: int, yields: int) -> None:
        self.events.append(("start", chat, update_id))
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        for _ in range(yields):
            await asyncio.sleep(0)  # a suspension (I/O), not a wait for time
        self.running -= 1
        self.events.append(("end", chat, update_id))


async def _run(
    plan: list[tuple[int, int]], max_running: int, admission=None
) -> tuple[_Trace, ChatLanes]:  # type: ignore[no-untyped-def]
    lanes = ChatLanes(max_running=max_running)
    lanes.admission = admission
    trace = _Trace()
    tasks = [
        asyncio.create_task(lanes.process_update(_update(n, chat), trace.work(chat, n, yields)))
        for n, (chat, yields) in enumerate(plan)
    ]
    await asyncio.gather(*tasks)
    return trace, lanes


@settings(max_examples=150, deadline=None)
@given(
    plan=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 6)), min_size=1, max_size=40),
    max_running=st.integers(1, 4),
)
def test_each_chat_in_order_never_overlapping_and_the_bound_kept(
    plan: list[tuple[int, int]], max_running: int
) -> None:
    trace, lanes = asyncio.run(_run(plan, max_running))
    started: dict[int, list[int]] = defaultdict(list)
    open_in_chat: dict[int, int | None] = defaultdict(lambda: None)
    for kind, chat, update_id in trace.events:
        if kind == "start":
            assert open_in_chat[chat] is None, "two updates of one chat at once"
            open_in_chat[chat] = update_id
            started[chat].append(update_id)
        else:
            assert open_in_chat[chat] == update_id
            open_in_chat[chat] = None
    for chat, ids in started.items():
        assert ids == [n for n, (c, _) in enumerate(plan) if c == chat]  # received order
    assert len(trace.events) == 2 * len(plan)
    assert trace.most_running <= max_running
    assert lanes.busy_lanes == 0  # nothing left behind


async def test_different_chats_do_run_side_by_side() -> None:
    plan = [(chat, 3) for chat in range(6)]
    trace, _ = await _run(plan, max_running=4)
    assert trace.most_running == 4
    one_chat, _ = await _run([(7, 3)] * 6, max_running=4)
    assert one_chat.most_running == 1


async def test_a_cancelled_waiter_does_not_let_the_next_one_overtake() -> None:
    lanes = ChatLanes()
    trace = _Trace()
    first_may_end = asyncio.Event()

    async def first() -> None:
        trace.events.append(("start", 1, 0))
        await first_may_end.wait()
        trace.events.append(("end", 1, 0))

    a = asyncio.create_task(lanes.process_update(_update(0, 1), first()))
    b = asyncio.create_task(lanes.process_update(_update(1, 1), trace.work(1, 1, 0)))
    c = asyncio.create_task(lanes.process_update(_update(2, 1), trace.work(1, 2, 0)))
    await asyncio.sleep(0)  # let all three reach their lane (one turn of the loop)
    b.cancel()
    await asyncio.gather(b, return_exceptions=True)
    assert ("start", 1, 2) not in trace.events  # c still waits for the first
    first_may_end.set()
    await asyncio.gather(a, c)
    assert [e for e in trace.events if e[0] == "start"] == [("start", 1, 0), ("start", 1, 2)]


async def test_a_refused_update_never_runs_and_its_warning_waits_for_the_chat() -> None:
    warned: list[int] = []

    async def warning() -> None:
        warned.append(len(trace_events()))

    def admission(update: Update) -> Verdict:
        if update.update_id == 3:
            return Verdict(admitted=False, instead=warning)
        return ADMIT if update.update_id < 3 else Verdict(admitted=False)

    lanes = ChatLanes()
    lanes.admission = admission
    trace = _Trace()

    def trace_events() -> list[tuple[str, int, int]]:
        return trace.events

    seen: list[int] = []
    lanes.listeners.append(lambda update: seen.append(update.update_id))  # type: ignore[attr-defined]
    coroutines = [trace.work(1, n, 2) for n in range(6)]
    await asyncio.gather(
        *(lanes.process_update(_update(n, 1), c) for n, c in enumerate(coroutines))
    )
    assert [e for e in trace.events if e[0] == "start"] == [("start", 1, n) for n in range(3)]
    assert warned == [6]  # after the three handled updates ended
    assert sorted(seen) == list(range(6))  # dropped ones count as done (the harness waits)


async def test_a_verdict_taken_on_receipt_is_the_one_the_lane_uses() -> None:
    """bot/inbox.py asks on receipt (and the queue asks again): admission runs once per
    update, in receipt order, and the lane uses that verdict."""
    asked: list[int] = []

    def admission(update: Update) -> Verdict:
        asked.append(update.update_id)
        return ADMIT if update.update_id % 2 == 0 else Verdict(admitted=False)

    lanes = ChatLanes()
    lanes.admission = admission
    updates = [_update(n, 1) for n in range(6)]
    assert [lanes.verdict_on_receipt(u).admitted for u in updates] == [True, False] * 3
    assert [lanes.verdict_on_receipt(u).admitted for u in updates] == [True, False] * 3
    trace = _Trace()
    await asyncio.gather(*(lanes.process_update(u, trace.work(1, u.update_id, 0)) for u in updates))
    assert asked == list(range(6))  # once each, in receipt order
    assert [e[2] for e in trace.events if e[0] == "start"] == [0, 2, 4]
    assert lanes._verdicts == {}  # nothing kept once processed


def test_an_update_owns_its_chat_and_user_state_and_its_inbox_row() -> None:
    belongs = _keys_of(_update(90, 501))
    assert belongs is not None
    assert belongs(("conversation:visit_new", "[501, 501]"))
    assert belongs(("user_data", "501"))
    assert belongs(("inbox", "90"))
    assert not belongs(("conversation:visit_new", "[502, 502]"))
    assert not belongs(("user_data", "502"))
    assert not belongs(("inbox", "91"))


async def test_one_update_saves_its_state_not_another_chats_in_hand(
    session_factory: SessionFactory,
) -> None:
    persistence = DatabasePersistence(session_factory)
    await persistence.record_received(90, {"update_id": 90})
    await persistence.record_received(91, {"update_id": 91})
    await persistence.update_conversation("visit_new", (501, 501), 2)
    await persistence.update_conversation("visit_new", (502, 502), 5)  # chat 502 in hand
    persistence.mark_handled(90)
    await persistence.flush(belongs=_keys_of(_update(90, 501)))

    async with session_factory() as session:
        rows = {
            (row.namespace, row.key): row.data
            for row in await session.scalars(select(BotStateEntry))
        }
    assert rows == {("conversation:visit_new", "[501, 501]"): 2, ("inbox", "91"): {"update_id": 91}}
    assert persistence.is_staged(("conversation:visit_new", "[502, 502]"))

    persistence.mark_handled(91)
    await persistence.flush(belongs=_keys_of(_update(91, 502)))
    async with session_factory() as session:
        rows = {
            (row.namespace, row.key): row.data
            for row in await session.scalars(select(BotStateEntry))
        }
    assert rows == {
        ("conversation:visit_new", "[501, 501]"): 2,
        ("conversation:visit_new", "[502, 502]"): 5,
    }


async def test_a_released_inbox_row_goes_with_any_update_write(
    session_factory: SessionFactory,
) -> None:
    """A dropped update, or one whose replies were sent, leads to no state of its own."""
    persistence = DatabasePersistence(session_factory)
    for update_id in (88, 90):
        await persistence.record_received(update_id, {"update_id": update_id})
    persistence.mark_handled(88)
    persistence.release(88)
    persistence.mark_handled(90)
    changes = persistence.take_staged(_keys_of(_update(90, 501)))
    assert set(changes) == {("inbox", "88"), ("inbox", "90")}
    async with session_factory() as session:
        await persistence.write_in(session, changes.items())
        await session.commit()
    persistence.confirm(changes)
    async with session_factory() as session:
        assert list(await session.scalars(select(BotStateEntry))) == []
    assert persistence.take_staged(_keys_of(_update(91, 502))) == {}  # nothing loose is left


def test_a_csv_with_endless_fields_is_refused_before_it_is_split() -> None:
    limits = Limits()
    wide = ("№;Мероприятие;Срок\n" + ";" * 2_000_000 + "\n").encode()
    try:
        read_table(wide, "plan.csv", limits)
    except TableRefused as refused:
        assert refused.code == "import_too_wide"
    else:
        raise AssertionError("a 2 MB line of semicolons was read")
    long_field = ("№;Мероприятие;Срок\n1;" + "я" * 30_000 + ";01.02.2027\n").encode()
    try:
        read_table(long_field, "plan.csv", limits)
    except TableRefused as refused:
        assert refused.code == "import_too_wide"
    else:
        raise AssertionError("a 30,000-character field was read")
    fine = "№;Мероприятие;Срок\n1;Педсовет;01.02.2027\n".encode()
    assert read_table(fine, "plan.csv", limits).rows[1] == ["1", "Педсовет", "01.02.2027"]
