"""/template, /import (file → preview with problems → «Загрузить»), /item_new."""

from __future__ import annotations

import asyncio
from datetime import date

from telegram import InputFile, Update
from telegram.ext import (
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import callbacks as cb
from bot import texts
from bot.handlers.conversation_kit import make_cancel, message_text, on, pressed, text_expected
from bot.handlers.guard import guarded
from bot.handlers.heavy import off_lane
from bot.handlers.replies import answer, deliver
from bot.handlers.school_choice import choose_or_single, chosen_school
from bot.reports.roadmap_template import build_template
from bot.runtime import BotContext
from bot.services.errors import DomainError
from bot.services.roadmaps import roadmaps
from bot.services.roadmaps.roadmap_import import (
    MAX_FILE_BYTES,
    ImportRefused,
    ParsedItem,
    ParsedRoadmap,
    read_roadmap,
)
from bot.services.school_year import SchoolYear
from bot.services.text_cleaning import clean_text

IMPORT_SCHOOL, IMPORT_FILE, IMPORT_CONFIRM = range(3)
NEW_SCHOOL, NEW_MEASURE, NEW_DEADLINE = range(10, 13)
IMPORT = "roadmap_import"
NEW = "roadmap_item_new"


@guarded("template")
async def send_template(update: Update, context: BotContext) -> None:
    """The XLSX template with the ten risk factors on a second sheet."""
    titles = await roadmaps.risk_titles(context.session)
    content = await asyncio.to_thread(build_template, titles)
    chat = update.effective_chat
    assert chat is not None
    template = InputFile(content, filename="shablon_dorozhnoy_karty.xlsx")
    await deliver(lambda: chat.send_document(template, caption=texts.TEMPLATE_CAPTION))


# -- import -------------------------------------------------------------------------------


async def _ask_file(update: Update, context: BotContext, school_id: int) -> int:
    school = await roadmaps.editable_school(context.session, context.actor, school_id)
    # No year yet: the file's title or dates name it, else the current one (see _read).
    context.user_data[IMPORT] = {"school_id": school.id}
    await answer(
        update,
        texts.ROADMAP_SEND_FILE.format(school=texts.e(school.short_name)),
        [[(texts.BUTTON_CANCEL, cb.RoadmapCancel().pack())]],
        edit=update.callback_query is not None,
    )
    return IMPORT_FILE


@guarded("import")
async def start_import(update: Update, context: BotContext) -> int:
    school_id = await choose_or_single(update, context, cb.ImportSchool, editing=True)
    if school_id is None:
        return IMPORT_SCHOOL
    return await _ask_file(update, context, school_id)


@guarded("import")
async def import_school(update: Update, context: BotContext) -> int:
    return await _ask_file(update, context, chosen_school(update, cb.ImportSchool))


def _school_year(context: BotContext) -> int:
    """A roadmap's year is its school year's start (2026 for 2026/27)."""
    return SchoolYear.containing(context.now().date()).start


async def _read(
    update: Update, context: BotContext, state: dict, titles: dict[int, str]
) -> ParsedRoadmap:
    """The file read in the year chosen by a button, else in its own year, else this one."""
    file = await context.bot.get_file(state["file_id"])
    content = bytes(await file.download_as_bytearray())
    chosen = int(state["year"]) if state.get("year") else None
    try:
        return await off_lane(
            update,
            context,
            read_roadmap,
            content,
            state["file_name"],
            chosen,
            titles,
            fallback_year=_school_year(context),
        )
    except ImportRefused as refused:
        raise DomainError(refused.code, **refused.params) from None


def _item_line(item: ParsedItem, titles: dict[int, str]) -> str:
    due = date.fromisoformat(item.due_date) if item.due_date else None
    risk = item.risk_factor_id
    return texts.preview_item_line(
        item.number,
        item.measure,
        texts.preview_deadline(due, item.deadline_text, item.is_recurring),
        (risk, titles.get(risk, "")) if risk is not None else None,
    )


async def _preview(
    update: Update, context: BotContext, state: dict, *, edit: bool, page: int = 0
) -> int | None:
    """What would be loaded, page by page: sections, items, deadlines, risk factors."""
    school = await roadmaps.editable_school(context.session, context.actor, int(state["school_id"]))
    titles = await roadmaps.risk_titles(context.session)
    parsed = await _read(update, context, state, titles)
    state["file_year"] = parsed.detected_year
    pages = texts.preview_pages(
        [(item.section or "", _item_line(item, titles)) for item in parsed.items]
    ) or [""]
    page = min(max(page, 0), len(pages) - 1)
    source = (parsed.year_source, parsed.year_wording or "") if parsed.year_source else None
    preview = texts.roadmap_preview(
        school.short_name,
        parsed.year,
        source,
        (len(parsed.items), len(parsed.sections), parsed.undated),
        pages[page],
        page,
        len(pages),
        parsed.problems,
        parsed.notes,
    )
    if not parsed.items:
        await answer(update, preview + "\n\n" + texts.ROADMAP_NOTHING_TO_LOAD, edit=edit)
        return None
    this_year = _school_year(context)
    offered = sorted({this_year - 1, this_year, this_year + 1, parsed.year})
    years = [(texts.year_button(y, y == parsed.year), cb.ImportYear(y).pack()) for y in offered]
    buttons = [
        [
            (texts.BUTTON_UPLOAD, cb.ImportConfirm().pack()),
            (texts.BUTTON_CANCEL, cb.RoadmapCancel().pack()),
        ]
    ]
    turns = []
    if page > 0:
        turns.append((texts.BUTTON_PREVIEW_BACK, cb.ImportPreviewPage(page - 1).pack()))
    if page < len(pages) - 1:
        turns.append((texts.BUTTON_PREVIEW_NEXT, cb.ImportPreviewPage(page + 1).pack()))
    if turns:
        buttons.append(turns)
    buttons.append(years)
    await answer(update, preview, buttons, edit=edit)
    return IMPORT_CONFIRM


@guarded("import")
async def receive_file(update: Update, context: BotContext) -> int | None:
    message = update.effective_message
    assert message is not None and message.document is not None
    document = message.document
    if (document.file_size or 0) > MAX_FILE_BYTES:
        raise DomainError("import_too_big", limit_mb=MAX_FILE_BYTES // (1024 * 1024))
    state = dict(context.user_data.get(IMPORT) or {})
    state.pop("year", None)  # a new file names its own year
    # The name only tells XLSX from CSV; cleaned, as it is kept in the persisted state.
    name = clean_text(document.file_name or "", single_line=True)[:100] or "file"
    state.update(file_id=document.file_id, file_name=name)
    shown = await _preview(update, context, state, edit=False)
    if shown is not None:
        context.user_data[IMPORT] = state
    return shown


@guarded("import")
async def import_year(update: Update, context: BotContext) -> int | None:
    """The roadmap's year: also the year of deadlines written without one («до 01.09»)."""
    year = pressed(update, cb.ImportYear).year
    state = dict(context.user_data.get(IMPORT) or {})
    if abs(year - _school_year(context)) > 1 and year != state.get("file_year"):
        raise DomainError("roadmap_year_out_of_range")
    state["year"] = year
    shown = await _preview(update, context, state, edit=True)
    context.user_data[IMPORT] = state
    return shown


@guarded("import")
async def preview_page(update: Update, context: BotContext) -> int | None:
    page = pressed(update, cb.ImportPreviewPage).page
    state = dict(context.user_data.get(IMPORT) or {})
    return await _preview(update, context, state, edit=True, page=page)


@guarded("import")
async def confirm_import(update: Update, context: BotContext) -> int:
    state = context.user_data.get(IMPORT) or {}
    parsed = await _read(update, context, state, await roadmaps.risk_titles(context.session))
    result = await roadmaps.apply_import(
        context.session,
        context.actor,
        int(state["school_id"]),
        parsed.year,
        parsed.items,
        context.now(),
    )
    context.user_data.pop(IMPORT, None)
    await answer(update, texts.roadmap_imported(result.created, result.updated), edit=True)
    return ConversationHandler.END


cancel = make_cancel(IMPORT, NEW)


async def file_expected(update: Update, context: BotContext) -> None:
    await answer(update, texts.ROADMAP_FILE_EXPECTED)


def import_conversation() -> ConversationHandler:
    return ConversationHandler(
        entry_points=[CommandHandler("import", start_import)],
        states={
            IMPORT_SCHOOL: [on(cb.ImportSchool, import_school)],
            IMPORT_FILE: [MessageHandler(filters.Document.ALL, receive_file)],
            IMPORT_CONFIRM: [
                on(cb.ImportConfirm, confirm_import),
                on(cb.ImportYear, import_year),
                on(cb.ImportPreviewPage, preview_page),
                MessageHandler(filters.Document.ALL, receive_file),
            ],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            on(cb.RoadmapCancel, cancel),
            MessageHandler(~filters.COMMAND, file_expected),
        ],
        name="roadmap_import",
        persistent=True,
        allow_reentry=True,
    )


# -- a single item ------------------------------------------------------------------------


async def _ask_measure(update: Update, context: BotContext, school_id: int) -> int:
    school = await roadmaps.editable_school(context.session, context.actor, school_id)
    context.user_data[NEW] = {"school_id": school.id}
    await answer(update, f"{texts.e(school.short_name)}. {texts.ITEM_NEW_MEASURE}")
    return NEW_MEASURE


@guarded("item_new")
async def start_new(update: Update, context: BotContext) -> int:
    school_id = await choose_or_single(update, context, cb.NewItemSchool, editing=True)
    if school_id is None:
        return NEW_SCHOOL
    return await _ask_measure(update, context, school_id)


@guarded("item_new")
async def new_school(update: Update, context: BotContext) -> int:
    return await _ask_measure(update, context, chosen_school(update, cb.NewItemSchool))


@guarded("item_new")
async def new_measure(update: Update, context: BotContext) -> int:
    assert update.effective_message is not None
    text = message_text(update).strip()
    if len(text) > 2000:
        raise DomainError("text_too_long", length=len(text), limit=2000)
    if not text:
        raise DomainError("text_empty")
    context.user_data[NEW] = {**(context.user_data.get(NEW) or {}), "measure": text}
    await answer(update, texts.ITEM_NEW_DEADLINE)
    return NEW_DEADLINE


@guarded("item_new")
async def new_deadline(update: Update, context: BotContext) -> int | None:
    assert update.effective_message is not None
    state = context.user_data.get(NEW) or {}
    item = await roadmaps.add_item(
        context.session,
        context.actor,
        int(state["school_id"]),
        state["measure"],
        message_text(update),
        _school_year(context),
    )
    school = await roadmaps.editable_school(context.session, context.actor, int(state["school_id"]))
    context.user_data.pop(NEW, None)
    await answer(
        update,
        texts.item_added(item.number, school.short_name),
        [[(texts.BUTTON_OPEN_ITEM, cb.ItemOpen(item.id).pack())]],
    )
    return ConversationHandler.END


def new_item_conversation() -> ConversationHandler:
    text = filters.TEXT & ~filters.COMMAND
    return ConversationHandler(
        entry_points=[CommandHandler("item_new", start_new)],
        states={
            NEW_SCHOOL: [on(cb.NewItemSchool, new_school)],
            NEW_MEASURE: [MessageHandler(text, new_measure)],
            NEW_DEADLINE: [MessageHandler(text, new_deadline)],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            on(cb.RoadmapCancel, cancel),
            MessageHandler(~filters.COMMAND, text_expected),
        ],
        name="roadmap_item_new",
        persistent=True,
        allow_reentry=True,
    )
