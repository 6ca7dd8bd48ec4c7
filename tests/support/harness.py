"""The real Application, polling the fake Bot API, driven update by update.

`send`/`press` inject an update and return once the bot has finished processing it,
with what the bot sent to that user meanwhile: no sleeps, no guessing.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from telegram.ext import Application

from bot.app import build_application
from bot.config import Settings, load_settings
from bot.db import SessionFactory, unit_of_work
from bot.fake_bot_api import FakeTelegram, FakeUser, SentMessage
from bot.models import Person, TelegramAccount, utcnow
from bot.runtime import SequentialPersistingProcessor
from tests.support.factories import next_telegram_id

# A ceiling, never a pause: waits end when the update is handled. On a busy 2-core machine
# (other suites running) a 50,000-row file takes longer than 10 s to refuse.
PROCESS_TIMEOUT = 30.0


class MutableClock:
    """The bot's clock in tests: real time until set, then frozen where the test puts it."""

    def __init__(self) -> None:
        self._now: datetime | None = None

    def __call__(self) -> datetime:
        return self._now or utcnow()

    def set(self, moment: datetime) -> None:
        self._now = moment

    def advance(self, delta: timedelta) -> None:
        self._now = self() + delta


@dataclass
class Reply:
    """What the user's chat received (new messages and edits) while one update was handled."""

    messages: list[SentMessage] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(message.plain_text for message in self.messages)

    @property
    def last(self) -> SentMessage:
        assert self.messages, "the bot sent nothing"
        return self.messages[-1]

    @property
    def everything(self) -> str:
        """Message texts and pop-up alerts together, for asserting what the user saw."""
        return "\n".join([self.text, *self.alerts])


class BotHarness:
    def __init__(
        self,
        fake: FakeTelegram,
        session_factory: SessionFactory,
        database_url: str,
        *,
        admin_ids: list[int] | None = None,
        flood_burst: int = 1000,
        read_timeout: float | None = None,
        settings_overrides: dict[str, object] | None = None,
        file_notice_after: float = 60.0,
    ) -> None:
        self.settings_overrides = settings_overrides or {}
        # «Обрабатываю файл…» only where a test asks for it: a slow machine must not add
        # it to replies other tests compare whole (tests/e2e/test_lanes.py tests it).
        self.file_notice_after = file_notice_after
        self.flood_burst = flood_burst
        self.read_timeout = read_timeout
        self.fake = fake
        self.session_factory = session_factory
        self.database_url = database_url
        self.admin_ids = admin_ids or []
        self.clock = MutableClock()
        self.application: Application | None = None
        self._processed: set[int] = set()
        self._processed_count = 0
        self._processed_event = asyncio.Event()

    def settings(self) -> Settings:
        return load_settings(
            _env_file=None,
            telegram_bot_token=self.fake.token,
            telegram_api_base_url=self.fake.base_url,
            telegram_api_base_file_url=self.fake.base_file_url,
            database_url=self.database_url,
            admin_telegram_ids=self.admin_ids,
            # Tests tap faster than any person; flood control has its own test.
            flood_burst=self.flood_burst,
            file_notice_after=self.file_notice_after,
            **({"telegram_read_timeout": self.read_timeout} if self.read_timeout else {}),
            # The parse workers start at the first upload: most tests upload nothing, and
            # two Pythons started for every test's bot would only load the machine.
            **({"file_workers_at_start": False} | self.settings_overrides),
        )

    async def start(self) -> None:
        application = build_application(
            self.settings(),
            self.session_factory,
            clock=self.clock,
            with_scheduler=False,
            rate_limiter=False,
        )
        processor = application.update_processor
        assert isinstance(processor, SequentialPersistingProcessor)
        processor.listeners.append(self._on_processed)
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=1)
        self.application = application

    async def stop(self) -> None:
        application, self.application = self.application, None
        if application is None:
            return
        assert application.updater is not None
        if application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()

    async def restart(self) -> None:
        """A new Application on the same database: what a process restart looks like."""
        await self.stop()
        await self.start()

    def _on_processed(self, update: object) -> None:
        update_id = getattr(update, "update_id", None)
        if update_id is not None:
            self._processed.add(update_id)
            self._processed_count += 1
            self._processed_event.set()

    async def _await_processed(self, update_id: int) -> None:
        async def wait() -> None:
            while update_id not in self._processed:
                self._processed_event.clear()
                await self._processed_event.wait()

        await asyncio.wait_for(wait(), PROCESS_TIMEOUT)

    async def _run(self, user: FakeUser, inject) -> Reply:  # type: ignore[no-untyped-def]
        before_messages = len(self.fake.messages_to(user.id))
        before_alerts = len(self.fake.callback_answers)
        update_id = inject()
        await self._await_processed(update_id)
        messages = self.fake.messages_to(user.id)[before_messages:]
        alerts = [
            answer["text"]
            for answer in self.fake.callback_answers[before_alerts:]
            if answer.get("text")
        ]
        return Reply(messages=list(messages), alerts=alerts)

    async def settle(self, limit: float = 10.0) -> None:
        """Wait until delayed requests (`inject_delay`) have been carried out by the fake."""
        await self.fake.wait_for(lambda: self.fake.delayed_in_flight == 0, limit)

    # -- what a user does -------------------------------------------------------------

    async def send(self, user: FakeUser, text: str) -> Reply:
        return await self._run(user, lambda: self.fake.send_text(user, text))

    async def press(self, user: FakeUser, button_text: str) -> Reply:
        return await self._run(user, lambda: self.fake.press_button(user, button_text))

    async def press_data(self, user: FakeUser, message_id: int, data: str) -> Reply:
        return await self._run(user, lambda: self.fake.press(user, message_id, data))

    async def send_document(
        self,
        user: FakeUser,
        filename: str,
        content: bytes,
        mime_type: str,
        caption: str | None = None,
    ) -> Reply:
        return await self._run(
            user,
            lambda: self.fake.send_document(
                user, filename, content, mime_type=mime_type, caption=caption
            ),
        )

    async def send_photo(self, user: FakeUser, content: bytes, caption: str | None = None) -> Reply:
        return await self._run(user, lambda: self.fake.send_photo(user, content, caption=caption))

    async def send_sticker(self, user: FakeUser) -> Reply:
        return await self._run(user, lambda: self.fake.send_sticker(user))

    async def send_raw_together(self, user: FakeUser, updates: list[dict]) -> Reply:
        """Updates queued at once, so they come in one getUpdates batch (a double tap, or
        Telegram delivering an update again), even with the same update_id; returns once
        every one of them went through the bot."""
        before_messages = len(self.fake.messages_to(user.id))
        before_alerts = len(self.fake.callback_answers)
        wanted = self._processed_count + len(updates)
        for update in updates:
            self.fake.enqueue_raw(dict(update))

        async def wait() -> None:
            while self._processed_count < wanted:
                self._processed_event.clear()
                await self._processed_event.wait()

        await asyncio.wait_for(wait(), PROCESS_TIMEOUT)
        alerts = [
            answer["text"]
            for answer in self.fake.callback_answers[before_alerts:]
            if answer.get("text")
        ]
        return Reply(messages=list(self.fake.messages_to(user.id)[before_messages:]), alerts=alerts)

    async def send_voice(self, user: FakeUser) -> Reply:
        return await self._run(user, lambda: self.fake.send_voice(user))

    async def send_raw(self, user: FakeUser, update: dict) -> Reply:
        return await self._run(user, lambda: self.fake.enqueue_raw(update))

    # -- who the user is ------------------------------------------------------------

    def stranger(self, first_name: str = "Гость") -> FakeUser:
        return self.fake.user(next_telegram_id(), first_name=first_name)

    async def login(self, full_name: str) -> FakeUser:
        """Bind an existing person (e.g. from the demo data) to a Telegram user, once."""
        telegram_id = next_telegram_id()
        async with unit_of_work(self.session_factory) as session:
            person = await session.scalar(select(Person).where(Person.full_name == full_name))
            assert person is not None, f"no person named {full_name!r}"
            bound = await session.scalar(
                select(TelegramAccount.telegram_user_id).where(
                    TelegramAccount.person_id == person.id
                )
            )
            if bound is not None:
                telegram_id = bound
            else:
                session.add(
                    TelegramAccount(
                        person_id=person.id,
                        telegram_user_id=telegram_id,
                        chat_id=telegram_id,
                        bound_at=utcnow(),
                    )
                )
        first, _, last = full_name.partition(" ")
        return self.fake.user(telegram_id, first_name=last or first, last_name=first)
