"""Sending and editing replies the same way from messages and button presses.

Replies after commit, by construction: inside a guarded handler (handlers/guard.py) every
reply (`answer`, `deliver`, a press answered with a text, `later`) is held in the
handler's `Outbox` and sent only after its unit of work has committed. A handler that
fails, or whose commit fails, sends none of them: the user sees only the error. Outside a
guarded handler (jobs, flood warnings, the error handler) everything goes at once.

What goes at once even inside a guarded handler are progress notices, which say nothing
about saved work: a press answered without a text (it only stops the button's spinner
before slow work) and `deliver(..., notice=True)` («файл обрабатывается…», an export's
progress message that is edited as files arrive).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot import texts
from bot.scheduler.pacing import retry_after_seconds
from bot.telegram_http import maybe_delivered
from bot.update_work import Action, Outbox, ReplyRecord

Buttons = list[list[tuple[str, str]]]
log = logging.getLogger(__name__)
Sent = TypeVar("Sent")  # what a send call returns: a Message, True for an edit or a menu button
MAX_REPLY_WAIT = 5.0  # seconds a reply may wait for Telegram's 429; longer, it is dropped
RETRY_PAUSE = 1.0  # seconds before repeating a reply after a 5xx or a network failure

# A press is answered once; a handler may reply several times (edit, then the next prompt).
_answered: OrderedDict[str, None] = OrderedDict()
_ANSWERED_KEPT = 1000

AfterSend = Callable[[Message | None], Awaitable[Any]]


# The outbox of the guarded handler running in this task (each update runs in its own
# task, see lanes.py), or None: then replies go at once. A context variable rather than an
# argument: `answer(update, ...)` is called from hundreds of places that have no context.
_outbox: ContextVar[Outbox | None] = ContextVar("reply_outbox", default=None)


@contextlib.contextmanager
def holding(outbox: Outbox) -> Iterator[Outbox]:
    """Within the block, replies go to `outbox` instead of Telegram (used by the guard)."""
    token = _outbox.set(outbox)
    try:
        yield outbox
    finally:
        _outbox.reset(token)


async def later(action: Action) -> None:
    """Run a Telegram call after the commit (now, outside a guarded handler).

    For what is neither `answer` nor `deliver`: a command menu set for a changed role."""
    outbox = _outbox.get()
    if outbox is None:
        await action()
    else:
        outbox.add(action, reply=False)


async def acknowledge(update: Update, text: str | None = None, *, alert: bool = False) -> bool:
    """Answer the button press once; False when it was answered already in this update.

    With a text («записаны», «отложено до …») it is a reply like any other and waits for
    the commit (then True means «held»). Without one it only stops the button's spinner, a
    progress notice: it goes at once, as handlers call it just before slow work.
    """
    outbox = _outbox.get()
    if outbox is not None and text is not None:
        outbox.add(
            lambda: acknowledge_now(update, text, alert=alert),
            _record(update, _plain(text), html=False),
        )
        return True
    return await acknowledge_now(update, text, alert=alert)


async def acknowledge_now(update: Update, text: str | None = None, *, alert: bool = False) -> bool:
    query = update.callback_query
    if query is None or query.id in _answered:
        return False
    _answered[query.id] = None
    if len(_answered) > _ANSWERED_KEPT:
        _answered.popitem(last=False)
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as error:
        # A press answered late (after a restart or failover) can no longer be answered;
        # the action itself still goes through.
        if "too old" not in str(error).lower() and "invalid" not in str(error).lower():
            raise
        return False
    except (RetryAfter, NetworkError, Forbidden) as error:
        # Answering only stops the button's spinner (Telegram stops it by itself). The
        # handler has usually committed by now: failing the update here would tell the
        # user «не сохранено» about saved work. An alert that did not show is sent instead.
        log.warning("press not answered: %s", error)
        return False
    return True


def keyboard(rows: Buttons) -> InlineKeyboardMarkup:
    """Rows of (text, callback_data) pairs; callback_data stays under Telegram's 64 bytes."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


async def answer(
    update: Update,
    text: str,
    buttons: Buttons | None = None,
    *,
    edit: bool = False,
    alert: bool = False,
    then: AfterSend | None = None,
) -> Message | None:
    """Reply in the user's chat. For a button press: answer the query, then edit or send.

    `alert=True` on a button press shows the text as a pop-up instead (refusals, errors),
    so the message the user was working on stays as it was. Inside a guarded handler the
    reply is held until the commit and None is returned: a handler that needs the sent
    message (its id) passes `then`, awaited with it once it is sent.
    """
    outbox = _outbox.get()
    if outbox is not None:

        async def send_held() -> None:
            message = await _answer_now(update, text, buttons, edit=edit, alert=alert)
            if then is not None:
                await then(message)

        if alert and update.callback_query is not None:
            record = _record(update, _plain(text), html=False)
        else:
            record = _record(update, text, buttons, edit=edit)
        outbox.add(send_held, record)
        return None
    message = await _answer_now(update, text, buttons, edit=edit, alert=alert)
    if then is not None:
        await then(message)
    return message


async def _answer_now(
    update: Update, text: str, buttons: Buttons | None, *, edit: bool, alert: bool
) -> Message | None:
    markup = keyboard(buttons) if buttons else None
    query = update.callback_query
    if query is not None:
        if alert and len(text) <= 200 and await acknowledge_now(update, _plain(text), alert=True):
            return None
        await acknowledge_now(update)
        if edit and query.message is not None and isinstance(query.message, Message):
            message = query.message

            async def edit_message() -> Message | None:
                try:
                    result = await message.edit_text(
                        text, parse_mode=ParseMode.HTML, reply_markup=markup
                    )
                    return result if isinstance(result, Message) else None
                except BadRequest as error:
                    if "not modified" in str(error).lower():
                        return None
                    raise

            return await deliver_now(edit_message, repeatable=True)
    chat = update.effective_chat
    if chat is None:
        return None
    return await deliver_now(
        lambda: chat.send_message(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    )


async def deliver(
    send: Callable[[], Awaitable[Any]],
    *,
    repeatable: bool = False,
    notice: bool = False,
    then: AfterSend | None = None,
) -> Message | None:
    """`deliver_now`, held until the commit inside a guarded handler (then None).

    `notice=True` sends at once anyway: a progress notice that claims nothing was saved.
    `then` is awaited with the sent message.
    """
    outbox = _outbox.get()
    if outbox is not None and not notice:

        async def send_held() -> None:
            message = await deliver_now(send, repeatable=repeatable)
            if then is not None:
                await then(message)

        outbox.add(send_held)
        return None
    message = await deliver_now(send, repeatable=repeatable)
    if then is not None:
        await then(message)
    return message


async def deliver_now(
    send: Callable[[], Awaitable[Any]], *, repeatable: bool = False
) -> Message | None:
    """Send once more after a 429 (short wait) or a 5xx; then give up quietly.

    A reply comes after the update's work was committed: losing the reply must not undo
    the step (the error handler would say «не сохранено», which would be false). A new
    message is not repeated after a timeout or a connection cut mid-request: Telegram may
    have delivered it, and a user would rather miss one reply than get it twice. An edit
    (`repeatable=True`) is repeated then too: the same edit twice shows once. A user who
    blocked the bot gets nothing, and nothing fails.
    """
    for attempt in range(2):
        try:
            sent = await send()
            return sent if isinstance(sent, Message) else None
        except RetryAfter as error:
            wait = retry_after_seconds(error.retry_after)
            if attempt or wait > MAX_REPLY_WAIT:
                log.warning("reply dropped: Telegram asked to wait %.0f s", wait)
                return None
            await asyncio.sleep(wait)
        except Forbidden as error:
            log.info("reply dropped: %s", error)
            return None
        except (TimedOut, NetworkError) as error:
            if isinstance(error, BadRequest):
                raise
            if attempt or (not repeatable and maybe_delivered(error)):
                log.warning("reply dropped (attempt %d): %s", attempt + 1, error)
                return None
            await asyncio.sleep(RETRY_PAUSE)
    return None


def _record(
    update: Update,
    text: str,
    buttons: Buttons | None = None,
    *,
    html: bool = True,
    edit: bool = False,
) -> ReplyRecord | None:
    """A held reply as data, for the next leader to send if this process dies after the
    commit and before the reply (bot/update_work.py)."""
    chat = update.effective_chat
    if chat is None:
        return None
    message = update.callback_query.message if update.callback_query is not None else None
    return {
        "chat_id": chat.id,
        "text": text,
        "html": html,
        "buttons": [[list(button) for button in row] for row in buttons] if buttons else None,
        "edit_message_id": message.message_id if edit and message is not None else None,
    }


async def send_recorded(bot: Bot, chat_id: int | None, records: list[ReplyRecord | None]) -> None:
    """Send the replies a previous process committed and did not send (bot/inbox.py).

    An edit that can no longer be made is sent as a new message; a reply that could not be
    written down (a file) is replaced by one note that the work was saved."""
    for record in records:
        if record is not None:
            await _send_record(bot, record)
    if chat_id is not None and any(record is None for record in records):
        await deliver_now(lambda: bot.send_message(chat_id, texts.REPLY_AFTER_RESTART))


async def _send_record(bot: Bot, record: ReplyRecord) -> None:
    chat_id, text = record["chat_id"], record["text"]
    mode = ParseMode.HTML if record.get("html", True) else None
    rows = record.get("buttons")
    markup = keyboard([[(str(t), str(d)) for t, d in row] for row in rows]) if rows else None
    message_id = record.get("edit_message_id")
    if message_id is not None:
        try:
            await deliver_now(
                lambda: bot.edit_message_text(
                    text,
                    chat_id=chat_id,
                    message_id=message_id,
                    parse_mode=mode,
                    reply_markup=markup,
                ),
                repeatable=True,
            )
            return
        except BadRequest as error:
            log.info("a recorded edit is sent as a new message: %s", error)
    await deliver_now(lambda: bot.send_message(chat_id, text, parse_mode=mode, reply_markup=markup))


def _plain(text: str) -> str:
    """Pop-ups show no HTML; the catalog's alert texts carry none, escaped entities aside."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
