"""/events, an event's card, sign-up buttons, and the coordinator's management of it."""

from __future__ import annotations

from telegram import InputFile, Update
from telegram.ext import (
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import callbacks as cb
from bot import texts
from bot.handlers.conversation_kit import message_text, on, pressed, text_expected, typed
from bot.handlers.guard import guarded
from bot.handlers.replies import Buttons, acknowledge, answer, deliver
from bot.models import EventStatus, RegistrationState
from bot.reports.event_export import build_registrations_xlsx
from bot.runtime import BotContext
from bot.services.errors import DomainError, NotFound
from bot.services.events import event_results, events
from bot.services.events.event_times import parse_local_datetime
from bot.services.notifications.recipients import municipality_timezone

RESULTS, FEEDBACK_COMMENT, EDIT_VALUE = range(60, 63)


@guarded("events")
async def list_events(update: Update, context: BotContext) -> None:
    """Upcoming events for this person (and, with «прошедшие», past ones)."""
    past = bool(context.args and context.args[0].startswith("прош"))
    rows = await events.upcoming(context.session, context.actor, context.now(), past=past)
    # Times in the user's own municipality's zone (Russia spans eleven).
    home = context.actor.municipality_id or min(
        context.actor.coordinated_municipality_ids, default=0
    )
    zone = await municipality_timezone(context.session, home)
    buttons: Buttons = [
        [
            (
                f"{texts.fmt_datetime(r.event.starts_at, zone)[:10]} {r.event.title[:40]}",
                cb.EventOpen(r.event.id).pack(),
            )
        ]
        for r in rows
    ]
    await answer(update, texts.events_list(rows, zone), buttons or None)


async def _show(update: Update, context: BotContext, event_id: int, edit: bool = False) -> None:
    event = await events.visible_event(context.session, context.actor, event_id)
    row = await events.event_row(context.session, context.actor, event)
    zone = await municipality_timezone(context.session, event.municipality_id)
    manager = context.actor.coordinates(event.municipality_id)
    buttons: Buttons = []
    open_for_signup = event.status == EventStatus.PUBLISHED and event.starts_at > context.now()
    if open_for_signup and event.needs_registration and not manager:
        if row.my_state in {RegistrationState.REGISTERED, RegistrationState.WAITLISTED}:
            buttons.append([(texts.BUTTON_WITHDRAW, cb.EventDecline(event.id).pack())])
        else:
            buttons.append(
                [
                    (texts.BUTTON_SIGN_UP, cb.EventSignUp(event.id).pack()),
                    (texts.BUTTON_DECLINE, cb.EventDecline(event.id).pack()),
                ]
            )
    if manager:
        buttons.append(
            [
                (texts.BUTTON_PARTICIPANTS, cb.EventRegistrations(event.id).pack()),
                (texts.BUTTON_EXPORT, cb.EventExport(event.id).pack()),
            ]
        )
        if open_for_signup:
            buttons.append(
                [
                    (texts.BUTTON_EDIT, cb.EventEdit(event.id, event.version).pack()),
                    (texts.BUTTON_CANCEL_EVENT, cb.EventCancel(event.id).pack()),
                ]
            )
        elif event.starts_at <= context.now() and event.status != EventStatus.CANCELLED:
            buttons.append(
                [
                    (texts.BUTTON_RESULTS, cb.EventResults(event.id).pack()),
                    (texts.BUTTON_ASK_FEEDBACK, cb.EventAskFeedback(event.id).pack()),
                ]
            )
            buttons.append([(texts.BUTTON_FEEDBACK, cb.EventFeedbackSummary(event.id).pack())])
    text = texts.event_card(row, await events.place_of(context.session, event), zone, manager)
    await answer(update, text, buttons or None, edit=edit)


@guarded("events")
async def open_event(update: Update, context: BotContext) -> None:
    await _show(update, context, pressed(update, cb.EventOpen).event_id)


@guarded("events")
async def sign_up(update: Update, context: BotContext) -> None:
    event_id = pressed(update, cb.EventSignUp).event_id
    state = await events.sign_up(context.session, context.actor, event_id, context.now())
    await acknowledge(
        update,
        texts.EVENT_SIGNED_UP if state == RegistrationState.REGISTERED else texts.EVENT_WAITLISTED,
        alert=True,
    )


@guarded("events")
async def decline(update: Update, context: BotContext) -> None:
    event_id = pressed(update, cb.EventDecline).event_id
    await events.decline(context.session, context.actor, event_id, context.now())
    await acknowledge(update, texts.EVENT_DECLINED, alert=True)


@guarded("event_manage")
async def participants(update: Update, context: BotContext) -> None:
    event_id = pressed(update, cb.EventRegistrations).event_id
    people = await event_results.participants(context.session, context.actor, event_id)
    event = await events.managed_event(context.session, context.actor, event_id)
    buttons: Buttons = []
    if event.starts_at <= context.now():
        buttons = [
            [(p.name[:40], cb.EventAttended(event_id, p.person_id).pack())] for p in people[:40]
        ]
    await answer(update, texts.event_participants(event.title, people), buttons or None)


@guarded("event_manage")
async def attendance(update: Update, context: BotContext) -> None:
    data = pressed(update, cb.EventAttended)
    event_id, person_id = data.event_id, data.person_id
    await event_results.toggle_attendance(
        context.session, context.actor, event_id, person_id, context.now()
    )
    people = await event_results.participants(context.session, context.actor, event_id)
    event = await events.managed_event(context.session, context.actor, event_id)
    await answer(
        update,
        texts.event_participants(event.title, people),
        [[(p.name[:40], cb.EventAttended(event_id, p.person_id).pack())] for p in people[:40]],
        edit=True,
    )


@guarded("event_manage")
async def export(update: Update, context: BotContext) -> None:
    event_id = pressed(update, cb.EventExport).event_id
    event = await events.managed_event(context.session, context.actor, event_id)
    people = await event_results.sign_ups_for_organiser(context.session, context.actor, event_id)
    chat = update.effective_chat
    assert chat is not None
    await acknowledge(update)
    table = InputFile(
        build_registrations_xlsx(event.title, people), filename=f"event_{event_id}.xlsx"
    )
    await deliver(lambda: chat.send_document(table))


@guarded("event_manage")
async def ask_cancel(update: Update, context: BotContext) -> None:
    event_id = pressed(update, cb.EventCancel).event_id
    await events.managed_event(context.session, context.actor, event_id)
    await answer(
        update,
        texts.EVENT_CONFIRM_CANCEL,
        [
            [
                (texts.BUTTON_YES_CANCEL_EVENT, cb.EventCancelYes(event_id).pack()),
                (texts.BUTTON_BACK, cb.EventOpen(event_id).pack()),
            ]
        ],
    )


@guarded("event_manage")
async def confirm_cancel(update: Update, context: BotContext) -> None:
    event_id = pressed(update, cb.EventCancelYes).event_id
    await events.cancel(context.session, context.actor, event_id, context.now())
    await answer(update, texts.EVENT_CANCELLED_DONE, edit=True)


@guarded("event_manage")
async def ask_feedback(update: Update, context: BotContext) -> None:
    event_id = pressed(update, cb.EventAskFeedback).event_id
    count = await event_results.request_feedback(
        context.session, context.actor, event_id, context.now()
    )
    await acknowledge(update, texts.EVENT_FEEDBACK_SENT.format(count=count), alert=True)


@guarded("event_manage")
async def feedback_summary(update: Update, context: BotContext) -> None:
    event_id = pressed(update, cb.EventFeedbackSummary).event_id
    summary = await event_results.feedback_summary(context.session, context.actor, event_id)
    await answer(update, texts.event_feedback_summary(summary))


# -- small conversations: results text, edit one field, a feedback comment ---------------------


@guarded("event_manage")
async def start_results(update: Update, context: BotContext) -> int:
    event_id = pressed(update, cb.EventResults).event_id
    event = await events.managed_event(context.session, context.actor, event_id)
    context.user_data["event_results"] = event.id
    await answer(update, texts.EVENT_RESULTS_ASK)
    return RESULTS


@guarded("event_manage")
async def save_results(update: Update, context: BotContext) -> int:
    assert update.effective_message is not None
    await event_results.record_results(
        context.session,
        context.actor,
        int(context.user_data["event_results"]),
        message_text(update),
        context.now(),
    )
    context.user_data.pop("event_results", None)
    await answer(update, texts.EVENT_RESULTS_SAVED)
    return ConversationHandler.END


@guarded("event_manage")
async def add_material(update: Update, context: BotContext) -> None:
    """Files sent while writing the results are the event's materials (handouts, photos)."""
    message = update.effective_message
    assert message is not None
    if message.document:
        kind, file_id, unique, name = (
            "document",
            message.document.file_id,
            message.document.file_unique_id,
            (typed(message.document.file_name) or texts.FILE_NAME_FALLBACK)[:300],
        )
    else:
        photo = message.photo[-1]
        kind, file_id, unique, name = "photo", photo.file_id, photo.file_unique_id, None
    count = await event_results.add_material(
        context.session,
        context.actor,
        int(context.user_data["event_results"]),
        kind=kind,
        file_id=file_id,
        file_unique_id=unique,
        file_name=name,
    )
    await answer(update, texts.event_materials_added(count))


@guarded("event_manage")
async def start_edit(update: Update, context: BotContext) -> None:
    data = pressed(update, cb.EventEdit)
    event_id, version = data.event_id, data.version
    await events.managed_event(context.session, context.actor, event_id)
    await answer(
        update,
        texts.EVENT_EDIT_CHOOSE,
        [
            [(label, cb.EventEditField(event_id, version, index).pack())]
            for index, label in enumerate(texts.EVENT_EDIT_FIELDS.values())
        ],
    )


@guarded("event_manage")
async def edit_field(update: Update, context: BotContext) -> int:
    data = pressed(update, cb.EventEditField)
    event_id, version, index = data.event_id, data.version, data.index
    await events.managed_event(context.session, context.actor, event_id)
    fields = list(texts.EVENT_EDIT_FIELDS)
    if index >= len(fields):  # only a forged button names a field past the list
        raise NotFound()
    field = fields[index]
    context.user_data["event_edit"] = {"event_id": event_id, "version": version, "field": field}
    prompt = texts.EVENT_START if field == "starts_at" else f"{texts.EVENT_EDIT_FIELDS[field]}:"
    await answer(update, prompt)
    return EDIT_VALUE


@guarded("event_manage")
async def edit_value(update: Update, context: BotContext) -> int:
    assert update.effective_message is not None
    state = context.user_data.get("event_edit") or {}
    event = await events.managed_event(context.session, context.actor, int(state["event_id"]))
    text = message_text(update)
    if state["field"] == "starts_at":
        value: object = parse_local_datetime(
            text, await municipality_timezone(context.session, event.municipality_id)
        )
    elif state["field"] == "title":
        value = events.check_title(text)
    else:
        value = events.check_text(text)
    try:
        await events.edit(
            context.session,
            context.actor,
            event.id,
            state["field"],
            value,
            int(state["version"]),
            context.now(),
        )
    except DomainError as error:
        if error.code not in {"event_edited_by_other", "event_not_open"}:
            raise  # a wrong value: the guard answers and the question stays open
        # Someone else changed or cancelled it: typing again cannot help, so the edit ends.
        await context.session.rollback()
        context.user_data.pop("event_edit", None)
        await answer(update, texts.error(error.code))
        return ConversationHandler.END
    context.user_data.pop("event_edit", None)
    await answer(update, texts.EVENT_EDITED)
    return ConversationHandler.END


@guarded("events")
async def rate(update: Update, context: BotContext) -> int:
    data = pressed(update, cb.EventRate)
    event_id, rating = data.event_id, data.score
    await event_results.save_feedback(
        context.session, context.actor, event_id, rating, None, context.now()
    )
    context.user_data["event_feedback"] = event_id
    await answer(
        update, texts.EVENT_FEEDBACK_THANKS, [[(texts.BUTTON_SKIP, cb.EventFeedbackSkip().pack())]]
    )
    return FEEDBACK_COMMENT


@guarded("events")
async def comment(update: Update, context: BotContext) -> int:
    assert update.effective_message is not None
    await event_results.save_feedback(
        context.session,
        context.actor,
        int(context.user_data["event_feedback"]),
        None,
        message_text(update),
        context.now(),
    )
    context.user_data.pop("event_feedback", None)
    await answer(update, texts.EVENT_FEEDBACK_SAVED)
    return ConversationHandler.END


@guarded(None)
async def finish(update: Update, context: BotContext) -> int:
    for key in ("event_results", "event_edit", "event_feedback"):
        context.user_data.pop(key, None)
    await answer(
        update,
        texts.EVENT_FEEDBACK_SAVED if update.callback_query else texts.CANCELLED,
        edit=update.callback_query is not None,
    )
    return ConversationHandler.END


def small_conversation() -> ConversationHandler:
    text = filters.TEXT & ~filters.COMMAND
    return ConversationHandler(
        entry_points=[
            on(cb.EventResults, start_results),
            on(cb.EventEditField, edit_field),
            on(cb.EventRate, rate),
        ],
        states={
            RESULTS: [
                MessageHandler(text, save_results),
                MessageHandler(filters.Document.ALL | filters.PHOTO, add_material),
            ],
            EDIT_VALUE: [MessageHandler(text, edit_value)],
            FEEDBACK_COMMENT: [MessageHandler(text, comment)],
        },
        fallbacks=[
            CommandHandler("cancel", finish),
            on(cb.EventFeedbackSkip, finish),
            MessageHandler(~filters.COMMAND, text_expected),
        ],
        name="event_small",
        persistent=True,
        allow_reentry=True,
    )


def handlers() -> list:
    return [
        CommandHandler("events", list_events),
        on(cb.EventOpen, open_event),
        on(cb.EventSignUp, sign_up),
        on(cb.EventDecline, decline),
        on(cb.EventRegistrations, participants),
        on(cb.EventAttended, attendance),
        on(cb.EventExport, export),
        on(cb.EventCancel, ask_cancel),
        on(cb.EventCancelYes, confirm_cancel),
        on(cb.EventAskFeedback, ask_feedback),
        on(cb.EventFeedbackSummary, feedback_summary),
        on(cb.EventEdit, start_edit),
    ]
