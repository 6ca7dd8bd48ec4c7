"""/visit: record a visit or a consultation by tapping, with a summary card to check.

The draft lives in user_data (persisted after every update), so a restart loses nothing;
starting again over an unfinished draft asks first.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import texts
from bot.handlers.calendar import month_keyboard, parse_day, parse_month
from bot.handlers.conversation_kit import message_text
from bot.handlers.guard import Handler, guarded
from bot.handlers.replies import Buttons, acknowledge, answer
from bot.handlers.visits.visit_lists import (
    attachment,
    attachments_done,
    clear_list,
    next_steps_done,
    typed_next_step,
)
from bot.handlers.visits.visit_prompts import (
    ACTION,
    ATTACHMENTS,
    DATE,
    EDIT_FIELD,
    FINDINGS,
    FORMAT,
    FORMAT_OTHER,
    NEXT_STEPS,
    PARTICIPANTS,
    PARTICIPANTS_OTHER,
    PENDING,
    PURPOSE,
    RECOMMENDATIONS,
    RESUME,
    SCHOOL,
    SUMMARY,
    advance,
    drop_draft,
    keep_draft,
    load_draft,
    participant_buttons,
    prompt,
    school_name,
    today_for,
)
from bot.models import VisitFormat
from bot.runtime import BotContext
from bot.services.dates import parse_past_date
from bot.services.errors import DomainError
from bot.services.visits import follow_ups, visits
from bot.services.visits.visit_drafts import (
    MAX_FORMAT_OTHER,
    MAX_PARTICIPANTS_OTHER,
    VisitDraft,
)


def _data(update: Update) -> str:
    assert update.callback_query is not None
    return update.callback_query.data or ""


# -- entry ------------------------------------------------------------------------------


async def _ask_before_dropping(update: Update, context: BotContext, wanted: str) -> int | None:
    """An unfinished draft is not thrown away silently: ask to continue or start over."""
    draft = load_draft(context)
    if not draft.has_content():
        return None
    context.user_data[PENDING] = wanted
    await answer(
        update,
        texts.visit_resume_question(await school_name(context, draft), draft.day),
        [[(texts.BUTTON_RESUME, "vis:rs:go"), (texts.BUTTON_START_OVER, "vis:rs:new")]],
    )
    return RESUME


async def _begin(update: Update, context: BotContext) -> int:
    options = await visits.curated_schools(context.session, context.actor)
    if not options:
        drop_draft(context)
        await answer(update, texts.VISIT_NO_SCHOOLS)
        return ConversationHandler.END
    draft = VisitDraft()
    if len(options) == 1:
        draft.school_id = options[0].id
        await _open_follow_ups_first(update, context, options[0].id, options[0].label)
        return await prompt(update, context, DATE, draft)
    return await prompt(update, context, SCHOOL, draft)


async def _begin_edit(update: Update, context: BotContext, visit_id: int) -> int:
    draft = await visits.draft_from_visit(context.session, context.actor, visit_id, context.now())
    return await prompt(update, context, SUMMARY, draft)


@guarded(ACTION)
async def start(update: Update, context: BotContext) -> int:
    """Start a new visit: the school first, skipped when the curator has just one."""
    asked = await _ask_before_dropping(update, context, "new")
    return asked if asked is not None else await _begin(update, context)


@guarded(ACTION)
async def start_edit(update: Update, context: BotContext) -> int:
    """Reopen a saved visit (within the edit window) at its summary card."""
    visit_id = int(_data(update).rsplit(":", 1)[1])
    await visits.editable_visit(context.session, context.actor, visit_id, context.now())
    asked = await _ask_before_dropping(update, context, f"ed:{visit_id}")
    return asked if asked is not None else await _begin_edit(update, context, visit_id)


@guarded(ACTION)
async def resume_choice(update: Update, context: BotContext) -> int:
    """Continue the unfinished draft where it stopped, or do what was asked instead."""
    wanted = str(context.user_data.pop(PENDING, "new"))
    draft = load_draft(context)
    if _data(update).endswith(":go") and draft.has_content():
        await answer(update, texts.BUTTON_RESUME, edit=True)
        return await prompt(update, context, SUMMARY if draft.step is None else draft.step, draft)
    drop_draft(context)
    await answer(update, texts.BUTTON_START_OVER, edit=True)
    if wanted.startswith("ed:"):
        return await _begin_edit(update, context, int(wanted[3:]))
    return await _begin(update, context)


# -- steps ------------------------------------------------------------------------------


@guarded(ACTION)
async def pick_school(update: Update, context: BotContext) -> int:
    draft = load_draft(context)
    school = await visits.curated_school(context.session, context.actor, int(_data(update)[6:]))
    draft.school_id = school.id
    await answer(update, texts.e(school.short_name), edit=True)
    await _open_follow_ups_first(update, context, school.id, school.short_name)
    return await advance(update, context, DATE, draft)


async def _open_follow_ups_first(
    update: Update, context: BotContext, school_id: int, school: str
) -> None:
    """What was agreed last time and is not done yet comes before the new visit."""
    lines = await follow_ups.open_for_school(context.session, school_id, context.now().date())
    if lines:
        await answer(update, texts.visit_open_follow_ups(school, lines))


async def _set_date(
    update: Update, context: BotContext, draft: VisitDraft, day: date, pressed: bool = False
) -> int:
    """Check the day, then (for a press) put it in place of the buttons, then go on."""
    assert draft.school_id is not None
    await visits.check_visit_date(
        context.session, draft.school_id, day, await today_for(context, draft)
    )
    draft.visit_date = day.isoformat()
    if pressed:
        await answer(update, texts.fmt_date(day), edit=True)
    return await advance(update, context, FORMAT, draft)


@guarded(ACTION)
async def quick_date(update: Update, context: BotContext) -> int | None:
    draft = load_draft(context)
    choice = _data(update).rsplit(":", 1)[1]
    today = await today_for(context, draft)
    if choice == "cal":
        await answer(
            update,
            texts.VISIT_CHOOSE_DATE,
            month_keyboard("vis:c:", today.year, today.month, latest=today),
            edit=True,
        )
        return None
    day = today - timedelta(days=int(choice == "1"))
    return await _set_date(update, context, draft, day, pressed=True)


@guarded(ACTION)
async def calendar_press(update: Update, context: BotContext) -> int | None:
    draft = load_draft(context)
    value = _data(update).removeprefix("vis:c:")
    if value.startswith("m:") and (month := parse_month(value[2:])):
        latest = await today_for(context, draft)
        keyboard = month_keyboard("vis:c:", *month, latest=latest)
        await answer(update, texts.VISIT_CHOOSE_DATE, keyboard, edit=True)
        return None
    if value.startswith("d:") and (day := parse_day(value[2:])):
        return await _set_date(update, context, draft, day, pressed=True)
    await acknowledge(update)
    return None


@guarded(ACTION)
async def typed_date(update: Update, context: BotContext) -> int:
    draft = load_draft(context)
    day = parse_past_date(message_text(update), await today_for(context, draft))
    return await _set_date(update, context, draft, day)


@guarded(ACTION)
async def pick_format(update: Update, context: BotContext) -> int:
    draft = load_draft(context)
    code = _data(update).rsplit(":", 1)[1]
    draft.format = VisitFormat(code).value
    await answer(update, texts.VISIT_FORMAT_LABELS[code], edit=True)
    if code == VisitFormat.OTHER:
        return await prompt(update, context, FORMAT_OTHER, draft)
    draft.format_other = None
    return await advance(update, context, PURPOSE, draft)


@guarded(ACTION)
async def typed_format(update: Update, context: BotContext) -> int:
    draft = load_draft(context)
    draft.format_other = visits.check_text(message_text(update), MAX_FORMAT_OTHER)
    return await advance(update, context, PURPOSE, draft)


@guarded(ACTION)
async def typed_purpose(update: Update, context: BotContext) -> int:
    draft = load_draft(context)
    draft.purpose = visits.check_text(message_text(update))
    draft.roadmap_item_id = draft.risk_factor_id = None
    return await advance(update, context, PARTICIPANTS, draft)


@guarded(ACTION)
async def picked_purpose(update: Update, context: BotContext) -> int:
    draft = load_draft(context)
    assert draft.school_id is not None
    kind, ident = _data(update).split(":")[1:]
    if kind == "pi":
        draft.purpose = await visits.purpose_from_item(context.session, draft.school_id, int(ident))
        draft.roadmap_item_id, draft.risk_factor_id = int(ident), None
    else:
        draft.purpose = await visits.purpose_from_factor(
            context.session, draft.school_id, int(ident)
        )
        draft.roadmap_item_id, draft.risk_factor_id = None, int(ident)
    await answer(update, texts.e(draft.purpose), edit=True)
    return await advance(update, context, PARTICIPANTS, draft)


@guarded(ACTION)
async def toggle_participant(update: Update, context: BotContext) -> None:
    draft = load_draft(context)
    draft.toggle_participant(_data(update).rsplit(":", 1)[1])
    keep_draft(context, draft)
    await answer(update, texts.VISIT_PARTICIPANTS, participant_buttons(draft), edit=True)


@guarded(ACTION)
async def participants_done(update: Update, context: BotContext) -> int | None:
    draft = load_draft(context)
    if not draft.participants:
        await answer(update, texts.VISIT_PARTICIPANTS_NONE, alert=True)
        return None
    if "other" in draft.participants:
        return await prompt(update, context, PARTICIPANTS_OTHER, draft)
    draft.participants_other = None
    return await advance(update, context, FINDINGS, draft)


@guarded(ACTION)
async def typed_participants_other(update: Update, context: BotContext) -> int:
    draft = load_draft(context)
    draft.participants_other = visits.check_text(message_text(update), MAX_PARTICIPANTS_OTHER)
    return await advance(update, context, FINDINGS, draft)


@guarded(ACTION)
async def typed_findings(update: Update, context: BotContext) -> int:
    draft = load_draft(context)
    draft.findings = visits.check_text(message_text(update))
    return await advance(update, context, RECOMMENDATIONS, draft)


@guarded(ACTION)
async def typed_recommendations(update: Update, context: BotContext) -> int:
    draft = load_draft(context)
    draft.recommendations = visits.check_text(message_text(update))
    return await advance(update, context, NEXT_STEPS, draft)


# -- summary ----------------------------------------------------------------------------


@guarded(ACTION)
async def save(update: Update, context: BotContext) -> int:
    draft = load_draft(context)
    today = await today_for(context, draft)
    try:
        saved = await visits.save_visit(context.session, context.actor, draft, context.now(), today)
    except DomainError as error:
        if error.code != "visit_already_saved":
            raise
        # Saved before, but the bot stopped before it could forget the draft: end here.
        await context.session.rollback()
        drop_draft(context)
        await answer(update, texts.error(error.code), edit=True)
        return ConversationHandler.END
    drop_draft(context)
    # The saved visit's findings go to the practice bank with one tap (issue 18).
    to_bank = [[texts.practice_button(saved.id)]] if (saved.findings or "").strip() else None
    await answer(
        update, texts.VISIT_UPDATED if draft.visit_id else texts.VISIT_SAVED, to_bank, edit=True
    )
    return ConversationHandler.END


@guarded(ACTION)
async def change(update: Update, context: BotContext) -> int:
    fields = list(texts.VISIT_FIELD_LABELS.items())
    rows: Buttons = [
        [(label, f"vis:ef:{key}") for key, label in fields[i : i + 2]]
        for i in range(0, len(fields), 2)
    ]
    rows.append([(texts.BUTTON_BACK, "vis:ef:back")])
    await answer(update, texts.VISIT_CHOOSE_FIELD, rows, edit=True)
    return EDIT_FIELD


FIELD_STATES = {
    "school": SCHOOL,
    "date": DATE,
    "format": FORMAT,
    "purpose": PURPOSE,
    "participants": PARTICIPANTS,
    "findings": FINDINGS,
    "recommendations": RECOMMENDATIONS,
    "next": NEXT_STEPS,
    "attachments": ATTACHMENTS,
    "back": SUMMARY,
}


@guarded(ACTION)
async def edit_field(update: Update, context: BotContext) -> int:
    draft = load_draft(context)
    state = FIELD_STATES.get(_data(update).rsplit(":", 1)[1], SUMMARY)
    draft.editing = state != SUMMARY
    return await prompt(update, context, state, draft)


@guarded(None)
async def cancel(update: Update, context: BotContext) -> int:
    drop_draft(context)
    await answer(update, texts.CANCELLED, edit=update.callback_query is not None)
    return ConversationHandler.END


async def wrong_input(update: Update, context: BotContext) -> None:
    """A sticker, voice or photo where text is asked."""
    await answer(update, texts.TEXT_EXPECTED)


async def use_buttons(update: Update, context: BotContext) -> None:
    """Anything typed or sent where a button is asked."""
    await answer(update, texts.USE_BUTTONS)


async def date_expected(update: Update, context: BotContext) -> None:
    """A sticker, voice or file where a date is asked."""
    await answer(update, texts.VISIT_DATE_EXPECTED)


TEXT = filters.TEXT & ~filters.COMMAND
NOT_COMMAND = ~filters.COMMAND


def conversation() -> ConversationHandler:
    def cb(handler: Handler, pattern: str) -> CallbackQueryHandler[BotContext, Any]:
        return CallbackQueryHandler(handler, pattern=pattern)

    def text(handler: Handler) -> MessageHandler[BotContext, Any]:
        return MessageHandler(TEXT, handler)

    buttons_only: MessageHandler[BotContext, object] = MessageHandler(NOT_COMMAND, use_buttons)
    return ConversationHandler(
        entry_points=[
            CommandHandler("visit", start),
            cb(start, r"^vis:new$"),
            cb(start_edit, r"^vis:ed:\d{1,9}$"),
        ],
        states={
            RESUME: [cb(resume_choice, r"^vis:rs:(go|new)$"), buttons_only],
            SCHOOL: [cb(pick_school, r"^vis:s:\d{1,9}$"), buttons_only],
            DATE: [
                cb(quick_date, r"^vis:dt:(0|1|cal)$"),
                cb(calendar_press, r"^vis:c:"),
                text(typed_date),
                MessageHandler(NOT_COMMAND, date_expected),
            ],
            FORMAT: [
                cb(pick_format, r"^vis:f:(on_site|remote|phone|joint_event|other)$"),
                buttons_only,
            ],
            FORMAT_OTHER: [text(typed_format)],
            PURPOSE: [text(typed_purpose), cb(picked_purpose, r"^vis:(pi|pr):\d{1,9}$")],
            PARTICIPANTS: [
                cb(toggle_participant, r"^vis:p:[a-z_]+$"),
                cb(participants_done, r"^vis:pd$"),
                buttons_only,
            ],
            PARTICIPANTS_OTHER: [text(typed_participants_other)],
            FINDINGS: [text(typed_findings)],
            RECOMMENDATIONS: [text(typed_recommendations)],
            NEXT_STEPS: [
                text(typed_next_step),
                cb(next_steps_done, r"^vis:nd$"),
                cb(clear_list, r"^vis:nc$"),
            ],
            ATTACHMENTS: [
                MessageHandler(NOT_COMMAND, attachment),
                cb(attachments_done, r"^vis:ad$"),
                cb(clear_list, r"^vis:ac$"),
            ],
            SUMMARY: [cb(save, r"^vis:save$"), cb(change, r"^vis:chg$"), buttons_only],
            EDIT_FIELD: [cb(edit_field, r"^vis:ef:[a-z]+$"), buttons_only],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            cb(cancel, r"^vis:x$"),
            MessageHandler(NOT_COMMAND, wrong_input),
        ],
        name="visit_new",
        persistent=True,
        allow_reentry=True,
    )
