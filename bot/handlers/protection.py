"""Before any feature sees an update: drop duplicates, slow down floods."""

from __future__ import annotations

import time

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from bot import texts
from bot.handlers.replies import acknowledge, deliver
from bot.runtime import BotContext
from bot.services.flood import FloodGate, RecentUpdates

PROTECTION_GROUP = -10  # runs before every feature's handlers (group 0)


def register(application: Application, rate_per_second: float, burst: int) -> None:
    gate = FloodGate(rate_per_second=rate_per_second, burst=burst)
    recent = RecentUpdates()

    async def protect(update: Update, context: BotContext) -> None:
        if not recent.first_time(update.update_id):
            raise ApplicationHandlerStop
        user = update.effective_user
        if user is None:
            return
        admitted, warn = gate.admit(user.id, time.monotonic())
        if admitted:
            return
        chat = update.effective_chat
        if warn and chat is not None:
            # Through the reply policy: a failed warning must not raise, or python-telegram-bot
            # would go on to hand the throttled update to the features.
            if update.callback_query is not None:
                await acknowledge(update, texts.SLOW_DOWN)
            else:
                await deliver(lambda: chat.send_message(texts.SLOW_DOWN))
        raise ApplicationHandlerStop

    application.add_handler(TypeHandler(Update, protect), group=PROTECTION_GROUP)
