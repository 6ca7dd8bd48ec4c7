"""Before any feature sees an update: drop duplicates, slow down floods.

Flood control decides on receipt, before the update takes its chat's lane (bot/lanes.py):
a flooder's updates never wait in line, and the one warning goes out in the flooder's lane,
so a 429 on it delays nobody else."""

from __future__ import annotations

import time

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from bot import texts
from bot.handlers.replies import acknowledge, deliver
from bot.lanes import ADMIT, ChatLanes, Verdict
from bot.runtime import BotContext
from bot.services.access.flood import FloodGate, RecentUpdates

PROTECTION_GROUP = -10  # runs before every feature's handlers (group 0)
_now = time.monotonic  # the flood gate's clock (a test holds it still)


def register(application: Application, rate_per_second: float, burst: int) -> None:
    gate = FloodGate(rate_per_second=rate_per_second, burst=burst)
    recent = RecentUpdates()
    lanes = application.update_processor
    on_receipt = isinstance(lanes, ChatLanes)
    if isinstance(lanes, ChatLanes):
        lanes.admission = lambda update: _admit(gate, update)

    async def protect(update: Update, context: BotContext) -> None:
        if not recent.first_time(update.update_id):
            raise ApplicationHandlerStop
        if on_receipt:
            return
        verdict = _admit(gate, update)
        if verdict.admitted:
            return
        if verdict.instead is not None:
            await verdict.instead()
        raise ApplicationHandlerStop

    application.add_handler(TypeHandler(Update, protect), group=PROTECTION_GROUP)


def _admit(gate: FloodGate, update: Update) -> Verdict:
    user = update.effective_user
    if user is None:
        return ADMIT
    admitted, warn = gate.admit(user.id, _now())
    if admitted:
        return ADMIT
    chat = update.effective_chat
    if not warn or chat is None:
        return Verdict(admitted=False)

    async def warn_once() -> None:
        # Through the reply policy: a failed warning must not raise.
        if update.callback_query is not None:
            await acknowledge(update, texts.SLOW_DOWN)
        else:
            await deliver(lambda: chat.send_message(texts.SLOW_DOWN))

    return Verdict(admitted=False, instead=warn_once)
