"""The fake refuses exactly what Telegram refuses."""

from __future__ import annotations

import pytest

from bot.fake_bot_api.validation import (
    check_commands,
    check_reply_markup,
    check_text,
    parse_html,
)

PARSE = "Bad Request: can't parse entities: "


@pytest.mark.parametrize(
    "text",
    [
        "<b>жирный</b> и <i>курсив</i>",
        "<b><i>вложенный</i></b>",
        '<a href="https://example.org/?a=1&amp;b=2">ссылка</a>',
        '<pre><code class="language-python">x = 1</code></pre>',
        "<blockquote>цитата</blockquote>",
        '<span class="tg-spoiler">спойлер</span> <tg-spoiler>ещё</tg-spoiler>',
        "a &lt; b &gt; c &amp; d &quot;e&quot; &#169; &#x263A;",
        "a > b",  # Telegram tolerates a bare >
    ],
)
def test_accepted_html(text: str) -> None:
    assert check_text(text, "HTML") is None


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("<div>x</div>", PARSE + 'Unsupported start tag "div" at byte offset 0'),
        ("<b>x", PARSE + 'Can\'t find end tag corresponding to start tag "b"'),
        (
            "<b><i>x</b></i>",
            PARSE + 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"',
        ),
        ("я < b", PARSE + "unexpected end of name token at byte offset 3"),
        ("a & b", PARSE + "Unsupported HTML entity at byte offset 2"),
        ("&foo;", PARSE + "Unsupported HTML entity at byte offset 0"),
        ("<span>x</span>", PARSE + 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
def test_refused_html(text: str, description: str) -> None:
    assert check_text(text, "HTML") == description


def test_markup_is_literal_without_parse_mode() -> None:
    assert check_text("<div> & <", None) is None


def test_length_counts_visible_code_points_after_parsing() -> None:
    assert check_text("<b>" + "я" * 4096 + "</b>", "HTML") is None
    assert check_text("&amp;" * 4096, "HTML") is None
    assert check_text("я" * 4097, None) == "Bad Request: message is too long"
    assert check_text("", None) == "Bad Request: message text is empty"
    assert check_text("<b> </b>", "HTML") == "Bad Request: message text is empty"
    assert check_text("x" * 1025, None, caption=True) == "Bad Request: message caption is too long"
    assert parse_html("&lt;b&gt;") == "<b>"


def test_callback_data_is_measured_in_bytes() -> None:
    def markup(data: str) -> dict:
        return {"inline_keyboard": [[{"text": "Кнопка", "callback_data": data}]]}

    assert check_reply_markup(markup("x" * 64)) is None
    assert check_reply_markup(markup("я" * 32)) is None  # 64 bytes
    assert check_reply_markup(markup("я" * 33)) == "Bad Request: BUTTON_DATA_INVALID"
    assert check_reply_markup(markup("")) == "Bad Request: BUTTON_DATA_INVALID"
    assert (
        check_reply_markup({"inline_keyboard": [[{"text": "x"}]]})
        == "Bad Request: text buttons are unallowed in the inline keyboard"
    )


def test_command_menu_rules() -> None:
    assert check_commands([{"command": "visit", "description": "Посещение"}]) is None
    assert check_commands([{"command": "Visit", "description": "x"}]) == (
        "Bad Request: BOT_COMMAND_INVALID"
    )
    assert check_commands([{"command": "a" * 33, "description": "x"}]) == (
        "Bad Request: BOT_COMMAND_INVALID"
    )
    assert check_commands([{"command": "ok", "description": ""}]) == (
        "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"
    )
    assert check_commands([{"command": f"c{i}", "description": "x"} for i in range(101)])
