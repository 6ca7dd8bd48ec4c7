"""The /visit conversation's states, its draft in user_data, and what each step shows."""

from __future__ import annotations

from datetime import date

from telegram import Update

from bot import texts
from bot.handlers.replies import Buttons, answer
from bot.runtime import BotContext
from bot.services import school_names
from bot.services.visits import visits
from bot.services.visits.visit_drafts import PARTICIPANT_CODES, VisitDraft

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
    RESUME,
) = range(14)

ACTION = "visit"  # the row of permissions.ACTIONS every step is checked against
DRAFT = "visit_draft"
# What /visit or «Изменить» asked for while an unfinished draft waited: "new" or "ed:<id>".
PENDING = "visit_pending"


def load_draft(context: BotContext) -> VisitDraft:
    return VisitDraft.from_json(context.user_data.get(DRAFT))


def keep_draft(context: BotContext, draft: VisitDraft) -> None:
    context.user_data[DRAFT] = draft.to_json()


def drop_draft(context: BotContext) -> None:
    context.user_data.pop(DRAFT, None)
    context.user_data.pop(PENDING, None)


async def today_for(context: BotContext, draft: VisitDraft) -> date:
    """Today in the school's time zone, not the server's."""
    return await visits.local_today(context.session, context.actor, draft.school_id, context.now())


async def advance(update: Update, context: BotContext, state: int, draft: VisitDraft) -> int:
    """Go on to `state`, or back to the summary card when a field was being changed."""
    return await prompt(update, context, SUMMARY if draft.editing else state, draft)


async def prompt(update: Update, context: BotContext, state: int, draft: VisitDraft) -> int:
    """Show the prompt of `state`, remember it in the draft, and go there."""
    if state in (SUMMARY, EDIT_FIELD):
        state = SUMMARY
        draft.editing = False
    draft.step = state
    keep_draft(context, draft)
    if state == SUMMARY:
        await show_summary(update, context, draft)
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
        await answer(update, texts.VISIT_PARTICIPANTS, participant_buttons(draft))
    elif state == PARTICIPANTS_OTHER:
        await answer(update, texts.VISIT_PARTICIPANTS_OTHER)
    elif state == FINDINGS:
        await answer(update, texts.VISIT_FINDINGS)
    elif state == RECOMMENDATIONS:
        await answer(update, texts.VISIT_RECOMMENDATIONS)
    elif state == NEXT_STEPS:
        text = texts.VISIT_NEXT_STEPS
        if draft.follow_ups:
            text += "\n" + texts.VISIT_STEPS_NOW.format(count=len(draft.follow_ups))
        await answer(update, text, list_buttons("vis:nd", "vis:nc", bool(draft.follow_ups)))
    elif state == ATTACHMENTS:
        text = texts.VISIT_ATTACHMENTS
        if draft.attachments:
            text += "\n" + texts.VISIT_FILES_NOW.format(count=len(draft.attachments))
        await answer(update, text, list_buttons("vis:ad", "vis:ac", bool(draft.attachments)))
    return state


def list_buttons(done: str, clear: str, filled: bool) -> Buttons:
    """«Готово», and «Удалить все» once there is something to remove."""
    rows: Buttons = [[(texts.BUTTON_DONE, done)]]
    if filled:
        rows.append([(texts.BUTTON_CLEAR_ALL, clear)])
    return rows


def participant_buttons(draft: VisitDraft) -> Buttons:
    rows: Buttons = []
    for code in PARTICIPANT_CODES:
        mark = "✅ " if code in draft.participants else ""
        rows.append([(mark + texts.PARTICIPANT_LABELS[code], f"vis:p:{code}")])
    rows.append([(texts.BUTTON_DONE, "vis:pd")])
    return rows


async def school_name(context: BotContext, draft: VisitDraft) -> str | None:
    return await school_names.short_name_of(context.session, draft.school_id)


async def show_summary(update: Update, context: BotContext, draft: VisitDraft) -> None:
    text = texts.visit_summary(
        school=await school_name(context, draft) or "—",
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
