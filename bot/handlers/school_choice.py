"""Asking which school, when a person has more than one in scope."""

from __future__ import annotations

from telegram import Update

from bot import callbacks as cb
from bot import texts
from bot.handlers.conversation_kit import pressed
from bot.handlers.replies import answer
from bot.runtime import BotContext
from bot.services.roadmaps.roadmaps import schools_for


async def choose_or_single(
    update: Update, context: BotContext, family: type[cb.SchoolChoice], *, editing: bool
) -> int | None:
    """The only school's id, or None after offering buttons of the `family`."""
    choices = await schools_for(context.session, context.actor, editing=editing)
    if len(choices) == 1:
        return choices[0].id
    if not choices:
        await answer(update, texts.ERRORS["roadmap_edit_denied"] if editing else texts.REFUSED)
        return None
    buttons = [(c.label, family(c.id).pack()) for c in choices]
    rows = [buttons[start : start + 2] for start in range(0, len(buttons), 2)]
    await answer(update, texts.ROADMAP_CHOOSE_SCHOOL, rows)
    return None


def chosen_school(update: Update, family: type[cb.SchoolChoice]) -> int:
    return pressed(update, family).school_id
