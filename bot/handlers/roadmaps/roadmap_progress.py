"""/roadmap: a school's items by status, an item's card and history, the school's report."""

from __future__ import annotations

from typing import cast

from telegram import Message, Update
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
    typed,
    wrong_input,
)
from bot.handlers.guard import guarded
from bot.handlers.replies import Buttons, answer
from bot.handlers.roadmaps import carry_over as carry_over_buttons
from bot.handlers.school_choice import choose_or_single, chosen_school
from bot.models import REPORTED_STATUSES, SETTLED_STATUSES, ItemStatus
from bot.runtime import BotContext
from bot.services import local_time
from bot.services.errors import DomainError
from bot.services.roadmaps import carry_over, roadmap_reports, roadmaps
from bot.services.roadmaps.roadmap_reports import Evidence
from bot.services.school_year import SchoolYear
from bot.services.visits import follow_ups

PAGE = 6
STATUS, PERCENT, DONE_TEXT, EVIDENCE, CONFIRM = range(20, 25)
DRAFT = "roadmap_report"
MAX_EVIDENCE = 10


async def _show_list(
    update: Update, context: BotContext, school_id: int, page: int, edit: bool
) -> None:
    # «Today» is the school's own (its municipality's time zone), not UTC's.
    school, today = await roadmaps.visible_school_today(
        context.session, context.actor, school_id, context.now()
    )
    rows = await roadmaps.school_items(context.session, context.actor, school.id, today)
    if not rows:  # no plan yet: the visits' open next steps are still the school's to do
        steps = await follow_ups.open_for_school(context.session, school.id, today)
        await answer(
            update,
            texts.with_follow_ups(texts.ROADMAP_EMPTY, steps) if steps else texts.ROADMAP_EMPTY,
            _follow_up_buttons(context, school.id, steps),
            edit=edit,
        )
        return
    pages = max(1, -(-len(rows) // PAGE))
    page = min(max(page, 0), pages - 1)
    shown = rows[page * PAGE : (page + 1) * PAGE]
    buttons: Buttons = [
        [(f"{r.number}. {r.measure[:40]}", cb.ItemOpen(r.id).pack())] for r in shown
    ]
    navigation = []
    if page > 0:
        navigation.append((texts.BUTTON_PREV, cb.RoadmapPage(school_id, page - 1).pack()))
    if page + 1 < pages:
        navigation.append((texts.BUTTON_NEXT, cb.RoadmapPage(school_id, page + 1).pack()))
    if navigation:
        buttons.append(navigation)
    text = texts.roadmap_page(school.short_name, shown, page, pages)
    if page == 0:
        steps = await follow_ups.open_for_school(context.session, school.id, today)
        if steps:
            text = texts.with_follow_ups(text, steps)
            buttons += _follow_up_buttons(context, school.id, steps)
    if carry_over.may_settle(context.actor, school):
        earlier = await carry_over.earlier_open_year(context.session, school.id)
        if earlier is not None:
            year, count = earlier
            label = SchoolYear(year).label
            earlier_button = texts.earlier_open_button(label, count)
            buttons.append([(earlier_button, cb.SettleList(school.id, year).pack())])
    await answer(update, text, buttons, edit=edit)


def _follow_up_buttons(context: BotContext, school_id: int, steps: list) -> Buttons:
    """«✅ …» under the school's open next steps, for the school and its curators."""
    if not follow_ups.may_mark(context.actor, school_id):
        return []
    return [[(texts.follow_up_button(line), cb.FollowUpDone(line.id).pack())] for line in steps[:5]]


@guarded("roadmap")
async def show_roadmap(update: Update, context: BotContext) -> None:
    """The school's items, overdue first; asks which school when there are several."""
    school_id = await choose_or_single(update, context, cb.RoadmapSchool, editing=False)
    if school_id is not None:
        await _show_list(update, context, school_id, 0, edit=False)


@guarded("roadmap")
async def roadmap_school(update: Update, context: BotContext) -> None:
    await _show_list(update, context, chosen_school(update, cb.RoadmapSchool), 0, edit=True)


@guarded("roadmap")
async def roadmap_page(update: Update, context: BotContext) -> None:
    data = pressed(update, cb.RoadmapPage)
    await _show_list(update, context, data.school_id, data.page, edit=True)


async def show_card(update: Update, context: BotContext, item_id: int, *, edit: bool) -> None:
    """The item's card with what this person may do with it."""
    item, school = await roadmaps.visible_item(context.session, context.actor, item_id)
    today = await local_time.today_at_school(context.session, school.id, context.now())
    overdue = roadmaps.is_overdue(item, today)
    risk = (
        (await roadmaps.risk_titles(context.session)).get(item.risk_factor_id)
        if item.risk_factor_id
        else None
    )
    actions: list[tuple[str, str]] = []
    if school.id in context.actor.staff_school_ids:
        actions.append((texts.BUTTON_REPORT, cb.ItemReport(item.id).pack()))
    actions.append((texts.BUTTON_HISTORY, cb.ItemHistory(item.id).pack()))
    buttons: Buttons = [actions]
    if roadmaps.may_edit_roadmap(context.actor, school):
        buttons.append([(texts.BUTTON_EDIT, cb.ItemEdit(item.id).pack())])
    if item.status not in SETTLED_STATUSES and carry_over.may_settle(context.actor, school):
        year = await roadmaps.item_year(context.session, item)
        if carry_over.offered(year, today):
            buttons += carry_over_buttons.settle_buttons(item.id, year)
    buttons.append([(texts.BUTTON_BACK, cb.RoadmapPage(school.id, 0).pack())])
    await answer(
        update, texts.item_card(item, school.short_name, overdue, risk), buttons, edit=edit
    )


@guarded("roadmap")
async def open_item(update: Update, context: BotContext) -> None:
    item_id = pressed(update, cb.ItemOpen).item_id
    await show_card(update, context, item_id, edit=False)


@guarded("roadmap")
async def show_history(update: Update, context: BotContext) -> None:
    item_id = pressed(update, cb.ItemHistory).item_id
    lines = await roadmap_reports.item_history(context.session, context.actor, item_id)
    await answer(update, texts.item_history(lines, context.runtime.settings.default_timezone))


# -- the school's report ------------------------------------------------------------------


def _draft(context: BotContext) -> dict:
    return context.user_data.setdefault(DRAFT, {})


@guarded("item_report")
async def start_report(update: Update, context: BotContext) -> int:
    item_id = pressed(update, cb.ItemReport).item_id
    item, school = await roadmaps.visible_item(context.session, context.actor, item_id)
    if school.id not in context.actor.staff_school_ids:
        raise DomainError("roadmap_report_only_school")
    context.user_data[DRAFT] = {"item_id": item.id, "evidence": []}
    buttons = [
        [
            (
                texts.ITEM_STATUS_LABELS[status.value],
                cb.ReportStatus(cast(cb.StatusCode, status.value)).pack(),
            )
        ]
        for status in REPORTED_STATUSES
    ]
    buttons.append([(texts.BUTTON_CANCEL, cb.RoadmapCancel().pack())])
    await answer(
        update,
        f"{texts.e(item.number)}. {texts.e(item.measure[:200])}\n\n{texts.REPORT_CHOOSE_STATUS}",
        buttons,
    )
    return STATUS


@guarded("item_report")
async def pick_status(update: Update, context: BotContext) -> int:
    _draft(context)["status"] = ItemStatus(pressed(update, cb.ReportStatus).status).value
    buttons = [
        [(f"{n}%", cb.ReportPercent(n).pack()) for n in (0, 25, 50)],
        [(f"{n}%", cb.ReportPercent(n).pack()) for n in (75, 100)],
        [(texts.PERCENT_SKIP, cb.ReportPercent("x").pack())],
    ]
    await answer(update, texts.REPORT_CHOOSE_PERCENT, buttons, edit=True)
    return PERCENT


@guarded("item_report")
async def pick_percent(update: Update, context: BotContext) -> int:
    value = pressed(update, cb.ReportPercent).percent
    _draft(context)["percent"] = None if value == "x" else value
    await answer(update, texts.REPORT_DONE_TEXT, edit=True)
    return DONE_TEXT


@guarded("item_report")
async def done_text(update: Update, context: BotContext) -> int:
    assert update.effective_message is not None
    text = message_text(update).strip()
    if len(text) > roadmap_reports.MAX_REPORT_TEXT:
        raise DomainError("text_too_long", length=len(text), limit=roadmap_reports.MAX_REPORT_TEXT)
    if not text:
        raise DomainError("text_empty")
    _draft(context)["done_text"] = text
    await answer(
        update, texts.REPORT_EVIDENCE, [[(texts.BUTTON_DONE, cb.ReportEvidenceDone().pack())]]
    )
    return EVIDENCE


@guarded("item_report")
async def add_evidence(update: Update, context: BotContext) -> int | None:
    message = update.effective_message
    assert isinstance(message, Message)
    draft = _draft(context)
    piece: dict | None = None
    if message.document:
        piece = {
            "kind": "document",
            "file_id": message.document.file_id,
            "file_unique_id": message.document.file_unique_id,
            "file_name": (typed(message.document.file_name) or texts.FILE_NAME_FALLBACK)[:300],
        }
    elif message.photo:
        photo = message.photo[-1]
        piece = {"kind": "photo", "file_id": photo.file_id, "file_unique_id": photo.file_unique_id}
    elif message_text(update).strip().lower().startswith(("http://", "https://")):
        piece = {"kind": "link", "url": message_text(update).strip()[:1000]}
    if piece is None:
        await answer(
            update,
            texts.REPORT_EVIDENCE_EXPECTED,
            [[(texts.BUTTON_DONE, cb.ReportEvidenceDone().pack())]],
        )
        return None
    if len(draft["evidence"]) >= MAX_EVIDENCE:
        await answer(
            update,
            texts.REPORT_EVIDENCE_LIMIT.format(limit=MAX_EVIDENCE),
            [[(texts.BUTTON_DONE, cb.ReportEvidenceDone().pack())]],
        )
        return None
    draft["evidence"].append(piece)
    await answer(
        update,
        texts.REPORT_EVIDENCE_ADDED.format(count=len(draft["evidence"])),
        [[(texts.BUTTON_DONE, cb.ReportEvidenceDone().pack())]],
    )
    return None


@guarded("item_report")
async def evidence_done(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    await answer(
        update,
        texts.report_summary(
            draft["status"], draft.get("percent"), draft.get("done_text"), len(draft["evidence"])
        ),
        [
            [
                (texts.BUTTON_SEND, cb.ReportSend().pack()),
                (texts.BUTTON_CANCEL, cb.RoadmapCancel().pack()),
            ]
        ],
    )
    return CONFIRM


@guarded("item_report")
async def send_report(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    await roadmap_reports.submit_report(
        context.session,
        context.actor,
        int(draft["item_id"]),
        status=ItemStatus(draft["status"]),
        percent=draft.get("percent"),
        done_text=draft.get("done_text"),
        evidence=[Evidence(**piece) for piece in draft["evidence"]],
        now=context.now(),
    )
    context.user_data.pop(DRAFT, None)
    await answer(update, texts.REPORT_SENT, edit=True)
    return ConversationHandler.END


cancel = make_cancel(DRAFT)


def report_conversation() -> ConversationHandler:
    return ConversationHandler(
        entry_points=[on(cb.ItemReport, start_report)],
        states={
            STATUS: [on(cb.ReportStatus, pick_status)],
            PERCENT: [on(cb.ReportPercent, pick_percent)],
            DONE_TEXT: [MessageHandler(filters.TEXT & ~filters.COMMAND, done_text)],
            EVIDENCE: [
                MessageHandler(
                    (filters.TEXT & ~filters.COMMAND) | filters.Document.ALL | filters.PHOTO,
                    add_evidence,
                ),
                on(cb.ReportEvidenceDone, evidence_done),
            ],
            CONFIRM: [on(cb.ReportSend, send_report)],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            on(cb.RoadmapCancel, cancel),
            MessageHandler(~filters.COMMAND, wrong_input),
        ],
        name="roadmap_report",
        persistent=True,
        allow_reentry=True,
    )


def handlers() -> list:
    return [
        CommandHandler("roadmap", show_roadmap),
        on(cb.RoadmapSchool, roadmap_school),
        on(cb.RoadmapPage, roadmap_page),
        on(cb.ItemOpen, open_item),
        on(cb.ItemHistory, show_history),
    ]
