"""Commands that take free text after them — /school, /start (an invite token), /events —
with hostile arguments, from a person and from a stranger; one bot for all examples."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.harness import BotHarness
from tests.support.hostile import ErrorLog, Hostile, assert_answered_safely, hostile_texts
from tests.support.personas import COORDINATOR


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    command=st.sampled_from(["/school", "/start", "/events", "/visits", "/help"]),
    value=hostile_texts(),
    stranger=st.booleans(),
)
async def test_commands_with_hostile_arguments_answer_safely(
    demo: BotHarness,
    logged_errors: ErrorLog,
    command: str,
    value: Hostile,
    stranger: bool,
) -> None:
    user = demo.stranger() if stranger else await demo.login(COORDINATOR)
    logged_errors.records.clear()
    # Telegram puts a space between a command and its argument; a newline is kept as typed.
    reply = await demo.send(user, f"{command} {value.text}"[:4096])
    assert_answered_safely(reply, demo.fake, logged_errors, sent=value)
