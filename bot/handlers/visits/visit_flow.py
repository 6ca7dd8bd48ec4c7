"""/visit: record a visit or a consultation by tapping, with a summary card to check.

The draft lives in user_data (persisted after every update), so a restart loses nothing;
starting again over an unfinished draft asks first.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from telegram import Update
from telegram.ext import (
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import callbacks as cb
from bot import texts
from bot.handlers.calendar import month_keyboard, parse_day, parse_month
from bot.handlers.conversation_kit import message_text, on, pressed
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
        [
            [
                (texts.BUTTON_RESUME, cb.VisitResume("go").pack()),
                (texts.BUTTON_START_OVER, cb.VisitResume("new").pack()),
            ]
        ],
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
        await _open_follow_ups_first(update, context, draft, options[0].label)
        return await prompt(update, context, DATE, draft)
    return await prompt(update, context, SCHOOL, draft, schools=options)


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
    visit_id = pressed(update, cb.VisitEdit).visit_id
    await visits.editable_visit(context.session, context.actor, visit_id, context.now())
    asked = await _ask_before_dropping(update, context, f"ed:{visit_id}")
    return asked if asked is not None else await _begin_edit(update, context, visit_id)


@guarded(ACTION)
async def resume_choice(update: Update, context: BotContext) -> int:
    """Continue the unfinished draft where it stopped, or do what was asked instead."""
    wanted = str(context.user_data.pop(PENDING, "new"))
    draft = load_draft(context)
    if pressed(update, cb.VisitResume).choice == "go" and draft.has_content():
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
    school_id = pressed(update, cb.VisitSchool).school_id
    school = await visits.curated_school(context.session, context.actor, school_id)
    draft.school_id = school.id
    await answer(update, texts.e(school.short_name), edit=True)
    await _open_follow_ups_first(update, context, draft, school.short_name)
    return await advance(update, context, DATE, draft)


async def _open_follow_ups_first(
    update: Update, context: BotContext, draft: VisitDraft, school: str
) -> None:
    """What was agreed last time and is not done yet comes before the new visit (overdue
    by the school's calendar, not UTC's)."""
    assert draft.school_id is not None
    today = await today_for(context, draft)
    lines = await follow_ups.open_for_school(context.session, draft.school_id, today)
    if lines:
        await answer(update, texts.visit_open_follow_ups(school, lines))


async def _set_date(
    update: Update,
    context: BotContext,
    draft: VisitDraft,
    day: date,
    today: date | None = None,
    pressed: bool = False,
) -> int:
    """Check the day, then (for a press) put it in place of the buttons, then go on.
    `today`: the school's today when the caller already has it."""
    assert draft.school_id is not None
    today = today or await today_for(context, draft)
    await visits.check_visit_date(context.session, draft.school_id, day, today)
    draft.visit_date = day.isoformat()
    if pressed:
        await answer(update, texts.fmt_date(day), edit=True)
    return await advance(update, context, FORMAT, draft)


@guarded(ACTION)
async def quick_date(update: Update, context: BotContext) -> int | None:
    draft = load_draft(context)
    choice = pressed(update, cb.VisitDay).day
    today = await today_for(context, draft)
    if choice == "cal":
        await answer(
            update,
            texts.VISIT_CHOOSE_DATE,
            month_keyboard(_calendar, today.year, today.month, latest=today),
            edit=True,
        )
        return None
    day = today - timedelta(days=int(choice == "1"))
    return await _set_date(update, context, draft, day, today, pressed=True)


def _calendar(value: str) -> str:
    return cb.VisitCalendar(value).pack()


@guarded(ACTION)
async def calendar_press(update: Update, context: BotContext) -> int | None:
    draft = load_draft(context)
    value = pressed(update, cb.VisitCalendar).value
    if value.startswith("m:") and (month := parse_month(value[2:])):
        latest = await today_for(context, draft)
        keyboard = month_keyboard(_calendar, *month, latest=latest)
        await answer(update, texts.VISIT_CHOOSE_DATE, keyboard, edit=True)
        return None
    if value.startswith("d:") and (day := parse_day(value[2:])):
        return await _set_date(update, context, draft, day, pressed=True)
    await acknowledge(update)
    return None


@guarded(ACTION)
async def typed_date(update: Update, context: BotContext) -> int:
    draft = load_draft(context)
    today = await today_for(context, draft)
    day = parse_past_date(message_text(update), today)
    return await _set_date(update, context, draft, day, today)


@guarded(ACTION)
async def pick_format(update: Update, context: BotContext) -> int:
    draft = load_draft(context)
    code = pressed(update, cb.VisitFormat).code
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
    data = pressed(update, cb.VisitPurpose)
    ident = data.target_id
    if data.kind == "pi":
        draft.purpose = await visits.purpose_from_item(context.session, draft.school_id, ident)
        draft.roadmap_item_id, draft.risk_factor_id = ident, None
    else:
        draft.purpose = await visits.purpose_from_factor(context.session, draft.school_id, ident)
        draft.roadmap_item_id, draft.risk_factor_id = None, ident
    await answer(update, texts.e(draft.purpose), edit=True)
    return await advance(update, context, PARTICIPANTS, draft)


@guarded(ACTION)
async def toggle_participant(update: Update, context: BotContext) -> None:
    draft = load_draft(context)
    draft.toggle_participant(pressed(update, cb.VisitParticipant).code)
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
        [(label, cb.VisitChangeField(key).pack()) for key, label in fields[i : i + 2]]
        for i in range(0, len(fields), 2)
    ]
    rows.append([(texts.BUTTON_BACK, cb.VisitChangeField("back").pack())])
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
    state = FIELD_STATES.get(pressed(update, cb.VisitChangeField).field, SUMMARY)
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
    def text(handler: Handler) -> MessageHandler[BotContext, Any]:
        return MessageHandler(TEXT, handler)

    buttons_only: MessageHandler[BotContext, object] = MessageHandler(NOT_COMMAND, use_buttons)
    return ConversationHandler(
        entry_points=[
            CommandHandler("visit", start),
            on(cb.VisitNew, start),
            on(cb.VisitEdit, start_edit),
        ],
        states={
            RESUME: [on(cb.VisitResume, resume_choice), buttons_only],
            SCHOOL: [on(cb.VisitSchool, pick_school), buttons_only],
            DATE: [
                on(cb.VisitDay, quick_date),
                on(cb.VisitCalendar, calendar_press),
                text(typed_date),
                MessageHandler(NOT_COMMAND, date_expected),
            ],
            FORMAT: [
                on(cb.VisitFormat, pick_format),
                buttons_only,
            ],
            FORMAT_OTHER: [text(typed_format)],
            PURPOSE: [text(typed_purpose), on(cb.VisitPurpose, picked_purpose)],
            PARTICIPANTS: [
                on(cb.VisitParticipant, toggle_participant),
                on(cb.VisitParticipantsDone, participants_done),
                buttons_only,
            ],
            PARTICIPANTS_OTHER: [text(typed_participants_other)],
            FINDINGS: [text(typed_findings)],
            RECOMMENDATIONS: [text(typed_recommendations)],
            NEXT_STEPS: [
                text(typed_next_step),
                on(cb.VisitStepsDone, next_steps_done),
                on(cb.VisitStepsClear, clear_list),
            ],
            ATTACHMENTS: [
                MessageHandler(NOT_COMMAND, attachment),
                on(cb.VisitFilesDone, attachments_done),
                on(cb.VisitFilesClear, clear_list),
            ],
            SUMMARY: [on(cb.VisitSave, save), on(cb.VisitChange, change), buttons_only],
            EDIT_FIELD: [on(cb.VisitChangeField, edit_field), buttons_only],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            on(cb.VisitCancel, cancel),
            MessageHandler(NOT_COMMAND, wrong_input),
        ],
        name="visit_new",
        persistent=True,
        allow_reentry=True,
    )
