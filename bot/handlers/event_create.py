"""/event_new: a coordinator registers a city event, checks the card, publishes it."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select
from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import texts
from bot.handlers.conversation_kit import callback_data, make_cancel, message_text, wrong_input
from bot.handlers.guard import guarded
from bot.handlers.replies import Buttons, answer
from bot.models import School
from bot.runtime import BotContext
from bot.services import events
from bot.services.errors import DomainError
from bot.services.event_times import at_local, parse_local_datetime
from bot.services.events import EventDraft
from bot.services.local_time import local_today
from bot.services.recipients import municipality_timezone

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
            (texts.fmt_date(today + timedelta(days=d)) + " 14:00", f"ev:qs:{d}") for d in QUICK_DAYS
        ]
        await answer(update, texts.EVENT_START, [quick])
    elif state == DURATION:
        await answer(
            update, texts.EVENT_DURATION, [[(f"{m}", f"ev:du:{m}") for m in (60, 90, 120, 180)]]
        )
    elif state == PLACE:
        hosts = await context.session.scalars(
            select(School)
            .where(School.municipality_id == draft.municipality_id)
            .order_by(School.number)
            .limit(30)
        )
        buttons = [(s.short_name, f"ev:pl:{s.id}") for s in hosts]
        await answer(
            update, texts.EVENT_PLACE, [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
        )
    elif state == GOAL:
        await answer(update, texts.EVENT_GOAL, [[(texts.BUTTON_SKIP, "ev:sk")]])
    elif state == AUDIENCE:
        await answer(
            update,
            texts.EVENT_AUDIENCE,
            [[(label, f"ev:au:{code}")] for code, label in texts.EVENT_AUDIENCE_LABELS.items()],
        )
    elif state == SCHOOLS:
        await answer(update, texts.EVENT_CHOOSE_SCHOOLS, await _school_buttons(context, draft))
    elif state == CAPACITY:
        await answer(
            update,
            texts.EVENT_CAPACITY,
            [[(texts.BUTTON_NO_LIMIT, "ev:ca:0"), (texts.BUTTON_NO_SIGNUP, "ev:ca:x")]],
        )
    elif state == DESCRIPTION:
        await answer(update, texts.EVENT_DESCRIPTION, [[(texts.BUTTON_SKIP, "ev:sk")]])
    elif state == SUMMARY:
        await _summary(update, context, draft)
    return state


async def _school_buttons(context: BotContext, draft: EventDraft) -> Buttons:
    schools = await context.session.scalars(
        select(School)
        .where(School.municipality_id == draft.municipality_id, School.in_project.is_(True))
        .order_by(School.number)
    )
    rows: Buttons = [
        [(("✅ " if s.id in draft.chosen_school_ids else "") + s.short_name, f"ev:cs:{s.id}")]
        for s in schools
    ]
    rows.append([(texts.BUTTON_DONE, "ev:cs:done")])
    return rows


async def _place(context: BotContext, draft: EventDraft) -> str:
    if draft.host_school_id:
        school = await context.session.get(School, draft.host_school_id)
        if school:
            return school.full_name
    return draft.place_text or "—"


async def _summary(update: Update, context: BotContext, draft: EventDraft) -> None:
    text = texts.event_draft_summary(
        draft, await _place(context, draft), await _zone(context, draft)
    )
    await answer(
        update,
        text,
        [
            [(texts.BUTTON_PUBLISH, "ev:pub")],
            [(texts.BUTTON_CHANGE, "ev:chg"), (texts.BUTTON_CANCEL, "ev:x")],
        ],
    )


@guarded(ACTION)
async def start(update: Update, context: BotContext) -> int:
    draft = EventDraft(municipality_id=events.home_municipality(context.actor))
    _keep(context, draft)
    labels = list(texts.EVENT_FORMAT_LABELS.items())
    rows = [
        [(label, f"ev:fm:{code}") for code, label in labels[i : i + 2]]
        for i in range(0, len(labels), 2)
    ]
    await answer(update, texts.EVENT_CHOOSE_FORMAT, rows)
    return FORMAT


@guarded(ACTION)
async def pick_format(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    code = callback_data(update).rsplit(":", 1)[1]
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
    days = int(callback_data(update).rsplit(":", 1)[1])
    if days not in QUICK_DAYS:  # only a forged button: a day past year 9999 would crash
        raise DomainError("not_found")
    day = local_today(context.now(), zone) + timedelta(days=days)
    return await _set_start(update, context, at_local(day, time(14, 0), zone))


@guarded(ACTION)
async def duration(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    value = (
        callback_data(update).rsplit(":", 1)[1] if update.callback_query else message_text(update)
    )
    draft.duration_minutes = events.parse_duration(value)
    return await _next(update, context, draft, PLACE)


@guarded(ACTION)
async def place(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    if update.callback_query:
        school_id = int(callback_data(update).rsplit(":", 1)[1])
        school = await context.session.get(School, school_id)
        if school is None or school.municipality_id != draft.municipality_id:
            raise DomainError("school_out_of_scope")
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
    code = callback_data(update).rsplit(":", 1)[1]
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
    value = callback_data(update).rsplit(":", 1)[1]
    if value == "done":
        if not draft.chosen_school_ids:
            raise DomainError("event_no_schools")
        return await _next(update, context, draft, CAPACITY)
    school = await context.session.get(School, int(value))
    if school is None or school.municipality_id != draft.municipality_id:
        raise DomainError("school_out_of_scope")
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
        value = callback_data(update).rsplit(":", 1)[1]
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
    await context.commit()
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
CHANGE_LABELS = {
    "title": "Название",
    "start": "Начало",
    "place": "Место",
    "goal": "Цель",
    "audience": "Для кого",
    "capacity": "Запись",
    "description": "Описание",
}


@guarded(ACTION)
async def change(update: Update, context: BotContext) -> int:
    items = list(CHANGE_LABELS.items())
    rows: Buttons = [
        [(label, f"ev:cf:{key}") for key, label in items[i : i + 2]]
        for i in range(0, len(items), 2)
    ]
    await answer(update, texts.EVENT_EDIT_CHOOSE, rows, edit=True)
    return CHANGE


@guarded(ACTION)
async def change_field(update: Update, context: BotContext) -> int:
    state = CHANGEABLE.get(callback_data(update).rsplit(":", 1)[1], SUMMARY)
    draft = _draft(context)
    result = await _next(update, context, draft, state)
    context.user_data["event_changing"] = True
    return result


cancel = make_cancel(DRAFT, "event_changing")


def conversation() -> ConversationHandler:
    text = filters.TEXT & ~filters.COMMAND

    def cb(handler, pattern: str) -> CallbackQueryHandler:  # type: ignore[no-untyped-def]
        return CallbackQueryHandler(handler, pattern=pattern)

    return ConversationHandler(
        entry_points=[CommandHandler("event_new", start)],
        states={
            FORMAT: [cb(pick_format, r"^ev:fm:[a-z_]+$")],
            TITLE: [MessageHandler(text, typed_title)],
            START: [MessageHandler(text, typed_start), cb(quick_start, r"^ev:qs:\d{1,9}$")],
            DURATION: [MessageHandler(text, duration), cb(duration, r"^ev:du:\d{1,9}$")],
            PLACE: [MessageHandler(text, place), cb(place, r"^ev:pl:\d{1,9}$")],
            GOAL: [MessageHandler(text, goal), cb(goal, r"^ev:sk$")],
            AUDIENCE: [cb(audience, r"^ev:au:[a-z_]+$")],
            SCHOOLS: [cb(choose_school, r"^ev:cs:(\d{1,9}|done)$")],
            CAPACITY: [MessageHandler(text, capacity), cb(capacity, r"^ev:ca:(0|x)$")],
            DESCRIPTION: [MessageHandler(text, description), cb(description, r"^ev:sk$")],
            SUMMARY: [cb(publish, r"^ev:pub$"), cb(change, r"^ev:chg$")],
            CHANGE: [cb(change_field, r"^ev:cf:[a-z]+$")],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            cb(cancel, r"^ev:x$"),
            MessageHandler(~filters.COMMAND, wrong_input),
        ],
        name="event_new",
        persistent=True,
        allow_reentry=True,
    )
