"""Changing one roadmap item in the bot: its text, deadline or responsible people."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import texts
from bot.handlers.guard import guarded
from bot.handlers.replies import answer
from bot.runtime import BotContext
from bot.services import roadmaps

VALUE = 70
EDITING = "roadmap_item_edit"


@guarded("item_new")
async def choose_field(update: Update, context: BotContext) -> None:
    assert update.callback_query is not None
    item_id = int((update.callback_query.data or "").rsplit(":", 1)[1])
    _item, school = await roadmaps.visible_item(context.session, context.actor, item_id)
    if not roadmaps.may_edit_roadmap(context.actor, school):
        await answer(update, texts.error("roadmap_edit_denied"), alert=True)
        return
    await answer(
        update,
        texts.EVENT_EDIT_CHOOSE,
        [[(label, f"rm:ef:{item_id}:{key}")] for key, label in texts.ITEM_EDIT_FIELDS.items()],
    )


@guarded("item_new")
async def ask_value(update: Update, context: BotContext) -> int:
    assert update.callback_query is not None
    _, _, item_id, field = (update.callback_query.data or "").split(":")
    _item, school = await roadmaps.visible_item(context.session, context.actor, int(item_id))
    if not roadmaps.may_edit_roadmap(context.actor, school):
        await answer(update, texts.error("roadmap_edit_denied"), alert=True)
        return ConversationHandler.END
    context.user_data[EDITING] = {"item_id": int(item_id), "field": field}
    prompt = texts.ITEM_NEW_DEADLINE if field == "deadline" else f"{texts.ITEM_EDIT_FIELDS[field]}:"
    await answer(update, prompt, [[(texts.BUTTON_CANCEL, "rm:x")]])
    return VALUE


@guarded("item_new")
async def save_value(update: Update, context: BotContext) -> int:
    assert update.effective_message is not None
    state = context.user_data.get(EDITING) or {}
    item = await roadmaps.edit_item(
        context.session,
        context.actor,
        int(state["item_id"]),
        state["field"],
        update.effective_message.text or "",
        context.now().year,
    )
    await context.commit()
    context.user_data.pop(EDITING, None)
    await answer(
        update, texts.item_edited(item.number), [[(texts.BUTTON_OPEN_ITEM, f"rm:o:{item.id}")]]
    )
    return ConversationHandler.END


@guarded(None)
async def cancel(update: Update, context: BotContext) -> int:
    context.user_data.pop(EDITING, None)
    await answer(update, texts.CANCELLED, edit=update.callback_query is not None)
    return ConversationHandler.END


async def text_expected(update: Update, context: BotContext) -> None:
    await answer(update, texts.TEXT_EXPECTED)


def conversation() -> ConversationHandler:
    return ConversationHandler(
        entry_points=[
            CallbackQueryHandler(ask_value, pattern=r"^rm:ef:\d+:(measure|deadline|responsible)$")
        ],
        states={VALUE: [MessageHandler(filters.TEXT & ~filters.COMMAND, save_value)]},
        fallbacks=[
            CommandHandler("cancel", cancel),
            CallbackQueryHandler(cancel, pattern=r"^rm:x$"),
            MessageHandler(~filters.COMMAND, text_expected),
        ],
        name="roadmap_item_edit",
        persistent=True,
        allow_reentry=True,
    )


def handlers() -> list:
    return [CallbackQueryHandler(choose_field, pattern=r"^rm:ie:\d+$")]
