"""The end of a school year by taps: carry an unfinished item over, or close it.

From the rollover message (carry all, or list the items) and from an item's card.
"""

from __future__ import annotations

from datetime import date

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
from bot.handlers.replies import Buttons, answer
from bot.runtime import BotContext
from bot.services.errors import AccessDenied
from bot.services.roadmaps import carry_over, roadmaps
from bot.services.school_year import SchoolYear
from bot.services.visits import visits

CLOSE_NOTE = 50
DRAFT = "item_close"


async def _today(context: BotContext, school_id: int | None) -> date:
    return await visits.local_today(context.session, context.actor, school_id, context.now())


def settle_buttons(item_id: int, roadmap_year: int) -> Buttons:
    """The card's row for an unsettled item whose year is over (or ends this summer)."""
    return [
        [
            (texts.carry_button(SchoolYear(roadmap_year + 1).label), cb.CarryItem(item_id).pack()),
            (texts.BUTTON_CLOSE_ITEM, cb.CloseItem(item_id).pack()),
        ]
    ]


@guarded("item_settle")
async def carry_item(update: Update, context: BotContext) -> None:
    item_id = pressed(update, cb.CarryItem).item_id
    item, school = await roadmaps.visible_item(context.session, context.actor, item_id)
    result = await carry_over.carry_over(
        context.session, context.actor, item.id, today=await _today(context, school.id)
    )
    await answer(update, texts.item_carried(result.number, result.year_label, result.changed))


@guarded("item_settle")
async def carry_all(update: Update, context: BotContext) -> None:
    data = pressed(update, cb.CarryAll)
    school_id, year = data.school_id, data.year
    school, label, count = await carry_over.carry_all(
        context.session, context.actor, school_id, year, today=await _today(context, school_id)
    )
    await answer(update, texts.carried_all(school, label, count))


@guarded("item_settle")
async def list_items(update: Update, context: BotContext) -> None:
    data = pressed(update, cb.SettleList)
    school_id, year = data.school_id, data.year
    found = await carry_over.open_items(
        context.session, context.actor, school_id, year, today=await _today(context, school_id)
    )
    buttons: Buttons = [
        [(f"{number}. {measure[:40]}", cb.ItemOpen(item_id).pack())]
        for item_id, number, measure in found.items
    ]
    await answer(
        update,
        texts.settle_list(found.school, found.year.label, found.total, len(found.items)),
        buttons,
    )


@guarded("item_settle")
async def ask_note(update: Update, context: BotContext) -> int:
    item_id = pressed(update, cb.CloseItem).item_id
    item, school = await roadmaps.visible_item(context.session, context.actor, item_id)
    if not carry_over.may_settle(context.actor, school):
        raise AccessDenied("carry_over_denied")
    context.user_data[DRAFT] = {"item_id": item.id}
    await answer(
        update,
        texts.CLOSE_ITEM_PROMPT.format(number=texts.e(item.number)),
        [
            [(texts.BUTTON_CLOSE_NO_NOTE, cb.CloseNoNote().pack())],
            [(texts.BUTTON_CANCEL, cb.CloseCancel().pack())],
        ],
    )
    return CLOSE_NOTE


async def _close(update: Update, context: BotContext, note: str | None) -> int:
    item_id = int((context.user_data.get(DRAFT) or {}).get("item_id", 0))
    item, school = await roadmaps.visible_item(context.session, context.actor, item_id)
    result = await carry_over.close(
        context.session, context.actor, item.id, note, today=await _today(context, school.id)
    )
    context.user_data.pop(DRAFT, None)
    await answer(update, texts.item_closed(result.number, result.changed))
    return ConversationHandler.END


@guarded("item_settle")
async def close_with_note(update: Update, context: BotContext) -> int:
    return await _close(update, context, message_text(update))


@guarded("item_settle")
async def close_without_note(update: Update, context: BotContext) -> int:
    return await _close(update, context, None)


cancel = make_cancel(DRAFT)


def close_conversation() -> ConversationHandler:
    return ConversationHandler(
        entry_points=[on(cb.CloseItem, ask_note)],
        states={
            CLOSE_NOTE: [
                MessageHandler(filters.TEXT & ~filters.COMMAND, close_with_note),
                on(cb.CloseNoNote, close_without_note),
            ]
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            on(cb.CloseCancel, cancel),
            MessageHandler(~filters.COMMAND, text_expected),
        ],
        name="roadmap_item_close",
        persistent=True,
        allow_reentry=True,
    )


def handlers() -> list:
    return [
        close_conversation(),
        on(cb.CarryItem, carry_item),
        on(cb.CarryAll, carry_all),
        on(cb.SettleList, list_items),
    ]
