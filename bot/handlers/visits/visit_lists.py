"""/visit, the two list steps: agreed next steps «what — by when», and attachments."""

from __future__ import annotations

from telegram import Message, Update

from bot import callbacks as cb
from bot import texts
from bot.handlers.conversation_kit import callback_data, message_text, typed
from bot.handlers.guard import guarded
from bot.handlers.replies import answer
from bot.handlers.visits.visit_prompts import (
    ACTION,
    ATTACHMENTS,
    NEXT_STEPS,
    SUMMARY,
    advance,
    keep_draft,
    list_buttons,
    load_draft,
    prompt,
    today_for,
)
from bot.runtime import BotContext
from bot.services.dates import find_trailing_date
from bot.services.errors import DomainError
from bot.services.visits import visits
from bot.services.visits.visit_drafts import MAX_FOLLOW_UPS, DraftAttachment

MAX_FILE_MB = 20  # the Bot API lets a bot download files up to 20 MB


@guarded(ACTION)
async def typed_next_step(update: Update, context: BotContext) -> None:
    draft = load_draft(context)
    text = visits.check_text(message_text(update))
    buttons = list_buttons(cb.VisitStepsDone, cb.VisitStepsClear, bool(draft.follow_ups))
    if len(draft.follow_ups) >= MAX_FOLLOW_UPS:
        await answer(update, texts.VISIT_NEXT_STEPS_FULL, buttons)
        return
    today = await today_for(context, draft)
    found = find_trailing_date(text, today)
    if found is None or not found[0]:
        await answer(update, texts.VISIT_NEXT_STEP_BAD, buttons)
        return
    what, due = found
    if due < today:
        raise DomainError("visit_next_step_past")
    draft.follow_ups.append([what, due.isoformat()])
    keep_draft(context, draft)
    await answer(
        update,
        texts.visit_next_step_added(what, due, len(draft.follow_ups)),
        list_buttons(cb.VisitStepsDone, cb.VisitStepsClear, True),
    )


@guarded(ACTION)
async def next_steps_done(update: Update, context: BotContext) -> int:
    return await advance(update, context, ATTACHMENTS, load_draft(context))


@guarded(ACTION)
async def clear_list(update: Update, context: BotContext) -> int:
    """«Удалить все» under next steps or attachments: start that list afresh."""
    draft = load_draft(context)
    if cb.VisitStepsClear.pattern.match(callback_data(update)):
        draft.follow_ups = []
        return await prompt(update, context, NEXT_STEPS, draft)
    draft.attachments = []
    return await prompt(update, context, ATTACHMENTS, draft)


@guarded(ACTION)
async def attachment(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert isinstance(message, Message)
    draft = load_draft(context)
    buttons = list_buttons(cb.VisitFilesDone, cb.VisitFilesClear, bool(draft.attachments))
    item = _attachment_of(message)
    if item is None:
        await answer(update, texts.VISIT_ATTACHMENT_EXPECTED, buttons)
        return
    if (item.file_size or 0) > MAX_FILE_MB * 1024 * 1024:
        await answer(update, texts.VISIT_ATTACHMENT_TOO_BIG.format(limit=MAX_FILE_MB), buttons)
        return
    if not draft.add_attachment(item):
        await answer(update, texts.VISIT_ATTACHMENTS_FULL, buttons)
        return
    keep_draft(context, draft)
    await answer(
        update,
        texts.VISIT_ATTACHMENT_ADDED.format(count=len(draft.attachments)),
        list_buttons(cb.VisitFilesDone, cb.VisitFilesClear, True),
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
            (typed(doc.file_name) or texts.FILE_NAME_FALLBACK)[:300],
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
    return await advance(update, context, SUMMARY, load_draft(context))
