"""/summary, /school, /overdue, /report (XLSX), /export (CSV zip)."""

from __future__ import annotations

import contextlib
import logging
from datetime import date

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    MenuButtonWebApp,
    Update,
    WebAppInfo,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler

from bot import callbacks as cb
from bot import texts
from bot.handlers.conversation_kit import on, pressed, typed
from bot.handlers.guard import guarded
from bot.handlers.heavy import building
from bot.handlers.replies import acknowledge, answer, deliver, keyboard, later
from bot.models import School
from bot.reports import files_out
from bot.reports.chart import draw_progress_chart
from bot.runtime import BotContext
from bot.services import local_time
from bot.services.access.permissions import opens_dashboard
from bot.services.notifications.recipients import municipality_timezone
from bot.services.reporting import export_data, report_data, report_periods, school_card, summaries
from bot.services.visits import follow_ups


def _timezone(context: BotContext) -> str:
    return context.runtime.settings.default_timezone


log = logging.getLogger(__name__)

CHART_MAX_BARS = 40  # beyond this a bar per school is unreadable on a phone


@guarded("summary")
async def show_summary(update: Update, context: BotContext) -> None:
    """Every project school in scope, attention first, with a chart and buttons to open one."""
    rows = await _summary_page(update, context, 0)
    if not rows:
        return
    shown = rows[:CHART_MAX_BARS]
    chart = await draw_progress_chart([(r.name, r.accepted, r.total) for r in shown])
    caption = (
        texts.SUMMARY_CHART_CAPTION.format(shown=len(shown), total=len(rows))
        if len(rows) > len(shown)
        else None
    )
    chat = update.effective_chat
    assert chat is not None
    dashboard = _dashboard_url(context)
    markup = None
    if dashboard is not None:
        app = WebAppInfo(dashboard)
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(texts.BUTTON_OPEN_DASHBOARD, web_app=app)]]
        )
        # The chat's menu button opens the panel too, from then on.
        await deliver(
            lambda: context.bot.set_chat_menu_button(
                chat.id, MenuButtonWebApp(texts.MENU_BUTTON_DASHBOARD, app)
            )
        )
    await deliver(
        lambda: chat.send_photo(
            InputFile(chart, filename="progress.png"), caption=caption, reply_markup=markup
        )
    )


def _dashboard_url(context: BotContext) -> str | None:
    """The Mini App's address for a coordinator when it is configured (MINIAPP_URL)."""
    url = context.runtime.settings.miniapp_url
    if url and opens_dashboard(context.actor.roles):
        return url
    return None


@guarded("summary")
async def turn_summary_page(update: Update, context: BotContext) -> None:
    """◀ / ▶ under a long summary: the same list, another page, in the same message."""
    await _summary_page(update, context, pressed(update, cb.SummaryPage).page)


async def _summary_page(
    update: Update, context: BotContext, page: int
) -> list[summaries.SchoolSummary]:
    today = await _actor_today(context)
    rows = await summaries.summarize(context.session, context.actor, today)
    if not rows:
        await answer(update, texts.SUMMARY_EMPTY)
        return rows
    page = min(page, texts.summary_pages(len(rows)) - 1)
    on_page = rows[page * texts.SUMMARY_PAGE : (page + 1) * texts.SUMMARY_PAGE]
    buttons = [(row.name, cb.SchoolCard(row.school_id).pack()) for row in on_page]
    keyboard = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    turns = []
    if page > 0:
        turns.append((texts.BUTTON_PREVIOUS, cb.SummaryPage(page - 1).pack()))
    if page < texts.summary_pages(len(rows)) - 1:
        turns.append((texts.BUTTON_NEXT, cb.SummaryPage(page + 1).pack()))
    if turns:
        keyboard.append(turns)
    edit = update.callback_query is not None
    await answer(update, texts.summary_text(rows, today, page), keyboard, edit=edit)
    return rows


async def _actor_today(context: BotContext) -> date:
    """Today on the calendar of the person's municipality (settings' zone if they have none)."""
    return await local_time.today_in_municipality(
        context.session, context.actor.municipality_id, context.now()
    )


async def _card(update: Update, context: BotContext, school_id: int) -> None:
    # The card's «today» is the school's: a Kamchatka school's morning is UTC's yesterday.
    today = await local_time.today_at_school(context.session, school_id, context.now())
    card = await school_card.school_card(context.session, context.actor, school_id, today)
    timezone = await municipality_timezone(context.session, card.school.municipality_id)
    buttons = None
    # A coordinator changes the school from its card (handlers/directory/directory_changes.py).
    if school_card.may_change_school(context.actor, card.school):
        buttons = [[(texts.BUTTON_CHANGES, cb.ChangesSchool(card.school.id).pack())]]
    if follow_ups.may_mark(context.actor, card.school.id) and card.follow_ups:
        # The school or its curator marks an agreed next step done right from the card.
        buttons = (buttons or []) + [
            [(texts.follow_up_button(line), cb.FollowUpDone(line.id).pack())]
            for line in card.follow_ups[:8]
        ]
    await answer(update, texts.school_card_text(card, timezone), buttons)


@guarded("school")
async def find_school(update: Update, context: BotContext) -> None:
    """/school 17, /school лицей 9: forgiving of spelling, within the person's scope."""
    query = typed(" ".join(context.args or [])).strip()
    if not query:
        await answer(update, texts.SCHOOL_ASK)
        return
    found = await school_card.find_in_scope(context.session, context.actor, query[:100])
    if not found:
        await answer(update, texts.SCHOOL_NOT_FOUND)
    elif len(found) == 1:
        await _card(update, context, found[0].id)
    else:
        await answer(
            update,
            texts.SCHOOL_SEVERAL,
            [[(s.short_name, cb.SchoolCard(s.id).pack())] for s in found[:10]],
        )


@guarded("school")
async def open_school(update: Update, context: BotContext) -> None:
    await _card(update, context, pressed(update, cb.SchoolCard).school_id)


@guarded("overdue")
async def show_overdue(update: Update, context: BotContext) -> None:
    today = await _actor_today(context)
    items = await summaries.overdue_items(context.session, context.actor, today)
    late_steps = await follow_ups.overdue_in_scope(context.session, context.actor, today)
    await answer(update, texts.overdue_text(items, late_steps))


@guarded("report")
async def choose_half(update: Update, context: BotContext) -> None:
    """School-year halves and calendar halves (bot/services/reporting/report_periods.py)."""
    periods = report_periods.offered(context.now().date())
    await answer(
        update,
        texts.REPORT_CHOOSE_HALF,
        [[(p.button, cb.ReportHalf(p.key).pack())] for p in periods],
    )


REPORT_SCHOOLS_PAGE = 10


@guarded("report")
async def choose_scope(update: Update, context: BotContext) -> None:
    """The whole scope or one school, ten schools a page: a region has hundreds."""
    data = pressed(update, cb.ReportHalf)
    key = report_periods.from_key(data.period).key  # a forged year: not found
    page = data.page or 0
    schools = await summaries.summary_schools(context.session, context.actor)
    if not schools:
        await answer(update, texts.REPORT_EMPTY_SCOPE, edit=True)
        return
    pages = -(-len(schools) // REPORT_SCHOOLS_PAGE)
    page = min(page, pages - 1)
    on_page = schools[page * REPORT_SCHOOLS_PAGE : (page + 1) * REPORT_SCHOOLS_PAGE]
    buttons = [(s.short_name, cb.ReportGet(key, s.id).pack()) for s in on_page]
    keyboard = [[(texts.REPORT_WHOLE, cb.ReportGet(key, 0).pack())]]
    keyboard += [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    turns = []
    if page > 0:
        turns.append((texts.BUTTON_PREVIOUS, cb.ReportHalf(key, page - 1).pack()))
    if page < pages - 1:
        turns.append((texts.BUTTON_NEXT, cb.ReportHalf(key, page + 1).pack()))
    if turns:
        keyboard.append(turns)
    await answer(update, texts.REPORT_CHOOSE_SCOPE, keyboard, edit=True)


@guarded("report")
async def send_report(update: Update, context: BotContext) -> None:
    data = pressed(update, cb.ReportGet)
    chosen = report_periods.from_key(data.period)
    wanted = [data.school_id] if data.school_id != 0 else None
    schools = await summaries.summary_schools(context.session, context.actor, wanted)
    if not schools:
        await answer(update, texts.error("school_out_of_scope"), alert=True)
        return
    scope = schools[0].short_name if wanted else texts.REPORT_SCOPE_ALL
    period = report_data.ReportPeriod(
        chosen.first, chosen.last, texts.report_title(scope, chosen.title)
    )
    await send_report_file(
        update, context, schools, period, f"{chosen.file_stem}.xlsx", whole=not wanted
    )


async def send_report_file(
    update: Update,
    context: BotContext,
    schools: list[School],
    period: report_data.ReportPeriod,
    filename: str,
    *,
    whole: bool,
) -> None:
    """The report XLSX of `schools` for any period (school-year or calendar half)."""
    timezone = await municipality_timezone(context.session, schools[0].municipality_id)
    content = await building(
        update,
        context,
        files_out.half_year_report_file(
            context.session,
            [s.id for s in schools],
            list({s.municipality_id for s in schools}),
            period,
            timezone=timezone,
            today=local_time.local_today(context.now(), timezone),
            whole=whole,
        ),
    )
    chat = update.effective_chat
    assert chat is not None
    await acknowledge(update)
    report = InputFile(content, filename=filename)
    await deliver(
        lambda: chat.send_document(report, caption=texts.e(period.title), parse_mode=ParseMode.HTML)
    )


async def _readme(context: BotContext, schools: list[School]) -> str:
    timezone = (
        await municipality_timezone(context.session, schools[0].municipality_id)
        if schools
        else _timezone(context)
    )
    return export_data.readme_text(texts.fmt_datetime(context.now(), timezone))


async def _export_zip(
    context: BotContext,
    schools: list[School],
    extra_tables: dict[str, export_data.Table] | None = None,
    files: dict[str, bytes] | None = None,
) -> bytes:
    """Every table of the scope, streamed into the zip (bot/reports/files_out.py)."""
    return await files_out.export_zip_file(
        context.session,
        [s.id for s in schools],
        await _readme(context, schools),
        all_participants_of=export_data.coordinated_municipalities(context.actor, schools),
        extra_tables=extra_tables,
        files=files,
    )


@guarded("export")
async def send_export(update: Update, context: BotContext) -> None:
    schools = await summaries.summary_schools(context.session, context.actor)
    content = await building(update, context, _export_zip(context, schools))
    has_files = await export_data.has_evidence_files(context.session, [s.id for s in schools])
    chat = update.effective_chat
    assert chat is not None
    export = InputFile(content, filename="shnor500_export.zip")
    with_files = cb.ExportWithFiles().pack()
    markup = keyboard([[(texts.BUTTON_EXPORT_WITH_FILES, with_files)]]) if has_files else None
    await deliver(
        lambda: chat.send_document(export, caption=texts.EXPORT_CAPTION, reply_markup=markup)
    )


# Telegram lets a bot upload 50 MB and download 20 MB a file; the zip stays under the first.
EVIDENCE_LIMIT_BYTES = 45 * 1024 * 1024
FILE_LIMIT_BYTES = 20 * 1024 * 1024
PROGRESS_EVERY = 10  # files between progress edits: few edits, no flood limits


@guarded("export")
async def send_export_with_files(update: Update, context: BotContext) -> None:
    """The same export plus the photos and documents, fetched from Telegram, with progress."""
    schools = await summaries.summary_schools(context.session, context.actor)
    files = await export_data.evidence_files(context.session, [s.id for s in schools])
    if not files:
        await answer(update, texts.EXPORT_FILES_NONE, alert=True)
        return
    chat = update.effective_chat
    assert chat is not None
    await acknowledge(update)
    # A progress notice, sent and edited at once while files are fetched (it claims
    # nothing saved; the export only reads); the zip and the final count follow the commit.
    progress = await chat.send_message(texts.export_files_progress(0, len(files)))
    fetched: dict[str, bytes] = {}
    index: list[list[object]] = []
    total = 0
    for number, file in enumerate(files, start=1):
        note = ""
        if file.size is not None and (
            file.size > FILE_LIMIT_BYTES or total + file.size > EVIDENCE_LIMIT_BYTES
        ):
            note = texts.EXPORT_FILE_TOO_BIG
        else:
            try:
                remote = await context.bot.get_file(file.file_id)
                data = bytes(await remote.download_as_bytearray())
            except TelegramError as error:
                log.info("evidence file not fetched: %s", type(error).__name__)
                note = texts.EXPORT_FILE_UNAVAILABLE
            else:
                if total + len(data) > EVIDENCE_LIMIT_BYTES:
                    note = texts.EXPORT_FILE_TOO_BIG
                else:
                    fetched[file.path] = data
                    total += len(data)
        index.append(
            [file.path if not note else "", file.school, file.owner, file.original_name, note]
        )
        if number % PROGRESS_EVERY == 0 and number < len(files):
            with contextlib.suppress(TelegramError):
                await progress.edit_text(texts.export_files_progress(number, len(files)))
    index_table = {"files/index.csv": (export_data.EVIDENCE_INDEX_HEADERS, index)}
    content = await _export_zip(context, schools, index_table, fetched)
    export = InputFile(content, filename="shnor500_export_files.zip")
    await deliver(lambda: chat.send_document(export, caption=texts.EXPORT_CAPTION))
    skipped = len(files) - len(fetched)

    async def finish_progress() -> None:
        with contextlib.suppress(TelegramError):
            await progress.edit_text(
                texts.export_files_done(len(fetched), skipped, EVIDENCE_LIMIT_BYTES // 1024 // 1024)
            )

    await later(finish_progress)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("summary", show_summary))
    application.add_handler(on(cb.SummaryPage, turn_summary_page))
    application.add_handler(CommandHandler("school", find_school))
    application.add_handler(on(cb.SchoolCard, open_school))
    application.add_handler(CommandHandler("overdue", show_overdue))
    application.add_handler(CommandHandler("report", choose_half))
    application.add_handler(on(cb.ReportHalf, choose_scope))
    application.add_handler(on(cb.ReportGet, send_report))
    application.add_handler(CommandHandler("export", send_export))
    application.add_handler(on(cb.ExportWithFiles, send_export_with_files))
