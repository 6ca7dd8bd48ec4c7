"""Administration: /audit shows an admin the latest changes; /new_year rolls the school year."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot import callbacks as cb
from bot import texts
from bot.handlers.conversation_kit import on, pressed
from bot.handlers.guard import guarded
from bot.handlers.replies import answer
from bot.runtime import BotContext
from bot.services.access import audit_log
from bot.services.roadmaps import rollover
from bot.services.school_year import SchoolYear


@guarded("audit")
async def show_audit(update: Update, context: BotContext) -> None:
    """The 20 most recent audit records, newest first."""
    lines = await audit_log.recent(context.session, limit=20)
    await answer(update, texts.audit_lines(lines, context.runtime.settings.default_timezone))


@guarded("new_year")
async def offer_new_year(update: Update, context: BotContext) -> None:
    """A dry run first, for the next school year or (rolled over late) the current one."""
    current = SchoolYear.containing(context.now().date())
    await answer(
        update,
        texts.ROLLOVER_ASK,
        [
            [(texts.rollover_button(year.label, True), cb.NewYearDryRun(year.start).pack())]
            for year in (current.next(), current)
        ],
    )


@guarded("new_year")
async def dry_run_new_year(update: Update, context: BotContext) -> None:
    new = SchoolYear(pressed(update, cb.NewYearDryRun).year)
    result = await rollover.new_school_year(
        context.session, new, today=context.now().date(), dry_run=True
    )
    await context.session.rollback()
    await answer(
        update,
        texts.rollover_report(result),
        [[(texts.rollover_button(new.label, False), cb.NewYearRun(new.start).pack())]],
        edit=True,
    )


@guarded("new_year")
async def run_new_year(update: Update, context: BotContext) -> None:
    result = await rollover.new_school_year(
        context.session,
        SchoolYear(pressed(update, cb.NewYearRun).year),
        today=context.now().date(),
        dry_run=False,
        actor_person_id=context.actor.person_id,
        now=context.now(),
    )
    done = texts.ROLLOVER_DONE if result.changed else texts.ROLLOVER_NOTHING
    await answer(update, done + "\n\n" + texts.rollover_report(result), edit=True)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("audit", show_audit))
    application.add_handler(CommandHandler("new_year", offer_new_year))
    application.add_handler(on(cb.NewYearDryRun, dry_run_new_year))
    application.add_handler(on(cb.NewYearRun, run_new_year))
