"""/visit: record a visit or a consultation by tapping, with a summary card to check.

The draft lives in user_data (persisted after every update), so a restart loses nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

from telegram import Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import texts
from bot.handlers.calendar import month_keyboard, parse_day, parse_month
from bot.handlers.conversation_kit import callback_data, make_cancel, message_text, wrong_input
from bot.handlers.guard import guarded
from bot.handlers.replies import Buttons, acknowledge, answer
from bot.models import School, VisitFormat
from bot.runtime import BotContext
from bot.services import visits
from bot.services.dates import find_trailing_date, parse_user_date
from bot.services.errors import DomainError
from bot.services.visit_drafts import (
    MAX_FOLLOW_UPS,
    PARTICIPANT_CODES,
    DraftAttachment,
    VisitDraft,
)

(
    SCHOOL,
    DATE,
    FORMAT,
    FORMAT_OTHER,
    PURPOSE,
    PARTICIPANTS,
    PARTICIPANTS_OTHER,
    FINDINGS,
    RECOMMENDATIONS,
    NEXT_STEPS,
    ATTACHMENTS,
    SUMMARY,
    EDIT_FIELD,
) = range(13)

DRAFT = "visit_draft"
MAX_FILE_MB = 20  # the Bot API lets a bot download files up to 20 MB
ACTION = "visit"


def _draft(context: BotContext) -> VisitDraft:
    return VisitDraft.from_json(context.user_data.get(DRAFT))


def _keep(context: BotContext, draft: VisitDraft) -> None:
    context.user_data[DRAFT] = draft.to_json()


def _today(context: BotContext) -> date:
    return context.now().date()


async def _advance(update: Update, context: BotContext, state: int, draft: VisitDraft) -> int:
    """Go on to `state`, or back to the summary card when a field was being changed."""
    return await _prompt(update, context, SUMMARY if draft.editing else state, draft)


async def _prompt(update: Update, context: BotContext, state: int, draft: VisitDraft) -> int:
    """Show the prompt of `state` and go there."""
    if state == SUMMARY:
        draft.editing = False
    _keep(context, draft)
    if state == SUMMARY:
        await _show_summary(update, context, draft)
    elif state == SCHOOL:
        options = await visits.curated_schools(context.session, context.actor)
        await answer(
            update, texts.VISIT_CHOOSE_SCHOOL, [[(o.label, f"vis:s:{o.id}")] for o in options]
        )
    elif state == DATE:
        await answer(
            update,
            texts.VISIT_CHOOSE_DATE,
            [
                [(texts.BUTTON_TODAY, "vis:dt:0"), (texts.BUTTON_YESTERDAY, "vis:dt:1")],
                [(texts.BUTTON_OTHER_DAY, "vis:dt:cal")],
            ],
        )
    elif state == FORMAT:
        await answer(
            update,
            texts.VISIT_CHOOSE_FORMAT,
            [[(label, f"vis:f:{code}")] for code, label in texts.VISIT_FORMAT_LABELS.items()],
        )
    elif state == FORMAT_OTHER:
        await answer(update, texts.VISIT_FORMAT_OTHER)
    elif state == PURPOSE:
        assert draft.school_id is not None
        items, factors = await visits.purpose_options(context.session, draft.school_id)
        buttons: Buttons = [[(o.label[:60], f"vis:pi:{o.id}")] for o in items]
        buttons += [[(o.label[:60], f"vis:pr:{o.id}")] for o in factors]
        await answer(update, texts.VISIT_PURPOSE, buttons or None)
    elif state == PARTICIPANTS:
        await answer(update, texts.VISIT_PARTICIPANTS, _participant_buttons(draft))
    elif state == PARTICIPANTS_OTHER:
        await answer(update, texts.VISIT_PARTICIPANTS_OTHER)
    elif state == FINDINGS:
        await answer(update, texts.VISIT_FINDINGS)
    elif state == RECOMMENDATIONS:
        await answer(update, texts.VISIT_RECOMMENDATIONS)
    elif state == NEXT_STEPS:
        await answer(update, texts.VISIT_NEXT_STEPS, [[(texts.BUTTON_DONE, "vis:nd")]])
    elif state == ATTACHMENTS:
        await answer(update, texts.VISIT_ATTACHMENTS, [[(texts.BUTTON_DONE, "vis:ad")]])
    return state


def _participant_buttons(draft: VisitDraft) -> Buttons:
    rows: Buttons = []
    for code in PARTICIPANT_CODES:
        mark = "✅ " if code in draft.participants else ""
        rows.append([(mark + texts.PARTICIPANT_LABELS[code], f"vis:p:{code}")])
    rows.append([(texts.BUTTON_DONE, "vis:pd")])
    return rows


async def _show_summary(update: Update, context: BotContext, draft: VisitDraft) -> None:
    school = await context.session.get(School, draft.school_id) if draft.school_id else None
    text = texts.visit_summary(
        school=school.short_name if school else "—",
        day=draft.day,
        format_code=draft.format,
        format_other=draft.format_other,
        purpose=draft.purpose,
        participants=draft.participants,
        participants_other=draft.participants_other,
        findings=draft.findings,
        recommendations=draft.recommendations,
        follow_ups=[(what, date.fromisoformat(due)) for what, due in draft.follow_ups],
        attachments=len(draft.attachments),
    )
    await answer(
        update,
        text,
        [
            [(texts.BUTTON_SAVE, "vis:save")],
            [(texts.BUTTON_CHANGE, "vis:chg"), (texts.BUTTON_CANCEL, "vis:x")],
        ],
    )


# -- entry ------------------------------------------------------------------------------


@guarded(ACTION)
async def start(update: Update, context: BotContext) -> int:
    """Start a new visit: the school first, skipped when the curator has just one."""
    options = await visits.curated_schools(context.session, context.actor)
    if not options:
        await answer(update, texts.VISIT_NO_SCHOOLS)
        return ConversationHandler.END
    draft = VisitDraft()
    if len(options) == 1:
        draft.school_id = options[0].id
        return await _prompt(update, context, DATE, draft)
    return await _prompt(update, context, SCHOOL, draft)


@guarded(ACTION)
async def start_edit(update: Update, context: BotContext) -> int:
    """Reopen a saved visit (within the edit window) at its summary card."""
    visit_id = int(callback_data(update).rsplit(":", 1)[1])
    draft = await visits.draft_from_visit(context.session, context.actor, visit_id, context.now())
    return await _prompt(update, context, SUMMARY, draft)


# -- steps ------------------------------------------------------------------------------


@guarded(ACTION)
async def pick_school(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    school = await visits.curated_school(
        context.session, context.actor, int(callback_data(update)[6:])
    )
    draft.school_id = school.id
    await answer(update, texts.e(school.short_name), edit=True)
    return await _advance(update, context, DATE, draft)


async def _set_date(update: Update, context: BotContext, day: date) -> int:
    draft = _draft(context)
    assert draft.school_id is not None
    await visits.check_visit_date(context.session, draft.school_id, day, _today(context))
    draft.visit_date = day.isoformat()
    return await _advance(update, context, FORMAT, draft)


@guarded(ACTION)
async def quick_date(update: Update, context: BotContext) -> int | None:
    choice = callback_data(update).rsplit(":", 1)[1]
    today = _today(context)
    if choice == "cal":
        await answer(
            update,
            texts.VISIT_CHOOSE_DATE,
            month_keyboard("vis:c:", today.year, today.month, latest=today),
            edit=True,
        )
        return None
    return await _set_date(update, context, today - timedelta(days=int(choice == "1")))


@guarded(ACTION)
async def calendar_press(update: Update, context: BotContext) -> int | None:
    value = callback_data(update).removeprefix("vis:c:")
    if value.startswith("m:") and (month := parse_month(value[2:])):
        keyboard = month_keyboard("vis:c:", *month, latest=_today(context))
        await answer(update, texts.VISIT_CHOOSE_DATE, keyboard, edit=True)
        return None
    if value.startswith("d:") and (day := parse_day(value[2:])):
        await answer(update, texts.fmt_date(day), edit=True)
        return await _set_date(update, context, day)
    await acknowledge(update)
    return None


@guarded(ACTION)
async def typed_date(update: Update, context: BotContext) -> int:
    return await _set_date(update, context, parse_user_date(message_text(update), _today(context)))


@guarded(ACTION)
async def pick_format(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    code = callback_data(update).rsplit(":", 1)[1]
    draft.format = VisitFormat(code).value
    await answer(update, texts.VISIT_FORMAT_LABELS[code], edit=True)
    if code == VisitFormat.OTHER:
        return await _prompt(update, context, FORMAT_OTHER, draft)
    draft.format_other = None
    return await _advance(update, context, PURPOSE, draft)


@guarded(ACTION)
async def typed_format(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    draft.format_other = visits.check_text(message_text(update))[:200]
    return await _advance(update, context, PURPOSE, draft)


@guarded(ACTION)
async def typed_purpose(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    draft.purpose = visits.check_text(message_text(update))
    draft.roadmap_item_id = draft.risk_factor_id = None
    return await _advance(update, context, PARTICIPANTS, draft)


@guarded(ACTION)
async def picked_purpose(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    assert draft.school_id is not None
    kind, ident = callback_data(update).split(":")[1:]
    if kind == "pi":
        draft.purpose = await visits.purpose_from_item(context.session, draft.school_id, int(ident))
        draft.roadmap_item_id, draft.risk_factor_id = int(ident), None
    else:
        draft.purpose = await visits.purpose_from_factor(context.session, int(ident))
        draft.roadmap_item_id, draft.risk_factor_id = None, int(ident)
    await answer(update, texts.e(draft.purpose), edit=True)
    return await _advance(update, context, PARTICIPANTS, draft)


@guarded(ACTION)
async def toggle_participant(update: Update, context: BotContext) -> None:
    draft = _draft(context)
    draft.toggle_participant(callback_data(update).rsplit(":", 1)[1])
    _keep(context, draft)
    await answer(update, texts.VISIT_PARTICIPANTS, _participant_buttons(draft), edit=True)


@guarded(ACTION)
async def participants_done(update: Update, context: BotContext) -> int | None:
    draft = _draft(context)
    if not draft.participants:
        await answer(update, texts.VISIT_PARTICIPANTS_NONE, alert=True)
        return None
    if "other" in draft.participants:
        return await _prompt(update, context, PARTICIPANTS_OTHER, draft)
    draft.participants_other = None
    return await _advance(update, context, FINDINGS, draft)


@guarded(ACTION)
async def typed_participants_other(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    draft.participants_other = visits.check_text(message_text(update))[:300]
    return await _advance(update, context, FINDINGS, draft)


@guarded(ACTION)
async def typed_findings(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    draft.findings = visits.check_text(message_text(update))
    return await _advance(update, context, RECOMMENDATIONS, draft)


@guarded(ACTION)
async def typed_recommendations(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    draft.recommendations = visits.check_text(message_text(update))
    return await _advance(update, context, NEXT_STEPS, draft)


@guarded(ACTION)
async def typed_next_step(update: Update, context: BotContext) -> None:
    draft = _draft(context)
    text = visits.check_text(message_text(update))
    if len(draft.follow_ups) >= MAX_FOLLOW_UPS:
        await answer(update, texts.VISIT_NEXT_STEPS_FULL, [[(texts.BUTTON_DONE, "vis:nd")]])
        return
    found = find_trailing_date(text, _today(context))
    if found is None or not found[0]:
        await answer(update, texts.VISIT_NEXT_STEP_BAD, [[(texts.BUTTON_DONE, "vis:nd")]])
        return
    what, due = found
    if due < _today(context):
        raise DomainError("visit_next_step_past")
    draft.follow_ups.append([what, due.isoformat()])
    _keep(context, draft)
    await answer(
        update,
        texts.visit_next_step_added(what, due, len(draft.follow_ups)),
        [[(texts.BUTTON_DONE, "vis:nd")]],
    )


@guarded(ACTION)
async def next_steps_done(update: Update, context: BotContext) -> int:
    return await _advance(update, context, ATTACHMENTS, _draft(context))


@guarded(ACTION)
async def attachment(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert isinstance(message, Message)
    draft = _draft(context)
    item = _attachment_of(message)
    if item is None:
        await answer(update, texts.VISIT_ATTACHMENT_EXPECTED, [[(texts.BUTTON_DONE, "vis:ad")]])
        return
    if (item.file_size or 0) > MAX_FILE_MB * 1024 * 1024:
        await answer(update, texts.VISIT_ATTACHMENT_TOO_BIG.format(limit=MAX_FILE_MB))
        return
    if not draft.add_attachment(item):
        await answer(update, texts.VISIT_ATTACHMENTS_FULL, [[(texts.BUTTON_DONE, "vis:ad")]])
        return
    _keep(context, draft)
    await answer(
        update,
        texts.VISIT_ATTACHMENT_ADDED.format(count=len(draft.attachments)),
        [[(texts.BUTTON_DONE, "vis:ad")]],
    )


def _attachment_of(message: Message) -> DraftAttachment | None:
    if message.photo:
        photo = message.photo[-1]
        return DraftAttachment(
            "photo", photo.file_id, photo.file_unique_id, None, "image/jpeg", photo.file_size
        )
    if message.document:
        doc = message.document
        return DraftAttachment(
            "document",
            doc.file_id,
            doc.file_unique_id,
            (doc.file_name or "файл")[:300],
            doc.mime_type,
            doc.file_size,
        )
    if message.location:
        return DraftAttachment(
            "location", latitude=message.location.latitude, longitude=message.location.longitude
        )
    return None


@guarded(ACTION)
async def attachments_done(update: Update, context: BotContext) -> int:
    return await _advance(update, context, SUMMARY, _draft(context))


# -- summary ----------------------------------------------------------------------------


@guarded(ACTION)
async def save(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    await visits.save_visit(context.session, context.actor, draft, context.now(), _today(context))
    await context.commit()
    context.user_data.pop(DRAFT, None)
    await answer(update, texts.VISIT_UPDATED if draft.visit_id else texts.VISIT_SAVED, edit=True)
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
    draft = _draft(context)
    state = FIELD_STATES.get(callback_data(update).rsplit(":", 1)[1], SUMMARY)
    if state == NEXT_STEPS:
        draft.follow_ups = []
    if state == ATTACHMENTS:
        draft.attachments = []
    draft.editing = state != SUMMARY
    return await _prompt(update, context, state, draft)


TEXT = filters.TEXT & ~filters.COMMAND


cancel = make_cancel(DRAFT)


def conversation() -> ConversationHandler:
    def cb(handler, pattern: str) -> CallbackQueryHandler:  # type: ignore[no-untyped-def]
        return CallbackQueryHandler(handler, pattern=pattern)

    def text(handler) -> MessageHandler:  # type: ignore[no-untyped-def]
        return MessageHandler(TEXT, handler)

    return ConversationHandler(
        entry_points=[
            CommandHandler("visit", start),
            cb(start, r"^vis:new$"),
            cb(start_edit, r"^vis:ed:\d+$"),
        ],
        states={
            SCHOOL: [cb(pick_school, r"^vis:s:\d+$")],
            DATE: [
                cb(quick_date, r"^vis:dt:(0|1|cal)$"),
                cb(calendar_press, r"^vis:c:"),
                text(typed_date),
            ],
            FORMAT: [cb(pick_format, r"^vis:f:(on_site|remote|phone|joint_event|other)$")],
            FORMAT_OTHER: [text(typed_format)],
            PURPOSE: [text(typed_purpose), cb(picked_purpose, r"^vis:(pi|pr):\d+$")],
            PARTICIPANTS: [
                cb(toggle_participant, r"^vis:p:[a-z_]+$"),
                cb(participants_done, r"^vis:pd$"),
            ],
            PARTICIPANTS_OTHER: [text(typed_participants_other)],
            FINDINGS: [text(typed_findings)],
            RECOMMENDATIONS: [text(typed_recommendations)],
            NEXT_STEPS: [text(typed_next_step), cb(next_steps_done, r"^vis:nd$")],
            ATTACHMENTS: [
                MessageHandler(filters.PHOTO | filters.Document.ALL | filters.LOCATION, attachment),
                cb(attachments_done, r"^vis:ad$"),
            ],
            SUMMARY: [cb(save, r"^vis:save$"), cb(change, r"^vis:chg$")],
            EDIT_FIELD: [cb(edit_field, r"^vis:ef:[a-z]+$")],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            cb(cancel, r"^vis:x$"),
            MessageHandler(~filters.COMMAND, wrong_input),
        ],
        name="visit_new",
        persistent=True,
        allow_reentry=True,
    )
