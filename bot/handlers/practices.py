"""/practices: the region's practice bank by risk factor or by words; a visit saved to it."""

from __future__ import annotations

from sqlalchemy import select
from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import texts
from bot.handlers.guard import guarded
from bot.handlers.replies import answer
from bot.models import RiskFactor
from bot.runtime import BotContext
from bot.services import practices


@guarded("practices")
async def show(update: Update, context: BotContext) -> None:
    query = " ".join(context.args or [])[:200]
    if query.strip():
        found = await practices.browse(context.session, context.actor, query=query)
        await answer(update, texts.practices_list(found, f"Поиск: {query[:60]}"))
        return
    factors = (
        await context.session.execute(
            select(RiskFactor.id, RiskFactor.title).order_by(RiskFactor.id)
        )
    ).all()
    buttons = [[(f"{number}. {title[:40]}", f"prc:f:{number}")] for number, title in factors]
    buttons.append([(texts.BUTTON_PRACTICES_ALL, "prc:f:0")])
    await answer(update, texts.PRACTICES_INTRO, buttons)


@guarded("practices")
async def by_factor(update: Update, context: BotContext) -> None:
    assert update.callback_query is not None
    factor = int((update.callback_query.data or "").rsplit(":", 1)[1])
    found = await practices.browse(context.session, context.actor, risk_factor_id=factor or None)
    heading = f"Фактор риска {factor}" if factor else texts.BUTTON_PRACTICES_ALL
    await answer(update, texts.practices_list(found, heading))


@guarded("practice_new")
async def from_visit(update: Update, context: BotContext) -> None:
    assert update.callback_query is not None
    visit_id = int((update.callback_query.data or "").rsplit(":", 1)[1])
    practice = await practices.from_visit(context.session, context.actor, visit_id)
    await context.commit()
    await answer(update, texts.practice_saved(practice.title))


def register(application: Application) -> None:
    application.add_handler(CommandHandler("practices", show))
    application.add_handler(CallbackQueryHandler(by_factor, pattern=r"^prc:f:\d{1,2}$"))
    application.add_handler(CallbackQueryHandler(from_visit, pattern=r"^prc:v:\d{1,9}$"))
