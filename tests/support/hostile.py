"""Hostile and careless input for end-to-end tests: what to send, and what a safe answer is.

`hostile_inputs()` draws one thing a careless or hostile user might send where the bot asks
for text: arbitrary Unicode, blank or huge text, HTML and Markdown, emoji, right-to-left
text, impossible dates, or a sticker, photo, voice message or document instead. `deliver`
sends it through the harness; `assert_answered_safely` checks the answer:

    reply = await deliver(bot, user, value)
    assert_answered_safely(reply, bot.fake, errors, sent=value)

`Walk` does that at every step of a conversation, one line a step; `press_safely` does the
same for button data (forged, truncated, stale), and checks nothing of `secrets` is shown.

`errors` is an `ErrorLog` (the `logged_errors` fixture): every ERROR record any logger wrote,
which is where an exception in a handler ends up (`bot.handlers.common.on_error`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hypothesis import HealthCheck, example, settings
from hypothesis import strategies as st

from bot import texts
from bot.fake_bot_api import FakeTelegram
from bot.models.bot_state import BotStateEntry
from bot.persistence import USER_DATA
from bot.services.text_cleaning import clean_text
from tests.support.error_log import ErrorLog as ErrorLog  # re-exported: the walks take one
from tests.support.harness import BotHarness, Reply

HUGE = 10_000  # more than Telegram's 4,096: the bot must refuse or shorten, never choke
NON_TEXT = ("sticker", "photo", "voice", "document")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")

MARKUP = [
    "<b>жирный</b>",
    "<a href='https://evil.example/'>ссылка</a>",
    "</pre>",
    "</b></i> хвост",
    "&",
    "&amp; &lt;b&gt;",
    "a < b && c > d",
    "<script>alert('x')</script>",
    "*жирный* _курсив_ `код` ~зачёркнутый~",
    "[ссылка](https://evil.example/)",
    "<tg-spoiler>секрет</tg-spoiler>",
]
EMOJI_AND_DIRECTION = [
    "💥" * 50,
    "👨‍👩‍👧‍👦🏳️‍🌈 семья",
    "שלום <i>עולם</i>",
    "مرحبا بالعالم",
    "\u202eтекст задом наперёд\u202c",
    "\u200b",
    "Z̷̢̛a̸l̵g̶o̷ ̸т̵е̶к̷с̸т̵",
]
IMPOSSIBLE_DATES = [
    "31.02.2023",
    "00.00.0000",
    "29.02.2027",
    "32.13.2026",
    "31.04.2027 10:00",
    "29.02.2027 25:61",
    "01.01.0001",
    "31.12.9999 23:59",
    "99999999999999999999",
    "-1",
    "0",
    "⁹⁰",  # str.isdigit() says yes, int() says no
    "١٥.٠٣.٢٠٢٧ ١٠:٠٠",  # Arabic-Indic digits
]
BLANK = ["", " ", "\n\t \n", "\u00a0", "   \u3000   "]
SPECIAL = [*MARKUP, *EMOJI_AND_DIRECTION, *IMPOSSIBLE_DATES, *BLANK]


@dataclass(frozen=True)
class Hostile:
    """One thing sent to the bot: a text, or a message of another kind (`kind`)."""

    kind: str = "text"
    text: str = ""

    def __repr__(self) -> str:  # hypothesis prints this on failure: keep 10,000 chars short
        shown = self.text if len(self.text) < 80 else f"{self.text[:40]!r}…×{len(self.text)}"
        return f"Hostile({self.kind}, {shown!r})"


# Always tried, whatever hypothesis draws besides: one of each kind of trouble.
CLASSICS = [
    Hostile("text", "<b>жирный</b> & </pre>"),
    Hostile("text", "<a href='https://evil.example/'>ссылка</a>"),
    Hostile("text", "я" * HUGE),
    Hostile("text", " \n\t "),
    Hostile("text", "31.02.2023"),
    Hostile("text", "⁹⁰"),
    Hostile("text", "שלום 💥 мир"),
    Hostile("text", "до\x00после"),  # PostgreSQL stores no NUL
    Hostile("sticker"),
    Hostile("voice"),
]


def one_bot(max_examples: int) -> settings:
    """Hypothesis settings for examples that share one bot (a fresh bot per example would
    take minutes): derandomized for CI, no deadline (a step is a round trip to the bot)."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def with_classics(**fixed):  # type: ignore[no-untyped-def]
    """Add the CLASSICS as explicit examples of a `@given(value=..., **others)` test;
    `fixed` gives the other arguments' values for them."""

    def decorate(test):  # type: ignore[no-untyped-def]
        for value in CLASSICS:
            test = example(value=value, **fixed)(test)
        return test

    return decorate


def _texts() -> st.SearchStrategy[str]:
    unicode = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)
    huge = st.sampled_from(["я", "<b>", "&", "💥", "ש"]).map(lambda s: s * (HUGE // len(s)))
    return st.one_of(st.sampled_from(SPECIAL), unicode, huge)


def hostile_texts() -> st.SearchStrategy[Hostile]:
    return _texts().map(lambda text: Hostile("text", text))


def hostile_inputs() -> st.SearchStrategy[Hostile]:
    """Texts mostly, and now and then a sticker, photo, voice message or document."""
    others = st.sampled_from(NON_TEXT).map(lambda kind: Hostile(kind))
    return st.one_of(hostile_texts(), hostile_texts(), hostile_texts(), others)


async def deliver(bot: BotHarness, user, value: Hostile) -> Reply:  # type: ignore[no-untyped-def]
    if value.kind == "text":
        return await bot.send(user, value.text)
    if value.kind == "sticker":
        return await bot.send_sticker(user)
    if value.kind == "photo":
        return await bot.send_photo(user, b"\xff\xd8\xff\xe0 not really a jpeg")
    if value.kind == "voice":
        return await bot.send_voice(user)
    return await bot.send_document(user, "заметки <b>.txt", b"\x00\x01 junk", "text/plain")


MARKUP_PART = re.compile(r"<[^<>]+>|&#?\w+;")


def shows_markup_of(message_text: str | None, plain: str, sent: str) -> bool:
    """True when the user's text went out as HTML: present raw, but not what the user sees.

    Only for text with a whole tag or entity and words besides: a bare «<b>» or «<» is also
    part of the bot's own markup. Where a step shows the text back, the tests check it is
    shown as typed (`assert_shown_literally`), which covers the rest.
    """
    if not message_text or not MARKUP_PART.search(sent):
        return False
    if not re.search(r"[^\W\d_]{2,}", MARKUP_PART.sub("", sent)):
        return False
    return sent in message_text and sent not in plain


def assert_answered_safely(
    reply: Reply,
    fake: FakeTelegram,
    errors: ErrorLog | None = None,
    *,
    sent: Hostile | str | None = None,
) -> None:
    """The bot answered, in Russian, with nothing Telegram refused and nothing crashed."""
    assert reply.messages or reply.alerts, f"no answer to {sent!r}"
    assert fake.errors == [], fake.errors
    if errors is not None:
        assert errors.records == [], errors.describe()
    seen = reply.everything
    assert texts.INTERNAL_ERROR not in seen, f"internal error on {sent!r}"
    assert "Traceback" not in seen
    assert CYRILLIC.search(seen), f"not an answer in Russian: {seen[:200]!r}"
    typed = sent.text if isinstance(sent, Hostile) else sent
    if typed:
        for message in reply.messages:
            assert not shows_markup_of(message.text, message.plain_text, typed), (
                f"user text sent unescaped: {message.text[:300]!r}"
            )


def assert_shown_literally(shown: str, value: Hostile, limit: int = 300) -> None:
    """A short text the bot accepted comes back as the user typed it: `<b>` as `<b>`
    (less control and invisible format characters, which the bot drops where text enters)."""
    typed = clean_text(value.text).strip()
    if value.kind == "text" and typed and len(typed) <= limit and "\n" not in typed:
        assert typed in shown, f"{typed!r} not shown as typed in {shown[:500]!r}"


class Walk:
    """One hostile value fed to every step of a conversation, by one user.

    At each step the value is sent first and the answer checked; if the step did not move
    on (the value was refused, or a button was wanted), `valid` moves it on: a text to send
    or a coroutine function (a button press). Each step is one line in a test.
    """

    def __init__(self, bot: BotHarness, user, value: Hostile, errors: ErrorLog) -> None:  # type: ignore[no-untyped-def]
        self.bot, self.user, self.value, self.errors = bot, user, value, errors
        self.replies: list[Reply] = []

    async def begin(self, command: str) -> Reply:
        """Start the conversation clean: whatever an earlier example left is cancelled and
        its logged errors forgotten, so a failing example does not fail the ones after it."""
        await self.bot.send(self.user, "/cancel")
        self.errors.records.clear()
        return self.check(await self.bot.send(self.user, command), command)

    def check(self, reply: Reply, step: str) -> Reply:
        try:
            assert_answered_safely(reply, self.bot.fake, self.errors, sent=self.value)
        except AssertionError as error:
            raise AssertionError(f"step {step!r}: {error}") from None
        self.replies.append(reply)
        return reply

    async def assert_no_draft(self, *keys: str) -> None:
        """None of `keys` is left in the user's data: in memory, nor as stored for a restart."""
        assert self.bot.application is not None
        memory = self.bot.application.user_data.get(self.user.id, {})
        async with self.bot.session_factory() as session:
            row = await session.get(BotStateEntry, (USER_DATA, str(self.user.id)))
        stored = (row.data if row else None) or {}
        for key in keys:
            assert key not in memory, f"draft {key!r} left in memory: {memory[key]!r}"
            assert key not in stored, f"draft {key!r} left in the database: {stored[key]!r}"

    async def step(self, name: str, *, moved_on: str | None = None, valid=None) -> bool:  # type: ignore[no-untyped-def]
        """Send the value at step `name`; True when `moved_on` (the next prompt) came back."""
        reply = self.check(await deliver(self.bot, self.user, self.value), name)
        if moved_on is not None and moved_on in reply.text:
            return True
        if valid is not None:
            then = await (self.bot.send(self.user, valid) if isinstance(valid, str) else valid())
            self.check(then, f"{name} (valid answer)")
        return False


async def press_safely(  # type: ignore[no-untyped-def]
    bot: BotHarness, user, data: str, errors: ErrorLog, *secrets: str, message_id: int = 0
) -> Reply:
    """Press a button with any `data` (forged, truncated, stale): the press is answered,
    nothing crashes, whatever is said is Russian, and none of `secrets` is shown."""
    if not message_id:
        last = bot.fake.last_message(user.id)
        message_id = last.message_id if last else 1
    answers = len(bot.fake.callback_answers)
    reply = await bot.press_data(user, message_id, data)
    # An empty answer (a calendar's blank cell) is an answer too: the spinner stops.
    answered = len(bot.fake.callback_answers) > answers or reply.messages
    assert answered, f"press {data!r} left unanswered"
    assert bot.fake.errors == [], (data, bot.fake.errors)
    assert errors.records == [], (data, errors.describe())
    seen = reply.everything
    assert texts.INTERNAL_ERROR not in seen, f"internal error on {data!r}"
    assert not seen.strip() or CYRILLIC.search(seen), (data, seen[:200])
    lowered = seen.lower()
    for secret in secrets:
        assert secret.lower() not in lowered, f"{data!r} showed {secret!r}: {seen[:300]!r}"
    return reply
