"""/results: a coordinator's results file in → preview → «Применить»; who left the risk zone.

As /directory: the preview checks the file and writes nothing; «Применить» reads the file
again by its Telegram file id (survives a restart) and commits only if no row is refused.
"""

from __future__ import annotations

from typing import cast

from telegram import Update
from telegram.ext import (
    Application,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import callbacks as cb
from bot import texts
from bot.handlers.conversation_kit import make_cancel, message_text, on, pressed
from bot.handlers.guard import guarded
from bot.handlers.heavy import off_lane
from bot.handlers.replies import answer
from bot.handlers.results.file_preview import FilePreview
from bot.models import Assessment
from bot.runtime import BotContext
from bot.services.errors import DomainError
from bot.services.reporting.school_card import find_in_scope
from bot.services.results import results
from bot.services.school_year import SchoolYear
from bot.services.tables import TableRefused

RESULTS_FILE, RESULTS_CONFIRM, ONE_SCHOOL, ONE_ASSESSMENT, ONE_YEAR, ONE_LINE = range(180, 186)
DRAFT = "results_import"
ONE = "results_one"  # a result typed for one school: school_id, school, assessment, year
CANCEL = (texts.BUTTON_CANCEL, cb.ResultsCancel().pack())
LEFT_RISK = (texts.BUTTON_RESULTS_LEFT_RISK, cb.ResultsLeftRisk().pack())


@guarded("results")
async def start(update: Update, context: BotContext) -> int:
    context.user_data.pop(DRAFT, None)
    context.user_data.pop(ONE, None)
    await answer(
        update,
        texts.RESULTS_INTRO,
        [[LEFT_RISK], [(texts.BUTTON_RESULTS_ONE, cb.ResultsOne().pack())], [CANCEL]],
    )
    return RESULTS_FILE


async def _check(
    update: Update, context: BotContext, content: bytes, file_name: str
) -> results.ResultsReport:
    default_year = SchoolYear.containing(context.now().date()).start
    try:
        parsed = await off_lane(
            update, context, results.read_results, content, file_name, default_year
        )
    except (TableRefused, results.ResultsRefused) as refused:
        raise DomainError(refused.code, **refused.params) from None
    return await results.check_results(context.session, context.actor, parsed)


async def _apply(context: BotContext, report: results.ResultsReport) -> str:
    await results.apply_results(context.session, context.actor, report)
    return texts.results_applied(report)


RESULTS_IMPORT = FilePreview(
    draft_key=DRAFT,
    check=_check,
    preview=texts.results_preview,
    apply=_apply,
    apply_data=cb.ResultsApply().pack(),
    cancel=CANCEL,
    file_state=RESULTS_FILE,
    confirm_state=RESULTS_CONFIRM,
)


@guarded("results")
async def receive_file(update: Update, context: BotContext) -> int:
    return await RESULTS_IMPORT.receive(update, context)


@guarded("results")
async def apply(update: Update, context: BotContext) -> int:
    return await RESULTS_IMPORT.confirm(update, context)


@guarded("results")
async def left_risk(update: Update, context: BotContext) -> int:
    year, moves = await results.left_risk_zone(context.session, context.actor)
    year = year if year is not None else SchoolYear.containing(context.now().date()).start
    text = texts.results_left_risk(moves, year, results.RISK_ZONE_FAIL_PERCENT)
    await answer(update, text)
    return ConversationHandler.END


# -- one school by taps -----------------------------------------------------------------


@guarded("results")
async def one_start(update: Update, context: BotContext) -> int:
    context.user_data[ONE] = {}
    await answer(update, texts.RESULTS_ONE_SCHOOL, [[CANCEL]], edit=True)
    return ONE_SCHOOL


@guarded("results")
async def one_school(update: Update, context: BotContext) -> int:
    query = message_text(update)[:100]
    found = await find_in_scope(context.session, context.actor, query)
    if len(found) != 1:
        text = texts.SCHOOL_NOT_FOUND if not found else texts.RESULTS_ONE_SEVERAL
        await answer(update, text, [[CANCEL]])
        return ONE_SCHOOL
    school = found[0]
    context.user_data[ONE] = {"school_id": school.id, "school": school.short_name}
    buttons = [
        (label, cb.ResultsAssessment(cast(cb.AssessmentCode, code)).pack())
        for code, label in texts.ASSESSMENT_LABELS.items()
    ]
    await answer(update, texts.results_one_assessment(school.short_name), [buttons, [CANCEL]])
    return ONE_ASSESSMENT


@guarded("results")
async def one_assessment(update: Update, context: BotContext) -> int:
    draft = context.user_data.get(ONE) or {}
    if not draft.get("school_id"):
        raise DomainError("results_file_gone")
    draft["assessment"] = pressed(update, cb.ResultsAssessment).code
    context.user_data[ONE] = draft
    this_year = SchoolYear.containing(context.now().date())
    years = [this_year, SchoolYear(this_year.start - 1)]
    await answer(
        update,
        texts.RESULTS_ONE_YEAR,
        [[(y.label, cb.ResultsYear(y.start).pack()) for y in years], [CANCEL]],
        edit=True,
    )
    return ONE_YEAR


@guarded("results")
async def one_year(update: Update, context: BotContext) -> int:
    draft = context.user_data.get(ONE) or {}
    if not draft.get("assessment"):
        raise DomainError("results_file_gone")
    draft["year"] = pressed(update, cb.ResultsYear).year
    context.user_data[ONE] = draft
    await answer(update, texts.RESULTS_ONE_LINE, [[CANCEL]], edit=True)
    return ONE_LINE


@guarded("results")
async def one_line(update: Update, context: BotContext) -> int:
    draft = context.user_data.get(ONE) or {}
    if not draft.get("year"):
        raise DomainError("results_file_gone")
    line = results.parse_typed_line(
        message_text(update),
        str(draft["school"]),
        Assessment(str(draft["assessment"])),
        int(draft["year"]),
    )
    if isinstance(line, results.Refusal):
        await answer(update, texts.results_one_refused(line), [[CANCEL]])
        return ONE_LINE
    report = await results.save_one(context.session, context.actor, int(draft["school_id"]), line)
    context.user_data.pop(ONE, None)
    await answer(update, texts.results_one_saved(str(draft["school"]), line, report.new))
    return ConversationHandler.END


cancel = make_cancel(DRAFT, ONE)


async def file_expected(update: Update, context: BotContext) -> None:
    await answer(update, texts.RESULTS_FILE_EXPECTED)


async def text_expected(update: Update, context: BotContext) -> None:
    await answer(update, texts.RESULTS_TEXT_EXPECTED)


def register(application: Application) -> None:
    application.add_handler(conversation())


def conversation() -> ConversationHandler:
    document = filters.Document.ALL
    return ConversationHandler(
        entry_points=[
            CommandHandler("results", start),
            on(cb.ResultsLeftRisk, left_risk),
        ],
        states={
            RESULTS_FILE: [
                MessageHandler(document, receive_file),
                on(cb.ResultsOne, one_start),
            ],
            ONE_SCHOOL: [
                MessageHandler(filters.TEXT & ~filters.COMMAND, one_school),
                MessageHandler(~filters.COMMAND, text_expected),
            ],
            ONE_ASSESSMENT: [on(cb.ResultsAssessment, one_assessment)],
            ONE_YEAR: [on(cb.ResultsYear, one_year)],
            ONE_LINE: [
                MessageHandler(filters.TEXT & ~filters.COMMAND, one_line),
                MessageHandler(~filters.COMMAND, text_expected),
            ],
            RESULTS_CONFIRM: [
                on(cb.ResultsApply, apply),
                MessageHandler(document, receive_file),
            ],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            on(cb.ResultsCancel, cancel),
            MessageHandler(~filters.COMMAND, file_expected),
        ],
        name="results_import",
        persistent=True,
        allow_reentry=True,
    )
