"""A strict fake Telegram Bot API server (tests and `python -m bot sandbox`)."""

from bot.fake_bot_api.records import FakeUser, SentMessage
from bot.fake_bot_api.server import FakeTelegram, TelegramFault

__all__ = ["FakeTelegram", "FakeUser", "SentMessage", "TelegramFault"]
