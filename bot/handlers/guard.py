"""The wrapper every handler goes through: unit of work, actor, role check, domain errors.

One unit of work per update (bot/update_work.py): the handler works in its update's
session and its replies are held in the update's `Outbox`; the update processor
(bot/runtime.py) writes the conversation state and the inbox row in the same session,
commits once, and only then sends the replies. A `DomainError` rolls the handler's work
back, drops what it held and only its error is answered; any other exception does the
same and the error handler (common.on_error) answers. Outside the update processor (no
`UpdateWork`) the handler gets a unit of work of its own, committed before its replies.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import ConversationHandler

from bot import texts
from bot.db import unit_of_work
from bot.handlers.replies import answer, holding
from bot.runtime import BotContext
from bot.services.access.actors import load_actor
from bot.services.access.permissions import allowed
from bot.services.errors import DomainError
from bot.update_work import Outbox, UpdateWork, current_update_work

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
            if update.effective_user is None:
                return None
            work = current_update_work()
            if work is None:  # outside the update processor: a unit of work of its own
                return await _in_own_unit_of_work(handler, action, strangers, update, context)
            return await _in_update_work(handler, action, strangers, update, context, work)

        return wrapper

    return decorate


async def _in_update_work(
    handler: Handler,
    action: str | None,
    strangers: bool,
    update: Update,
    context: BotContext,
    work: UpdateWork,
) -> Any:
    """In the update's own session; the processor commits it with the state and replies."""
    session = work.session()
    try:
        refusal = await _refusal(session, action, strangers, update, context)
        if refusal is not None:
            await session.rollback()  # before the answer: no Telegram call inside a transaction
            await answer(update, refusal, alert=True)
            return ConversationHandler.END
        try:
            with holding(work.outbox):
                return await handler(update, context)
        finally:
            context.bind(None, None)
    except DomainError as error:
        await session.rollback()
        work.outbox.drop()
        await answer(update, texts.error(error.code, **error.params), alert=True)
        return None
    except BaseException:
        await session.rollback()
        work.outbox.drop()
        raise


async def _in_own_unit_of_work(
    handler: Handler, action: str | None, strangers: bool, update: Update, context: BotContext
) -> Any:
    outbox = Outbox()
    try:
        async with unit_of_work(context.runtime.session_factory) as session:
            refusal = await _refusal(session, action, strangers, update, context)
            if refusal is not None:
                await session.rollback()
                await answer(update, refusal, alert=True)
                return ConversationHandler.END
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


async def _refusal(
    session: AsyncSession, action: str | None, strangers: bool, update: Update, context: BotContext
) -> str | None:
    """Binds the actor to the context and says None, or says the refusal to answer."""
    assert update.effective_user is not None
    actor = await load_actor(session, update.effective_user.id, context.now().date())
    if actor is None and not strangers:
        return texts.REFUSED_STRANGER
    if action is not None and (actor is None or not allowed(actor.roles, action)):
        return texts.REFUSED
    context.bind(session, actor)
    return None
