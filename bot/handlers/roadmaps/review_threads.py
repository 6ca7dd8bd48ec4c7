"""A report's review thread: read it, write in it (text and a file), put a report on hold."""

from __future__ import annotations

from functools import partial

from telegram import Message, Update
from telegram.ext import (
    ConversationHandler,
)

from bot import callbacks as cb
from bot import texts
from bot.handlers.conversation_kit import (
    message_text,
    on,
    one_message_conversation,
    pressed,
    typed,
)
from bot.handlers.guard import guarded
from bot.handlers.replies import Buttons, answer, deliver
from bot.models import ReviewState
from bot.runtime import BotContext
from bot.services.notifications.recipients import municipality_timezone
from bot.services.roadmaps import review_threads
from bot.services.roadmaps.roadmap_reports import DECIDABLE

WRITE = 61
WRITING = "review_thread_writing"


@guarded("roadmap")
async def show_thread(update: Update, context: BotContext) -> None:
    """The thread as text, what this person may do next, then its files."""
    report_id = pressed(update, cb.ThreadOpen).report_id
    thread = await review_threads.thread(context.session, context.actor, report_id)
    report, _, school = await review_threads.report_in_scope(
        context.session, context.actor, thread.report_id
    )
    timezone = await municipality_timezone(context.session, school.municipality_id)
    buttons: Buttons = []
    writer = school.id in context.actor.staff_school_ids | context.actor.curated_school_ids
    if writer:
        buttons.append([(texts.BUTTON_THREAD_WRITE, cb.ThreadWrite(report.id).pack())])
    curates = school.id in context.actor.curated_school_ids
    if curates and report.review_state != ReviewState.ACCEPTED:
        # Accept or return what waits (or is on hold); a returned one is first put on hold.
        decisions = []
        if report.review_state in DECIDABLE:
            decisions += [
                (texts.BUTTON_ACCEPT, cb.ReviewAccept(report.id).pack()),
                (texts.BUTTON_RETURN, cb.ReviewReturn(report.id).pack()),
            ]
        if report.review_state in (ReviewState.PENDING, ReviewState.RETURNED):
            decisions.append((texts.BUTTON_HOLD, cb.ReviewHold(report.id).pack()))
        buttons.append(decisions)
    await answer(update, texts.thread_text(thread, timezone), buttons or None)
    chat = update.effective_chat
    assert chat is not None
    for line in thread.lines:
        if line.file_id and line.file_kind == "photo":
            await deliver(partial(chat.send_photo, line.file_id))
        elif line.file_id:
            await deliver(partial(chat.send_document, line.file_id))


@guarded("review")
async def put_on_hold(update: Update, context: BotContext) -> None:
    report_id = pressed(update, cb.ReviewHold).report_id
    await review_threads.hold(context.session, context.actor, report_id, context.now())
    await answer(update, texts.REVIEW_ON_HOLD)


@guarded("thread")
async def start_writing(update: Update, context: BotContext) -> int:
    report, _, _ = await review_threads.writable_report(
        context.session, context.actor, pressed(update, cb.ThreadWrite).report_id
    )
    context.user_data[WRITING] = report.id
    await answer(update, texts.THREAD_WRITE_ASK)
    return WRITE


@guarded("thread")
async def take_message(update: Update, context: BotContext) -> int:
    message = update.effective_message
    assert isinstance(message, Message)
    kind = file_id = name = None
    if message.document:
        kind, file_id = "document", message.document.file_id
        name = typed(message.document.file_name) or None
    elif message.photo:
        kind, file_id = "photo", message.photo[-1].file_id
    await review_threads.post_message(
        context.session,
        context.actor,
        int(context.user_data.get(WRITING, 0)),
        context.now(),
        text=message_text(update) or typed(message.caption),
        file_kind=kind,
        file_id=file_id,
        file_name=name,
    )
    context.user_data.pop(WRITING, None)
    await answer(update, texts.THREAD_SENT)
    return ConversationHandler.END


def write_conversation() -> ConversationHandler[BotContext]:
    return one_message_conversation(
        name="review_thread_write",
        family=cb.ThreadWrite,
        start=start_writing,
        state=WRITE,
        take=take_message,
        expected=texts.THREAD_EXPECTED,
        draft_key=WRITING,
    )


def handlers() -> list:
    return [
        write_conversation(),
        on(cb.ThreadOpen, show_thread),
        on(cb.ReviewHold, put_on_hold),
    ]
