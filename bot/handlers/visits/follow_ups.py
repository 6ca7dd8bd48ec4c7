"""A visit's agreed next steps: «Выполнено» under a reminder, the school card or /roadmap,
then an optional comment or file as evidence."""

from __future__ import annotations

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
from bot.handlers.replies import answer
from bot.runtime import BotContext
from bot.services.visits import follow_ups

ACTION = "followup"
COMMENT = 60
COMMENTING = "follow_up_commenting"


@guarded(ACTION)
async def mark_done(update: Update, context: BotContext) -> None:
    follow_up_id = pressed(update, cb.FollowUpDone).follow_up_id
    follow_up = await follow_ups.mark_done(
        context.session, context.actor, follow_up_id, context.now()
    )
    await answer(
        update,
        texts.FOLLOW_UP_DONE,
        [[(texts.BUTTON_FOLLOW_UP_COMMENT, cb.FollowUpComment(follow_up.id).pack())]],
    )


@guarded(ACTION)
async def start_comment(update: Update, context: BotContext) -> int:
    follow_up, _, _ = await follow_ups.reachable(
        context.session, context.actor, pressed(update, cb.FollowUpComment).follow_up_id
    )
    context.user_data[COMMENTING] = follow_up.id
    await answer(update, texts.FOLLOW_UP_COMMENT_ASK)
    return COMMENT


@guarded(ACTION)
async def take_comment(update: Update, context: BotContext) -> int:
    message = update.effective_message
    assert isinstance(message, Message)
    file_id = None
    if message.document:
        file_id = message.document.file_id
    elif message.photo:
        file_id = message.photo[-1].file_id
    text = message_text(update) or typed(message.caption)
    await follow_ups.add_comment(
        context.session,
        context.actor,
        int(context.user_data.get(COMMENTING, 0)),
        context.now(),
        comment=text,
        file_id=file_id,
    )
    context.user_data.pop(COMMENTING, None)
    await answer(update, texts.FOLLOW_UP_COMMENT_SAVED)
    return ConversationHandler.END


def comment_conversation() -> ConversationHandler[BotContext]:
    return one_message_conversation(
        name="follow_up_comment",
        family=cb.FollowUpComment,
        start=start_comment,
        state=COMMENT,
        take=take_comment,
        expected=texts.FOLLOW_UP_COMMENT_EXPECTED,
        draft_key=COMMENTING,
    )


def handlers() -> list:
    return [
        comment_conversation(),
        on(cb.FollowUpDone, mark_done),
    ]
