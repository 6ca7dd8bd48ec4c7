"""/training: a course table in → preview → «Применить»; `/training 17 42` sets staff count."""

from __future__ import annotations

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
from bot.handlers.conversation_kit import make_cancel, on
from bot.handlers.guard import guarded
from bot.handlers.heavy import off_lane
from bot.handlers.replies import answer
from bot.handlers.results.file_preview import FilePreview
from bot.runtime import BotContext
from bot.services.errors import DomainError
from bot.services.reporting.school_card import find_in_scope
from bot.services.results import training
from bot.services.results.results import ResultsRefused
from bot.services.tables import TableRefused

TRAINING_FILE, TRAINING_CONFIRM = range(190, 192)
DRAFT = "training_import"
CANCEL = (texts.BUTTON_CANCEL, cb.TrainingCancel().pack())


@guarded("training")
async def start(update: Update, context: BotContext) -> int:
    context.user_data.pop(DRAFT, None)
    args = context.args or []
    if len(args) >= 2 and args[-1].isdigit():
        found = await find_in_scope(context.session, context.actor, " ".join(args[:-1])[:100])
        if len(found) != 1:
            await answer(update, texts.SCHOOL_NOT_FOUND)
            return ConversationHandler.END
        await training.set_staff_count(context.session, context.actor, found[0], int(args[-1]))
        text = texts.TRAINING_STAFF_SAVED.format(
            school=texts.e(found[0].short_name), count=int(args[-1])
        )
        await answer(update, text)
        return ConversationHandler.END
    await answer(update, texts.TRAINING_INTRO, [[CANCEL]])
    return TRAINING_FILE


async def _check(
    update: Update, context: BotContext, content: bytes, file_name: str
) -> training.CoursesReport:
    try:
        parsed = await off_lane(update, context, training.read_courses, content, file_name)
    except (TableRefused, ResultsRefused) as refused:
        raise DomainError(refused.code, **refused.params) from None
    return await training.check_courses(context.session, context.actor, parsed)


async def _apply(context: BotContext, report: training.CoursesReport) -> str:
    return texts.training_applied(
        await training.apply_courses(context.session, context.actor, report)
    )


COURSES_FILE = FilePreview(
    draft_key=DRAFT,
    check=_check,
    preview=texts.training_preview,
    apply=_apply,
    apply_data=cb.TrainingApply().pack(),
    cancel=CANCEL,
    file_state=TRAINING_FILE,
    confirm_state=TRAINING_CONFIRM,
)


@guarded("training")
async def receive_file(update: Update, context: BotContext) -> int:
    return await COURSES_FILE.receive(update, context)


@guarded("training")
async def apply(update: Update, context: BotContext) -> int:
    return await COURSES_FILE.confirm(update, context)


cancel = make_cancel(DRAFT)


async def file_expected(update: Update, context: BotContext) -> None:
    await answer(update, texts.TRAINING_FILE_EXPECTED)


def register(application: Application) -> None:
    document = filters.Document.ALL
    application.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("training", start)],
            states={
                TRAINING_FILE: [MessageHandler(document, receive_file)],
                TRAINING_CONFIRM: [
                    on(cb.TrainingApply, apply),
                    MessageHandler(document, receive_file),
                ],
            },
            fallbacks=[
                CommandHandler("cancel", cancel),
                on(cb.TrainingCancel, cancel),
                MessageHandler(~filters.COMMAND, file_expected),
            ],
            name="training_import",
            persistent=True,
            allow_reentry=True,
        )
    )
