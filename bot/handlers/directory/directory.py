"""/directory: the current directory and the template out, a file in → preview → «Применить».

The preview runs the real import and rolls it back, so what it shows is exactly what
«Применить» does; «Применить» reads the file again (by its Telegram file id, which
survives a restart) and commits only if still no row is refused.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from telegram import InputFile, Update
from telegram.ext import (
    Application,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import callbacks as cb
from bot import texts
from bot.handlers.conversation_kit import make_cancel, on
from bot.handlers.guard import guarded
from bot.handlers.heavy import off_lane
from bot.handlers.replies import answer, deliver
from bot.runtime import BotContext
from bot.services import directory
from bot.services.directory.export import build_directory, build_invite_list, build_template
from bot.services.errors import DomainError
from bot.services.roadmaps.roadmap_import import MAX_FILE_BYTES, ImportRefused

DIRECTORY_FILE, DIRECTORY_CONFIRM = range(20, 22)
DRAFT = "directory_import"
CANCEL_BUTTON = [(texts.BUTTON_CANCEL, cb.DirectoryCancel().pack())]


@guarded("directory")
async def start(update: Update, context: BotContext) -> int:
    current = await build_directory(context.session, context.actor)
    template = await asyncio.to_thread(build_template)
    chat = update.effective_chat
    assert chat is not None
    context.user_data.pop(DRAFT, None)
    await answer(update, texts.DIRECTORY_INTRO, [CANCEL_BUTTON])
    await deliver(
        lambda: chat.send_document(
            InputFile(current, filename="spravochnik.xlsx"),
            caption=texts.DIRECTORY_CURRENT_CAPTION,
        )
    )
    await deliver(
        lambda: chat.send_document(
            InputFile(template, filename="shablon_spravochnika.xlsx"),
            caption=texts.DIRECTORY_TEMPLATE_CAPTION,
        )
    )
    return DIRECTORY_FILE


def _ttl(context: BotContext) -> timedelta:
    return timedelta(days=context.runtime.settings.invite_ttl_days)


async def _run_import(
    update: Update, context: BotContext, file_id: str, file_name: str
) -> directory.ImportReport:
    """The import written into this update's session; the caller commits or rolls back."""
    file = await context.bot.get_file(file_id)
    content = bytes(await file.download_as_bytearray())
    try:
        book = await off_lane(update, context, directory.read_directory, content, file_name)
    except ImportRefused as refused:
        raise DomainError(refused.code, **refused.params) from None
    return await directory.import_directory(
        context.session, context.actor, book, now=context.now(), invite_ttl=_ttl(context)
    )


@guarded("directory")
async def receive_file(update: Update, context: BotContext) -> int | None:
    message = update.effective_message
    assert message is not None and message.document is not None
    document = message.document
    if (document.file_size or 0) > MAX_FILE_BYTES:
        raise DomainError("directory_too_big", limit_mb=MAX_FILE_BYTES // (1024 * 1024))
    name = document.file_name or "file"
    report = await _run_import(update, context, document.file_id, name)
    await context.session.rollback()  # a preview: nothing is kept until «Применить»
    preview = texts.directory_report(report)
    if not report.accepted:
        await answer(update, preview, [CANCEL_BUTTON])
        return DIRECTORY_FILE
    if report.changes == 0 and not report.invites:
        await answer(update, preview + "\n\n" + texts.DIRECTORY_NOTHING_CHANGES)
        context.user_data.pop(DRAFT, None)
        return ConversationHandler.END
    context.user_data[DRAFT] = {"file_id": document.file_id, "file_name": name}
    await answer(
        update, preview, [[(texts.BUTTON_APPLY, cb.DirectoryApply().pack()), CANCEL_BUTTON[0]]]
    )
    return DIRECTORY_CONFIRM


@guarded("directory")
async def apply(update: Update, context: BotContext) -> int:
    draft = context.user_data.get(DRAFT) or {}
    if not draft.get("file_id"):
        raise DomainError("directory_file_gone")
    report = await _run_import(update, context, str(draft["file_id"]), str(draft["file_name"]))
    if not report.accepted:
        await context.session.rollback()
        await answer(update, texts.directory_changed_meanwhile(report), [CANCEL_BUTTON], edit=True)
        return DIRECTORY_FILE
    context.user_data.pop(DRAFT, None)
    await answer(update, texts.directory_applied(report), edit=True)
    if report.invites:
        content = await asyncio.to_thread(
            build_invite_list,
            report.invites,
            context.bot.username,
            context.now() + _ttl(context),
        )
        chat = update.effective_chat
        assert chat is not None
        await deliver(
            lambda: chat.send_document(
                InputFile(content, filename="priglasheniya.xlsx"),
                caption=texts.DIRECTORY_INVITES_CAPTION,
            )
        )
    return ConversationHandler.END


cancel = make_cancel(DRAFT)


async def file_expected(update: Update, context: BotContext) -> None:
    await answer(update, texts.DIRECTORY_FILE_EXPECTED)


def register(application: Application) -> None:
    application.add_handler(conversation())


def conversation() -> ConversationHandler:
    document = filters.Document.ALL
    return ConversationHandler(
        entry_points=[CommandHandler("directory", start)],
        states={
            DIRECTORY_FILE: [MessageHandler(document, receive_file)],
            DIRECTORY_CONFIRM: [
                on(cb.DirectoryApply, apply),
                MessageHandler(document, receive_file),
            ],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            on(cb.DirectoryCancel, cancel),
            MessageHandler(~filters.COMMAND, file_expected),
        ],
        name="directory_import",
        persistent=True,
        allow_reentry=True,
    )
