"""Telegram WebApp init data, checked exactly as Telegram documents it:
https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app

secret_key = HMAC_SHA256(key="WebAppData", msg=bot_token)
hash = hex(HMAC_SHA256(key=secret_key, msg=data_check_string)), where data_check_string is
every received field except `hash`, as `key=value`, sorted by key, joined by newlines.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode

MAX_AGE = timedelta(hours=1)
MAX_INIT_DATA = 4096


class InvalidInitData(ValueError):
    """Not signed by this bot, stale or malformed; the reason is safe to log."""


def _secret_key(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def _check_string(fields: dict[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def signed_user_id(
    init_data: str, bot_token: str, now: datetime, max_age: timedelta = MAX_AGE
) -> int:
    """The Telegram user id the init data vouches for, or InvalidInitData."""
    if not init_data or len(init_data) > MAX_INIT_DATA:
        raise InvalidInitData("missing or oversized")
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise InvalidInitData("not a query string") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InvalidInitData("repeated field")
    given = fields.get("hash", "")
    expected = hmac.new(
        _secret_key(bot_token), _check_string(fields).encode(), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(given.encode("ascii", "replace"), expected.encode()):
        raise InvalidInitData("bad signature")
    try:
        signed_at = int(fields["auth_date"])
        user_id = int(json.loads(fields["user"])["id"])
    except (KeyError, ValueError, TypeError):
        raise InvalidInitData("no auth_date or user") from None
    age = now.timestamp() - signed_at
    if age > max_age.total_seconds() or age < -300:
        raise InvalidInitData("stale")
    return user_id


def sign(fields: dict[str, str], bot_token: str) -> str:
    """Init data as Telegram would send it (tests, the sandbox)."""
    digest = hmac.new(_secret_key(bot_token), _check_string(fields).encode(), hashlib.sha256)
    return urlencode({**fields, "hash": digest.hexdigest()})


def init_data_for(user_id: int, bot_token: str, now: datetime, first_name: str = "") -> str:
    user = json.dumps({"id": user_id, "first_name": first_name}, ensure_ascii=False)
    return sign({"auth_date": str(int(now.timestamp())), "user": user, "query_id": "AA"}, bot_token)
