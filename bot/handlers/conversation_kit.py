"""What every conversation needs: reading the input, /cancel, and answering wrong input."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import texts
from bot.callbacks import CallbackData
from bot.handlers.guard import guarded
from bot.handlers.replies import answer
from bot.runtime import BotContext

F = TypeVar("F", bound=CallbackData)


def callback_data(update: Update) -> str:
    assert update.callback_query is not None
    return update.callback_query.data or ""


def pressed(update: Update, family: type[F]) -> F:
    """The pressed button's data, typed (the handler was registered with `family.pattern`)."""
    return family.parse(callback_data(update))


def on(
    family: type[CallbackData], callback: Callable[[Update, Any], Awaitable[Any]]
) -> CallbackQueryHandler[Any, Any]:
    """The handler answering a button family (registered with the family's pattern)."""
    return CallbackQueryHandler(callback, pattern=family.pattern)  # type: ignore[arg-type]


def typed(value: str | None) -> str:
    """What a person typed, without NUL characters: PostgreSQL cannot store them in text (nor
    take them as a query parameter), and nobody means one."""
    return (value or "").replace("\x00", "")


def message_text(update: Update) -> str:
    assert update.effective_message is not None
    return typed(update.effective_message.text)


def make_cancel(*draft_keys: str) -> Callable[[Update, BotContext], Coroutine[Any, Any, int]]:
    """A /cancel (or «Отмена» button) that drops the conversation's drafts and ends it."""

    @guarded(None)
    async def cancel(update: Update, context: BotContext) -> int:
        for key in draft_keys:
            context.user_data.pop(key, None)
        await answer(update, texts.CANCELLED, edit=update.callback_query is not None)
        return ConversationHandler.END

    return cancel


async def wrong_input(update: Update, context: BotContext) -> None:
    """Text where a button is asked; a sticker, voice or file where text is asked."""
    message = update.effective_message
    await answer(
        update, texts.USE_BUTTONS if message is not None and message.text else texts.TEXT_EXPECTED
    )


async def text_expected(update: Update, context: BotContext) -> None:
    await answer(update, texts.TEXT_EXPECTED)


def one_message_conversation(
    *,
    name: str,
    family: type[CallbackData],
    start: Callable[[Update, BotContext], Coroutine[Any, Any, int]],
    state: int,
    take: Callable[[Update, BotContext], Coroutine[Any, Any, int]],
    expected: str,
    draft_key: str,
) -> ConversationHandler[BotContext]:
    """A button that asks for one message (text, a photo or a document) and takes it:
    a review thread's reply, a comment on a next step. /cancel drops `draft_key`; anything
    else (a sticker, a voice note) is answered with `expected` and the question stays."""

    async def not_this(update: Update, _context: BotContext) -> None:
        await answer(update, expected)

    accepted = (filters.TEXT & ~filters.COMMAND) | filters.PHOTO | filters.Document.ALL
    return ConversationHandler(
        entry_points=[on(family, start)],
        states={state: [MessageHandler(accepted, take)]},
        fallbacks=[
            CommandHandler("cancel", make_cancel(draft_key)),
            MessageHandler(~filters.COMMAND, not_this),
        ],
        name=name,
        persistent=True,
        allow_reentry=True,
    )
