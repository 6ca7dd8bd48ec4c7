"""/visits: read visits page by page, filter (coordinators), open a card, edit or delete."""

from __future__ import annotations

from functools import partial

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import texts
from bot.handlers.guard import guarded
from bot.handlers.replies import Buttons, answer, deliver
from bot.models import AttachmentKind, Role
from bot.runtime import BotContext
from bot.services.access.permissions import allowed
from bot.services.visits import visits
from bot.services.visits.visits import VisitFilter

ACTION = "visits"


def _list_data(page: int, flt: VisitFilter) -> str:
    return f"vis:l:{page}:{flt.school_id}:{flt.curator_id}:{flt.month}"


def _parse_filter(parts: list[str]) -> tuple[int, VisitFilter]:
    page, school, curator, month = (int(p) for p in parts)
    return page, VisitFilter(school, curator, month)


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
        [(texts.visit_button(row.visit_date, row.school), f"vis:o:{row.id}")] for row in result.rows
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
                (texts.VISIT_FIELD_LABELS["school"], f"vis:fs:{_list_data(0, flt)[6:]}"),
                (texts.BUTTON_FILTER_CURATOR, f"vis:fc:{_list_data(0, flt)[6:]}"),
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
        rows.append([(texts.BUTTON_NEW_VISIT, "vis:new")])
    await answer(update, "\n".join(lines), rows, edit=edit)


@guarded(ACTION)
async def show_visits(update: Update, context: BotContext) -> None:
    """The person's visits in scope, newest first."""
    await _render_list(update, context, 0, VisitFilter(), edit=False)


@guarded(ACTION)
async def page_visits(update: Update, context: BotContext) -> None:
    assert update.callback_query is not None
    page, flt = _parse_filter((update.callback_query.data or "").split(":")[2:])
    await _render_list(update, context, page, flt, edit=True)


@guarded(ACTION)
async def filter_menu(update: Update, context: BotContext) -> None:
    """Offer schools or curators to filter by (coordinators)."""
    assert update.callback_query is not None
    parts = (update.callback_query.data or "").split(":")
    _page, flt = _parse_filter(parts[2:])
    schools, curators = await visits.filter_options(context.session, context.actor)
    if parts[1] == "fs":
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
    assert update.callback_query is not None
    visit_id = int((update.callback_query.data or "").rsplit(":", 1)[1])
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
            [(texts.BUTTON_EDIT, f"vis:ed:{visit.id}"), (texts.BUTTON_DELETE, f"vis:dl:{visit.id}")]
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
    assert update.callback_query is not None
    visit_id = int((update.callback_query.data or "").rsplit(":", 1)[1])
    await visits.editable_visit(context.session, context.actor, visit_id, context.now())
    await answer(
        update,
        texts.VISIT_CONFIRM_DELETE,
        [
            [
                (texts.BUTTON_YES_DELETE, f"vis:dy:{visit_id}"),
                (texts.BUTTON_CANCEL, _list_data(0, VisitFilter())),
            ]
        ],
        edit=True,
    )


@guarded(ACTION)
async def confirm_delete(update: Update, context: BotContext) -> None:
    assert update.callback_query is not None
    visit_id = int((update.callback_query.data or "").rsplit(":", 1)[1])
    await visits.delete_visit(context.session, context.actor, visit_id, context.now())
    await answer(update, texts.VISIT_DELETED, edit=True)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("visits", show_visits))
    application.add_handler(
        CallbackQueryHandler(page_visits, pattern=r"^vis:l:\d{1,9}:\d{1,9}:\d{1,9}:\d{1,9}$")
    )
    application.add_handler(
        CallbackQueryHandler(filter_menu, pattern=r"^vis:f[sc]:\d{1,9}:\d{1,9}:\d{1,9}:\d{1,9}$")
    )
    application.add_handler(CallbackQueryHandler(open_visit, pattern=r"^vis:o:\d{1,9}$"))
    application.add_handler(CallbackQueryHandler(ask_delete, pattern=r"^vis:dl:\d{1,9}$"))
    application.add_handler(CallbackQueryHandler(confirm_delete, pattern=r"^vis:dy:\d{1,9}$"))
