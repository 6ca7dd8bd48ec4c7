"""Draining the outbox through Telegram, at Telegram's pace.

Each row: claimed in one short transaction, sent with no transaction open, its outcome
recorded in another short transaction (see services/notifications/delivery.py for the guarantees).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from telegram import Bot, InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.db import SessionFactory, unit_of_work
from bot.scheduler.pacing import Pacer, paced_by_caller, retry_after_seconds
from bot.services.notifications import delivery
from bot.services.notifications.delivery import Outgoing
from bot.telegram_html import CAPTION_LIMIT, fit

log = logging.getLogger(__name__)
WORKER = f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class DeliveryReport:
    sent: int = 0
    postponed: int = 0
    retried: int = 0
    failed: int = 0
    rate_limited: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.postponed + self.retried + self.failed


class OutboxSender:
    def __init__(
        self,
        bot: Bot,
        session_factory: SessionFactory,
        clock: Callable[[], datetime],
        pacer: Pacer | None = None,
        batch_size: int = 50,
        worker: str = WORKER,
    ) -> None:
        self.bot = bot
        self.session_factory = session_factory
        self.clock = clock
        self.pacer = pacer or Pacer()
        self.batch_size = batch_size
        self.worker = worker  # names this sender's claims
        self._stopping = False

    def request_stop(self) -> None:
        """Finish the message in flight, hand the rest of the batch back, send no more."""
        self._stopping = True

    async def drain(self, max_batches: int = 1000) -> DeliveryReport:
        """Send what is due now, batch after batch, until nothing is due or Telegram says wait."""
        report = DeliveryReport()
        for _ in range(max_batches):
            if self._stopping:
                break
            async with unit_of_work(self.session_factory) as session:
                batch = await delivery.claim_due(
                    session, self.clock(), limit=self.batch_size, worker=self.worker
                )
            if not batch:
                break
            sent_before = report.sent + report.failed
            for position, outgoing in enumerate(batch):
                if self._stopping:
                    # Due again at once, so the next leader need not wait out the claim.
                    await self._release(batch[position:], "sender stopped")
                    return report
                if not await self._deliver(outgoing, report):
                    # 429: hand the rest of the batch back untouched; the next tick resumes.
                    await self._release(batch[position + 1 :], "batch paused by 429")
                    return report
            if report.sent + report.failed == sent_before:
                # Only people written to a moment ago are due: wait for their turn.
                await asyncio.sleep(min(self.pacer.per_chat_interval, 0.25))
        return report

    async def _release(self, rest: list[Outgoing], reason: str) -> None:
        async with unit_of_work(self.session_factory) as session:
            for outgoing in rest:
                await delivery.postpone(session, outgoing.id, self.clock(), reason)

    async def _deliver(self, outgoing: Outgoing, report: DeliveryReport) -> bool:
        now = self.clock()
        if outgoing.chat_id is None or outgoing.muted:
            async with unit_of_work(self.session_factory) as session:
                reason = "muted" if outgoing.muted else "no reachable Telegram account"
                if outgoing.muted:
                    await delivery.cancel(session, outgoing.id, reason)
                else:
                    await delivery.fail(session, outgoing.id, reason)
            report.failed += 1
            return True
        morning = (
            delivery.quiet_until(now, outgoing.timezone)
            if not outgoing.quiet_hours_exempt
            else None
        )
        if morning is not None:
            async with unit_of_work(self.session_factory) as session:
                await delivery.postpone(session, outgoing.id, morning, "quiet hours")
            report.postponed += 1
            return True
        if self.pacer.chat_delay(outgoing.chat_id) > 0:
            # This person was just written to: let others go first, come back in a second.
            async with unit_of_work(self.session_factory) as session:
                await delivery.postpone(session, outgoing.id, now, "paced per chat")
            report.postponed += 1
            return True
        await self.pacer.wait(outgoing.chat_id)
        try:
            async with unit_of_work(self.session_factory) as session:
                # Committed before the request: if this process dies now, only this row waits
                # out CLAIM_TIMEOUT; the rest of the batch is free again much sooner.
                mine = await delivery.hand_over(session, outgoing.id, self.clock(), self.worker)
            if not mine:
                log.warning("notification %s taken over by another sender", outgoing.dedupe_key)
                return True
            with paced_by_caller():
                message_id = await self._send(outgoing)
        except RetryAfter as error:
            seconds = retry_after_seconds(error.retry_after)
            self.pacer.pause(seconds)
            report.rate_limited += 1
            async with unit_of_work(self.session_factory) as session:
                await delivery.postpone(session, outgoing.id, now, f"429 retry after {seconds}")
            return False
        except Forbidden as error:
            async with unit_of_work(self.session_factory) as session:
                await delivery.mark_unreachable(session, outgoing.person_id, now)
                await delivery.fail(session, outgoing.id, f"403 {error.message}")
            report.failed += 1
            return True
        except BadRequest as error:
            log.error("notification %s refused by Telegram: %s", outgoing.dedupe_key, error)
            async with unit_of_work(self.session_factory) as session:
                await delivery.fail(session, outgoing.id, f"400 {error.message}")
            report.failed += 1
            return True
        except (TimedOut, NetworkError) as error:
            async with unit_of_work(self.session_factory) as session:
                await delivery.retry_later(session, outgoing, now, f"network: {error.message}")
            report.retried += 1
            return True
        finally:
            self.pacer.done(outgoing.chat_id)
        async with unit_of_work(self.session_factory) as session:
            await delivery.mark_sent(session, outgoing.id, self.clock(), message_id)
        report.sent += 1
        return True

    async def _send(self, outgoing: Outgoing) -> int:
        assert outgoing.chat_id is not None
        markup = (
            InlineKeyboardMarkup.de_json(outgoing.reply_markup, self.bot)
            if outgoing.reply_markup
            else None
        )
        if outgoing.document_bytes is not None:
            message = await self.bot.send_document(
                outgoing.chat_id,
                InputFile(outgoing.document_bytes, filename=outgoing.document_name or "file"),
                caption=fit(outgoing.text, CAPTION_LIMIT),
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
        else:
            message = await self.bot.send_message(
                outgoing.chat_id, outgoing.text, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        return message.message_id
