"""/visits: read visits page by page, filter (coordinators), open a card, edit or delete."""

from __future__ import annotations

from functools import partial
from typing import Literal

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot import callbacks as cb
from bot import texts
from bot.handlers.conversation_kit import on, pressed
from bot.handlers.guard import guarded
from bot.handlers.replies import Buttons, answer, deliver
from bot.models import AttachmentKind, Role
from bot.runtime import BotContext
from bot.services.access.permissions import allowed
from bot.services.visits import visits
from bot.services.visits.visits import VisitFilter

ACTION = "visits"


def _list_data(page: int, flt: VisitFilter) -> str:
    return cb.VisitList(page, flt.school_id, flt.curator_id, flt.month).pack()


def _filter_data(by: Literal["fs", "fc"], flt: VisitFilter) -> str:
    return cb.VisitFilterMenu(by, 0, flt.school_id, flt.curator_id, flt.month).pack()


def _shift_month(yyyymm: int, delta: int) -> int:
    year, month = divmod(yyyymm, 100)
    month += delta
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return year * 100 + month


async def _render_list(
    update: Update, context: BotContext, page: int, flt: VisitFilter, edit: bool
) -> None:
    actor = context.actor
    result = await visits.list_visits(context.session, actor, page, flt)
    lines = [texts.visits_page_header(result.total, result.page, result.pages)]
    if flt.month:
        lines.append(texts.month_label(flt.month))
    if not result.rows:
        lines.append(texts.VISITS_EMPTY)
    rows: Buttons = [
        [(texts.visit_button(row.visit_date, row.school), cb.VisitOpen(row.id).pack())]
        for row in result.rows
    ]
    lines += [texts.visit_row(r.visit_date, r.school, r.curator, r.format) for r in result.rows]
    navigation = []
    if result.page > 0:
        navigation.append((texts.BUTTON_PREV, _list_data(result.page - 1, flt)))
    if result.page + 1 < result.pages:
        navigation.append((texts.BUTTON_NEXT, _list_data(result.page + 1, flt)))
    if navigation:
        rows.append(navigation)
    if actor.coordinated_municipality_ids or actor.is_admin:
        this_month = context.now().year * 100 + context.now().month
        month = flt.month or this_month
        rows.append(
            [
                (texts.VISIT_FIELD_LABELS["school"], _filter_data("fs", flt)),
                (texts.BUTTON_FILTER_CURATOR, _filter_data("fc", flt)),
            ]
        )
        rows.append(
            [
                (
                    "‹ " + texts.month_label(_shift_month(month, -1)),
                    _list_data(
                        0, VisitFilter(flt.school_id, flt.curator_id, _shift_month(month, -1))
                    ),
                ),
                (texts.BUTTON_ALL, _list_data(0, VisitFilter())),
                (
                    texts.month_label(_shift_month(month, 1)) + " ›",
                    _list_data(
                        0, VisitFilter(flt.school_id, flt.curator_id, _shift_month(month, 1))
                    ),
                ),
            ]
        )
    if Role.CURATOR in actor.roles:
        rows.append([(texts.BUTTON_NEW_VISIT, cb.VisitNew().pack())])
    await answer(update, "\n".join(lines), rows, edit=edit)


@guarded(ACTION)
async def show_visits(update: Update, context: BotContext) -> None:
    """The person's visits in scope, newest first."""
    await _render_list(update, context, 0, VisitFilter(), edit=False)


@guarded(ACTION)
async def page_visits(update: Update, context: BotContext) -> None:
    data = pressed(update, cb.VisitList)
    flt = VisitFilter(data.school_id, data.curator_id, data.month)
    await _render_list(update, context, data.page, flt, edit=True)


@guarded(ACTION)
async def filter_menu(update: Update, context: BotContext) -> None:
    """Offer schools or curators to filter by (coordinators)."""
    data = pressed(update, cb.VisitFilterMenu)
    flt = VisitFilter(data.school_id, data.curator_id, data.month)
    schools, curators = await visits.filter_options(context.session, context.actor)
    if data.by == "fs":
        rows: Buttons = [
            [(o.label, _list_data(0, VisitFilter(o.id, flt.curator_id, flt.month)))]
            for o in schools
        ]
    else:
        rows = [
            [(o.label, _list_data(0, VisitFilter(flt.school_id, o.id, flt.month)))]
            for o in curators
        ]
    rows.append([(texts.BUTTON_ALL, _list_data(0, VisitFilter(0, 0, flt.month)))])
    await answer(update, texts.VISIT_CHOOSE_FILTER, rows, edit=True)


@guarded(ACTION)
async def open_visit(update: Update, context: BotContext) -> None:
    """A visit's card, then its photos and documents."""
    visit_id = pressed(update, cb.VisitOpen).visit_id
    card = await visits.visit_card(context.session, context.actor, visit_id, context.now())
    visit = card.visit
    text = texts.visit_summary(
        school=card.row.school,
        day=visit.visit_date,
        format_code=visit.format.value,
        format_other=visit.format_other,
        purpose=visit.purpose,
        participants=visit.participants,
        participants_other=visit.participants_other,
        findings=visit.findings,
        recommendations=visit.recommendations,
        follow_ups=[(texts.follow_up_with_state(f), f.due_date) for f in card.follow_ups],
        attachments=len(card.attachments),
        title=texts.visit_card_title(card.row.curator),
    )
    locations = [a for a in card.attachments if a.kind == AttachmentKind.LOCATION]
    if locations:
        text += "\n" + texts.visit_locations([(a.latitude, a.longitude) for a in locations])
    buttons: Buttons = []
    if card.editable:
        buttons.append(
            [
                (texts.BUTTON_EDIT, cb.VisitEdit(visit.id).pack()),
                (texts.BUTTON_DELETE, cb.VisitDelete(visit.id).pack()),
            ]
        )
    if allowed(context.actor.roles, "practice_new") and (visit.findings or "").strip():
        buttons.append([texts.practice_button(visit.id)])  # issue 18: the practice bank
    await answer(update, text, buttons or None)
    chat = update.effective_chat
    assert chat is not None
    for label, value, limit in [
        (texts.VISIT_FIELD_LABELS["purpose"], visit.purpose, texts.CARD_PURPOSE),
        (texts.VISIT_FIELD_LABELS["findings"], visit.findings, texts.CARD_TEXT),
        (texts.VISIT_FIELD_LABELS["recommendations"], visit.recommendations, texts.CARD_TEXT),
    ]:
        if value and len(value) > limit:  # shortened on the card: the whole text follows
            full = texts.visit_full_field(label, value)
            await deliver(partial(chat.send_message, full, parse_mode="HTML"))
    for item in card.attachments:
        file_id = item.telegram_file_id
        if item.kind == AttachmentKind.PHOTO and file_id:
            await deliver(partial(chat.send_photo, file_id))
        elif item.kind == AttachmentKind.DOCUMENT and file_id:
            await deliver(partial(chat.send_document, file_id))


@guarded(ACTION)
async def ask_delete(update: Update, context: BotContext) -> None:
    visit_id = pressed(update, cb.VisitDelete).visit_id
    await visits.editable_visit(context.session, context.actor, visit_id, context.now())
    await answer(
        update,
        texts.VISIT_CONFIRM_DELETE,
        [
            [
                (texts.BUTTON_YES_DELETE, cb.VisitDeleteYes(visit_id).pack()),
                (texts.BUTTON_CANCEL, _list_data(0, VisitFilter())),
            ]
        ],
        edit=True,
    )


@guarded(ACTION)
async def confirm_delete(update: Update, context: BotContext) -> None:
    visit_id = pressed(update, cb.VisitDeleteYes).visit_id
    await visits.delete_visit(context.session, context.actor, visit_id, context.now())
    await answer(update, texts.VISIT_DELETED, edit=True)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("visits", show_visits))
    application.add_handler(on(cb.VisitList, page_visits))
    application.add_handler(on(cb.VisitFilterMenu, filter_menu))
    application.add_handler(on(cb.VisitOpen, open_visit))
    application.add_handler(on(cb.VisitDelete, ask_delete))
    application.add_handler(on(cb.VisitDeleteYes, confirm_delete))
