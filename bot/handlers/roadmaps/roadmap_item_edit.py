"""Editing one roadmap item from its card: pick a field, type the new value."""

from __future__ import annotations

from typing import cast

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
from bot.handlers.replies import answer
from bot.handlers.roadmaps.roadmap_progress import show_card
from bot.models import RoadmapItem
from bot.runtime import BotContext
from bot.services.errors import AccessDenied
from bot.services.roadmaps import roadmaps

EDIT_VALUE = 40
DRAFT = "roadmap_edit"


def _current(item: RoadmapItem, field: str) -> str:
    value = {
        "measure": item.measure,
        "deadline": item.deadline_text,
        "responsible": item.responsible,
        "expected": item.expected_result,
    }[field]
    return texts.e((value or "—")[:300])


@guarded("item_edit")
async def choose_field(update: Update, context: BotContext) -> None:
    """Which field of the item to change (only for those who may change the roadmap)."""
    item_id = pressed(update, cb.ItemEdit).item_id
    item, school = await roadmaps.visible_item(context.session, context.actor, item_id)
    if not roadmaps.may_edit_roadmap(context.actor, school):
        raise AccessDenied("roadmap_edit_denied")
    buttons = [
        [(label, cb.ItemEditField(item.id, cast(cb.ItemField, field)).pack())]
        for field, label in texts.ITEM_EDIT_FIELDS.items()
    ]
    buttons.append([(texts.BUTTON_BACK, cb.ItemOpen(item.id).pack())])
    await answer(update, f"{texts.e(item.number)}. {texts.ITEM_EDIT_CHOOSE}", buttons, edit=True)


@guarded("item_edit")
async def start_edit(update: Update, context: BotContext) -> int:
    data = pressed(update, cb.ItemEditField)
    field = data.field
    item, school = await roadmaps.visible_item(context.session, context.actor, data.item_id)
    if not roadmaps.may_edit_roadmap(context.actor, school):
        raise AccessDenied("roadmap_edit_denied")
    context.user_data[DRAFT] = {"item_id": item.id, "field": field}
    await answer(
        update,
        texts.ITEM_EDIT_PROMPT.format(
            current=_current(item, field), field=texts.ITEM_EDIT_FIELDS[field]
        ),
        [[(texts.BUTTON_CANCEL, cb.RoadmapCancel().pack())]],
        edit=True,
    )
    return EDIT_VALUE


@guarded("item_edit")
async def save_value(update: Update, context: BotContext) -> int:
    assert update.effective_message is not None
    draft = context.user_data.get(DRAFT) or {}
    item = await roadmaps.edit_item(
        context.session,
        context.actor,
        int(draft.get("item_id", 0)),
        str(draft.get("field", "")),
        message_text(update),
    )
    context.user_data.pop(DRAFT, None)
    await answer(update, texts.ITEM_EDITED)
    await show_card(update, context, item.id, edit=False)
    return ConversationHandler.END


cancel = make_cancel(DRAFT)


def edit_conversation() -> ConversationHandler:
    return ConversationHandler(
        entry_points=[on(cb.ItemEditField, start_edit)],
        states={EDIT_VALUE: [MessageHandler(filters.TEXT & ~filters.COMMAND, save_value)]},
        fallbacks=[
            CommandHandler("cancel", cancel),
            on(cb.RoadmapCancel, cancel),
            MessageHandler(~filters.COMMAND, text_expected),
        ],
        name="roadmap_item_edit",
        persistent=True,
        allow_reentry=True,
    )


def handlers() -> list:
    return [on(cb.ItemEdit, choose_field)]
