"""A table file in → a preview that writes nothing → «Применить» (results, training).

The preview keeps only the file's Telegram id in the conversation's draft, so it survives a
restart; «Применить» reads the file again and commits only if the check still accepts it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler

from bot import texts
from bot.handlers.replies import answer
from bot.runtime import BotContext
from bot.services.errors import DomainError
from bot.services.roadmaps.roadmap_import import MAX_FILE_BYTES


@dataclass(frozen=True)
class FilePreview:
    draft_key: str
    # Reads and checks the file's bytes (refusing it whole with a DomainError); the report
    # it returns says `accepted` and is what `preview` and `apply` take.
    check: Callable[[Update, BotContext, bytes, str], Awaitable[Any]]
    preview: Callable[[Any], str]
    # Writes what was checked; returns the message shown after it is committed.
    apply: Callable[[BotContext, Any], Awaitable[str]]
    apply_data: str
    cancel: tuple[str, str]
    file_state: int
    confirm_state: int

    async def _checked(
        self, update: Update, context: BotContext, file_id: str, file_name: str
    ) -> Any:
        file = await context.bot.get_file(file_id)
        content = bytes(await file.download_as_bytearray())
        return await self.check(update, context, content, file_name)

    async def receive(self, update: Update, context: BotContext) -> int:
        message = update.effective_message
        assert message is not None and message.document is not None
        document = message.document
        if (document.file_size or 0) > MAX_FILE_BYTES:
            raise DomainError("import_too_big", limit_mb=MAX_FILE_BYTES // (1024 * 1024))
        name = document.file_name or "file"
        report = await self._checked(update, context, document.file_id, name)
        if not report.accepted:
            await answer(update, self.preview(report), [[self.cancel]])
            return self.file_state
        context.user_data[self.draft_key] = {"file_id": document.file_id, "file_name": name}
        buttons = [[(texts.BUTTON_APPLY, self.apply_data), self.cancel]]
        await answer(update, self.preview(report), buttons)
        return self.confirm_state

    async def confirm(self, update: Update, context: BotContext) -> int:
        draft = context.user_data.get(self.draft_key) or {}
        if not draft.get("file_id"):
            raise DomainError("results_file_gone")
        report = await self._checked(
            update, context, str(draft["file_id"]), str(draft["file_name"])
        )
        if not report.accepted:
            await answer(update, self.preview(report), [[self.cancel]], edit=True)
            return self.file_state
        done = await self.apply(context, report)
        context.user_data.pop(self.draft_key, None)
        await answer(update, done, edit=True)
        return ConversationHandler.END
