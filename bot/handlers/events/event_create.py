"""/event_new: a coordinator registers a city event, checks the card, publishes it."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from telegram import Update
from telegram.ext import (
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import callbacks as cb
from bot import texts
from bot.handlers.conversation_kit import (
    make_cancel,
    message_text,
    on,
    pressed,
    wrong_input,
)
from bot.handlers.guard import guarded
from bot.handlers.replies import Buttons, answer
from bot.runtime import BotContext
from bot.services.errors import DomainError
from bot.services.events import events
from bot.services.events.event_times import at_local, parse_local_datetime
from bot.services.events.events import EventDraft
from bot.services.local_time import local_today
from bot.services.notifications.recipients import municipality_timezone

(
    FORMAT,
    TITLE,
    START,
    DURATION,
    PLACE,
    GOAL,
    AUDIENCE,
    SCHOOLS,
    CAPACITY,
    DESCRIPTION,
    SUMMARY,
    CHANGE,
) = range(40, 52)
DRAFT = "event_draft"
ACTION = "event_new"
QUICK_DAYS = (1, 7, 14)  # the start buttons: tomorrow, in a week, in two weeks, at 14:00


def _draft(context: BotContext) -> EventDraft:
    return EventDraft.from_json(context.user_data.get(DRAFT))


def _keep(context: BotContext, draft: EventDraft) -> None:
    context.user_data[DRAFT] = draft.to_json()


async def _zone(context: BotContext, draft: EventDraft) -> str:
    return await municipality_timezone(context.session, draft.municipality_id or 0)


async def _next(update: Update, context: BotContext, draft: EventDraft, state: int) -> int:
    """Ask for `state`, or return to the card when a field was being changed."""
    if context.user_data.get("event_changing") and state not in {SCHOOLS}:
        context.user_data.pop("event_changing", None)
        state = SUMMARY
    _keep(context, draft)
    if state == TITLE:
        await answer(update, texts.EVENT_TITLE)
    elif state == START:
        zone = await _zone(context, draft)
        today = local_today(context.now(), zone)
        quick = [
            (texts.fmt_date(today + timedelta(days=d)) + " 14:00", cb.EventQuickDay(d).pack())
            for d in QUICK_DAYS
        ]
        await answer(update, texts.EVENT_START, [quick])
    elif state == DURATION:
        await answer(
            update,
            texts.EVENT_DURATION,
            [[(f"{m}", cb.EventDuration(m).pack()) for m in (60, 90, 120, 180)]],
        )
    elif state == PLACE:
        hosts = await events.host_schools(context.session, draft.municipality_id)
        buttons = [(s.short_name, cb.EventPlace(s.id).pack()) for s in hosts]
        await answer(
            update, texts.EVENT_PLACE, [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
        )
    elif state == GOAL:
        await answer(update, texts.EVENT_GOAL, [[(texts.BUTTON_SKIP, cb.EventSkip().pack())]])
    elif state == AUDIENCE:
        await answer(
            update,
            texts.EVENT_AUDIENCE,
            [
                [(label, cb.EventAudience(code).pack())]
                for code, label in texts.EVENT_AUDIENCE_LABELS.items()
            ],
        )
    elif state == SCHOOLS:
        await answer(update, texts.EVENT_CHOOSE_SCHOOLS, await _school_buttons(context, draft))
    elif state == CAPACITY:
        await answer(
            update,
            texts.EVENT_CAPACITY,
            [
                [
                    (texts.BUTTON_NO_LIMIT, cb.EventCapacity("0").pack()),
                    (texts.BUTTON_NO_SIGNUP, cb.EventCapacity("x").pack()),
                ]
            ],
        )
    elif state == DESCRIPTION:
        await answer(
            update, texts.EVENT_DESCRIPTION, [[(texts.BUTTON_SKIP, cb.EventSkip().pack())]]
        )
    elif state == SUMMARY:
        await _summary(update, context, draft)
    return state


async def _school_buttons(context: BotContext, draft: EventDraft) -> Buttons:
    schools = await events.invitable_schools(context.session, draft.municipality_id)
    rows: Buttons = [
        [
            (
                ("✅ " if s.id in draft.chosen_school_ids else "") + s.short_name,
                cb.EventChooseSchool(s.id).pack(),
            )
        ]
        for s in schools
    ]
    rows.append([(texts.BUTTON_DONE, cb.EventChooseSchool("done").pack())])
    return rows


async def _place(context: BotContext, draft: EventDraft) -> str:
    return await events.draft_place(context.session, draft)


async def _summary(update: Update, context: BotContext, draft: EventDraft) -> None:
    text = texts.event_draft_summary(
        draft, await _place(context, draft), await _zone(context, draft)
    )
    await answer(
        update,
        text,
        [
            [(texts.BUTTON_PUBLISH, cb.EventPublish().pack())],
            [
                (texts.BUTTON_CHANGE, cb.EventChange().pack()),
                (texts.BUTTON_CANCEL, cb.EventNewCancel().pack()),
            ],
        ],
    )


@guarded(ACTION)
async def start(update: Update, context: BotContext) -> int:
    draft = EventDraft(municipality_id=events.home_municipality(context.actor))
    _keep(context, draft)
    labels = list(texts.EVENT_FORMAT_LABELS.items())
    rows = [
        [(label, cb.EventFormat(code).pack()) for code, label in labels[i : i + 2]]
        for i in range(0, len(labels), 2)
    ]
    await answer(update, texts.EVENT_CHOOSE_FORMAT, rows)
    return FORMAT


@guarded(ACTION)
async def pick_format(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    code = pressed(update, cb.EventFormat).code
    if code not in events.FORMATS:
        raise DomainError("not_found")
    draft.format = code
    await answer(update, texts.EVENT_FORMAT_LABELS[code], edit=True)
    return await _next(update, context, draft, TITLE)


@guarded(ACTION)
async def typed_title(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    draft.title = events.check_title(message_text(update))
    return await _next(update, context, draft, START)


async def _set_start(update: Update, context: BotContext, starts_at: datetime) -> int:
    events.check_start(starts_at, context.now())
    draft = _draft(context)
    draft.starts_at = starts_at.isoformat()
    return await _next(update, context, draft, DURATION)


@guarded(ACTION)
async def typed_start(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    return await _set_start(
        update, context, parse_local_datetime(message_text(update), await _zone(context, draft))
    )


@guarded(ACTION)
async def quick_start(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    zone = await _zone(context, draft)
    days = pressed(update, cb.EventQuickDay).days
    if days not in QUICK_DAYS:  # only a forged button: a day past year 9999 would crash
        raise DomainError("not_found")
    day = local_today(context.now(), zone) + timedelta(days=days)
    return await _set_start(update, context, at_local(day, time(14, 0), zone))


@guarded(ACTION)
async def duration(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    value = (
        str(pressed(update, cb.EventDuration).minutes)
        if update.callback_query
        else message_text(update)
    )
    draft.duration_minutes = events.parse_duration(value)
    return await _next(update, context, draft, PLACE)


@guarded(ACTION)
async def place(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    if update.callback_query:
        school_id = pressed(update, cb.EventPlace).school_id
        school = await events.draft_school(context.session, draft, school_id)
        draft.host_school_id, draft.place_text = school.id, None
    else:
        draft.place_text, draft.host_school_id = events.check_text(message_text(update))[:500], None
    return await _next(update, context, draft, GOAL)


@guarded(ACTION)
async def goal(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    draft.goal = None if update.callback_query else events.check_text(message_text(update))
    return await _next(update, context, draft, AUDIENCE)


@guarded(ACTION)
async def audience(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    code = pressed(update, cb.EventAudience).code
    if code not in texts.EVENT_AUDIENCE_LABELS:
        raise DomainError("not_found")
    draft.audience = code
    if code == "chosen_schools":
        return await _next(update, context, draft, SCHOOLS)
    draft.chosen_school_ids = []
    return await _next(update, context, draft, CAPACITY)


@guarded(ACTION)
async def choose_school(update: Update, context: BotContext) -> int | None:
    draft = _draft(context)
    value = pressed(update, cb.EventChooseSchool).school
    if value == "done":
        if not draft.chosen_school_ids:
            raise DomainError("event_no_schools")
        return await _next(update, context, draft, CAPACITY)
    school = await events.draft_school(context.session, draft, int(value))
    ids = set(draft.chosen_school_ids) ^ {school.id}
    draft.chosen_school_ids = sorted(ids)
    _keep(context, draft)
    await answer(
        update, texts.EVENT_CHOOSE_SCHOOLS, await _school_buttons(context, draft), edit=True
    )
    return None


@guarded(ACTION)
async def capacity(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    if update.callback_query:
        value = pressed(update, cb.EventCapacity).choice
        draft.needs_registration, draft.capacity = value != "x", None
    else:
        draft.needs_registration, draft.capacity = True, events.parse_capacity(message_text(update))
    return await _next(update, context, draft, DESCRIPTION)


@guarded(ACTION)
async def description(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    draft.description = None if update.callback_query else events.check_text(message_text(update))
    return await _next(update, context, draft, SUMMARY)


@guarded(ACTION)
async def publish(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    await events.publish(context.session, context.actor, draft, context.now())
    context.user_data.pop(DRAFT, None)
    await answer(update, texts.EVENT_PUBLISHED, edit=True)
    return ConversationHandler.END


CHANGEABLE = {
    "title": TITLE,
    "start": START,
    "place": PLACE,
    "goal": GOAL,
    "audience": AUDIENCE,
    "capacity": CAPACITY,
    "description": DESCRIPTION,
}


@guarded(ACTION)
async def change(update: Update, context: BotContext) -> int:
    items = list(texts.EVENT_CHANGE_LABELS.items())
    rows: Buttons = [
        [(label, cb.EventChangeField(key).pack()) for key, label in items[i : i + 2]]
        for i in range(0, len(items), 2)
    ]
    await answer(update, texts.EVENT_EDIT_CHOOSE, rows, edit=True)
    return CHANGE


@guarded(ACTION)
async def change_field(update: Update, context: BotContext) -> int:
    state = CHANGEABLE.get(pressed(update, cb.EventChangeField).field, SUMMARY)
    draft = _draft(context)
    result = await _next(update, context, draft, state)
    context.user_data["event_changing"] = True
    return result


cancel = make_cancel(DRAFT, "event_changing")


def conversation() -> ConversationHandler:
    text = filters.TEXT & ~filters.COMMAND

    return ConversationHandler(
        entry_points=[CommandHandler("event_new", start)],
        states={
            FORMAT: [on(cb.EventFormat, pick_format)],
            TITLE: [MessageHandler(text, typed_title)],
            START: [MessageHandler(text, typed_start), on(cb.EventQuickDay, quick_start)],
            DURATION: [MessageHandler(text, duration), on(cb.EventDuration, duration)],
            PLACE: [MessageHandler(text, place), on(cb.EventPlace, place)],
            GOAL: [MessageHandler(text, goal), on(cb.EventSkip, goal)],
            AUDIENCE: [on(cb.EventAudience, audience)],
            SCHOOLS: [on(cb.EventChooseSchool, choose_school)],
            CAPACITY: [MessageHandler(text, capacity), on(cb.EventCapacity, capacity)],
            DESCRIPTION: [MessageHandler(text, description), on(cb.EventSkip, description)],
            SUMMARY: [on(cb.EventPublish, publish), on(cb.EventChange, change)],
            CHANGE: [on(cb.EventChangeField, change_field)],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            on(cb.EventNewCancel, cancel),
            MessageHandler(~filters.COMMAND, wrong_input),
        ],
        name="event_new",
        persistent=True,
        allow_reentry=True,
    )
