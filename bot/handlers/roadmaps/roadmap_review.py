"""/review: the curator's queue of school reports — accept, or return with a comment."""

from __future__ import annotations

from functools import partial

from telegram import Update
from telegram.ext import (
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import callbacks as cb
from bot import texts
from bot.handlers.conversation_kit import make_cancel, message_text, on, pressed, text_expected
from bot.handlers.guard import guarded
from bot.handlers.replies import answer, deliver
from bot.models import ReviewState
from bot.runtime import BotContext
from bot.services.roadmaps import roadmap_reports

COMMENT = 30
SHOWN = 10  # the oldest first; the rest after these are decided
RETURNING = "roadmap_returning"


@guarded("review")
async def show_queue(update: Update, context: BotContext) -> None:
    """Every waiting report, oldest first, each with its evidence and two buttons."""
    queue = await roadmap_reports.review_queue(context.session, context.actor)
    if not queue:
        await answer(update, texts.REVIEW_EMPTY)
        return
    chat = update.effective_chat
    assert chat is not None
    if len(queue) > SHOWN:
        await answer(update, texts.review_more(SHOWN, len(queue)))
    for report in queue[:SHOWN]:
        await answer(
            update,
            texts.queued_report(report),
            [
                [
                    (texts.BUTTON_ACCEPT, cb.ReviewAccept(report.report_id).pack()),
                    (texts.BUTTON_RETURN, cb.ReviewReturn(report.report_id).pack()),
                ],
                [
                    *(
                        [(texts.BUTTON_HOLD, cb.ReviewHold(report.report_id).pack())]
                        if report.state == ReviewState.PENDING
                        else []
                    ),
                    (texts.BUTTON_THREAD_OPEN, cb.ThreadOpen(report.report_id).pack()),
                ],
            ],
        )
        for kind, file_id in report.attachments:
            if kind == "photo":
                await deliver(partial(chat.send_photo, file_id))
            else:
                await deliver(partial(chat.send_document, file_id))


@guarded("review")
async def accept(update: Update, context: BotContext) -> None:
    report_id = pressed(update, cb.ReviewAccept).report_id
    await roadmap_reports.review(
        context.session, context.actor, report_id, accept=True, comment=None, now=context.now()
    )
    await answer(update, texts.REVIEW_ACCEPTED, edit=True)


@guarded("review")
async def start_return(update: Update, context: BotContext) -> int:
    report_id = pressed(update, cb.ReviewReturn).report_id
    await roadmap_reports.pending_for_review(context.session, context.actor, report_id)
    context.user_data[RETURNING] = report_id
    await answer(update, texts.REVIEW_COMMENT, [[(texts.BUTTON_CANCEL, cb.RoadmapCancel().pack())]])
    return COMMENT


@guarded("review")
async def comment(update: Update, context: BotContext) -> int:
    assert update.effective_message is not None
    report_id = int(context.user_data.get(RETURNING, 0))
    await roadmap_reports.review(
        context.session,
        context.actor,
        report_id,
        accept=False,
        comment=message_text(update),
        now=context.now(),
    )
    context.user_data.pop(RETURNING, None)
    await answer(update, texts.REVIEW_RETURNED)
    return ConversationHandler.END


cancel = make_cancel(RETURNING)


def return_conversation() -> ConversationHandler:
    return ConversationHandler(
        entry_points=[on(cb.ReviewReturn, start_return)],
        states={COMMENT: [MessageHandler(filters.TEXT & ~filters.COMMAND, comment)]},
        fallbacks=[
            CommandHandler("cancel", cancel),
            on(cb.RoadmapCancel, cancel),
            MessageHandler(~filters.COMMAND, text_expected),
        ],
        name="roadmap_return",
        persistent=True,
        allow_reentry=True,
    )


def handlers() -> list:
    return [
        CommandHandler("review", show_queue),
        on(cb.ReviewQueue, show_queue),
        on(cb.ReviewAccept, accept),
    ]
