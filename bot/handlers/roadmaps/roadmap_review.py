"""/review: the curator's queue of school reports — accept, or return with a comment."""

from __future__ import annotations

from functools import partial

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import texts
from bot.handlers.conversation_kit import make_cancel, message_text, text_expected
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
                    (texts.BUTTON_ACCEPT, f"rm:ac:{report.report_id}"),
                    (texts.BUTTON_RETURN, f"rm:rt:{report.report_id}"),
                ],
                [
                    *(
                        [(texts.BUTTON_HOLD, f"rm:hd:{report.report_id}")]
                        if report.state == ReviewState.PENDING
                        else []
                    ),
                    (texts.BUTTON_THREAD_OPEN, f"rm:th:{report.report_id}"),
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
    assert update.callback_query is not None
    report_id = int((update.callback_query.data or "").rsplit(":", 1)[1])
    await roadmap_reports.review(
        context.session, context.actor, report_id, accept=True, comment=None, now=context.now()
    )
    await answer(update, texts.REVIEW_ACCEPTED, edit=True)


@guarded("review")
async def start_return(update: Update, context: BotContext) -> int:
    assert update.callback_query is not None
    report_id = int((update.callback_query.data or "").rsplit(":", 1)[1])
    await roadmap_reports.pending_for_review(context.session, context.actor, report_id)
    context.user_data[RETURNING] = report_id
    await answer(update, texts.REVIEW_COMMENT, [[(texts.BUTTON_CANCEL, "rm:x")]])
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
        entry_points=[CallbackQueryHandler(start_return, pattern=r"^rm:rt:\d{1,9}$")],
        states={COMMENT: [MessageHandler(filters.TEXT & ~filters.COMMAND, comment)]},
        fallbacks=[
            CommandHandler("cancel", cancel),
            CallbackQueryHandler(cancel, pattern=r"^rm:x$"),
            MessageHandler(~filters.COMMAND, text_expected),
        ],
        name="roadmap_return",
        persistent=True,
        allow_reentry=True,
    )


def handlers() -> list:
    return [
        CommandHandler("review", show_queue),
        CallbackQueryHandler(show_queue, pattern=r"^rm:rq$"),
        CallbackQueryHandler(accept, pattern=r"^rm:ac:\d{1,9}$"),
    ]
