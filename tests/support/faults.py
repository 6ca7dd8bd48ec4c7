"""Ways Telegram fails under a method, with the real Bot API error strings.

`DELAY` outlasts `READ_TIMEOUT`, the request timeout the fault tests give the bot, so a
delayed request times out on the bot's side while the fake still carries it out: a
message that "timed out" may well have been delivered, as with the real Telegram.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.fake_bot_api import FakeTelegram

READ_TIMEOUT = 0.5
DELAY = 1.2
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
BLOCKED = "Forbidden: bot was blocked by the user"


@dataclass(frozen=True)
class Fault:
    name: str
    method: str
    inject: Callable[[FakeTelegram], None]
    # The reply still reaches the user (a retry, or the fault changes nothing visible).
    reply_survives: bool


def _error(code: int, description: str, times: int = 1, retry_after: int | None = None):  # type: ignore[no-untyped-def]
    def inject(method: str) -> Callable[[FakeTelegram], None]:
        return lambda fake: fake.inject_fault(
            method, code, description, retry_after=retry_after, times=times
        )

    return inject


def _delay(method: str) -> Callable[[FakeTelegram], None]:
    return lambda fake: fake.inject_delay(method, DELAY)


def _drop(method: str) -> Callable[[FakeTelegram], None]:
    return lambda fake: fake.drop_connection(method)


def for_sending(method: str, *, idempotent: bool) -> list[Fault]:
    """The faults of a method that delivers the reply (send or edit).

    A timed-out or cut-off send may have been delivered, so it is not repeated (the user may
    lose that reply, never get it twice); an edit is repeated, since a second identical edit
    changes nothing.
    """
    short = method
    return [
        Fault(
            f"{short} 429",
            method,
            _error(429, "Too Many Requests: retry after 1", 1, 1)(method),
            True,
        ),
        Fault(f"{short} 500", method, _error(500, "Internal Server Error")(method), True),
        Fault(f"{short} 502 twice", method, _error(502, "Bad Gateway", 2)(method), False),
        Fault(f"{short} timeout", method, _delay(method), True),
        Fault(f"{short} dropped", method, _drop(method), idempotent),
        Fault(f"{short} 403 blocked", method, _error(403, BLOCKED)(method), False),
    ]


ACK = "answerCallbackQuery"
EDIT = "editMessageText"

FAULTS: list[Fault] = [
    *for_sending(EDIT, idempotent=True),
    Fault("editMessageText not modified", EDIT, _error(400, NOT_MODIFIED)(EDIT), False),
    *for_sending("sendMessage", idempotent=False),
    *for_sending("sendDocument", idempotent=False),
    Fault("sendPhoto 502 twice", "sendPhoto", _error(502, "Bad Gateway", 2)("sendPhoto"), False),
    Fault("sendPhoto timeout", "sendPhoto", _delay("sendPhoto"), True),
    Fault("answerCallbackQuery too old", ACK, _error(400, TOO_OLD)(ACK), True),
    Fault("answerCallbackQuery 502", ACK, _error(502, "Bad Gateway")(ACK), True),
    Fault("answerCallbackQuery timeout", ACK, _delay(ACK), True),
    Fault("answerCallbackQuery dropped", ACK, _drop(ACK), True),
    Fault(
        "answerCallbackQuery 429",
        ACK,
        _error(429, "Too Many Requests: retry after 3", 1, 3)(ACK),
        True,
    ),
]
