"""/risks: a school's risk profile, one tap per factor to change its level."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot import callbacks as cb
from bot import texts
from bot.handlers.conversation_kit import on, pressed
from bot.handlers.guard import guarded
from bot.handlers.replies import answer
from bot.handlers.school_choice import choose_or_single, chosen_school
from bot.runtime import BotContext
from bot.services.roadmaps import risk_profile, roadmaps
from bot.services.visits import visits


async def _year(context: BotContext, school_id: int) -> int:
    """The school year of the school's local today."""
    today = await visits.local_today(context.session, context.actor, school_id, context.now())
    return risk_profile.profile_year(today)


async def _show(update: Update, context: BotContext, school_id: int, edit: bool) -> None:
    school = await roadmaps.editable_school(context.session, context.actor, school_id)
    levels = await risk_profile.profile(context.session, school.id, await _year(context, school.id))
    buttons = [
        [
            (
                texts.risk_button(f"{f.factor_id}. {f.title}", f.level.value if f.level else None),
                cb.RiskToggle(school.id, f.factor_id).pack(),
            )
        ]
        for f in levels
    ]
    await answer(
        update, f"<b>{texts.e(school.short_name)}</b>\n{texts.RISKS_HEADER}", buttons, edit=edit
    )


@guarded("risks")
async def show_risks(update: Update, context: BotContext) -> None:
    school_id = await choose_or_single(update, context, cb.RiskSchool, editing=True)
    if school_id is not None:
        await _show(update, context, school_id, edit=False)


@guarded("risks")
async def risks_school(update: Update, context: BotContext) -> None:
    await _show(update, context, chosen_school(update, cb.RiskSchool), edit=True)


@guarded("risks")
async def toggle(update: Update, context: BotContext) -> None:
    data = pressed(update, cb.RiskToggle)
    await risk_profile.toggle(
        context.session,
        context.actor,
        data.school_id,
        data.factor_id,
        await _year(context, data.school_id),
    )
    await _show(update, context, data.school_id, edit=True)  # the school checked again there


def handlers() -> list:
    return [
        CommandHandler("risks", show_risks),
        on(cb.RiskSchool, risks_school),
        on(cb.RiskToggle, toggle),
    ]
