"""Arbitrary input never crashes a parser and always comes back as HTML Telegram accepts."""

from __future__ import annotations

from datetime import date

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot import texts
from bot.fake_bot_api.validation import check_text, parse_html
from bot.services.dates import parse_user_date
from bot.services.errors import DomainError
from bot.services.roadmaps.deadlines import DeadlineUnreadable, parse_deadline
from bot.services.roadmaps.roadmap_import import ImportRefused, read_roadmap
from bot.services.school_names import parse_school_name
from bot.telegram_html import fit

TODAY = date(2026, 11, 24)
hostile = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300
) | st.sampled_from(
    ["<b>", "</pre>", "&", "&amp;", "<a href='x'>", "שלום <i>", "💥" * 50, "31.02.2023"]
)


@settings(max_examples=300, deadline=None)
@given(hostile)
def test_user_text_is_escaped_into_valid_telegram_html(value: str) -> None:
    card = texts.visit_summary(
        school=value,
        day=TODAY,
        format_code="other",
        format_other=value,
        purpose=value,
        participants=["other"],
        participants_other=value,
        findings=value,
        recommendations=value,
        follow_ups=[(value, TODAY)],
        attachments=0,
    )
    assert check_text(card, "HTML") is None
    assert value.strip() == "" or value in parse_html(card) or len(card) >= 3900


@settings(max_examples=300, deadline=None)
@given(hostile)
def test_date_parsing_only_says_no_in_words(value: str) -> None:
    try:
        parse_user_date(value, TODAY)
    except DomainError as error:
        assert error.code in texts.ERRORS


@settings(max_examples=300, deadline=None)
@given(hostile)
def test_deadline_wording_never_crashes(value: str) -> None:
    try:
        deadline = parse_deadline(value, 2026)
    except DeadlineUnreadable:
        return
    assert deadline.recurring or deadline.due is not None


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from(["plan.xlsx", "plan.csv", "plan.pdf", "plan"]))
def test_files_that_are_not_what_they_claim(content: bytes, name: str) -> None:
    try:
        parsed = read_roadmap(content, name, 2026, {1: "Фактор"})
    except ImportRefused as refused:
        assert refused.code in texts.ERRORS
        return
    assert isinstance(parsed.problems, list)


@settings(max_examples=300, deadline=None)
@given(hostile)
def test_school_names_never_crash(value: str) -> None:
    kind, number = parse_school_name(value)
    assert number is None or number >= 0
    del kind


@settings(max_examples=500, deadline=None, derandomize=True)
@example(["\n"], 20)  # line breaks inside the title's <b>: the cut left it open
@given(st.lists(hostile, min_size=1, max_size=6), st.integers(min_value=20, max_value=4000))
def test_a_fitted_card_is_one_message_telegram_accepts(values: list[str], limit: int) -> None:
    # The first line may be longer than the limit by itself (a long title in a caption).
    card = "\n".join(
        [f"📣 <b>Семинар: «{texts.e(values[0] * 20)}»</b>"]
        + [f"<b>Поле:</b> <i>{texts.e(value)}</i>" for value in values]
    )
    fitted = fit(card, limit)
    assert check_text(fitted, "HTML") is None
    assert len(parse_html(fitted)) <= limit
    assert fitted == card or fitted.endswith("…")
