"""The wrapper every handler goes through: unit of work, actor, role check, domain errors.

Replies come after the commit by construction: what the handler says is held in an
`Outbox` (handlers/replies.py) while it works, and sent, in order, once its unit of work
has committed. A `DomainError` drops what was held and only its error is answered; any
other exception, or a commit that fails, drops it too and the error handler
(common.on_error) answers. The conversation state the handler returns is kept by
ConversationHandler and written after the update (lanes.py) exactly as before: after the
replies, as when handlers committed and replied themselves.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from telegram import Update
from telegram.ext import ConversationHandler

from bot import texts
from bot.db import unit_of_work
from bot.handlers.replies import Outbox, answer, holding
from bot.runtime import BotContext
from bot.services.access.actors import load_actor
from bot.services.access.permissions import allowed
from bot.services.errors import DomainError

Result = TypeVar("Result")
Handler = Callable[[Update, BotContext], Coroutine[Any, Any, Any]]


def guarded(action: str | None, *, strangers: bool = False) -> Callable[[Handler], Handler]:
    """Run the handler in one unit of work with `context.actor`, refusing who may not act.

    `action` names a row of `bot.services.access.permissions.ACTIONS`; `strangers=True` lets an
    unbound user in (only /start needs it). A `DomainError` rolls the work back and is
    answered with its catalog text; a conversation stays in its current state. Replies
    made by the handler are sent after the commit (see the module's docstring).
    """

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def wrapper(update: Update, context: BotContext) -> Any:
            user = update.effective_user
            if user is None:
                return None
            outbox = Outbox()
            try:
                async with unit_of_work(context.runtime.session_factory) as session:
                    actor = await load_actor(session, user.id, context.now().date())
                    if actor is None and not strangers:
                        await session.rollback()
                        await answer(update, texts.REFUSED_STRANGER, alert=True)
                        return ConversationHandler.END
                    if action is not None and (actor is None or not allowed(actor.roles, action)):
                        await session.rollback()
                        await answer(update, texts.REFUSED, alert=True)
                        return ConversationHandler.END
                    context.bind(session, actor)
                    try:
                        with holding(outbox):
                            result = await handler(update, context)
                    finally:
                        context.bind(None, None)
                # Committed: what the handler said is true now.
            except DomainError as error:
                outbox.drop()
                await answer(update, texts.error(error.code, **error.params), alert=True)
                return None
            except BaseException:
                outbox.drop()
                raise
            await outbox.send()
            return result

        return wrapper

    return decorate
