"""Which failed sends may still have reached Telegram (and so are not repeated)."""

from __future__ import annotations

import httpx
import pytest
from telegram.error import NetworkError, TimedOut

from bot.handlers.replies import maybe_delivered


def _caused_by(error: NetworkError, cause: Exception) -> NetworkError:
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("error", "delivered"),
    [
        (_caused_by(TimedOut(), httpx.ReadTimeout("read")), True),
        (_caused_by(NetworkError("httpx.ReadError"), httpx.ReadError("cut")), True),
        (_caused_by(NetworkError("x"), httpx.RemoteProtocolError("disconnected")), True),
        (_caused_by(TimedOut(), httpx.ConnectTimeout("connect")), False),
        (_caused_by(TimedOut("Pool timeout"), httpx.PoolTimeout("pool")), False),
        (_caused_by(NetworkError("httpx.ConnectError"), httpx.ConnectError("refused")), False),
        (NetworkError("Bad Gateway"), False),  # Telegram answered 502: it did nothing
        (NetworkError("Internal Server Error (500)"), False),
    ],
    ids=["read timeout", "read error", "cut", "connect timeout", "pool", "refused", "502", "500"],
)
def test_maybe_delivered(error: NetworkError, delivered: bool) -> None:
    assert maybe_delivered(error) is delivered
