"""The /visit conversation's states, its draft in user_data, and what each step shows."""

from __future__ import annotations

from datetime import date
from typing import cast

from telegram import Update

from bot import callbacks as cb
from bot import texts
from bot.handlers.replies import Buttons, answer
from bot.runtime import BotContext
from bot.services import school_names
from bot.services.visits import visits
from bot.services.visits.visit_drafts import PARTICIPANT_CODES, VisitDraft
from bot.services.visits.visits import Option

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


async def prompt(
    update: Update,
    context: BotContext,
    state: int,
    draft: VisitDraft,
    *,
    schools: list[Option] | None = None,
) -> int:
    """Show the prompt of `state`, remember it in the draft, and go there.
    `schools`: the curator's schools for the SCHOOL prompt when the caller has them."""
    if state in (SUMMARY, EDIT_FIELD):
        state = SUMMARY
        draft.editing = False
    draft.step = state
    keep_draft(context, draft)
    if state == SUMMARY:
        await show_summary(update, context, draft)
    elif state == SCHOOL:
        options = schools or await visits.curated_schools(context.session, context.actor)
        await answer(
            update,
            texts.VISIT_CHOOSE_SCHOOL,
            [[(o.label, cb.VisitSchool(o.id).pack())] for o in options],
        )
    elif state == DATE:
        await answer(
            update,
            texts.VISIT_CHOOSE_DATE,
            [
                [
                    (texts.BUTTON_TODAY, cb.VisitDay("0").pack()),
                    (texts.BUTTON_YESTERDAY, cb.VisitDay("1").pack()),
                ],
                [(texts.BUTTON_OTHER_DAY, cb.VisitDay("cal").pack())],
            ],
        )
    elif state == FORMAT:
        await answer(
            update,
            texts.VISIT_CHOOSE_FORMAT,
            [
                [(label, cb.VisitFormat(cast(cb.FormatCode, code)).pack())]
                for code, label in texts.VISIT_FORMAT_LABELS.items()
            ],
        )
    elif state == FORMAT_OTHER:
        await answer(update, texts.VISIT_FORMAT_OTHER)
    elif state == PURPOSE:
        assert draft.school_id is not None
        items, factors = await visits.purpose_options(context.session, draft.school_id)
        buttons: Buttons = [[(o.label[:60], cb.VisitPurpose("pi", o.id).pack())] for o in items]
        buttons += [[(o.label[:60], cb.VisitPurpose("pr", o.id).pack())] for o in factors]
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
        await answer(
            update,
            text,
            list_buttons(cb.VisitStepsDone, cb.VisitStepsClear, bool(draft.follow_ups)),
        )
    elif state == ATTACHMENTS:
        text = texts.VISIT_ATTACHMENTS
        if draft.attachments:
            text += "\n" + texts.VISIT_FILES_NOW.format(count=len(draft.attachments))
        await answer(
            update,
            text,
            list_buttons(cb.VisitFilesDone, cb.VisitFilesClear, bool(draft.attachments)),
        )
    return state


def list_buttons(
    done: type[cb.CallbackData], clear: type[cb.CallbackData], filled: bool
) -> Buttons:
    """«Готово», and «Удалить все» once there is something to remove."""
    rows: Buttons = [[(texts.BUTTON_DONE, done().pack())]]
    if filled:
        rows.append([(texts.BUTTON_CLEAR_ALL, clear().pack())])
    return rows


def participant_buttons(draft: VisitDraft) -> Buttons:
    rows: Buttons = []
    for code in PARTICIPANT_CODES:
        mark = "✅ " if code in draft.participants else ""
        rows.append([(mark + texts.PARTICIPANT_LABELS[code], cb.VisitParticipant(code).pack())])
    rows.append([(texts.BUTTON_DONE, cb.VisitParticipantsDone().pack())])
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
            [(texts.BUTTON_SAVE, cb.VisitSave().pack())],
            [
                (texts.BUTTON_CHANGE, cb.VisitChange().pack()),
                (texts.BUTTON_CANCEL, cb.VisitCancel().pack()),
            ],
        ],
    )
