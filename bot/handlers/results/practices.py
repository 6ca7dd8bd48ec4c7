"""/practices: the region's practice bank by risk factor or by words; a visit saved to it."""

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
from bot.handlers.conversation_kit import make_cancel, message_text, on, pressed
from bot.handlers.guard import guarded
from bot.handlers.replies import answer
from bot.runtime import BotContext
from bot.services.access.permissions import allowed
from bot.services.errors import DomainError
from bot.services.reporting.school_card import find_in_scope
from bot.services.results import practices


@guarded("practices")
async def show(update: Update, context: BotContext) -> None:
    query = " ".join(context.args or [])[:200]
    if query.strip():
        found = await practices.browse(context.session, context.actor, query=query)
        await answer(update, texts.practices_list(found, texts.practices_search_heading(query)))
        return
    factors = await practices.risk_factor_choices(context.session)
    buttons = [
        [(f"{number}. {title[:40]}", cb.PracticesByFactor(number).pack())]
        for number, title in factors
    ]
    buttons.append([(texts.BUTTON_PRACTICES_ALL, cb.PracticesByFactor(0).pack())])
    if allowed(context.actor.roles, "practice_new"):
        buttons.append([(texts.BUTTON_PRACTICE_NEW, cb.PracticeNew().pack())])
    await answer(update, texts.PRACTICES_INTRO, buttons)


@guarded("practices")
async def by_factor(update: Update, context: BotContext) -> None:
    factor = pressed(update, cb.PracticesByFactor).factor
    found = await practices.browse(context.session, context.actor, risk_factor_id=factor or None)
    heading = texts.practices_factor_heading(factor) if factor else texts.BUTTON_PRACTICES_ALL
    await answer(update, texts.practices_list(found, heading))


@guarded("practice_new")
async def from_visit(update: Update, context: BotContext) -> None:
    visit_id = pressed(update, cb.PracticeFromVisit).visit_id
    practice = await practices.from_visit(context.session, context.actor, visit_id)
    await answer(update, texts.practice_saved(practice.title))


# -- a practice typed in a short conversation ------------------------------------------------

SCHOOL, TITLE, FACTOR, WHAT, RESULT = range(200, 205)
DRAFT = "practice_draft"
CANCEL = (texts.BUTTON_CANCEL, cb.PracticeCancel().pack())


@guarded("practice_new")
async def new(update: Update, context: BotContext) -> int:
    context.user_data[DRAFT] = {}
    await answer(update, texts.PRACTICE_ASK_SCHOOL, [[CANCEL]])
    return SCHOOL


def _draft(context: BotContext, needed: str) -> dict:
    draft = context.user_data.get(DRAFT) or {}
    if needed not in draft:
        raise DomainError("practice_draft_gone")
    return draft


async def _too_long(update: Update, text: str, limit: int) -> bool:
    if len(text) > limit:
        await answer(update, texts.practice_too_long(len(text), limit), [[CANCEL]])
        return True
    return False


@guarded("practice_new")
async def school(update: Update, context: BotContext) -> int:
    found = await find_in_scope(context.session, context.actor, message_text(update)[:100])
    if len(found) != 1:
        await answer(update, texts.SCHOOL_NOT_FOUND, [[CANCEL]])
        return SCHOOL
    context.user_data[DRAFT] = {"school_id": found[0].id}
    await answer(update, texts.PRACTICE_ASK_TITLE, [[CANCEL]])
    return TITLE


@guarded("practice_new")
async def title(update: Update, context: BotContext) -> int:
    draft = _draft(context, "school_id")
    text = message_text(update).strip()
    if await _too_long(update, text, practices.TITLE_LENGTH) or not text:
        return TITLE
    draft["title"] = text
    context.user_data[DRAFT] = draft
    factors = await practices.risk_factor_choices(context.session)
    buttons = [
        [(f"{number}. {name[:40]}", cb.PracticeFactor(number).pack())] for number, name in factors
    ]
    buttons.append([(texts.BUTTON_PRACTICE_NO_FACTOR, cb.PracticeFactor(0).pack())])
    await answer(update, texts.PRACTICE_ASK_FACTOR, buttons)
    return FACTOR


@guarded("practice_new")
async def factor(update: Update, context: BotContext) -> int:
    draft = _draft(context, "title")
    number = pressed(update, cb.PracticeFactor).factor
    draft["factors"] = [number] if number else []
    context.user_data[DRAFT] = draft
    await answer(update, texts.PRACTICE_ASK_WHAT, [[CANCEL]], edit=True)
    return WHAT


@guarded("practice_new")
async def what(update: Update, context: BotContext) -> int:
    draft = _draft(context, "factors")
    text = message_text(update).strip()
    if await _too_long(update, text, practices.TEXT_LENGTH) or not text:
        return WHAT
    draft["what"] = text
    context.user_data[DRAFT] = draft
    await answer(update, texts.PRACTICE_ASK_RESULT, [[CANCEL]])
    return RESULT


@guarded("practice_new")
async def result(update: Update, context: BotContext) -> int:
    draft = _draft(context, "what")
    text = message_text(update).strip()
    if await _too_long(update, text, practices.TEXT_LENGTH):
        return RESULT
    practice = await practices.save_practice(
        context.session,
        context.actor,
        school_id=int(draft["school_id"]),
        title=str(draft["title"]),
        risk_factor_ids=list(draft["factors"]),
        what_done=str(draft["what"]),
        result=None if text in ("", "-", "—") else text,
    )
    context.user_data.pop(DRAFT, None)
    await answer(update, texts.practice_saved(practice.title))
    return ConversationHandler.END


async def text_expected(update: Update, context: BotContext) -> None:
    await answer(update, texts.PRACTICE_TEXT_EXPECTED)


cancel = make_cancel(DRAFT)


def conversation() -> ConversationHandler:
    typed_text = filters.TEXT & ~filters.COMMAND
    return ConversationHandler(
        entry_points=[on(cb.PracticeNew, new)],
        states={
            SCHOOL: [MessageHandler(typed_text, school)],
            TITLE: [MessageHandler(typed_text, title)],
            FACTOR: [on(cb.PracticeFactor, factor)],
            WHAT: [MessageHandler(typed_text, what)],
            RESULT: [MessageHandler(typed_text, result)],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            on(cb.PracticeCancel, cancel),
            MessageHandler(~filters.COMMAND, text_expected),
        ],
        name="practice_new",
        persistent=True,
        allow_reentry=True,
    )


def register(application: Application) -> None:
    application.add_handler(conversation())
    application.add_handler(CommandHandler("practices", show))
    application.add_handler(on(cb.PracticesByFactor, by_factor))
    application.add_handler(on(cb.PracticeFromVisit, from_visit))
